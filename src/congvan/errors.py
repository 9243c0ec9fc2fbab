"""Errors raised by services: a machine code for the API, a message for the user (Vietnamese first).

Views and the API turn them into a message on the page or ``{"error": {"code", "message", "detail"}}``.
"""

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    code = "invalid"
    http_status = 400
    default_message = _("Yêu cầu không hợp lệ.")

    def __init__(self, message=None, *, code: str | None = None, detail: dict | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.detail = detail or {}
        super().__init__(str(self.message))


class Forbidden(ServiceError):
    code = "forbidden"
    http_status = 403
    default_message = _("Bạn không có quyền thực hiện thao tác này.")


class NotFound(ServiceError):
    code = "not_found"
    http_status = 404
    default_message = _("Không tìm thấy văn bản hoặc bạn không có quyền xem.")


class InvalidState(ServiceError):
    code = "invalid_state"
    http_status = 409
    default_message = _("Văn bản không ở trạng thái cho phép thao tác này.")


class SecrecyViolation(ServiceError):
    code = "secret_document_electronic"
    default_message = _("Văn bản mật không được gửi, nhận qua môi trường điện tử; chỉ phát hành bản giấy.")
