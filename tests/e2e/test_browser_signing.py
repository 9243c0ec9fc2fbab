"""Digital signatures in a real browser (Debian's chromium): the leader approves and signs with the demo
PKI, the clerk issues and applies the agency's signature, the recipient's clerk sees both signatures
valid; the issued PDF is then checked with pyHanko's own validator, outside our code."""

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from congvan.signing.models import TrustAnchor
from tests.e2e.flows import draft_and_submit, open_item
from tests.signing.conftest import make_decree30_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECIPIENT = "000.05.00.H21"
LEADER = "Phạm Anh Tuấn"
AGENCY = "Ủy ban nhân dân tỉnh Gia Lai"



def pyhanko_context():
    from asn1crypto import pem, x509
    from pyhanko_certvalidator import ValidationContext

    def load(anchors):
        return [x509.Certificate.load(pem.unarmor(a.certificate_pem.encode("ascii"))[2]) for a in anchors]

    return ValidationContext(trust_roots=load(TrustAnchor.objects.filter(kind="root")),
                             other_certs=load(TrustAnchor.objects.filter(kind="intermediate")), allow_fetching=False)


def widget_rect(embedded) -> tuple[float, ...]:
    field = embedded.sig_field
    widget = field if "/Rect" in field else field["/Kids"][0].get_object()
    return tuple(float(v) for v in widget["/Rect"])


def test_leader_signs_clerk_seals_recipient_sees_two_valid_signatures(demo, login, live_server, tmp_path):
    call_command("pki", "demo", stdout=io.StringIO())  # the demo PKI: trust store, leaders' and agencies' keys
    subject = "Về việc ban hành Quy chế quản lý văn bản điện tử có chữ ký số"
    sample = make_decree30_pdf(LEADER)
    pdf = tmp_path / "quyet-dinh.pdf"
    pdf.write_bytes(sample.data)

    officer = login("chuyenvien.ubndtinh")
    document_url = draft_and_submit(officer, live_server, subject=subject, recipient=RECIPIENT, pdf_path=pdf)

    leader = login("lanhdao.ubndtinh")
    leader.goto(document_url)
    expect(leader.locator(".signing-cert")).to_contain_text(LEADER)
    leader.get_by_label("Mật khẩu chứng thư số").fill("congvan")
    leader.get_by_role("button", name="Duyệt").click()
    expect(leader.get_by_text("Đã duyệt văn bản").first).to_be_visible()
    expect(leader.locator('[data-signature-state="valid"] .signature[data-ok="1"]')).to_have_count(1)

    clerk = login("vanthu.ubndtinh")
    clerk.goto(document_url)
    expect(clerk.locator(".signing-cert")).to_contain_text(AGENCY)
    clerk.get_by_label("Mật khẩu chứng thư số").fill("congvan")
    clerk.get_by_role("button", name="Phát hành").click()
    expect(clerk.get_by_text("01/UBND-VP").first).to_be_visible()
    expect(clerk.get_by_text("Điện tử").first).to_be_visible()

    their_clerk = login("vanthu.sonoivu")
    open_item(their_clerk, live_server, subject)
    signatures = their_clerk.locator(".signature")
    expect(signatures).to_have_count(2)
    expect(signatures.nth(0)).to_contain_text(f"Hợp lệ — ký bởi {LEADER}")
    expect(signatures.nth(1)).to_contain_text(f"Hợp lệ — ký bởi {AGENCY}")
    expect(their_clerk.locator('.signature[data-ok="1"] .badge.text-bg-success')).to_have_count(2)
    expect(their_clerk.locator("#signature-warning")).to_have_count(0)
    href = their_clerk.get_by_role("link", name="quyet-dinh.pdf").get_attribute("href")
    issued = their_clerk.request.get(live_server.url + href).body()
    their_clerk.get_by_role("button", name="Vào sổ").click()
    expect(their_clerk.get_by_text("Đã vào sổ văn bản đến").first).to_be_visible()

    # pyHanko's validator on the bytes the recipient downloaded: two valid PAdES signatures.
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    assert issued.startswith(b"%PDF-") and issued.startswith(sample.data[:8])
    reader = PdfFileReader(io.BytesIO(issued))
    embedded = reader.embedded_signatures
    assert len(embedded) == 2
    context = pyhanko_context()
    with ThreadPoolExecutor(1) as pool:  # pyHanko runs its own event loop; Playwright's holds this thread
        statuses = list(pool.map(lambda sig: validate_pdf_signature(sig, signer_validation_context=context),
                                 embedded))
    for sig, status in zip(embedded, statuses, strict=True):
        assert str(sig.sig_object["/SubFilter"]) == "/ETSI.CAdES.detached"
        assert status.intact and status.valid and status.trusted and status.bottom_line, status.pretty_print_details()
    assert statuses[0].signing_cert.subject.native["common_name"] == LEADER
    assert statuses[1].signing_cert.subject.native["common_name"] == AGENCY
    assert statuses[1].coverage.name == "ENTIRE_FILE"
    # Incremental updates: the original bytes, then the leader's revision, are prefixes of the issued file.
    assert embedded[0].signed_revision < embedded[1].signed_revision
    assert issued[:len(sample.data)] == sample.data

    # Where the stamps are (Decree 30 Appendix I): the leader's signature between the title and the name,
    # the seal overlapping the left third of it.
    lx0, ly0, lx1, ly1 = widget_rect(embedded[0])
    sx0, sy0, sx1, sy1 = widget_rect(embedded[1])
    assert sample.name_y < ly0 < ly1 < sample.title_y + 2
    assert lx0 <= sample.name_x0 + 20 and lx1 >= sample.name_x1 - 20
    seal_right = lx0 + (lx1 - lx0) / 3
    assert sx0 < lx0 < sx1 and abs(sx1 - seal_right) < 60  # the seal box covers the left third
    assert sy0 < (ly0 + ly1) / 2 < sy1
