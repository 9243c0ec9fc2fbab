import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from congvan.text import clean, fold, nfc


def test_folding_removes_marks_and_maps_d():
    assert fold("Văn bản ĐIỆN TỬ, Đức Cơ, Đắk Lắk") == "van ban dien tu, duc co, dak lak"
    assert fold("Ủy ban nhân dân") == "uy ban nhan dan"


def test_nfd_becomes_nfc():
    decomposed = unicodedata.normalize("NFD", "Quyết định")
    assert len(decomposed) == 13 and len(nfc(decomposed)) == 10
    assert clean("  " + decomposed + " ") == "Quyết định"


@given(st.text())
def test_fold_is_idempotent(value):
    assert fold(fold(value)) == fold(value)
