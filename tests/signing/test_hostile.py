"""Hostile input: validate_pdf answers with a clear Vietnamese error and never raises — truncated files,
broken cross-reference tables, something else named .pdf, a 200 MB file, random mutations."""

import io
import os
import re
import resource
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from congvan.signing.errors import SigningError
from congvan.signing.pdfsign import Placement, sign_approval
from congvan.signing.verify import MAX_BYTES, ValidationReport, validate_pdf

from .conftest import LEADER

VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ]", re.I)


def _check_error(report: ValidationReport, *fragments: str) -> None:
    assert isinstance(report, ValidationReport)
    assert report.error, report.as_dict()
    assert VIETNAMESE.search(report.error), report.error
    assert not report.ok and report.signatures == []
    assert report.summary == report.error
    for fragment in fragments:
        assert fragment in report.error, report.error


def test_truncated_pdf(signed_pair, demo_pki):
    approved = signed_pair[1]
    for cut in (len(approved) // 2, len(approved) - 200, 1500, 20):
        _check_error(validate_pdf(approved[:cut], [demo_pki.root_pem]), "Tệp PDF")
    assert "cắt cụt" in validate_pdf(approved[: len(approved) // 2], [demo_pki.root_pem]).error


def test_broken_xref(signed_pair, demo_pki):
    approved = signed_pair[1]
    # the last startxref points into nowhere
    at = approved.rindex(b"startxref")
    broken = approved[:at] + b"startxref\n999999999\n%%EOF\n"
    _check_error(validate_pdf(broken, [demo_pki.root_pem]), "xref")
    # the xref table's entries are garbage
    table = approved.index(b"\nxref\n")
    garbage = bytearray(approved)
    garbage[table + 6:table + 200] = b"x" * 194
    report = validate_pdf(bytes(garbage), [demo_pki.root_pem])
    _check_error(report, "Tệp PDF")


def test_not_a_pdf_named_pdf(tmp_path, demo_pki):
    path = tmp_path / "cong-van.pdf"
    path.write_bytes(b"PK\x03\x04" + os.urandom(4000))  # a ZIP (e.g. a .docx) renamed
    _check_error(validate_pdf(path, [demo_pki.root_pem]), "không phải là PDF")
    _check_error(validate_pdf(b"", [demo_pki.root_pem]), "không phải là PDF")
    _check_error(validate_pdf("<html>Xin chào</html>".encode(), [demo_pki.root_pem]), "không phải là PDF")
    _check_error(validate_pdf(tmp_path / "khong-co.pdf", [demo_pki.root_pem]), "Không mở được tệp")


def test_200_mb_file_is_refused_without_reading_it(tmp_path, demo_pki):
    path = tmp_path / "lon.pdf"
    with open(path, "wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    report = validate_pdf(path, [demo_pki.root_pem])
    with open(path, "rb") as handle:
        from_file = validate_pdf(handle, [demo_pki.root_pem])
    elapsed = time.perf_counter() - started
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    _check_error(report, "Tệp quá lớn", "200 MB", "100 MB")
    _check_error(from_file, "Tệp quá lớn")
    assert report.size == 200 * 1024 * 1024
    assert elapsed < 2 and grown_mb < 50  # answered at once, nothing loaded
    assert MAX_BYTES == 100 * 1024 * 1024


def test_size_limit_on_bytes(signed_pair, demo_pki):
    _check_error(validate_pdf(signed_pair[1], [demo_pki.root_pem], max_bytes=1000), "Tệp quá lớn")
    assert validate_pdf(signed_pair[1], [demo_pki.root_pem], max_bytes=len(signed_pair[1])).ok


def test_password_protected_pdf(sample_pdf, demo_pki, leader_key):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sample_pdf.data)))
    writer.encrypt(user_password="bi-mat", owner_password="chu-so-huu", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    _check_error(validate_pdf(out.getvalue(), [demo_pki.root_pem]), "mã hóa")
    with pytest.raises(SigningError) as caught:
        sign_approval(out.getvalue(), leader_key, signer_name=LEADER, placement=Placement(0, 300, 300, 450, 360))
    assert caught.value.code in {"encrypted_pdf", "bad_pdf"}


def test_bad_trust_store_is_an_error_not_an_exception(signed_pair):
    report = validate_pdf(signed_pair[1], [b"-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n"])
    assert report.error and not report.ok


def test_signing_hostile_input_raises_signing_error(signed_pair, leader_key):
    placement = Placement(0, 300, 300, 450, 360)
    for data in (signed_pair[1][:3000], b"PK\x03\x04", b"%PDF-1.4\n%%EOF"):
        with pytest.raises(SigningError):
            sign_approval(data, leader_key, signer_name=LEADER, placement=placement)


# ---------------------------------------------------------------------------------------------------
# Random mutations of a signed PDF: validate_pdf answers, whatever the bytes


def _mutate(data: bytes, edits) -> bytes:
    buffer = bytearray(data)
    for kind, position, value, length in edits:
        if not buffer:
            break
        at = position % len(buffer)
        if kind == "flip":
            buffer[at] ^= value or 1
        elif kind == "delete":
            del buffer[at:at + length]
        elif kind == "insert":
            buffer[at:at] = bytes([value]) * length
        elif kind == "truncate":
            del buffer[at:]
        elif kind == "duplicate":
            buffer[at:at] = buffer[at:at + length * 16]
    return bytes(buffer)


EDITS = st.lists(
    st.tuples(st.sampled_from(["flip", "delete", "insert", "truncate", "duplicate"]),
              st.integers(min_value=0, max_value=1 << 30), st.integers(min_value=0, max_value=255),
              st.integers(min_value=1, max_value=64)),
    min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=EDITS)
def test_random_mutations_never_raise(signed_pair, demo_pki, edits):
    mutated = _mutate(signed_pair[2], edits)
    report = validate_pdf(mutated, [demo_pki.root_pem])
    assert isinstance(report, ValidationReport)
    assert report.error or report.signatures is not None
    assert isinstance(report.summary, str) and report.summary
    report.as_dict()
    if report.ok:  # a mutation that keeps every signature valid must have left the signed bytes alone
        assert all(s.intact for s in report.signatures)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(position=st.integers(min_value=0, max_value=1 << 30), value=st.integers(min_value=1, max_value=255))
def test_any_byte_changed_in_the_signed_range_is_caught(signed_pair, demo_pki, position, value):
    """One byte changed anywhere under the leader's signature (outside /Contents): never reported valid."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    approved = signed_pair[1]
    start, length_1, offset_2, length_2 = PdfFileReader(io.BytesIO(approved)).embedded_signatures[0].byte_range
    covered = length_1 + length_2
    at = position % covered
    at = at if at < length_1 else offset_2 + (at - length_1)
    mutated = bytearray(approved)
    mutated[at] ^= value
    report = validate_pdf(bytes(mutated), [demo_pki.root_pem])
    assert not report.ok
