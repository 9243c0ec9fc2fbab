"""Legacy Vietnamese encodings: every letter round-trips, the same text in four schemes decodes to the
same NFC text, and detection names the scheme."""

import io
import unicodedata
import zipfile

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from congvan.text import legacy
from congvan.text.detect import detect, is_syllable, scheme_of_font
from congvan.text.legacy import CP1258, TCVN3, UNICODE, VIETNAMESE_LOWER, VIQR, VNI
from congvan.text.word import docx_text, fonts_of, rtf_fonts

SAMPLE = ("Ủy ban nhân dân tỉnh Gia Lai tăng cường sử dụng văn bản điện tử trong hoạt động của cơ quan nhà "
          "nước; Quyết định số 12/QĐ-UBND về việc ban hành quy chế quản lý văn bản đến, đi. Đắk Lắk, Đức Cơ, "
          "Quy Nhơn: những người được giao xử lý phải hoàn thành đúng hạn.")

ALL_LETTERS = VIETNAMESE_LOWER + VIETNAMESE_LOWER.upper()
lower_words = st.lists(st.text(alphabet=VIETNAMESE_LOWER, min_size=1, max_size=8), min_size=1, max_size=12)
any_words = st.lists(st.text(alphabet=ALL_LETTERS, min_size=1, max_size=8), min_size=1, max_size=12)


def test_every_vietnamese_letter_is_covered():
    assert len(VIETNAMESE_LOWER) == 89  # 72 vowels with tones + 17 consonants (đ included)
    for ch in VIETNAMESE_LOWER:
        assert unicodedata.is_normalized("NFC", ch)


@given(lower_words)
def test_tcvn3_round_trip(words):
    text = " ".join(words)
    assert legacy.decode_tcvn3(legacy.encode_tcvn3(text)) == text


@given(any_words)
def test_tcvn3_capitals_font_round_trip(words):
    text = " ".join(words).upper()
    assert legacy.decode_tcvn3(legacy.encode_tcvn3(text, capitals=True), capitals=True) == text


@given(any_words)
def test_vni_round_trip(words):
    text = " ".join(words)
    assert legacy.decode_vni(legacy.encode_vni(text)) == text


@given(any_words, st.sampled_from([" ", ", ", ". ", "? ", " (", "\\", "'", "dd"]))
@example(["DĐ"], " ")  # a literal D before Đ ("DDD" would read Đ + D)
@example(["dđ", "ddđ"], " ")
def test_viqr_round_trip(words, separator):
    text = separator.join(words)
    assert legacy.decode_viqr(legacy.encode_viqr(text), strict=True) == text


@given(any_words)
def test_cp1258_round_trip(words):
    text = " ".join(words)
    assert legacy.decode_cp1258(legacy.encode_cp1258(text)) == text


def test_selected_bytes_of_the_charts():
    # STANDARDS §7: TCVN3 A8 ă, A9 â, AA ê, AB ô, AC ơ, AD ư, AE đ, A7 Đ, B5 à, B8 á, D0 é, D6 ệ, E3 ó, F3 ú
    assert legacy.decode_tcvn3(bytes([0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xA7, 0xB5, 0xB8, 0xD0, 0xD6,
                                      0xE3, 0xF3])) == "ăâêôơưđĐàáéệóú"
    # VNI: F9 sắc, F8 huyền, FB hỏi, F5 ngã, EF nặng after the vowel; F1 đ, D1 Đ, F4 ơ, F6 ư
    assert legacy.decode_vni(b"a\xf9 a\xf8 a\xfb a\xf5 a\xef \xf1 \xd1 \xf4 \xf6") == "á à ả ã ạ đ Đ ơ ư"
    assert legacy.decode_vni("Vieät Nam".encode("cp1252")) == "Việt Nam"
    assert legacy.decode_viqr("Vie^.t Nam, dda^'t nu+o+'c") == "Việt Nam, đất nước"


def test_the_same_text_in_four_schemes_decodes_to_the_same_nfc_text():
    lower = SAMPLE.lower()  # TCVN3 has no capitals with a tone in its normal font
    samples = {
        TCVN3: legacy.encode_tcvn3(lower),
        VNI: legacy.encode_vni(lower),
        VIQR: legacy.encode_viqr(lower).encode("ascii"),
        CP1258: legacy.encode_cp1258(lower),
    }
    assert len(set(samples.values())) == 4
    decoded = {scheme: legacy.decode(data, scheme) for scheme, data in samples.items()}
    assert set(decoded.values()) == {lower}
    for text in decoded.values():
        assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("scheme", [TCVN3, VNI, VIQR, CP1258, UNICODE])
def test_detection_names_the_scheme(scheme):
    lower = SAMPLE.lower()
    data = {
        TCVN3: lambda: legacy.encode_tcvn3(lower),
        VNI: lambda: legacy.encode_vni(SAMPLE),
        VIQR: lambda: legacy.encode_viqr(SAMPLE).encode("ascii"),
        CP1258: lambda: legacy.encode_cp1258(SAMPLE),
        UNICODE: lambda: unicodedata.normalize("NFD", SAMPLE).encode("utf-8"),
    }[scheme]()
    found = detect(data)
    assert found.scheme == scheme
    assert found.text == (lower if scheme == TCVN3 else SAMPLE)


@pytest.mark.parametrize("sentence", [
    "Kính gửi các sở, ban, ngành", "Về việc tăng cường ứng dụng công nghệ thông tin",
    "hồ sơ công việc", "Sở Tài chính", "ngày 15 tháng 3 năm 2025",
])
def test_detection_of_short_texts(sentence):
    assert detect(legacy.encode_vni(sentence)).text == sentence
    assert detect(legacy.encode_tcvn3(sentence.lower())).scheme == TCVN3
    assert detect(legacy.encode_cp1258(sentence)).text == sentence


def test_syllables():
    for word in ["nghiêng", "khuya", "quyết", "giữ", "gì", "Đắk", "ương", "người"]:
        assert is_syllable(word), word
    for word in ["vaờn", "v¨n", "ñieän", "tiờỡng", "aaa"]:
        assert not is_syllable(word), word


@pytest.mark.parametrize("font, expected", [
    (".VnTime", (TCVN3, False)), (".VnTimeH", (TCVN3, True)), (".VnArial NarrowH", (TCVN3, True)),
    ("ABCDEF+.VnTime,Bold", (TCVN3, False)), ("VNI-Times", (VNI, False)), ("VNI-Helve Bold", (VNI, False)),
    ("Times New Roman", None), ("Arial", None),
])
def test_scheme_of_font(font, expected):
    assert scheme_of_font(font) == expected


def _docx(runs) -> bytes:
    """A minimal .docx whose runs are (text, font)."""
    body = "".join(
        f'<w:p><w:r><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/></w:rPr><w:t xml:space="preserve">'
        f'{text}</w:t></w:r></w:p>' for text, font in runs)
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.'
                f'openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def test_docx_runs_in_legacy_fonts_are_decoded():
    heading = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    runs = [
        (legacy.encode_tcvn3(heading, capitals=True).decode("cp1252"), ".VnTimeH"),
        (legacy.encode_tcvn3("độc lập - tự do - hạnh phúc").decode("cp1252"), ".VnTime"),
        (legacy.encode_vni("Quyết định về việc giao chỉ tiêu").decode("cp1252"), "VNI-Times"),
        ("Văn bản Unicode", "Times New Roman"),
    ]
    data = _docx(runs)
    assert docx_text(data).split("\n") == [heading, "độc lập - tự do - hạnh phúc", "Quyết định về việc giao chỉ tiêu",
                                           "Văn bản Unicode"]
    schemes = {name: scheme for name, scheme, _ in fonts_of(data, "cu.docx")}
    assert schemes == {".VnTimeH": TCVN3, ".VnTime": TCVN3, "VNI-Times": VNI, "Times New Roman": None}


def test_rtf_font_table():
    rtf = (rb"{\rtf1\ansi{\fonttbl{\f0\fnil\fcharset0 .VnTime;}{\f1\froman\fprq2{\*\panose 02020603050405020304}"
           rb"Times New Roman;}{\f2\fswiss VNI-Helve;}}\f0 v\'a8n b\'b6n}")
    assert rtf_fonts(rtf) == [".VnTime", "Times New Roman", "VNI-Helve"]
    assert {scheme for _, scheme, _ in fonts_of(rtf, "cu.rtf")} == {TCVN3, None, VNI}
