"""Errors of the signing library (no Django here).

``SigningError.message`` is written for the person at the screen, in Vietnamese; ``detail`` keeps the
technical cause (English, from pyHanko, cryptography or the PKCS#11 module) for the logs.
"""

from __future__ import annotations


class SigningError(Exception):
    """Signing could not be done; ``str(error)`` / ``error.message`` is the Vietnamese reason."""

    code = "signing_failed"

    def __init__(self, message: str, *, code: str | None = None, detail: str = ""):
        self.message = message
        if code:
            self.code = code
        self.detail = detail
        super().__init__(message)
