"""Mail passwords in the scheme Dovecot verifies: BLF-CRYPT (bcrypt ``$2b$``), written ``{BLF-CRYPT}…``
in its passwd-file. Only the hash is kept; Dovecot checks logins against it (no Django here)."""

import bcrypt

SCHEME = "BLF-CRYPT"
PREFIX = "{" + SCHEME + "}"
MIN_LENGTH = 10
MAX_BYTES = 72  # bcrypt reads no further; longer passwords are refused rather than cut silently


class PasswordError(ValueError):
    """``code``: short | long | spaces | colon (the caller words the message in the user's language)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordError("short")
    if len(password.encode("utf-8")) > MAX_BYTES:
        raise PasswordError("long")
    if password != password.strip() or any(ord(ch) < 32 for ch in password):
        raise PasswordError("spaces")
    if ":" in password:
        raise PasswordError("colon")  # the passwd-file's separator (the hash never has one; refused anyway)


def hash_password(password: str, rounds: int = 10) -> str:
    check(password)
    return PREFIX + bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def verify(password: str, stored: str) -> bool:
    if not stored.startswith(PREFIX):
        return False
    try:
        return bcrypt.checkpw(password.encode("utf-8"), stored[len(PREFIX):].encode("ascii"))
    except ValueError:
        return False
