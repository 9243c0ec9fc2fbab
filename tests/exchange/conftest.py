"""One installation (Gia Lai, demo data) and a simulated peer installation, Văn phòng Chính phủ, whose
packages are built with the codec and signed with its own node key."""

import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from congvan.exchange import edxml

VPCP = "000.00.00.G22"


@dataclass
class Peer:
    name: str
    code: str
    signer: "edxml.NodeSigner"
    cert_pem: bytes


@pytest.fixture
def exchange_dirs(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def node(demo, exchange_dirs):
    """This installation on the exchange, with its own node key; the hub's directory routes Văn phòng
    Chính phủ's code to its installation (so documents to it take the exchange, not e-mail)."""
    from congvan.exchange import identity
    from congvan.exchange.models import Node, Route

    me = identity.init_self("gialai", "Tỉnh Gia Lai")
    remote = Node.objects.create(name="vpcp", kind=Node.Kind.REMOTE)
    Route.objects.create(agency_code=VPCP, node=remote, agency_name="Văn phòng Chính phủ")
    return me


@pytest.fixture
def peer(node):
    """Văn phòng Chính phủ's installation as this one knows it through the hub directory, with its certificate."""
    from congvan.exchange.models import Node

    key_pem, cert_pem = edxml.generate_node_identity("vpcp")
    Node.objects.filter(name="vpcp").update(certificate=cert_pem.decode())
    return Peer("vpcp", VPCP, edxml.NodeSigner(key_pem, cert_pem), cert_pem)


def vpcp_org() -> edxml.Organization:
    return edxml.Organization(organ_id=VPCP, organ_name="Văn phòng Chính phủ", organ_add="Số 1 Hoàng Hoa Thám")


def package_from_vpcp(to=("000.00.00.H21",), number="7816", notation="VPCP-TTĐT", subject=None,
                      pdf: bytes | None = None, business=None, document_id=None) -> edxml.DocumentPackage:
    from tests.conftest import make_pdf

    pdf = pdf or make_pdf("Văn phòng Chính phủ — công văn liên thông")
    subject = subject or "V/v kết nối, liên thông phần mềm quản lý văn bản"
    doc_id = document_id or edxml.make_document_id(VPCP, date(2026, 11, 20), f"{number}/{notation}")
    return edxml.DocumentPackage(
        from_=vpcp_org(), to=[edxml.Organization(organ_id=c, organ_name=c) for c in to], document_id=doc_id,
        code_number=number, code_notation=notation, place="Hà Nội", promulgation_date=date(2026, 11, 20),
        type=1, type_detail="0", type_name="Công văn", subject=subject, content=subject,
        signer_competence="KT. BỘ TRƯỞNG, CHỦ NHIỆM", signer_position="Phó Chủ nhiệm", signer_full_name="Trần Văn Sơn",
        due_date=date(2026, 12, 15), to_places=["Như trên"], priority=1,
        business=business or edxml.Business(doc_type=edxml.BusinessDocType.NEW, document_id=doc_id),
        traces=[edxml.TraceHeader(organ_id=VPCP, timestamp=datetime(2026, 11, 20, 9, 0, 0))],
        attachments=[edxml.Attachment(content_id="1", name="7816-VPCP-TTDT.pdf", content_type="application/pdf",
                                      source=lambda: io.BytesIO(pdf), zip_on_write=True)])


@pytest.fixture
def deliver(peer, tmp_path):
    """Write a package as the peer would (signed with its key unless ``signer`` says otherwise) and hand it
    to this installation's receiving side as if fetched from the hub."""
    from congvan.exchange import inbound

    def run(package, *, signer="peer", message_id=None, to_codes=None, from_node="vpcp"):
        path = Path(tmp_path) / f"{uuid.uuid4()}.edxml"
        with open(path, "wb") as out:
            if isinstance(package, edxml.StatusPacket):
                edxml.write_status(package, out, signer=peer.signer if signer == "peer" else signer)
            else:
                edxml.write_document(package, out, signer=peer.signer if signer == "peer" else signer)
        return inbound.process(str(path), message_id=message_id or str(uuid.uuid4()), from_node=from_node,
                               to_codes=to_codes or [])

    return run
