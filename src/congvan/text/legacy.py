"""Vietnamese text from before Unicode: TCVN3 (ABC), VNI-Windows, VIQR and Windows-1258, to NFC and back.

The tables are our own, written from the public character charts of each scheme:

- TCVN3 (TCVN 5712:1993, "ABC", fonts .VnTime…): one byte per letter. Only seven capitals exist
  (Ă Â Ê Ô Ơ Ư Đ); capitals with a tone are drawn by a second font (.VnTimeH) that shows every byte as its
  capital, so text set in such a font is decoded in *capitals* mode.
- VNI-Windows (fonts VNI-Times…): an ASCII base letter followed by a mark byte (tone, or vowel mark, or
  both in one byte); a few letters are single bytes (đ ơ ư ĩ ì í ỉ ị ỵ).
- VIQR (RFC 1456): ASCII only; tones ``' ` ? ~ .`` and vowel marks ``^ ( +`` follow the vowel, ``dd`` is đ,
  a backslash makes the next character literal.
- Windows-1258: base letters plus combining tone marks; Python's ``cp1258`` codec decodes it, NFC composes.

Every decoder returns NFC text. The encoders exist so that every Vietnamese letter can be round-tripped
(tests), and to produce samples in each scheme.
"""

from __future__ import annotations

import unicodedata

TCVN3 = "tcvn3"
VNI = "vni"
VIQR = "viqr"
CP1258 = "cp1258"
UNICODE = "unicode"

# Tones in the order sắc, huyền, hỏi, ngã, nặng, as combining marks.
ACUTE, GRAVE, HOOK, TILDE, DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
TONES = (ACUTE, GRAVE, HOOK, TILDE, DOT)
CIRCUMFLEX, BREVE, HORN = "\u0302", "\u0306", "\u031b"

BASE_VOWELS = "aăâeêioôơuưy"


def _compose(base: str, tone: str = "") -> str:
    return unicodedata.normalize("NFC", base + tone)


def _vowel_forms() -> list[str]:
    """Every lower-case vowel letter with every tone (12 × 6 = 72 letters)."""
    return [_compose(v, t) for v in BASE_VOWELS for t in ("",) + TONES]


VIETNAMESE_LOWER = "".join(sorted(set(_vowel_forms() + list("bcdđghklmnpqrstvx"))))
VIETNAMESE_LETTERS = VIETNAMESE_LOWER + VIETNAMESE_LOWER.upper()

# --- TCVN3 ------------------------------------------------------------------------------------------------

# (vowel, [no tone, huyền, hỏi, ngã, sắc, nặng]) → bytes; the chart's order within each vowel.
_TCVN3_ROWS = {
    "a": (0x61, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0x65, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0x69, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0x6F, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0x75, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0x79, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_TONE_ORDER = ("", GRAVE, HOOK, TILDE, ACUTE, DOT)


def _tcvn3_table() -> dict[int, str]:
    table = {}
    for vowel, codes in _TCVN3_ROWS.items():
        for code, tone in zip(codes, _TCVN3_TONE_ORDER, strict=True):
            table[code] = _compose(vowel, tone)
    table.update({0xAE: "đ", 0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ"})
    # The five tone marks on their own (placed over a letter typed before them by some editors).
    table.update({0xB0: GRAVE, 0xB1: HOOK, 0xB2: TILDE, 0xB3: ACUTE, 0xB4: DOT})
    return table


TCVN3_TO_UNICODE = _tcvn3_table()
UNICODE_TO_TCVN3 = {ch: code for code, ch in TCVN3_TO_UNICODE.items() if code >= 0x80 and len(ch) == 1
                    and not unicodedata.combining(ch)}


def decode_tcvn3(data: bytes | str, *, capitals: bool = False) -> str:
    """TCVN3 bytes → NFC. ``capitals``: the text was set in a capitals font (.VnTimeH), so every letter is
    a capital. A ``str`` is taken as the bytes read through Windows-1252 (what a PDF or a Word file shows)."""
    raw = as_bytes(data)
    text = "".join(TCVN3_TO_UNICODE.get(b, chr(b)) if b >= 0x80 else chr(b) for b in raw)
    text = unicodedata.normalize("NFC", text)
    return text.upper() if capitals else text


def encode_tcvn3(text: str, *, capitals: bool = False) -> bytes:
    """NFC → TCVN3. Capitals with a tone have no byte in TCVN3: encode them with ``capitals`` (the .VnTimeH
    font), which writes the lower-case bytes."""
    text = unicodedata.normalize("NFC", text)
    if capitals:
        text = text.lower()
    out = bytearray()
    for ch in text:
        if ord(ch) < 0x80:
            out.append(ord(ch))
        elif ch in UNICODE_TO_TCVN3:
            out.append(UNICODE_TO_TCVN3[ch])
        else:
            raise ValueError(f"{ch!r} has no TCVN3 byte" + ("" if capitals else " (capitals need the H font)"))
    return bytes(out)


# --- VNI-Windows ------------------------------------------------------------------------------------------

# Mark bytes after a base letter (lower-case byte, upper-case byte): (vowel mark, tone).
_VNI_MARKS = {
    (0xF9, 0xD9): ("", ACUTE), (0xF8, 0xD8): ("", GRAVE), (0xFB, 0xDB): ("", HOOK),
    (0xF5, 0xD5): ("", TILDE), (0xEF, 0xCF): ("", DOT),
    (0xE2, 0xC2): (CIRCUMFLEX, ""), (0xE1, 0xC1): (CIRCUMFLEX, ACUTE), (0xE0, 0xC0): (CIRCUMFLEX, GRAVE),
    (0xE5, 0xC5): (CIRCUMFLEX, HOOK), (0xE3, 0xC3): (CIRCUMFLEX, TILDE), (0xE4, 0xC4): (CIRCUMFLEX, DOT),
    (0xEA, 0xCA): (BREVE, ""), (0xE9, 0xC9): (BREVE, ACUTE), (0xE8, 0xC8): (BREVE, GRAVE),
    (0xFA, 0xDA): (BREVE, HOOK), (0xFC, 0xDC): (BREVE, TILDE), (0xEB, 0xCB): (BREVE, DOT),
}
VNI_MARK = {code: value for codes, value in _VNI_MARKS.items() for code in codes}
# Letters that are one byte of their own.
VNI_SINGLE = {0xF1: "đ", 0xD1: "Đ", 0xF4: "ơ", 0xD4: "Ơ", 0xF6: "ư", 0xD6: "Ư",
              0xED: "í", 0xCD: "Í", 0xEC: "ì", 0xCC: "Ì", 0xE6: "ỉ", 0xC6: "Ỉ", 0xF3: "ĩ", 0xD3: "Ĩ",
              0xF2: "ị", 0xD2: "Ị", 0xEE: "ỵ", 0xCE: "Ỵ"}
_VNI_TONE_BASES = set("aeouyAEOUY") | {"ơ", "Ơ", "ư", "Ư"}
_VNI_VOWEL_MARK_BASES = {CIRCUMFLEX: set("aeoAEO"), BREVE: set("aA")}


def decode_vni(data: bytes | str, *, capitals: bool = False) -> str:
    """VNI-Windows bytes → NFC (a ``str`` is taken as the bytes read through Windows-1252)."""
    raw = as_bytes(data)
    out: list[str] = []
    i = 0
    while i < len(raw):
        b = raw[i]
        if b in VNI_SINGLE and not (out and _takes_mark(out[-1], b)):
            out.append(VNI_SINGLE[b])
        elif b in VNI_MARK and out and _takes_mark(out[-1], b):
            mark, tone = VNI_MARK[b]
            out[-1] = _compose(out[-1] + mark, tone)
        else:
            out.append(chr(b))
        i += 1
    text = unicodedata.normalize("NFC", "".join(out))
    return text.upper() if capitals else text


def _takes_mark(previous: str, code: int) -> bool:
    """Whether the mark byte ``code`` applies to the letter just decoded."""
    if code not in VNI_MARK:
        return False
    mark, tone = VNI_MARK[code]
    decomposed = unicodedata.normalize("NFD", previous)
    base, marks = decomposed[:1], decomposed[1:]
    if any(m in TONES for m in marks):
        return False  # already has a tone
    if mark:
        return base in _VNI_VOWEL_MARK_BASES[mark] and not marks
    # a tone: on a, e, o, u, y, ơ, ư and on â, ă, ê, ô made by an earlier mark byte
    return previous in _VNI_TONE_BASES or (base in "aeoAEO" and marks in (CIRCUMFLEX, BREVE))


_VNI_ENCODE_TONE = {ACUTE: 0xF9, GRAVE: 0xF8, HOOK: 0xFB, TILDE: 0xF5, DOT: 0xEF}
_VNI_ENCODE_BOTH = {(mark, tone): codes[0] for codes, (mark, tone) in _VNI_MARKS.items() if mark}
_VNI_SINGLE_REVERSE = {ch: code for code, ch in VNI_SINGLE.items()}


def encode_vni(text: str) -> bytes:
    """NFC → VNI-Windows."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) < 0x80:
            out.append(ord(ch))
            continue
        if ch in _VNI_SINGLE_REVERSE:
            out.append(_VNI_SINGLE_REVERSE[ch])
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        upper = base.isupper()
        tone = next((m for m in marks if m in TONES), "")
        vowel_mark = next((m for m in marks if m in (CIRCUMFLEX, BREVE, HORN)), "")
        if vowel_mark == HORN:  # ơ ư are single bytes, a tone follows them
            letter = _compose(base + HORN)
            out.append(_VNI_SINGLE_REVERSE[letter])
            if tone:
                out.append(_case(_VNI_ENCODE_TONE[tone], upper))
            continue
        if not base.isascii() or len(marks) != bool(tone) + bool(vowel_mark):
            raise ValueError(f"{ch!r} has no VNI form")
        out.append(ord(base))
        if vowel_mark:
            out.append(_case(_VNI_ENCODE_BOTH[(vowel_mark, tone)], upper))
        elif tone:
            out.append(_case(_VNI_ENCODE_TONE[tone], upper))
    return bytes(out)


def _case(code: int, upper: bool) -> int:
    return code - 0x20 if upper else code


# --- VIQR (RFC 1456) --------------------------------------------------------------------------------------

VIQR_TONES = {"'": ACUTE, "`": GRAVE, "?": HOOK, "~": TILDE, ".": DOT}
VIQR_MARKS = {"^": CIRCUMFLEX, "(": BREVE, "+": HORN}
_VIQR_MARK_BASES = {CIRCUMFLEX: set("aeoAEO"), BREVE: set("aA"), HORN: set("ouOU")}
_VIQR_VOWELS = set("aeiouyAEIOUY")
_CLOSERS = " \t\"')]}»”’"


def decode_viqr(text: str | bytes, *, strict: bool = False) -> str:
    """VIQR → NFC. A mark character applies to the vowel just before it; ``\\`` keeps the next character
    literal; ``dd`` is đ.

    RFC 1456 asks writers to escape punctuation that follows a vowel, but real texts seldom do: unless
    ``strict``, a ``.`` or ``?`` after a vowel that ends a sentence (end of text or line, or a capital after
    the space) is read as punctuation — which makes a word-final nặng or hỏi right before the end of a
    sentence unreadable, the price of reading "Hà Nội." correctly."""
    if isinstance(text, bytes):
        text = text.decode("ascii", errors="replace")
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            out.append(text[i + 1])
            i += 2
            continue
        if ch in "dD" and i + 1 < n and text[i + 1] in "dD":
            out.append("đ" if ch == "d" else "Đ")
            i += 2
            continue
        previous = out[-1] if out else ""
        if ch in VIQR_MARKS and _viqr_takes_mark(previous, ch):
            out[-1] = _compose(unicodedata.normalize("NFD", previous) + VIQR_MARKS[ch])
        elif ch in VIQR_TONES and _viqr_takes_mark(previous, ch) \
                and not (not strict and ch in ".?" and _sentence_end(text, i)):
            out[-1] = _compose(previous, VIQR_TONES[ch])
        else:
            out.append(ch)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def _viqr_takes_mark(previous: str, ch: str) -> bool:
    """Whether the mark character ``ch`` applies to the letter just decoded."""
    if not previous:
        return False
    decomposed = unicodedata.normalize("NFD", previous)
    base, marks = decomposed[0], decomposed[1:]
    if ch in VIQR_MARKS:
        return base in _VIQR_MARK_BASES[VIQR_MARKS[ch]] and not marks
    return base in _VIQR_VOWELS and not any(m in TONES for m in marks)


def _sentence_end(text: str, i: int) -> bool:
    """Whether the mark at ``i`` sits where a sentence ends: end of text or line, more final punctuation,
    or spaces (and closing quotes or brackets) before a capital."""
    rest = text[i + 1:]
    if not rest or rest[0] in "\r\n.!?…":
        return True
    if rest[0] not in _CLOSERS:
        return False
    stripped = rest.lstrip(_CLOSERS)
    return not stripped or stripped[0] in "\r\n" or stripped[0].isupper()


_VIQR_TONE_CHAR = {v: k for k, v in VIQR_TONES.items()}
_VIQR_MARK_CHAR = {v: k for k, v in VIQR_MARKS.items()}


def encode_viqr(text: str) -> str:
    """NFC → VIQR (RFC 1456), escaping with ``\\`` every literal character a decoder would take as a mark.
    ``decode_viqr(encode_viqr(t), strict=True) == t`` for any text of Vietnamese letters."""
    out: list[str] = []
    previous = ""
    for ch in unicodedata.normalize("NFC", text):
        if ch == "\\":
            out.append("\\\\")
        elif ch in "đĐ":
            if out and out[-1] in ("d", "D"):  # "dđ" would read "dd" + "d": keep the literal d apart
                out[-1] = "\\" + out[-1]
            out.append("dd" if ch == "đ" else "DD")
        elif ch in "dD" and previous in ("d", "D"):
            out.append("\\" + ch)  # a literal "dd"
        elif (ch in VIQR_MARKS or ch in VIQR_TONES) and _viqr_takes_mark(previous, ch):
            out.append("\\" + ch)
        else:
            decomposed = unicodedata.normalize("NFD", ch)
            base, marks = decomposed[0], decomposed[1:]
            mark = "".join(_VIQR_MARK_CHAR[m] for m in marks if m in _VIQR_MARK_CHAR)
            tone = "".join(_VIQR_TONE_CHAR[m] for m in marks if m in _VIQR_TONE_CHAR)
            if marks and (len(marks) != len(mark) + len(tone) or not base.isascii()):
                raise ValueError(f"{ch!r} has no VIQR form")
            out.append(base + mark + tone)
        previous = ch
    return "".join(out)


# --- Windows-1258 -----------------------------------------------------------------------------------------

def decode_cp1258(data: bytes) -> str:
    """Windows-1258 → NFC (the codec gives base letters and combining tones)."""
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))


def encode_cp1258(text: str) -> bytes:
    """NFC → Windows-1258: letters with a vowel mark are precomposed there, tones are combining bytes."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(m for m in decomposed[1:] if m in TONES)
        letter = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        out += (letter + tones).encode("cp1258")  # raises for what Windows-1258 cannot hold
    return bytes(out)


# --- shared -----------------------------------------------------------------------------------------------

def as_bytes(data: bytes | str) -> bytes:
    """The bytes behind text that was read as Windows-1252 (a legacy-font run in a PDF or Word file); a
    character outside that code page is kept as Latin-1 when it can be."""
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    out = bytearray()
    for ch in data:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            out += ch.encode("latin-1", errors="replace")
    return bytes(out)


DECODERS = {TCVN3: decode_tcvn3, VNI: decode_vni, VIQR: decode_viqr, CP1258: decode_cp1258}


def decode(data: bytes | str, scheme: str, *, capitals: bool = False) -> str:
    """Decode ``data`` written in ``scheme`` (one of TCVN3, VNI, VIQR, CP1258, UNICODE) to NFC."""
    if scheme == UNICODE:
        text = data.decode("utf-8", errors="replace") if isinstance(data, bytes | bytearray) else data
        text = unicodedata.normalize("NFC", text)
        return text.upper() if capitals else text
    if scheme in (TCVN3, VNI):
        return DECODERS[scheme](data, capitals=capitals)
    text = DECODERS[scheme](data)
    return text.upper() if capitals else text
