"""Vietnamese text in Windows-1258 as old mail clients wrote it: base letters (with ă â ê ô ơ ư) and the tone
as a separate combining byte."""

import unicodedata

MODIFIERS = "\u0302\u0306\u031b"  # circumflex, breve, horn: part of the letter in cp1258


def cp1258(text: str) -> bytes:
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", decomposed[0] + "".join(m for m in decomposed[1:] if m in MODIFIERS))
        out += base.encode("cp1258") + "".join(m for m in decomposed[1:] if m not in MODIFIERS).encode("cp1258")
    return out
