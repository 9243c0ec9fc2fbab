"""Package signatures: our XML-DSig profile, pinning, tampering, vendor samples, signxml both ways."""

import base64
import datetime as dt
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tracemalloc
from datetime import date, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
    methods,
)
from signxml.exceptions import InvalidDigest

from congvan.exchange import edxml
from congvan.exchange.edxml import _c14n, dsig

NS = edxml.EDXML_NS
DS = "{http://www.w3.org/2000/09/xmldsig#}"
INTEROP = Path("/work/shared/interop/edxml")
TAMPERED = "nội dung gói tin đã bị thay đổi sau khi ký"
UNTRUSTED = "chứng thư số của hệ thống gửi không khớp với chứng thư đã đăng ký"


@pytest.fixture(scope="module")
def node_a():
    return edxml.generate_node_identity("A")


@pytest.fixture(scope="module")
def node_b():
    return edxml.generate_node_identity("B")


@pytest.fixture(scope="module")
def node_ec():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Congvan node EC")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()),
            cert.public_bytes(serialization.Encoding.PEM))


def document(*files: bytes, subject="V/v kết nối, liên thông phần mềm quản lý văn bản") -> edxml.DocumentPackage:
    return edxml.DocumentPackage(
        from_=edxml.Organization("000.00.00.H21", "UBND tỉnh Gia Lai"),
        to=[edxml.Organization("000.00.00.G22", "Văn phòng Chính phủ"), edxml.Organization("000.01.00.H21")],
        document_id="000.00.00.H21,2024/05/06,12/UBND-VP", code_number="12", code_notation="UBND-VP",
        promulgation_date=date(2024, 5, 6), subject=subject, type_name="Công văn",
        traces=[edxml.TraceHeader("000.00.00.H21", datetime(2024, 5, 6, 7, 8, 9))],
        attachments=[edxml.Attachment(str(i), f"tep-{i}.pdf", content_type="application/pdf",
                                      source=lambda data=data: io.BytesIO(data)) for i, data in enumerate(files)])


def status() -> edxml.StatusPacket:
    return edxml.StatusPacket(
        from_=edxml.Organization("000.00.00.G22", "Văn phòng Chính phủ"),
        response_for=edxml.ResponseFor("000.00.00.H21", "12/UBND-VP", date(2024, 5, 6),
                                       "000.00.00.H21,2024/05/06,12/UBND-VP"),
        status_code="03", description="Đã tiếp nhận", timestamp=datetime(2024, 5, 6, 9, 0, 0))


def verify(tmp_path, data: bytes, trusted: list[bytes]) -> edxml.SignatureCheck:
    path = tmp_path / f"p{len(list(tmp_path.iterdir()))}.edxml"
    path.write_bytes(data)
    return edxml.verify_file(path, trusted)


def der_sha256(cert_pem: bytes) -> str:
    return hashlib.sha256(x509.load_pem_x509_certificate(cert_pem).public_bytes(serialization.Encoding.DER)).hexdigest()


BIG = bytes(range(256)) * 400  # 100 KiB: its base64 is streamed by the digest, not held in the tree


def test_signed_document_verifies_and_reads(tmp_path, node_a):
    key, cert = node_a
    data = edxml.document_bytes(document(b"%PDF small", BIG), edxml.NodeSigner(key, cert))
    check = verify(tmp_path, data, [cert])
    assert check == edxml.SignatureCheck(present=True, valid=True, subject="CN=Congvan node A",
                                         cert_sha256=der_sha256(cert))
    assert check.as_error() is None
    pkg = edxml.read_package(io.BytesIO(data), spool_dir=tmp_path)
    assert pkg.signed and pkg.subject == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert [a.path.read_bytes() for a in pkg.attachments] == [b"%PDF small", BIG]


def test_signature_sits_after_trace_header_list_and_nothing_else_changes(node_a):
    key, cert = node_a
    pkg = document(b"%PDF small", BIG)
    unsigned = edxml.document_bytes(pkg)
    signed = edxml.document_bytes(pkg, edxml.NodeSigner(key, cert))
    start, end = signed.index(b"<Signature "), signed.index(b"</Signature>") + len(b"</Signature>")
    assert signed[:start] + signed[end:] == unsigned  # the enveloped transform gives back exactly these bytes
    assert signed[:start].endswith(b"</edXML:TraceHeaderList>")
    element = etree.fromstring(signed).find(f".//{DS}Signature")
    assert etree.QName(element.getparent()).localname == "edXMLHeader"
    assert etree.QName(element.getprevious()).localname == "TraceHeaderList"
    algorithms = [e.get("Algorithm") for e in element.iter() if e.get("Algorithm")]
    assert algorithms == [dsig.EXC_C14N, dsig.RSA_SHA256, dsig.ENVELOPED, dsig.EXC_C14N, dsig.SHA256]
    assert element.find(f"{DS}SignedInfo/{DS}Reference").get("URI") == ""


def test_signed_status_verifies(tmp_path, node_a):
    key, cert = node_a
    data = edxml.status_bytes(status(), edxml.NodeSigner(key, cert))
    element = etree.fromstring(data).find(f".//{DS}Signature")
    assert etree.QName(element.getprevious()).localname == "MessageHeader"
    assert verify(tmp_path, data, [cert]).valid
    assert edxml.read_package(io.BytesIO(data), spool_dir=tmp_path).signed


def test_ec_key(tmp_path, node_ec):
    key, cert = node_ec
    data = edxml.document_bytes(document(b"abc"), edxml.NodeSigner(key, cert))
    assert dsig.ECDSA_SHA256.encode() in data
    assert verify(tmp_path, data, [cert]).valid
    config = SignatureConfiguration(signature_methods=frozenset({SignatureMethod.ECDSA_SHA256}),
                                    digest_algorithms=frozenset({DigestAlgorithm.SHA256}))
    XMLVerifier().verify(data, x509_cert=cert.decode(), expect_config=config)


@pytest.mark.parametrize("where", ["subject", "small attachment", "big attachment"])
def test_one_changed_character_is_detected(where, tmp_path, node_a):
    key, cert = node_a
    data = edxml.document_bytes(document(b"%PDF small", BIG), edxml.NodeSigner(key, cert))
    if where == "subject":
        tampered = data.replace("liên thông".encode(), "liên thônh".encode(), 1)
    else:
        encoded = base64.b64encode(b"%PDF small" if where == "small attachment" else BIG)
        position = data.index(encoded) + len(encoded) // 2
        tampered = data[:position] + (b"A" if data[position:position + 1] != b"A" else b"B") + data[position + 1:]
    assert tampered != data and len(tampered) == len(data)
    check = verify(tmp_path, tampered, [cert])
    assert (check.present, check.valid, check.reason, check.code) == (True, False, TAMPERED, "signature_invalid"), check
    assert check.as_error().message == f"Chữ ký số của gói tin không hợp lệ: {TAMPERED}"


def test_changed_signature_value_is_detected(tmp_path, node_a):
    key, cert = node_a
    data = edxml.document_bytes(document(b"abc"), edxml.NodeSigner(key, cert))
    value = re.search(rb"<SignatureValue>([^<]+)</SignatureValue>", data)[1]
    forged = base64.b64encode(bytes([base64.b64decode(value)[0] ^ 1]) + base64.b64decode(value)[1:])
    check = verify(tmp_path, data.replace(value, forged), [cert])
    assert not check.valid and check.reason == dsig.BAD_VALUE


def test_wrong_certificate_is_untrusted(tmp_path, node_a, node_b):
    key, cert = node_a
    data = edxml.document_bytes(document(b"abc"), edxml.NodeSigner(key, cert))
    check = verify(tmp_path, data, [node_b[1]])
    assert (check.present, check.valid, check.reason, check.code) == (True, False, UNTRUSTED, "signature_untrusted")
    assert check.subject == "CN=Congvan node A" and check.cert_sha256 == der_sha256(cert)
    assert not verify(tmp_path, data, []).valid
    assert verify(tmp_path, data, [node_b[1], cert]).valid


def test_key_info_swapped_for_another_certificate(tmp_path, node_a, node_b):
    """A's signature with B's certificate in KeyInfo: B is trusted, but B's key did not sign this."""
    key, cert = node_a
    data = edxml.document_bytes(document(b"abc"), edxml.NodeSigner(key, cert))
    b_der = base64.b64encode(x509.load_pem_x509_certificate(node_b[1]).public_bytes(serialization.Encoding.DER))
    swapped = re.sub(rb"<X509Certificate>[^<]+</X509Certificate>", b"<X509Certificate>" + b_der +
                     b"</X509Certificate>", data)
    check = verify(tmp_path, swapped, [node_b[1]])
    assert not check.valid and check.reason == dsig.BAD_VALUE


def test_without_key_info_the_trusted_certificates_are_tried(tmp_path, node_a, node_b):
    key, cert = node_a
    data = edxml.document_bytes(document(b"abc"), edxml.NodeSigner(key, cert))
    bare = re.sub(rb"\s*<KeyInfo>.*</KeyInfo>", b"", data, flags=re.S)
    assert b"X509Certificate" not in bare
    assert verify(tmp_path, bare, [node_b[1], cert]).valid
    assert verify(tmp_path, bare, [node_b[1]]).reason == dsig.BAD_VALUE


def test_unsigned(tmp_path):
    check = verify(tmp_path, edxml.document_bytes(document(b"abc")), [])
    assert (check.present, check.valid, check.reason, check.code) == (
        False, False, "gói tin không có chữ ký số", "unsigned")


@pytest.mark.parametrize("name", ["sdk_output_edoc_zip_attachment.edxml", "edoc_new.edxml", "edoc_update.edxml"])
def test_vendor_signature_is_reported_precisely(name, node_a):
    check = edxml.verify_file(INTEROP / name, [node_a[1]])
    assert (check.present, check.valid) == (True, False)
    assert "không thuộc không gian tên XML-DSig" in check.reason
    assert "SHA-1" in check.reason
    assert "chứng thư số trong chữ ký không đọc được" in check.reason  # "MIIFqTCCBJG" is cut short


def test_broken_vendor_package(node_a):
    check = edxml.verify_file(INTEROP / "edoc.edxml", [node_a[1]])
    assert (check.present, check.valid, check.code) == (False, False, "not_well_formed")
    assert "dòng 74, cột 29" in check.reason


@pytest.mark.parametrize("old,new,reason", [
    (dsig.SHA256, "http://www.w3.org/2000/09/xmldsig#sha1", "thuật toán SHA-1 không còn được chấp nhận"),
    (dsig.RSA_SHA256, "http://www.w3.org/2000/09/xmldsig#rsa-sha1", "thuật toán SHA-1 không còn được chấp nhận"),
    (f'<CanonicalizationMethod Algorithm="{dsig.EXC_C14N}"',
     '<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"', "không được hỗ trợ"),
    ('URI=""', 'URI="#x"', "bao trùm toàn bộ gói tin"),
    (f'<Transform Algorithm="{dsig.ENVELOPED}"/>', "", "các phép biến đổi"),
])
def test_profile_is_enforced(old, new, reason, tmp_path, node_a):
    key, cert = node_a
    data = edxml.document_bytes(document(b"abc"), edxml.NodeSigner(key, cert))
    assert old.encode() in data
    check = verify(tmp_path, data.replace(old.encode(), new.encode(), 1), [cert])
    assert check.present and not check.valid and reason in check.reason


def test_two_signatures_are_refused(tmp_path, node_a):
    key, cert = node_a
    data = edxml.document_bytes(document(b"abc"), edxml.NodeSigner(key, cert))
    element = data[data.index(b"<Signature "):data.index(b"</Signature>") + len(b"</Signature>")]
    doubled = data.replace(b"</edXML:edXMLHeader>", element + b"</edXML:edXMLHeader>")
    assert "nhiều hơn một" in verify(tmp_path, doubled, [cert]).reason


# --- signxml, an independent implementation, both ways ------------------------------------------------------

CONFIG = SignatureConfiguration(signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
                                digest_algorithms=frozenset({DigestAlgorithm.SHA256}))


def test_signxml_verifies_our_signatures(node_a):
    key, cert = node_a
    for data in (edxml.document_bytes(document(b"%PDF small", BIG), edxml.NodeSigner(key, cert)),
                 edxml.status_bytes(status(), edxml.NodeSigner(key, cert))):
        result = XMLVerifier().verify(data, x509_cert=cert.decode(), expect_config=CONFIG)
        assert etree.QName(result.signed_xml).localname == "edXML"
    tampered = edxml.document_bytes(document(b"%PDF small", BIG, subject="Khác"), edxml.NodeSigner(key, cert))
    tampered = tampered.replace("Khác".encode(), "Khắc".encode())
    with pytest.raises(InvalidDigest):
        XMLVerifier().verify(tampered, x509_cert=cert.decode(), expect_config=CONFIG)


def signxml_sign(unsigned: bytes, key: bytes, cert: bytes, after: str) -> bytes:
    root = etree.fromstring(unsigned)
    anchor = root.find(f".//{{{NS}}}{after}")
    placeholder = etree.Element(f"{DS}Signature", Id="placeholder",
                                nsmap={"ds": "http://www.w3.org/2000/09/xmldsig#"})
    anchor.addnext(placeholder)  # right after the anchor; the whitespace that followed stays after it
    placeholder.tail, anchor.tail = anchor.tail, None
    signer = XMLSigner(method=methods.enveloped, signature_algorithm=SignatureMethod.RSA_SHA256,
                       digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    return etree.tostring(signer.sign(root, key=key, cert=cert.decode()), xml_declaration=True, encoding="UTF-8")


def test_we_verify_signxml_signatures(tmp_path, node_a, node_b):
    key, cert = node_a
    data = signxml_sign(edxml.document_bytes(document(b"%PDF small", BIG)), key, cert, "TraceHeaderList")
    assert b"<ds:Signature" in data
    assert verify(tmp_path, data, [cert]).valid
    assert verify(tmp_path, data, [node_b[1]]).reason == UNTRUSTED
    assert verify(tmp_path, data.replace("liên thông".encode(), "liên thong".encode(), 1), [cert]).reason == TAMPERED
    status_data = signxml_sign(edxml.status_bytes(status()), key, cert, "MessageHeader")
    assert verify(tmp_path, status_data, [cert]).valid
    assert edxml.read_package(io.BytesIO(data), spool_dir=tmp_path).signed


def test_signxml_default_placement_at_the_end_of_the_root(tmp_path, node_a):
    key, cert = node_a
    root = etree.fromstring(edxml.document_bytes(document(b"%PDF small", BIG)))
    signer = XMLSigner(method=methods.enveloped, signature_algorithm=SignatureMethod.RSA_SHA256,
                       digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    data = etree.tostring(signer.sign(root, key=key, cert=cert.decode()))
    assert etree.QName(etree.fromstring(data)[-1]).localname == "Signature"
    assert verify(tmp_path, data, [cert]).valid
    assert edxml.read_package(io.BytesIO(data), spool_dir=tmp_path).signed


# --- the streamed digest is the digest ------------------------------------------------------------------------

B64_PIECES = st.sampled_from(["QUJD", "QQ==", "  ", "\n", "\r\n", "\t", "ZGVm", "/+9a", "\r"])


@st.composite
def tricky_document(draw):
    """Documents whose attachment-like contents are in every context the skeleton substitution meets."""
    def run():
        return "".join(draw(st.lists(B64_PIECES, max_size=12)))

    prefix = draw(st.sampled_from(["edXML:", ""]))
    declaration = f' xmlns:edXML="{NS}"' if prefix else ""
    parts = [f'<?xml version="1.0" encoding="{draw(st.sampled_from(["UTF-8", "utf-8"]))}"?>\n',
             f'<edXML xmlns="{NS}"><Header a="x&gt;y">\n']
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["plain", "cdata", "comment", "charref", "child", "empty", "selfclosing",
                                     "signature", "pi", "attr"]))
        cte = f"{prefix}ContentTransferEncoded"
        open_tag = f"<{cte}{declaration}" + (' id="a b"' if kind == "attr" else "") + ">"
        if kind == "plain":
            parts.append(f"{open_tag}{run()}</{cte}>")
        elif kind == "cdata":
            parts.append(f"{open_tag}<![CDATA[{run()}]]></{cte}>")
        elif kind == "comment":
            parts.append(f"<!-- {open_tag}{run()}</{cte}> -->")
        elif kind == "charref":
            parts.append(f"{open_tag}{run()}&#13;{run()}</{cte}>")
        elif kind == "child":
            parts.append(f"{open_tag}{run()}<x/>{run()}</{cte}>")
        elif kind == "empty":
            parts.append(f"{open_tag}</{cte}>")
        elif kind == "selfclosing":
            parts.append(f"<{cte}{declaration} />{run()}")
        elif kind == "signature":
            parts.append(f'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">{open_tag}{run()}</{cte}>'
                         "</Signature>")
        elif kind == "pi":
            parts.append(f"<?pi {open_tag}{run()}</{cte}>?>")
        elif kind == "attr":
            parts.append(f"{open_tag}{run()}</{cte}>")
        parts.append(draw(st.sampled_from(["\n", "\r\n", "  ", ""])))
    parts.append("</Header></edXML>\n")
    return "".join(parts).encode("utf-8")


def _remove_signatures(tree):
    for element in list(tree.getroot().iter(f"{DS}Signature")):
        dsig._detach(element)


@settings(max_examples=200, deadline=None)
@given(data=tricky_document(), chunk=st.sampled_from([7, 37, 64, 1 << 20]))
def test_streamed_digest_equals_whole_tree_digest(data, chunk, tmp_path_factory):
    path = tmp_path_factory.mktemp("c14n") / "doc.xml"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_c14n, "CHUNK", chunk)  # tags and CR LF cut at every possible place
        skeleton = _c14n.load(path, minimum=0)
        streamed = _c14n.digest(skeleton, _remove_signatures)
    whole = _c14n.load(path, minimum=None)
    assert not whole.runs
    _remove_signatures(whole.tree)
    assert streamed == _c14n.tree_digest(whole.tree)
    hasher = hashlib.sha256()  # and that is the textbook definition, computed in memory
    reference = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    _remove_signatures(reference)
    hasher.update(etree.tostring(reference, method="c14n", exclusive=True, with_comments=False))
    assert hasher.digest() == _c14n.tree_digest(whole.tree)


def test_runs_are_found_across_chunk_boundaries(tmp_path, monkeypatch):
    content = base64.b64encode(bytes(range(256)) * 100).decode()
    data = (f'<edXML xmlns="{NS}"><A><edXML:ContentTransferEncoded xmlns:edXML="{NS}">{content}'
            "</edXML:ContentTransferEncoded></A></edXML>").encode()
    path = tmp_path / "doc.xml"
    path.write_bytes(data)
    closing = data.index(b"</edXML:ContentTransferEncoded>")
    for chunk in (closing - 3, closing + 5, 50, 4096):
        monkeypatch.setattr(_c14n, "CHUNK", chunk)
        assert _c14n.find_runs(path, minimum=1) == [(data.index(content.encode()), closing)]


# --- a big package, signed and verified in bounded memory --------------------------------------------------------

VERIFIER = """
import json, sys
from congvan.exchange import edxml

def status(field):
    with open("/proc/self/status") as handle:
        return next(int(l.split()[1]) * 1024 for l in handle if l.startswith(field + ":"))

with open(sys.argv[2], "rb") as handle:
    cert = handle.read()
with open("/proc/self/clear_refs", "w") as handle:
    handle.write("5")
before = status("VmRSS")
check = edxml.verify_file(sys.argv[1], [cert])
print(json.dumps({"valid": check.valid, "rss_delta": status("VmHWM") - before}))
"""


def test_fifty_megabyte_package_signed_and_verified_in_bounded_memory(tmp_path, node_a):
    key, cert = node_a
    size = 37 * 1024 * 1024  # 50 MB once base64-encoded
    block = hashlib.sha512(b"congvan").digest() * 16384

    class Source(io.RawIOBase):
        def __init__(self):
            self.left = size

        def readable(self):
            return True

        def readinto(self, buffer):
            n = min(len(buffer), self.left, len(block))
            buffer[:n] = block[:n]
            self.left -= n
            return n

    pkg = document()
    pkg.attachments = [edxml.Attachment("1", "lon.pdf", content_type="application/pdf",
                                        source=lambda: io.BufferedReader(Source()))]
    path = tmp_path / "signed.edxml"
    tracemalloc.start()
    with open(path, "wb") as out:
        edxml.write_document(pkg, out, signer=edxml.NodeSigner(key, cert))
    sign_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    check = edxml.verify_file(path, [cert])
    verify_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    package_size = path.stat().st_size
    assert package_size > 50 * 1000 * 1000 and check.valid
    assert sorted(os.listdir(tmp_path)) == ["signed.edxml"]  # the unsigned temp copy is gone
    cert_path = tmp_path / "cert.pem"
    cert_path.write_bytes(cert)
    run = subprocess.run([sys.executable, "-c", VERIFIER, str(path), str(cert_path)], capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    figures = json.loads(run.stdout)
    print(f"\nsigned package {package_size / 1e6:.1f} MB: peak Python sign {sign_peak / 1e6:.1f} MB, "
          f"verify {verify_peak / 1e6:.1f} MB; verify peak RSS +{figures['rss_delta'] / 1e6:.1f} MB")
    assert figures["valid"]
    assert sign_peak < package_size / 10 and verify_peak < package_size / 10
    assert figures["rss_delta"] < package_size / 4  # the tree holds no attachment, libxml2 copies none
    with open(path, "r+b") as handle:  # one character of the attachment changed, far into the file
        handle.seek(package_size - 1000)
        byte = handle.read(1)
        handle.seek(package_size - 1000)
        handle.write(b"B" if byte != b"B" else b"C")
    assert edxml.verify_file(path, [cert]).reason == TAMPERED


# --- hostile input to the verifier ---------------------------------------------------------------------------

def test_relative_namespace_is_reported_not_raised(tmp_path, node_a):
    key, cert = node_a
    data = edxml.document_bytes(document(b"abc"), edxml.NodeSigner(key, cert))
    broken = data.replace(b'<edXML xmlns="http://www.mic.gov.vn', b'<edXML xmlns="http;//www.mic.gov.vn', 1)
    check = verify(tmp_path, broken, [cert])
    assert check.present and not check.valid and "C14N" in check.reason


@st.composite
def mutated_signed(draw):
    data = bytearray(draw(st.sampled_from(SIGNED_SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "truncate", "insert"]))
        if kind == "flip":
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[position:]
            if not data:
                data = bytearray(b"<")
        else:
            data[position:position] = draw(st.sampled_from([b"<", b"&", b"<!DOCTYPE x>", b"<!-- -->", b"\r\n", b"A"]))
    return bytes(data)


def textbook_digest(data: bytes) -> bytes:
    """The enveloped-signature + exc-c14n digest computed the plain in-memory way."""
    tree = etree.ElementTree(etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True)))
    _remove_signatures(tree)
    return hashlib.sha256(etree.tostring(tree, method="c14n", exclusive=True, with_comments=False)).digest()


_A = edxml.generate_node_identity("fuzz")
SIGNED_SEEDS = [edxml.document_bytes(document(b"abc", BIG), edxml.NodeSigner(*_A)),
                edxml.status_bytes(status(), edxml.NodeSigner(*_A))]


@settings(max_examples=150, deadline=None)
@given(data=mutated_signed())
def test_verifier_fuzz_reports_and_never_raises(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("vfuzz") / "p.edxml"
    path.write_bytes(data)
    check = edxml.verify_file(path, [_A[1]])
    assert isinstance(check, edxml.SignatureCheck)
    assert check.valid == (check.reason == "")
    if check.valid:  # only changes C14N ignores (comments, the XML declaration, inside tags) keep it valid
        assert check.present and check.code == ""
        assert textbook_digest(data) in {textbook_digest(seed) for seed in SIGNED_SEEDS}
    else:
        assert check.code and check.reason
