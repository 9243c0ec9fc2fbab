"""Which scheme a Vietnamese text was written in: Unicode, TCVN3, VNI, VIQR or Windows-1258.

Bytes are decoded with every scheme that could hold them, and the result that reads most like Vietnamese
wins: the share of its words that are well-formed Vietnamese syllables (an onset, a vowel group, a final
consonant, at most one tone) and the absence of letters that Vietnamese does not use. A wrong decoding
gives words such as "v¨n" or "vaờn", which score badly. Font names decide on their own when known
(.VnTime → TCVN3, .VnTimeH → TCVN3 capitals, VNI-Times → VNI).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from congvan.text import legacy
from congvan.text.legacy import CP1258, TCVN3, TONES, UNICODE, VIETNAMESE_LETTERS, VIQR, VNI

_ONSETS = r"ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx]"
_CODAS = r"ch|ng|nh|[cmnptk]"  # k: Đắk Lắk and other place names
_SYLLABLE = re.compile(rf"^({_ONSETS})?([aăâeêioôơuưy]+)({_CODAS})?$")
_VOWEL_GROUPS = frozenset("""
a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oai oao oay oe oeo oi oo ôi ơi ua uâ uây uê
ui uô uôi uơ uy uya uyê uyu ưa ưi ươ ươi ươu ưu yê yêu iêu
""".split())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _toneless(word: str) -> tuple[str, int]:
    """The word in lower case with its tones removed (vowel marks kept), and how many tones it had."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for ch in decomposed if ch in TONES)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONES)), tones


def is_syllable(word: str) -> bool:
    """A well-formed Vietnamese syllable (or a plain Latin word of the same shape)."""
    if any(ch not in VIETNAMESE_LETTERS for ch in word):
        return False
    bare, tones = _toneless(word)
    if tones > 1:
        return False
    match = _SYLLABLE.match(bare)
    if not match:
        return False
    onset, vowels = match.group(1) or "", match.group(2)
    if onset == "gi" and not vowels:
        vowels = "i"
    return vowels in _VOWEL_GROUPS or (onset in ("gi", "qu") and vowels in _VOWEL_GROUPS | {""})


def vietnamese_score(text: str) -> float:
    """How much ``text`` reads like Vietnamese: +1 for each syllable with a Vietnamese letter, −1 for each
    malformed word or stray symbol of the legacy ranges; plain ASCII syllables count 0."""
    text = unicodedata.normalize("NFC", text)
    score = 0.0
    for word in _WORD.findall(text):
        if is_syllable(word):
            score += 0 if word.isascii() else 1
        else:
            score -= 1
    score -= sum(1 for ch in text if 0x80 <= ord(ch) <= 0x2FF and not ch.isalpha())  # ¨ © ª ¸ …
    score -= sum(2 for ch in text if unicodedata.combining(ch) or ch == "\ufffd")  # marks left over
    return score


@dataclass(frozen=True)
class Detection:
    scheme: str
    text: str  # the decoded NFC text
    score: float
    capitals: bool = False


# Tie-break order: the most common scheme first.
_ORDER = (UNICODE, CP1258, TCVN3, VNI, VIQR)


def candidates(data: bytes) -> list[Detection]:
    """Every plausible decoding of ``data``, best first."""
    found: list[Detection] = []
    try:
        text = data.decode("utf-8")
        found.append(Detection(UNICODE, unicodedata.normalize("NFC", text), vietnamese_score(text)))
    except UnicodeDecodeError:
        text = None
    if data.isascii():
        if re.search(r"[aeiouyAEIOUY][\^(+'`?~.]|dd|DD", text or ""):
            decoded = legacy.decode_viqr(text)
            if decoded != text:
                found.append(Detection(VIQR, decoded, vietnamese_score(decoded)))
    else:
        for scheme in (CP1258, TCVN3, VNI):
            decoded = legacy.decode(data, scheme)
            found.append(Detection(scheme, decoded, vietnamese_score(decoded)))
    return sorted(found, key=lambda d: (-d.score, _ORDER.index(d.scheme)))


def detect(data: bytes | str) -> Detection:
    """The most likely scheme of ``data`` and its decoding. A ``str`` is taken as bytes read through
    Windows-1252 (text of a legacy-font run), unless it already holds Vietnamese Unicode letters."""
    if isinstance(data, str):
        if any(ord(ch) > 0xFF and ch not in "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039"
               "\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
               for ch in data):
            text = unicodedata.normalize("NFC", data)
            return Detection(UNICODE, text, vietnamese_score(text))
        data = legacy.as_bytes(data)
    return candidates(data)[0]


def to_unicode(data: bytes | str) -> str:
    """Decode text of an unknown scheme to NFC (the detected scheme's reading)."""
    return detect(data).text


# --- fonts ------------------------------------------------------------------------------------------------

_STYLE_WORDS = re.compile(r"[\s,-]*(bold|italic|oblique|regular|black italic|bolditalic|bd|it)$", re.IGNORECASE)


def scheme_of_font(name: str) -> tuple[str, bool] | None:
    """(scheme, capitals) of a legacy Vietnamese font name, None for a Unicode (or unknown) font.

    .VnTime, .VnArial… are TCVN3; their capitals twins end in H (.VnTimeH); VNI-Times, VNI-Helve… are VNI."""
    bare = (name or "").strip().strip('"').split("+")[-1]  # PDF subset prefix "ABCDEF+.VnTime"
    while True:
        shorter = _STYLE_WORDS.sub("", bare).strip()
        if shorter == bare:
            break
        bare = shorter
    lowered = bare.lower()
    if lowered.startswith(".vn"):
        return TCVN3, lowered.endswith("h")
    if lowered.startswith(("vni-", "vni ", "vni_")):
        return VNI, False
    return None
