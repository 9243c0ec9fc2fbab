"""Fixtures of the signing library tests: a demo PKI, leaders' and agencies' keys, and PDFs laid out
like a Decree 30/2020 document (the signature block ends with the title line and, below blank space,
the signer's printed name). No database is needed."""

from __future__ import annotations

import io
import os
import unicodedata
from dataclasses import dataclass

import pytest

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
DEJAVU_ITALIC = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf"

LEADER = "Phạm Anh Tuấn"
AGENCY = "Ủy ban nhân dân tỉnh Gia Lai"
AGENCY_CODE = "000.00.00.H21"
NOTATION = "125/QĐ-UBND"


@dataclass
class SamplePdf:
    data: bytes
    title_y: float  # baseline of the title line ("CHỦ TỊCH")
    name_y: float  # baseline of the signer's printed name
    name_x0: float
    name_x1: float
    pages: int


def _register_fonts():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = pdfmetrics.getRegisteredFontNames()
    for name, path in (("DejaVu", DEJAVU), ("DejaVu-Bold", DEJAVU_BOLD), ("DejaVu-Italic", DEJAVU_ITALIC)):
        if name not in names:
            pdfmetrics.registerFont(TTFont(name, path if os.path.exists(path) else DEJAVU))


BODY = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư;",
    "Xét đề nghị của Chánh Văn phòng Ủy ban nhân dân tỉnh.",
    "Điều 1. Ban hành kèm theo Quyết định này Quy chế quản lý văn bản điện tử.",
    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
    "Điều 3. Chánh Văn phòng, Giám đốc các sở, ban, ngành chịu trách nhiệm thi hành.",
)


def make_decree30_pdf(signer: str = LEADER, *, title: str = "CHỦ TỊCH", authority: str = "TM. ỦY BAN NHÂN DÂN",
                      pages: int = 1, nfd: bool = False, gap: float = 84.0) -> SamplePdf:
    """A Decree-30-shaped document: header, number, title, body, then on the last page the signature
    block — "Nơi nhận" on the left; on the right the authority, the title line, blank space, the name."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    _register_fonts()
    norm = (lambda s: unicodedata.normalize("NFD", s)) if nfd else (lambda s: s)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle("Quyết định ban hành Quy chế quản lý văn bản điện tử")
    width, height = A4
    right_centre = 410.0
    for page in range(pages):
        y = height - 60
        if page == 0:
            pdf.setFont("DejaVu-Bold", 11)
            pdf.drawCentredString(150, y, "ỦY BAN NHÂN DÂN")
            pdf.drawCentredString(410, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
            y -= 15
            pdf.drawCentredString(150, y, "TỈNH GIA LAI")
            pdf.drawCentredString(410, y, "Độc lập - Tự do - Hạnh phúc")
            y -= 24
            pdf.setFont("DejaVu", 11)
            pdf.drawCentredString(150, y, "Số:        /QĐ-UBND")
            pdf.setFont("DejaVu-Italic", 11)
            pdf.drawCentredString(410, y, "Gia Lai, ngày      tháng      năm 2026")
            y -= 40
            pdf.setFont("DejaVu-Bold", 13)
            pdf.drawCentredString(width / 2, y, "QUYẾT ĐỊNH")
            y -= 17
            pdf.setFont("DejaVu-Bold", 11)
            pdf.drawCentredString(width / 2, y, "Ban hành Quy chế quản lý văn bản điện tử")
            y -= 34
        pdf.setFont("DejaVu", 10.5)
        lines = BODY if page == pages - 1 else BODY * 6
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 17
        if page < pages - 1:
            pdf.drawCentredString(width / 2, 40, f"Trang {page + 1}")
            pdf.showPage()
            continue
        # The signature block.
        y -= 20
        block_top = y
        pdf.setFont("DejaVu-Bold", 10)
        pdf.drawString(72, y, "Nơi nhận:")
        pdf.setFont("DejaVu", 9)
        for i, line in enumerate(("- Như Điều 3;", "- Chủ tịch, các PCT UBND tỉnh;", "- Lưu: VT, VP.")):
            pdf.drawString(72, y - 13 * (i + 1), line)
        pdf.setFont("DejaVu-Bold", 11.5)
        pdf.drawCentredString(right_centre, block_top, norm(authority))
        title_y = block_top - 15
        pdf.drawCentredString(right_centre, title_y, norm(title))
        name_y = title_y - gap
        pdf.drawCentredString(right_centre, name_y, norm(signer))
        name_w = pdfmetrics.stringWidth(signer, "DejaVu-Bold", 11.5)
        pdf.showPage()
    pdf.save()
    return SamplePdf(buffer.getvalue(), title_y=title_y, name_y=name_y, name_x0=right_centre - name_w / 2,
                     name_x1=right_centre + name_w / 2, pages=pages)


@pytest.fixture(scope="session")
def demo_pki():
    from congvan.signing.pki import make_demo_pki

    return make_demo_pki("Gia Lai")


@pytest.fixture(scope="session")
def leader_identity(demo_pki):
    from congvan.signing.pki import issue_person_certificate

    return issue_person_certificate(demo_pki, LEADER, AGENCY, "064089001234", passphrase="mật-khẩu-lãnh-đạo")


@pytest.fixture(scope="session")
def seal_identity(demo_pki):
    from congvan.signing.pki import issue_seal_certificate

    return issue_seal_certificate(demo_pki, AGENCY, AGENCY_CODE, passphrase="con-dấu-2026")


@pytest.fixture(scope="session")
def leader_key(leader_identity):
    from congvan.signing.keys import load_pkcs12

    return load_pkcs12(leader_identity.pkcs12, leader_identity.passphrase)


@pytest.fixture(scope="session")
def seal_key(seal_identity):
    from congvan.signing.keys import load_pkcs12

    return load_pkcs12(seal_identity.pkcs12, seal_identity.passphrase)


@pytest.fixture(scope="session")
def sample_pdf() -> SamplePdf:
    return make_decree30_pdf()


@pytest.fixture(scope="session")
def signed_pair(sample_pdf, leader_key, seal_key):
    """(original, after the leader's signature, after the agency seal) — computed once."""
    from datetime import datetime

    from congvan.signing.pdfsign import VIETNAM_TZ, seal_issue, sign_approval

    approved = sign_approval(sample_pdf.data, leader_key, signer_name=LEADER, location="Gia Lai")
    sealed = seal_issue(approved, seal_key, agency_name=AGENCY, notation=NOTATION,
                        signed_at=datetime.now(VIETNAM_TZ))
    return sample_pdf.data, approved, sealed


def pyhanko_context(*roots_pem: bytes, **kwargs):
    """pyHanko's own ValidationContext over the given root certificates (PEM)."""
    from asn1crypto import pem, x509
    from pyhanko_certvalidator import ValidationContext

    roots = []
    for blob in roots_pem:
        for _, _, der in pem.unarmor(blob, multiple=True):
            roots.append(x509.Certificate.load(der))
    return ValidationContext(trust_roots=roots, **kwargs)
