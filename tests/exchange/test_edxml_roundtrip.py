"""Write → read gives the same values; our output has the SDK's shape; big packages stream."""

import hashlib
import io
import json
import mimetypes
import os
import subprocess
import sys
import tempfile
import tracemalloc
import unicodedata
from dataclasses import asdict, fields, is_dataclass, replace
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from congvan.exchange import edxml

SDK = Path("/work/shared/interop/edxml/sdk_output_edoc_zip_attachment.edxml")
NS = edxml.EDXML_NS

LETTERS = ("aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
           "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢUÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴ0123456789")
# Combining marks too: what an NFD source (macOS, some editors) sends; the reader gives NFC back.
ALPHABET = LETTERS + " ,.;:-/()&<>\"'\u0300\u0301\u0303\u0309\u0323\n"

text = st.text(alphabet=ALPHABET, max_size=40)
word = st.text(alphabet=LETTERS, min_size=1, max_size=12)
line = st.builds(lambda a, b: a + b, word, text)  # never blank
organ_id = st.from_regex(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}", fullmatch=True)
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
stamps = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda d: d.replace(microsecond=0))
organization = st.builds(edxml.Organization, organ_id=organ_id, organ_name=text, organization_in_charge=text,
                         organ_add=text, email=text, telephone=text, fax=text, website=text)
staff = st.builds(edxml.StaffInfo, department=text, staff=text, email=text, mobile=text)
response = st.builds(edxml.ResponseFor, organ_id=organ_id, code=text, promulgation_date=st.none() | dates,
                     document_id=line)


@st.composite
def business(draw):
    kind = draw(st.sampled_from(list(edxml.BusinessDocType)))
    result = edxml.Business(doc_type=kind, reason=draw(text), document_id=draw(st.just("") | line),
                            paper=draw(st.booleans()), staff=draw(st.none() | staff))
    if kind == edxml.BusinessDocType.UPDATE:
        result.document_info = draw(st.none() | st.booleans())
        result.document_receiver = draw(st.none() | st.booleans())
        result.receivers = draw(st.lists(st.builds(edxml.Receiver, organ_id=organ_id,
                                                   receiver_type=st.integers(0, 1)), max_size=4))
    if kind == edxml.BusinessDocType.REPLACE:
        result.replacements = draw(st.lists(st.builds(edxml.ReplacementInfo, document_id=line,
                                                      organ_ids=st.lists(organ_id, max_size=3)), max_size=3))
    return result


@st.composite
def attachments(draw):
    count = draw(st.integers(0, 5))
    result = []
    for index in range(count):
        data = draw(st.binary(max_size=3000))
        result.append(edxml.Attachment(
            content_id=draw(st.sampled_from(["", "cid:"])) + f"{index}-{draw(st.integers(0, 10**6))}",
            name=draw(word) + draw(st.sampled_from([".pdf", ".docx", ".doc", ""])),
            description=draw(text), content_type=draw(st.sampled_from(["application/pdf", "application/msword",
                                                                      "text/plain", ""])),
            source=(lambda data=data: io.BytesIO(data)), zip_on_write=draw(st.booleans()),
            size=len(data), sha256=hashlib.sha256(data).hexdigest()))  # expected values, not written
    return result


document = st.builds(
    edxml.DocumentPackage, from_=organization, to=st.lists(organization, min_size=1, max_size=30),
    document_id=line, code_number=text, code_notation=text, place=text, promulgation_date=st.none() | dates,
    type=st.none() | st.integers(0, 99), type_detail=text, type_name=text, subject=text, content=text,
    signer_competence=text, signer_position=text, signer_full_name=text, due_date=st.none() | dates,
    to_places=st.lists(line, max_size=4), priority=st.integers(0, 4), sphere_of_promulgation=text,
    typer_notation=text, promulgation_amount=st.none() | st.integers(0, 10**6),
    page_amount=st.none() | st.integers(0, 10**4), direction=st.none() | st.booleans(),
    appendixes=st.lists(line, max_size=3), response_for=st.lists(response, max_size=2),
    steering_type=st.none() | st.integers(0, 2), business=business(),
    traces=st.lists(st.builds(edxml.TraceHeader, organ_id=organ_id, timestamp=stamps), max_size=3),
    attachments=attachments())


def normalised(value):
    """What the reader gives back for a value we wrote: text NFC and stripped."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: normalised(getattr(value, f.name)) for f in fields(value)
                                 if f.name not in ("source", "path")})
    return value


def attachment_view(att: edxml.Attachment) -> dict:
    return {"content_id": att.content_id, "name": att.name, "description": att.description,
            "content_type": att.content_type, "size": att.size, "sha256": att.sha256, "zipped": att.was_zipped}


def expected_attachment(att: edxml.Attachment) -> dict:
    content_id = att.content_id[4:] if att.content_id.startswith("cid:") else att.content_id
    # zipped: the SDK's application/zip; no type given: the writer's guess from the name
    content_type = "application/zip" if att.zip_on_write else (
        att.content_type or mimetypes.guess_type(att.name)[0] or "application/octet-stream")
    return {"content_id": content_id, "name": normalised(att.name), "description": normalised(att.description),
            "content_type": content_type, "size": att.size, "sha256": att.sha256, "zipped": att.zip_on_write}


def without_attachments(pkg) -> dict:
    values = asdict(replace(pkg, attachments=[]))
    values.pop("signed")
    return values


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pkg=document)
def test_document_round_trip(pkg):
    with tempfile.TemporaryDirectory() as spool:
        data = edxml.document_bytes(pkg)
        read = edxml.read_package(io.BytesIO(data), spool_dir=spool)
        assert isinstance(read, edxml.DocumentPackage) and read.signed is False
        assert without_attachments(read) == without_attachments(normalised(pkg))
        assert [attachment_view(a) for a in read.attachments] == [expected_attachment(a) for a in pkg.attachments]
        for att in read.attachments:
            assert hashlib.sha256(Path(att.path).read_bytes()).hexdigest() == att.sha256
        assert sorted(os.listdir(spool)) == sorted(a.path.name for a in read.attachments)


status_packet = st.builds(edxml.StatusPacket, from_=organization, response_for=response,
                          status_code=st.sampled_from(sorted(edxml.STATUS_CODES)), description=text,
                          timestamp=st.none() | stamps, staff=st.none() | staff)


@settings(max_examples=60, deadline=None)
@given(pkt=status_packet)
def test_status_round_trip(pkt):
    with tempfile.TemporaryDirectory() as spool:
        read = edxml.read_package(io.BytesIO(edxml.status_bytes(pkt)), spool_dir=spool)
        assert read == normalised(pkt)
        assert os.listdir(spool) == []


@pytest.mark.parametrize("code", sorted(edxml.STATUS_CODES))
def test_every_status_code(code, tmp_path):
    pkt = edxml.StatusPacket(
        from_=edxml.Organization("000.00.00.H21", "UBND tỉnh Gia Lai"),
        response_for=edxml.ResponseFor("000.00.00.G22", "7816/VPCP-TTĐT", date(2015, 9, 30),
                                       "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"),
        status_code=code, description=f"Trạng thái {code}", timestamp=datetime(2024, 5, 6, 7, 8, 9))
    data = edxml.status_bytes(pkt)
    assert f"<edXML:StatusCode>{code}</edXML:StatusCode>".encode() in data
    assert edxml.read_package(io.BytesIO(data), spool_dir=tmp_path) == pkt


def test_writer_refuses_unknown_status_code():
    pkt = edxml.StatusPacket(from_=edxml.Organization("000.00.00.H21"), response_for=edxml.ResponseFor(),
                             status_code="07")
    with pytest.raises(ValueError, match="07"):
        edxml.status_bytes(pkt)


def test_make_document_id():
    assert edxml.make_document_id("000.00.00.G22", date(2015, 9, 30), "7816/VPCP-TTĐT") == \
        "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert edxml.make_document_id(" 000.00.00.H21 ", date(2024, 1, 5), "Quye\u0302\u0301t") == \
        "000.00.00.H21,2024/01/05,Quyết"


# --- the SDK's shape ---------------------------------------------------------------------------------------

def element_paths(root) -> list[str]:
    """Every element as its path of prefix:local names (Signature internals left out)."""
    result = []

    def walk(element, prefix_path):
        qname = etree.QName(element)
        name = f"{element.prefix}:{qname.localname}" if element.prefix else qname.localname
        path = f"{prefix_path}/{name}"
        result.append(path)
        if qname.localname == "Signature":
            return
        for child in element:
            if isinstance(child.tag, str):
                walk(child, path)

    walk(root, "")
    return result


def leaf_values(root) -> list[tuple[str, str]]:
    values = []
    for element in root.iter():
        if not isinstance(element.tag, str) or len(element) or "Signature" in [
                etree.QName(a).localname for a in element.iterancestors()]:
            continue
        if etree.QName(element).localname in ("ContentTransferEncoded", "Signature"):
            continue
        values.append((etree.QName(element).localname, (element.text or "").strip()))
    return values


def test_written_document_has_the_sdk_shape(tmp_path):
    sample = edxml.read_package(SDK, spool_dir=tmp_path)
    for att in sample.attachments:
        att.source = (lambda path=att.path: open(path, "rb"))
        att.zip_on_write = True
    key, cert = edxml.generate_node_identity("shape")
    ours = edxml.document_bytes(sample, edxml.NodeSigner(key, cert))
    theirs = SDK.read_bytes()
    assert ours.splitlines()[:3] == theirs.splitlines()[:3]  # declaration, root, envelope: byte for byte
    assert b'<edXML:ContentTransferEncoded xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">' in ours
    ours_root, theirs_root = etree.fromstring(ours), etree.fromstring(theirs)
    assert ours_root.tag == theirs_root.tag and ours_root.nsmap == theirs_root.nsmap == {None: NS}
    assert element_paths(ours_root) == element_paths(theirs_root)
    assert leaf_values(ours_root) == leaf_values(theirs_root)  # the same values, in the same places
    assert [etree.QName(e).localname for e in ours_root.iter("{*}Signature")] == ["Signature"]


def test_response_for_goes_after_other_info(tmp_path):
    sample = edxml.read_package(Path("/work/shared/interop/edxml/edoc_revocation.edxml"), spool_dir=tmp_path)
    sample.attachments = []
    root = etree.fromstring(edxml.document_bytes(sample))
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader/{{{NS}}}MessageHeader")
    names = [etree.QName(e).localname for e in header]
    assert names[names.index("OtherInfo") + 1:names.index("OtherInfo") + 4] == [
        "ResponseFor", "SteeringType", "ToPlaces"]
    assert [etree.QName(e).localname for e in header.find(f"{{{NS}}}ResponseFor")] == [
        "OrganId", "Code", "PromulgationDate", "DocumentId"]


def test_zip_on_write_is_a_one_member_deflate_zip(tmp_path):
    import base64
    import zipfile

    pkg = edxml.DocumentPackage(
        from_=edxml.Organization("000.00.00.H21"), to=[edxml.Organization("000.01.00.H21")], document_id="x",
        attachments=[edxml.Attachment("1", "Quyết định số 12.pdf", source=lambda: io.BytesIO(b"%PDF-1.7 " * 500),
                                      zip_on_write=True)])
    root = etree.fromstring(edxml.document_bytes(pkg))
    raw = base64.b64decode(root.findtext(f".//{{{NS}}}ContentTransferEncoded"))
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        (member,) = archive.infolist()
        assert member.filename == "Quyết định số 12.pdf" and member.compress_type == zipfile.ZIP_DEFLATED
        assert archive.read(member) == b"%PDF-1.7 " * 500
    assert root.findtext(f".//{{{NS}}}Attachment/{{{NS}}}ContentType") == "application/zip"


# --- big packages stream ------------------------------------------------------------------------------------

class _Counting(io.RawIOBase):
    """``size`` bytes of incompressible-looking data made on the fly (never held whole)."""

    def __init__(self, size: int):
        self.left = size
        self.counter = 0
        self.block = b""

    def readable(self):
        return True

    def readinto(self, buffer):
        if not self.left:
            return 0
        if not self.block:
            self.counter += 1
            self.block = hashlib.sha512(self.counter.to_bytes(8, "big")).digest() * 1024
        n = min(len(buffer), self.left, len(self.block))
        buffer[:n] = self.block[:n]
        self.block = self.block[n:]
        self.left -= n
        return n


ATTACHMENT = 45 * 1024 * 1024

# Peak RSS over the RSS before reading: Linux resets the high-water mark on "5" > /proc/self/clear_refs.
READER = """
import json, sys, tracemalloc
from congvan.exchange import edxml

def status(field):
    with open("/proc/self/status") as handle:
        return next(int(l.split()[1]) * 1024 for l in handle if l.startswith(field + ":"))

path, spool = sys.argv[1], sys.argv[2]
with open("/proc/self/clear_refs", "w") as handle:
    handle.write("5")
before = status("VmRSS")
tracemalloc.start()
pkg = edxml.read_package(path, spool_dir=spool)
python_peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({"rss_delta": status("VmHWM") - before, "python_peak": python_peak,
                  "size": pkg.attachments[0].size, "sha256": pkg.attachments[0].sha256}))
"""


def test_big_package_is_streamed_both_ways(tmp_path):
    path = tmp_path / "big.edxml"
    digest = hashlib.sha256()
    source = _Counting(ATTACHMENT)
    while chunk := source.read(1 << 20):
        digest.update(chunk)
    pkg = edxml.DocumentPackage(
        from_=edxml.Organization("000.00.00.H21"), to=[edxml.Organization("000.01.00.H21")], document_id="big",
        attachments=[edxml.Attachment("1", "big.pdf", content_type="application/pdf",
                                      source=lambda: io.BufferedReader(_Counting(ATTACHMENT)))])
    tracemalloc.start()
    with open(path, "wb") as out:
        edxml.write_document(pkg, out)
    write_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    package_size = path.stat().st_size
    assert package_size > 60 * 1000 * 1000
    spool = tmp_path / "spool"
    spool.mkdir()
    run = subprocess.run([sys.executable, "-c", READER, str(path), str(spool)], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    figures = json.loads(run.stdout)
    print(f"\npackage {package_size / 1e6:.1f} MB, attachment {ATTACHMENT / 1e6:.1f} MB: writer peak Python "
          f"{write_peak / 1e6:.1f} MB; reader peak Python {figures['python_peak'] / 1e6:.1f} MB, "
          f"peak RSS +{figures['rss_delta'] / 1e6:.1f} MB")
    assert (figures["size"], figures["sha256"]) == (ATTACHMENT, digest.hexdigest())
    assert write_peak < 8 * 1024 * 1024
    assert figures["python_peak"] < 16 * 1024 * 1024
    assert figures["rss_delta"] < ATTACHMENT / 2  # a DOM parse would need several times the attachment
