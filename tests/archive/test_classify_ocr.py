"""OCR of Vietnamese scans and the scanned/born-digital classifier (acceptance of issue 6).

OCR is slow (1–3 s a page): few, small pages. The accuracy is 1 − edit distance / length, NFC, with runs
of white space made single (tesseract's layout spaces are not the text)."""

import io
import unicodedata

import pytest
from reportlab.pdfgen import canvas

from congvan.archive import pdf as reader
from congvan.archive.ocr import OcrFailed, ocr
from tests.archive.scans import DEJAVU, LINES, NOTO, degrade, png, render, scanned_pdf
from tests.conftest import make_pdf, require_tool

EXPECTED = "\n".join(LINES)


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def accuracy(found: str, expected: str = EXPECTED) -> float:
    def norm(text: str) -> str:
        return "\n".join(" ".join(line.split()) for line in unicodedata.normalize("NFC", text).splitlines()
                         if line.strip())

    found, expected = norm(found), norm(expected)
    return 1 - edit_distance(found, expected) / len(expected)


@pytest.fixture(autouse=True)
def _tools():
    require_tool("tesseract")
    require_tool("/usr/share/tesseract-ocr/5/tessdata/vie.traineddata")


def test_clean_scan_pdf_noto_serif(record_property):
    out = ocr(scanned_pdf(image=render(font=NOTO)))
    reading = reader.read_pdf(out)
    score = accuracy(reading.text)
    record_property("accuracy_noto", score)
    print(f"OCR accuracy, clean Noto Serif page: {score:.4f}")
    assert score >= 0.98, reading.text
    assert reading.origin == reader.SCANNED_TEXT and not reading.needs_ocr
    assert out[:5] == b"%PDF-"
    import pikepdf

    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert pdf.open_metadata().pdfa_status.startswith("2")  # PDF/A-2b


def test_clean_image_dejavu_sans(record_property):
    out = ocr(png(render(font=DEJAVU, size=36)), is_image=True)
    score = accuracy(reader.read_pdf(out).text)
    record_property("accuracy_dejavu", score)
    print(f"OCR accuracy, clean DejaVu Sans image: {score:.4f}")
    assert score >= 0.98


def test_degraded_scan_is_reported(record_property):
    out = ocr(scanned_pdf(image=degrade(render(font=NOTO, size=30))))
    score = accuracy(reader.read_pdf(out).text)
    record_property("accuracy_degraded", score)
    print(f"OCR accuracy, scan-like degraded page (1.2° rotation, blur, speckles, JPEG q40): {score:.4f}")
    assert score >= 0.6  # reported, not a target; far below would mean the pipeline (deskew, model) broke


def test_ocr_failure_has_a_reason():
    with pytest.raises(OcrFailed) as failure:
        ocr(b"%PDF-1.4 this is not a pdf")
    assert failure.value.reason


def _form_xobject_pdf() -> bytes:
    """Visible text drawn only inside a Form XObject (reportlab's beginForm/doForm)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", DEJAVU))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.beginForm("body")
    pdf.setFont("DejaVu", 12)
    for i in range(12):
        pdf.drawString(72, 760 - 20 * i, "Văn bản điện tử soạn thảo trên máy tính, không phải bản quét.")
    pdf.endForm()
    pdf.doForm("body")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_classifier_on_the_three_kinds_and_form_xobjects():
    born = reader.read_pdf(make_pdf("Ủy ban nhân dân tỉnh Gia Lai — văn bản điện tử"))
    assert (born.origin, born.needs_ocr) == (reader.BORN_DIGITAL, False)
    assert "văn bản điện tử" in born.text

    image_only = reader.read_pdf(scanned_pdf())  # img2pdf
    assert (image_only.origin, image_only.needs_ocr, image_only.text) == (reader.SCANNED_IMAGE, True, "")
    assert image_only.pages[0].image_coverage == 1.0

    ocred = reader.read_pdf(ocr(scanned_pdf(["Bản quét có lớp chữ"])))  # ocrmypdf: its text layer is in a form
    assert (ocred.origin, ocred.needs_ocr) == (reader.SCANNED_TEXT, False)
    assert ocred.pages[0].invisible_chars > 0 and ocred.pages[0].visible_chars == 0

    in_form = reader.read_pdf(_form_xobject_pdf())
    assert in_form.origin == reader.BORN_DIGITAL and in_form.pages[0].visible_chars > 100


def _legacy_font_pdf(font: str, data: bytes) -> bytes:
    """A page whose text is ``data`` shown with a (not embedded) font named ``font``, as old Word files
    printed to PDF with .VnTime or VNI-Times look."""
    import pikepdf

    pdf = pikepdf.new()
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name("/" + font),
        Encoding=pikepdf.Name.WinAnsiEncoding)))
    content = b"BT /F1 12 Tf 72 760 Td (" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(
        b")", b"\\)") + b") Tj ET"
    page = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
                                           Resources=resources, Contents=pdf.make_stream(content)))
    pdf.pages.append(page)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.mark.parametrize("font, encode", [(".VnTime", "tcvn3"), ("VNI-Times", "vni")])
def test_legacy_font_text_in_a_pdf_is_decoded(font, encode):
    from congvan.text import legacy

    text = "ủy ban nhân dân tỉnh gia lai tăng cường sử dụng văn bản điện tử"
    data = legacy.encode_tcvn3(text) if encode == "tcvn3" else legacy.encode_vni(text)
    reading = reader.read_pdf(_legacy_font_pdf(font, data))
    assert reading.legacy_fonts == [font]
    assert text in reading.text
