"""Secrets the platform must read back (DKIM private keys, IMAP passwords), sealed with a key derived
from the installation's SECRET_KEY: a database dump alone does not reveal them. Changing SECRET_KEY
makes them unreadable (the operator enters them again; docs/mail.md)."""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from congvan.errors import ServiceError


class SecretUnreadable(ServiceError):
    code = "secret_unreadable"
    default_message = _("Không giải mã được dữ liệu bí mật đã lưu (khóa bí mật của hệ thống đã thay đổi?). "
                        "Hãy nhập lại mật khẩu hoặc tạo lại khóa.")


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"congvan-mail", info=b"sealed-secrets").derive(
        secret_key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> str:
    return _fernet(settings.SECRET_KEY).encrypt(text.encode("utf-8")).decode("ascii") if text else ""


def unseal(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(settings.SECRET_KEY).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise SecretUnreadable()
