"""The signer's name found in the text layer (PDFium): layouts the Decree 30 sample does not cover —
the name inside a longer line, content under a scaling ``cm``, both columns in one text object block,
text in a Form XObject, a rotated margin note — and concurrent calls."""

import io
from concurrent.futures import ThreadPoolExecutor

from congvan.signing.textlayer import find_signer_name

from .conftest import LEADER, _register_fonts, make_decree30_pdf

SIZE = 11.5


def _pdf(draw) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    draw(pdf)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _width(text: str) -> float:
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.stringWidth(text, "DejaVu-Bold", SIZE)


def _block(pdf, name_line: str = LEADER, *, x: float = 410, title_y: float = 500, gap: float = 84) -> None:
    pdf.setFont("DejaVu", 9)
    pdf.drawString(72, title_y + 15, "Nơi nhận:")
    pdf.drawString(72, title_y, "- Lưu: VT, VP.")
    pdf.setFont("DejaVu-Bold", SIZE)
    pdf.drawCentredString(x, title_y + 15, "TM. ỦY BAN NHÂN DÂN")
    pdf.drawCentredString(x, title_y, "CHỦ TỊCH")
    pdf.drawCentredString(x, title_y - gap, name_line)


def _between(box, title_y: float = 500, name_y: float = 416) -> None:
    assert box is not None and box.page == 0
    assert name_y + 5 < box.y0 < box.y1 < title_y


def test_name_inside_a_longer_line_is_centred_on_the_name_itself():
    line = f"Người ký: {LEADER}"
    box = find_signer_name(_pdf(lambda pdf: _block(pdf, line)), LEADER)
    _between(box)
    name_x1 = 410 + _width(line) / 2
    centre = name_x1 - _width(LEADER) / 2
    assert abs((box.x0 + box.x1) / 2 - centre) < 0.5


def test_content_under_a_scaling_cm_is_measured_in_page_space():
    def draw(pdf):
        pdf.scale(0.5, 0.5)
        pdf.setFont("DejaVu-Bold", 2 * SIZE)
        pdf.drawCentredString(820, 1000, "CHỦ TỊCH")
        pdf.drawCentredString(820, 1000 - 2 * 84, LEADER)

    box = find_signer_name(_pdf(draw), LEADER)
    _between(box)
    assert abs((box.x0 + box.x1) / 2 - 410) < 0.5
    assert box.y0 == round(416 + 0.8 * SIZE + 2, 2)  # the effective font size, not the Tf operand


def test_columns_written_in_one_text_block_stay_apart():
    def draw(pdf):
        for y, left, right in ((500, "- Lưu: VT, VP.", "CHỦ TỊCH"), (416, "Trang 2", LEADER)):
            text = pdf.beginText()
            text.setFont("DejaVu-Bold", SIZE)
            text.setTextOrigin(72, y)
            text.textOut(left)
            text.moveCursor(300, 0)  # Td to the right column, same BT … ET
            text.textOut(right)
            pdf.drawText(text)

    box = find_signer_name(_pdf(draw), LEADER)
    _between(box)
    assert abs((box.x0 + box.x1) / 2 - (372 + _width(LEADER) / 2)) < 0.5
    assert box.width == 150  # the name's and the title's width, not the left column's


def test_text_in_a_form_xobject_is_searched():
    def draw(pdf):
        pdf.beginForm("block")
        _block(pdf)
        pdf.endForm()
        pdf.doForm("block")

    _between(find_signer_name(_pdf(draw), LEADER))


def test_rotated_margin_note_is_not_taken_for_the_name():
    def draw(pdf):
        _block(pdf)
        pdf.saveState()
        pdf.translate(30, 300)
        pdf.rotate(90)
        pdf.setFont("DejaVu", 8)
        pdf.drawString(0, 0, f"{LEADER} — ghi chú lề")
        pdf.restoreState()

    box = find_signer_name(_pdf(draw), LEADER)
    _between(box)
    assert box.x0 > 300


def test_damaged_files_give_none_or_a_box_never_an_error():
    data = make_decree30_pdf().data
    for broken in (data[: len(data) // 2], data.replace(b"xref", b"xfer"), b"%PDF-1.7\n%%EOF", b""):
        result = find_signer_name(broken, LEADER)
        assert result is None or result.y1 > result.y0


def test_concurrent_calls_give_the_same_box():
    data = make_decree30_pdf().data
    expected = find_signer_name(data, LEADER)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: find_signer_name(data, LEADER), range(24)))
    assert results == [expected] * 24
