"""Số, ký hiệu: the three shapes of Decree 30 built and parsed, and a round trip for any value."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from congvan.documents import notation
from congvan.documents.notation import TYPE_ABBREVIATIONS, Notation, NotationError


@pytest.mark.parametrize(("text", "expected"), [
    ("12/QĐ-UBND", Notation(12, "UBND", "QĐ")),
    ("1468/UBND-VHXH", Notation(1468, "UBND", None, "VHXH")),
    ("07/2013/CT-UBND", Notation(7, "UBND", "CT", None, 2013)),
    ("20/2020/QĐ-TTg", Notation(20, "TTg", "QĐ", None, 2020)),
    ("7816/VPCP-TTĐT", Notation(7816, "VPCP", None, "TTĐT")),
    ("424/KH-UBND", Notation(424, "UBND", "KH")),
    ("05/TTr-SKHCN", Notation(5, "SKHCN", "TTr")),
])
def test_parse_real_notations(text, expected):
    assert notation.parse(text) == expected


def test_build_pads_numbers_below_ten():
    assert notation.build(1, "UBND", unit="VP") == "01/UBND-VP"
    assert notation.build(12, "UBND", "QĐ") == "12/QĐ-UBND"
    assert notation.build(7, "UBND", "CT", year=2013) == "07/2013/CT-UBND"
    assert notation.build(1468, "UBND", unit="VHXH") == "1468/UBND-VHXH"


def test_nfd_input_is_normalised():
    decomposed = "12/QĐ-UBND".replace("Đ", "Đ")
    assert notation.parse("12/Q\u0110-UBND").type_code == "QĐ"
    assert notation.parse(decomposed).type_code == "QĐ"


@pytest.mark.parametrize("bad", ["", "UBND-VP", "0/UBND", "12/", "12/QĐ-", "12//UBND", "abc/UBND", "12/QĐ"])
def test_malformed_notations_are_refused(bad):
    with pytest.raises(NotationError):
        notation.parse(bad)


groups = st.text(alphabet=st.sampled_from("ABCDĐGHKLMNPQSTVXYabcg"), min_size=1, max_size=6).filter(
    lambda g: g not in TYPE_ABBREVIATIONS)


@given(number=st.integers(1, 99999), agency=groups, type_code=st.none() | st.sampled_from(sorted(TYPE_ABBREVIATIONS)),
       unit=st.none() | groups, year=st.none() | st.integers(1945, 2100))
def test_build_then_parse_round_trips(number, agency, type_code, unit, year):
    text = notation.build(number, agency, type_code, unit, year)
    assert notation.parse(text) == Notation(number, agency, type_code, unit, year)
    assert str(notation.parse(text)) == text
