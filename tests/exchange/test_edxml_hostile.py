"""Hostile and broken packages: each refused with its precise code, nothing left in the spool."""

import base64
import io
import os
import re
import struct
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from congvan.exchange import edxml

NS = edxml.EDXML_NS
SDK = Path("/work/shared/interop/edxml/sdk_output_edoc_zip_attachment.edxml")


def package(*attachments: edxml.Attachment, subject="Về việc thử nghiệm") -> bytes:
    return edxml.document_bytes(edxml.DocumentPackage(
        from_=edxml.Organization("000.00.00.H21", "UBND tỉnh Gia Lai"), to=[edxml.Organization("000.01.00.H21")],
        document_id="000.00.00.H21,2024/05/06,12/UBND-VP", subject=subject,
        traces=[edxml.TraceHeader("000.00.00.H21", datetime(2024, 5, 6, 7, 8, 9))], attachments=list(attachments)))


def attachment(data: bytes, name="tep.pdf", content_type="application/pdf", content_id="1") -> edxml.Attachment:
    return edxml.Attachment(content_id, name, content_type=content_type, source=lambda: io.BytesIO(data))


def with_content(data: bytes, raw_base64: str) -> bytes:
    """``data`` (a package with one attachment) with that attachment's base64 replaced by ``raw_base64``."""
    return re.sub(rb"(<edXML:ContentTransferEncoded[^>]*>)[^<]*(<)", lambda m: m[1] + raw_base64.encode() + m[2],
                  data, count=1)


@pytest.fixture
def spool(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    return folder


def refused(data: bytes | Path, spool: Path, code: str, limits: edxml.Limits | None = None) -> edxml.PackageError:
    source = data if isinstance(data, Path) else io.BytesIO(data)
    with pytest.raises(edxml.PackageError) as caught:
        edxml.read_package(source, spool_dir=spool, limits=limits or edxml.Limits())
    assert caught.value.code == code, caught.value.message
    assert os.listdir(spool) == []
    assert caught.value.message and caught.value.message == str(caught.value)
    return caught.value


def test_xxe_is_refused_and_the_file_never_appears(spool):
    data = package().replace("Về việc thử nghiệm".encode(), b"&xxe;")
    data = data.replace(b'<?xml version="1.0" encoding="UTF-8"?>\n',
                        b'<?xml version="1.0" encoding="UTF-8"?>\n'
                        b'<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')
    assert b"&xxe;" in data
    error = refused(data, spool, "dtd_forbidden")
    assert "root:" not in error.message and "root:" not in repr(error.detail)
    assert "DTD" in error.message
    assert edxml.verify_file(_write(spool.parent / "xxe.edxml", data), []).code == "dtd_forbidden"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_external_dtd_is_refused(spool):
    data = package().replace(b"<edXML xmlns=", b'<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/x.dtd">\n<edXML xmlns=', 1)
    refused(data, spool, "dtd_forbidden")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol9;</edXML>"""


def test_billion_laughs_is_refused_quickly(spool, tmp_path):
    started = time.monotonic()
    refused(BILLION_LAUGHS, spool, "dtd_forbidden")
    check = edxml.verify_file(_write(tmp_path / "lol.edxml", BILLION_LAUGHS), [])
    assert (check.present, check.valid, check.code) == (False, False, "dtd_forbidden")
    with pytest.raises(edxml.PackageError, match="DTD"):
        edxml.sniff_kind(io.BytesIO(BILLION_LAUGHS))
    assert time.monotonic() - started < 1.0


def zip_of(name: str, chunks, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP written member-chunk by member-chunk (never the uncompressed content whole)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        info = zipfile.ZipInfo(name)
        info.compress_type = compression
        with archive.open(info, "w", force_zip64=True) as member:
            for chunk in chunks:
                member.write(chunk)
    return buffer.getvalue()


def test_zip_bomb_is_refused(spool):
    megabyte = bytes(1024 * 1024)
    bomb = zip_of("1896_QD-TTg_m_294779.doc", (megabyte for _ in range(200)))  # 200 MB of zeros
    assert len(bomb) < 1024 * 1024
    error = refused(package(attachment(bomb, "1896_QD-TTg_m_294779.doc", "application/zip")), spool, "zip_bomb")
    assert "1896_QD-TTg_m_294779.doc" in error.message


def _patch_sizes(data: bytes, uncompressed: int | None = None, flags: int | None = None) -> bytes:
    """Rewrite the uncompressed size and/or flags in the local and central headers."""
    data = bytearray(data)
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    if uncompressed is not None:
        struct.pack_into("<I", data, local + 22, uncompressed)
        struct.pack_into("<I", data, central + 24, uncompressed)
    if flags is not None:
        struct.pack_into("<H", data, local + 6, flags)
        struct.pack_into("<H", data, central + 8, flags)
    return bytes(data)


def small_zip(content: bytes = b"%PDF-1.7 noi dung " * 100, name="tep.pdf") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def test_member_declaring_one_gigabyte_is_refused_at_once(spool):
    started = time.monotonic()
    error = refused(package(attachment(_patch_sizes(small_zip(), uncompressed=10**9), content_type="application/zip")),
                    spool, "zip_bomb")
    assert "953,7 MiB" in error.message
    assert error.detail["declared"] == 10**9
    assert time.monotonic() - started < 0.5


def test_zip_lying_about_its_size_is_refused(spool):
    lying = _patch_sizes(small_zip(), uncompressed=100)  # inflates to 1800 bytes, claims 100
    refused(package(attachment(lying, content_type="application/zip")), spool, "bad_zip")


def test_encrypted_member_is_refused(spool):
    error = refused(package(attachment(_patch_sizes(small_zip(), flags=0x1), content_type="application/zip")),
                    spool, "bad_zip")
    assert "mã hóa" in error.message


def test_sdk_wrapper_with_several_files_is_refused(spool):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.pdf", b"a")
        archive.writestr("b.pdf", b"b")
    error = refused(package(attachment(buffer.getvalue(), "tep.pdf", "application/zip")), spool, "bad_zip")
    assert "2 tệp" in error.message
    # allowed with a larger limit when one member is named like the attachment
    pkg = edxml.read_package(io.BytesIO(package(attachment(buffer.getvalue(), "b.pdf", "application/zip"))),
                             spool_dir=spool, limits=edxml.Limits(max_zip_members=3))
    assert pkg.attachments[0].path.read_bytes() == b"b" and pkg.attachments[0].was_zipped


def test_office_container_is_kept_as_is(spool):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
    docx = buffer.getvalue()
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    pkg = edxml.read_package(io.BytesIO(package(attachment(docx, "Báo cáo.docx", mime))), spool_dir=spool)
    (att,) = pkg.attachments
    assert att.path.read_bytes() == docx and not att.was_zipped and att.name == "Báo cáo.docx"
    # and a file named .zip stays a zip
    archive = small_zip()
    pkg = edxml.read_package(io.BytesIO(package(attachment(archive, "hoso.zip", "application/zip"))),
                             spool_dir=spool)
    assert pkg.attachments[0].path.read_bytes() == archive and not pkg.attachments[0].was_zipped


@pytest.mark.parametrize("content,why", [
    ("QUJD" "QQ", "cắt cụt"),
    ("QUJD" "QQ=", "cắt cụt"),
    ("QU$D", "ngoài bảng mã"),
    ("QQ==QUJD", "sau ký tự đệm"),
    ("QUJDRA=\u00e9", "ngoài bảng mã"),
])
def test_bad_base64_is_refused(content, why, spool):
    error = refused(with_content(package(attachment(b"abcdef")), content), spool, "bad_base64")
    assert why in error.message


def test_base64_with_line_breaks_is_fine(spool):
    encoded = base64.encodebytes(b"x" * 1000).decode().replace("\n", "\r\n  ")
    pkg = edxml.read_package(io.BytesIO(with_content(package(attachment(b"abcdef")), encoded)), spool_dir=spool)
    assert pkg.attachments[0].path.read_bytes() == b"x" * 1000


def test_manifest_entry_without_attachment(spool):
    data = package(attachment(b"one", content_id="mot"), attachment(b"two", "hai.pdf", content_id="hai"))
    data = re.sub(rb"<Attachment>\s*<ContentId>cid:hai</ContentId>.*?</Attachment>", b"", data, flags=re.S)
    error = refused(data, spool, "attachment_missing")
    assert "hai" in error.message and error.detail["content_id"] == "hai"


def test_duplicate_content_ids_are_refused(spool):
    data = package(attachment(b"one", content_id="mot"), attachment(b"two", "hai.pdf", content_id="hai"))
    refused(data.replace(b"cid:hai", b"cid:mot"), spool, "bad_attachment")


def test_limits(spool, tmp_path):
    data = package(attachment(b"x" * 5000), attachment(b"y" * 10, "b.pdf", content_id="2"))
    error = refused(data, spool, "too_large", edxml.Limits(max_package_bytes=len(data) - 1))
    assert error.detail["limit"] == "max_package_bytes"
    refused(_write(tmp_path / "big.edxml", data), spool, "too_large", edxml.Limits(max_package_bytes=1000))
    assert refused(data, spool, "too_large", edxml.Limits(max_attachment_bytes=4999)).detail["limit"] == \
        "max_attachment_bytes"
    assert refused(data, spool, "too_large", edxml.Limits(max_attachments=1)).detail["limit"] == "max_attachments"
    long_subject = package(subject="Về việc " * 200_000)
    assert refused(long_subject, spool, "too_large", edxml.Limits(max_header_bytes=1024 * 1024)).detail[
        "limit"] == "max_header_bytes"
    # the attachment content does not count as header
    big = package(attachment(b"z" * 3 * 1024 * 1024))
    assert edxml.read_package(io.BytesIO(big), spool_dir=spool, limits=edxml.Limits(max_header_bytes=64 * 1024))


def test_deep_nesting_is_refused(spool):
    data = package().replace(b"<edXML:Subject>", b"<x>" * 100 + b"</x>" * 100 + b"<edXML:Subject>")
    refused(data, spool, "too_large")


@pytest.mark.parametrize("data,code,fragment", [
    (b"", "not_well_formed", "rỗng"),
    (b"<html><body/></html>", "not_edxml", "'html'"),
    (b'<edXML xmlns="urn:other"/>', "not_edxml", "urn:other"),
    (b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope/></edXML>', "missing_element",
     "edXML/edXMLEnvelope/edXMLHeader"),
    (b"<edXML><edXMLEnvelope><edXMLHeader><MessageHeader><From><OrganId/></From></MessageHeader></edXMLHeader>"
     b"</edXMLEnvelope></edXML>", "missing_element", "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId"),
    (b"<edXML><edXMLEnvelope><edXMLHeader><MessageHeader><StatusCode>07</StatusCode></MessageHeader></edXMLHeader>"
     b"</edXMLEnvelope></edXML>", "bad_status", "07"),
    (b"<edXML><edXMLEnvelope><edXMLHeader><MessageHeader><StatusCode>1</StatusCode><From><OrganId>A</OrganId>"
     b"</From></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>", "missing_element", "ResponseFor"),
    (b"<edXML><a></b></edXML>", "not_well_formed", "dòng 1, cột"),
    (b"<edXML>\xff\xfe</edXML>", "not_well_formed", "dòng 1"),
])
def test_refusals_name_the_problem(data, code, fragment, spool):
    assert fragment in refused(data, spool, code).message


def test_status_code_one_digit_is_padded(spool):
    data = (b"<edXML><edXMLEnvelope><edXMLHeader><MessageHeader><From><OrganId>A</OrganId></From>"
            b"<ResponseFor><DocumentId>X</DocumentId></ResponseFor><StatusCode> 5 </StatusCode>"
            b"</MessageHeader></edXMLHeader></edXMLEnvelope></edXML>")
    assert edxml.read_package(io.BytesIO(data), spool_dir=spool).status_code == "05"


def test_bad_values_are_refused(spool):
    data = package()
    assert "Priority" in refused(data.replace(b"<edXML:Priority>0<", b"<edXML:Priority>cao<"), spool,
                                 "bad_value").message
    assert "BussinessDocType" in refused(data.replace(b"<edXML:BussinessDocType>0<", b"<edXML:BussinessDocType>7<"),
                                         spool, "bad_value").message


def test_file_names_lose_their_directories(spool):
    pkg = edxml.read_package(io.BytesIO(package(attachment(b"x", name="../../etc/cron.d/Quye\u0302\u0301t.pdf"))),
                             spool_dir=spool)
    assert pkg.attachments[0].name == "Quyết.pdf"


# --- fuzzing -------------------------------------------------------------------------------------------------

SEED = package(attachment(small_zip(b"noi dung " * 50, "x.pdf"), "x.pdf", "application/zip"),
               attachment(b"plain text", "y.txt", "text/plain", content_id="2"))
TOKENS = [b"<", b">", b"&", b"&amp;", b"<!DOCTYPE x>", b"]]>", b"<![CDATA[", b"=", b"\x00", b"\xff", b"PK\x03\x04",
          b"</edXML:ContentTransferEncoded>", b"<edXML:ContentTransferEncoded>", b"cid:", b"<?x?>", b"<!--"]


@st.composite
def mutated(draw):
    data = bytearray(SEED)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        position = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[position:]
        elif kind == "insert":
            data[position:position] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=8))
        else:
            del data[position:position + draw(st.integers(1, 64))]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated())
def test_fuzz_mutations_parse_or_raise_package_error(data, tmp_path_factory):
    spool = tmp_path_factory.mktemp("fuzz")
    try:
        result = edxml.read_package(io.BytesIO(data), spool_dir=spool)
    except edxml.PackageError as error:
        assert error.code and error.message
        assert os.listdir(spool) == []
    else:
        kept = sorted(a.path.name for a in getattr(result, "attachments", []))
        assert sorted(os.listdir(spool)) == kept
