import pytest
from hypothesis import given
from hypothesis import strategies as st

from congvan.directory.codes import AgencyCodeError, parse_legacy, validate_agency_code


@pytest.mark.parametrize(("code", "level", "parent"), [
    ("000.00.00.H21", 1, None),
    ("000.05.00.H21", 2, "000.00.00.H21"),
    ("000.20.14.H21", 3, "000.20.00.H21"),
    ("001.20.14.H21", 4, "000.20.14.H21"),
    ("000.00.00.G22", 1, None),
])
def test_legacy_codes_read_right_to_left(code, level, parent):
    parsed = parse_legacy(code)
    assert parsed.level == level
    assert parsed.parent_code == parent


@pytest.mark.parametrize("code", ["000.00.00.H21", "H21.0000.A", "A1.B2.C3", "G22", "0" * 35])
def test_valid_codes(code):
    assert validate_agency_code(code) == code.upper()


@pytest.mark.parametrize("code", ["", "000.0A.00.H21", "000.00.00.21H", "000..00", "Sở Nội vụ", "0" * 36,
                                  ".000", "000.00.00.H21.", "H21.00.00.000"])
def test_invalid_codes_get_a_vietnamese_reason(code):
    with pytest.raises(AgencyCodeError) as error:
        validate_agency_code(code)
    assert "Mã định danh" in str(error.value)


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.", max_size=40))
def test_validation_never_crashes(code):
    try:
        result = validate_agency_code(code)
    except AgencyCodeError:
        return
    assert len(result) <= 35 and ".." not in result


def test_agency_keeps_history_and_old_codes_resolve(demo):
    from congvan.directory.models import Agency

    agency = Agency.objects.get(history__code="000.12.00.H21")
    assert agency.code == "000.10.00.H21"
    assert agency.history.get().name == "Sở Thông tin và Truyền thông tỉnh Gia Lai"
