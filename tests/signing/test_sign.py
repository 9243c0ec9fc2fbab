"""Signing as Decree 30/2020 Appendix I shows it: the leader's blue signature between the title and the
name, the agency's red seal over its left third with agency, number and ISO 8601 time, annex text at the
top right of page 1 — each an incremental update, checked with pyHanko's own validator."""

import io
import re
from datetime import datetime

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from congvan.signing.errors import SigningError
from congvan.signing.pdfsign import (
    VIETNAM_TZ,
    Placement,
    find_signer_name,
    iso_vietnam,
    seal_annex,
    seal_issue,
    sign_approval,
)
from congvan.signing.stamps import seal_image, signature_image
from tests.conftest import require_tool

from .conftest import AGENCY, LEADER, NOTATION, make_decree30_pdf, pyhanko_context

ISO_VN = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00")


def _widgets(data: bytes) -> dict[str, dict]:
    """Signature widgets by field name: rect, page index, appearance stream bytes."""
    reader = PdfReader(io.BytesIO(data))
    result = {}
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/FT") != "/Sig":
                continue
            appearance = annot["/AP"]["/N"].get_object()
            result[str(annot["/T"])] = {"rect": [float(v) for v in annot["/Rect"]], "page": index,
                                        "ap": appearance, "reader": reader}
    return result


def _pixels(image) -> list[tuple[int, ...]]:
    data, width = image.tobytes(), len(image.getbands())
    return [tuple(data[i:i + width]) for i in range(0, len(data), width)]


def _actual_texts(appearance) -> list[str]:
    """The /ActualText of the marked-content spans in an appearance stream: the text as written."""
    texts = []
    for operands, operator in ContentStream(appearance, appearance.indirect_reference.pdf).operations:
        if operator == b"BDC" and len(operands) == 2 and "/ActualText" in operands[1]:
            texts.append(str(operands[1]["/ActualText"]))
    return texts


# ---------------------------------------------------------------------------------------------------
# Finding the place of the signature


def test_find_signer_name_box_between_title_and_name(sample_pdf):
    box = find_signer_name(sample_pdf.data, LEADER)
    assert box is not None and box.page == 0
    assert box.y0 > sample_pdf.name_y + 5  # above the printed name (baseline + cap height)
    assert box.y1 < sample_pdf.title_y  # below the title line
    assert box.height > 50
    centre = (sample_pdf.name_x0 + sample_pdf.name_x1) / 2
    assert abs((box.x0 + box.x1) / 2 - centre) < 1.0
    assert box.x0 < sample_pdf.name_x0 and box.x1 > sample_pdf.name_x1


def test_find_signer_name_nfd_and_case(sample_pdf):
    nfd_pdf = make_decree30_pdf(nfd=True)
    box_nfd = find_signer_name(nfd_pdf.data, LEADER)
    box_upper = find_signer_name(sample_pdf.data, LEADER.upper())
    assert box_nfd is not None and box_upper is not None
    assert box_nfd == find_signer_name(sample_pdf.data, LEADER) == box_upper


def test_find_signer_name_last_page_of_many():
    many = make_decree30_pdf(pages=4)
    box = find_signer_name(many.data, LEADER)
    assert box is not None and box.page == 3
    assert many.name_y < box.y0 < box.y1 < many.title_y


def test_find_signer_name_absent(sample_pdf):
    assert find_signer_name(sample_pdf.data, "Nguyễn Văn Không Có") is None
    assert find_signer_name(b"not a pdf", LEADER) is None


# ---------------------------------------------------------------------------------------------------
# Leader's signature + agency seal, read back with pyHanko


def test_two_pades_signatures_valid_with_pyhanko(signed_pair, demo_pki):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    original, approved, sealed = signed_pair
    reader = PdfFileReader(io.BytesIO(sealed))
    signatures = reader.embedded_signatures
    assert [s.field_name for s in signatures] == ["LanhDaoKy", "CoQuanKy"]
    context = pyhanko_context(demo_pki.root_pem)
    statuses = [validate_pdf_signature(s, signer_validation_context=context) for s in signatures]
    for sig, status in zip(signatures, statuses, strict=True):
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.bottom_line
        assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
        assert status.md_algorithm == "sha256"
    leader, agency = statuses
    assert leader.signing_cert.subject.native["common_name"] == LEADER
    assert agency.signing_cert.subject.native["common_name"] == AGENCY
    assert leader.coverage == SignatureCoverageLevel.ENTIRE_REVISION  # the seal came after it
    assert leader.docmdp_ok  # …and only added a signature
    assert agency.coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_each_signature_is_an_incremental_update(signed_pair):
    from pyhanko.pdf_utils.reader import PdfFileReader

    original, approved, sealed = signed_pair
    assert approved.startswith(original)  # the unsigned bytes were never rewritten
    assert sealed.startswith(approved)  # nor were the leader-signed ones
    reader = PdfFileReader(io.BytesIO(sealed))
    first, second = reader.embedded_signatures
    start, length_1, offset_2, length_2 = first.byte_range
    assert start == 0 and offset_2 + length_2 == len(approved)  # exactly the file as the leader signed it
    assert second.byte_range[2] + second.byte_range[3] == len(sealed)
    assert reader.total_revisions >= 3


def test_leader_box_is_between_title_and_name(signed_pair, sample_pdf):
    widgets = _widgets(signed_pair[2])
    x0, y0, x1, y1 = widgets["LanhDaoKy"]["rect"]
    assert widgets["LanhDaoKy"]["page"] == 0
    assert y0 > sample_pdf.name_y and y1 < sample_pdf.title_y
    assert x0 < (sample_pdf.name_x0 + sample_pdf.name_x1) / 2 < x1


def test_seal_covers_left_third_of_leader_signature(signed_pair):
    widgets = _widgets(signed_pair[2])
    lx0, ly0, lx1, ly1 = widgets["LanhDaoKy"]["rect"]
    sx0, sy0, sx1, sy1 = widgets["CoQuanKy"]["rect"]
    third = lx0 + (lx1 - lx0) / 3
    # overlaps the left third of the leader's box, horizontally and vertically…
    assert sx0 < lx0 < third <= sx1 + 0.5
    assert sy0 < ly1 and sy1 > ly0
    # …and leaves its right part free
    assert sx1 < lx0 + 2 * (lx1 - lx0) / 3
    # the seal drawn at real size: 36 mm (≈ 102 pt) high
    assert 100 < sy1 - sy0


def test_seal_text_has_agency_notation_and_iso_time(signed_pair):
    widgets = _widgets(signed_pair[2])
    texts = _actual_texts(widgets["CoQuanKy"]["ap"])
    joined = "\n".join(texts)
    assert AGENCY in joined
    assert f"Số: {NOTATION}" in joined
    assert ISO_VN.search(joined), joined
    # the leader's appearance is the image only
    assert _actual_texts(widgets["LanhDaoKy"]["ap"]) == []


def test_rendered_page_shows_blue_signature_and_red_seal(signed_pair, tmp_path):
    """Rasterise page 1 with poppler and look at the colours where the stamps are."""
    pdftoppm = require_tool("pdftoppm")
    import subprocess

    from PIL import Image

    path = tmp_path / "sealed.pdf"
    path.write_bytes(signed_pair[2])
    subprocess.run([pdftoppm, "-r", "72", "-png", "-f", "1", "-l", "1", "-singlefile", str(path),
                    str(tmp_path / "page")], check=True, timeout=60)
    image = Image.open(tmp_path / "page.png").convert("RGB")
    height = image.height
    widgets = _widgets(signed_pair[2])

    def count(rect, predicate):
        x0, y0, x1, y1 = (int(round(v)) for v in rect)
        region = image.crop((x0, height - y1, x1, height - y0))
        return sum(1 for pixel in _pixels(region) if predicate(pixel))

    lx0, ly0, lx1, ly1 = widgets["LanhDaoKy"]["rect"]
    right_two_thirds = (lx0 + (lx1 - lx0) / 3 + 2, ly0, lx1, ly1)  # not under the seal

    def blue(p):
        return p[2] > 120 and p[2] > p[0] + 50 and p[2] > p[1] + 30

    def red(p):
        return p[0] > 150 and p[0] > p[1] + 80 and p[0] > p[2] + 80

    assert count(right_two_thirds, blue) > 150
    sx0, sy0, sx1, sy1 = widgets["CoQuanKy"]["rect"]
    assert count((sx0, sy0, sx1, sy1), red) > 1000
    # nothing red outside the two stamps' boxes (the document itself is black)
    assert count((0, 0, image.width, ly0 - 60), red) == 0


def test_seal_annex_top_right_without_image(sample_pdf, seal_key, demo_pki):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    moment = datetime.now(VIETNAM_TZ)
    signed = seal_annex(sample_pdf.data, seal_key, agency_name=AGENCY, notation="126/QĐ-UBND", signed_at=moment)
    assert signed.startswith(sample_pdf.data)
    widget = _widgets(signed)["CoQuanKyPhuLuc"]
    x0, y0, x1, y1 = widget["rect"]
    assert widget["page"] == 0
    assert x1 > 0.8 * 595 and x0 > 595 / 2  # right side
    assert y0 > 0.93 * 842  # inside the top margin, above the header lines
    assert "/XObject" not in (widget["ap"].get("/Resources") or {})  # no image
    joined = "\n".join(_actual_texts(widget["ap"]))
    assert "Số: 126/QĐ-UBND" in joined and iso_vietnam(moment) in joined
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(signed)).embedded_signatures[0],
                                    signer_validation_context=pyhanko_context(demo_pki.root_pem))
    assert status.bottom_line


def test_signing_time_is_the_seal_time(signed_pair):
    """The seal's CMS-signed /M time and the time written on the page are the same second."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(signed_pair[2]))
    seal = reader.embedded_signatures[1]
    shown = ISO_VN.search("\n".join(_actual_texts(_widgets(signed_pair[2])["CoQuanKy"]["ap"]))).group(0)
    assert iso_vietnam(seal.self_reported_timestamp) == shown


# ---------------------------------------------------------------------------------------------------
# Placement and errors


def test_explicit_placement_when_the_name_is_not_in_the_text(leader_key, demo_pki):
    from tests.conftest import make_pdf

    pdf = make_pdf("Văn bản không có tên người ký")
    with pytest.raises(SigningError) as caught:
        sign_approval(pdf, leader_key, signer_name=LEADER)
    assert caught.value.code == "no_placement" and "chọn vị trí" in caught.value.message
    signed = sign_approval(pdf, leader_key, signer_name=LEADER, placement=Placement(0, 350, 300, 500, 360))
    assert _widgets(signed)["LanhDaoKy"]["rect"] == [350, 300, 500, 360]


def test_custom_signature_image_and_second_leader(sample_pdf, leader_key):
    approved = sign_approval(sample_pdf.data, leader_key, signer_name=LEADER,
                             image_png=signature_image("Tuấn"), reason="Ký duyệt")
    again = sign_approval(approved, leader_key, signer_name=LEADER)
    assert again.startswith(approved)
    assert set(_widgets(again)) == {"LanhDaoKy", "LanhDaoKy2"}


def test_seal_without_leader_signature_is_refused(sample_pdf, seal_key):
    with pytest.raises(SigningError) as caught:
        seal_issue(sample_pdf.data, seal_key, agency_name=AGENCY, notation=NOTATION, signed_at=datetime.now())
    assert caught.value.code == "no_leader_signature"


def test_not_a_pdf_is_refused(leader_key):
    for data in (b"", b"PK\x03\x04 zip", b"%PDF-1.7\n1 0 obj <<"):
        with pytest.raises(SigningError):
            sign_approval(data, leader_key, signer_name=LEADER, placement=Placement(0, 1, 1, 100, 100))


def test_too_small_reservation_falls_back_to_pyhanko_estimate(sample_pdf, leader_key, demo_pki, monkeypatch):
    from congvan.signing import pdfsign
    from congvan.signing.verify import validate_pdf

    monkeypatch.setattr(pdfsign, "_bytes_reserved", lambda key, timestamper: 512)
    signed = sign_approval(sample_pdf.data, leader_key, signer_name=LEADER)
    assert validate_pdf(signed, [demo_pki.root_pem]).ok


def test_placement_outside_the_document(sample_pdf, leader_key):
    with pytest.raises(SigningError) as caught:
        sign_approval(sample_pdf.data, leader_key, signer_name=LEADER, placement=Placement(5, 1, 1, 100, 100))
    assert caught.value.code == "bad_placement"


# ---------------------------------------------------------------------------------------------------
# The default images


def test_signature_image_blue_transparent():
    from PIL import Image

    image = Image.open(io.BytesIO(signature_image(LEADER)))
    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0  # transparent background
    inked = [p for p in _pixels(image) if p[3] > 128]
    assert len(inked) > 2000
    assert all(p[2] > p[0] + 60 for p in inked)  # blue ink
    assert signature_image(LEADER) == signature_image(LEADER)  # deterministic


def test_seal_image_red_round_real_size():
    from PIL import Image

    data = seal_image(AGENCY)
    image = Image.open(io.BytesIO(data))
    assert image.mode == "RGBA" and image.width == image.height
    assert image.getpixel((0, 0))[3] == 0 and image.getpixel((image.width - 1, 0))[3] == 0  # round
    centre = image.getpixel((image.width // 2, image.height // 2))
    assert centre[3] > 200 and centre[0] > 180 and centre[1] < 80  # the red star
    dpi = image.info["dpi"][0]
    assert abs(image.width / dpi * 25.4 - 36) < 0.1
    assert seal_image("Sở Nội vụ", "Ủy ban nhân dân tỉnh Gia Lai") != data
