"""One error format for every 4xx of the API: ``{"error": {"code", "message", "detail"}}``.

Messages are gettext msgids in Vietnamese; they are rendered in the language the caller asks for with
``Accept-Language`` (the header wins over a session or cookie language: API clients are not browsers).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError

from congvan.errors import ServiceError

ERROR_CODES = frozenset({400, 401, 403, 404, 405, 409, 413, 422, 429})

HTTP_CODES = {  # status → (machine code, message) for errors raised by ninja or Django itself
    400: ("bad_request", _("Yêu cầu không hợp lệ.")),
    401: ("unauthorized", _("Cần đăng nhập: thiếu mã truy cập hoặc mã đã hết hạn.")),
    403: ("forbidden", _("Bạn không có quyền thực hiện thao tác này.")),
    404: ("not_found", _("Không tìm thấy.")),
    405: ("method_not_allowed", _("Phương thức không được hỗ trợ cho địa chỉ này.")),
    413: ("request_too_large", _("Dữ liệu gửi lên vượt quá dung lượng cho phép.")),
    429: ("throttled", _("Quá nhiều yêu cầu, vui lòng thử lại sau.")),
}


class ErrorBody(Schema):
    code: str
    message: str
    detail: dict


class ErrorOut(Schema):
    error: ErrorBody


def request_language(request: HttpRequest) -> str:
    """The first supported language of ``Accept-Language``, else the active one."""
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return translation.get_language() or settings.LANGUAGE_CODE


def error_response(request: HttpRequest, status: int, code: str, message, detail: dict | None = None,
                   api=None) -> HttpResponse:
    from congvan.api.urls import api as default_api

    language = request_language(request)
    with translation.override(language):
        body = {"error": {"code": code, "message": str(message), "detail": _plain(detail or {})}}
    response = (api or default_api).create_response(request, body, status=status)
    response["Content-Language"] = language
    return response


def _plain(value):
    """Detail values made JSON-safe (lazy strings rendered, unknown objects turned to text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _http_error(status: int, detail: dict | None = None):
    code, message = HTTP_CODES.get(status, ("error", _("Yêu cầu không hợp lệ.")))
    return code, message, detail


def install(api) -> None:
    """Register the handlers on the NinjaAPI (the most specific exception class wins)."""

    def handle(exc_class):
        def decorator(func):
            def handler(request, exc):
                status, code, message, detail = func(request, exc)
                response = error_response(request, status, code, message, detail, api=api)
                if status == 401:
                    response["WWW-Authenticate"] = 'Bearer realm="congvan"'
                return response

            api.add_exception_handler(exc_class, handler)
            return func

        return decorator

    @handle(ServiceError)
    def service_error(request, exc: ServiceError):
        return exc.http_status, exc.code, exc.message, exc.detail

    @handle(ValidationError)
    def validation_error(request, exc: ValidationError):
        errors = [{"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "")),
                   "type": str(error.get("type", ""))} for error in exc.errors]
        return 422, "validation_error", _("Dữ liệu gửi lên không hợp lệ."), {"errors": errors}

    @handle(AuthenticationError)
    def authentication_error(request, exc):
        return 401, *_http_error(401)

    @handle(AuthorizationError)
    def authorization_error(request, exc):
        return 403, *_http_error(403)

    @handle(Throttled)
    def throttled(request, exc: Throttled):
        return 429, *_http_error(429, {"wait": exc.wait} if exc.wait else None)

    @handle(HttpError)
    def http_error(request, exc: HttpError):
        code, message, detail = _http_error(exc.status_code)
        if exc.status_code == 400:  # e.g. a body that is not JSON: ninja's own text helps the integrator
            detail = {"reason": str(exc)}
        return exc.status_code, code, message, detail

    @handle(Http404)
    def not_found(request, exc):
        return 404, *_http_error(404)

    @handle(PermissionDenied)
    def permission_denied(request, exc):
        return 403, *_http_error(403)

    @handle(RequestDataTooBig)
    def too_big(request, exc):
        return 413, *_http_error(413)


def fallback_view(status: int):
    """Answer paths and methods the API does not have in the same format (used by the URL list)."""

    def view(request, *args, **kwargs):
        code, message, _detail = _http_error(status)
        return error_response(request, status, code, message, {"path": request.path})

    view.csrf_exempt = True
    return view
