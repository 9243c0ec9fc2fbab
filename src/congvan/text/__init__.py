"""Vietnamese text rules shared by every part of the platform (TCVN 6909:2001: Unicode, stored NFC)."""

import unicodedata


def nfc(value: str) -> str:
    """Normalise to NFC: NFD input (macOS file names, some editors) would otherwise compare unequal."""
    return unicodedata.normalize("NFC", value)


def clean(value: str | None) -> str:
    """NFC and surrounding white space removed: what every text field stores."""
    return nfc(value or "").strip()


def fold(value: str) -> str:
    """Search folding: NFC, lower case, marks removed, đ→d (đ has no decomposition, so it needs its own rule)."""
    decomposed = unicodedata.normalize("NFD", value.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.replace("đ", "d"))
