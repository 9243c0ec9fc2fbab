"""Reading a PDF for digitisation: is it born digital, a scan with a text layer, or a scan of images only,
and what is its text (legacy TCVN3/VNI font runs decoded to Unicode).

One pass with PDFium per page:

- every character of the text page is attributed to its text object, whose render mode says whether it is
  drawn (born digital) or invisible (mode 3 or 7: the OCR layer of a scan);
- images are found by walking the page's objects **and the objects inside Form XObjects** (ocrmypdf puts
  its text layer, and some scanners their image, inside a form: a check of the page's top level alone
  misclassifies them), each placed on the page through the forms' matrices to measure how much of the
  page it covers.

A page mostly covered by an image is a scan; with fewer than ``DIGITAL_CHARS`` drawn characters on it
(a signature stamp, a scanner's footer), it is a scan with text when it has an invisible text layer and a
scan of images otherwise. The file's origin is the kind of most of its non-empty pages; it needs OCR when
any page is a scan of images. No Django here.
"""

from __future__ import annotations

import ctypes
import io
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from congvan.text import legacy
from congvan.text.detect import scheme_of_font

BORN_DIGITAL, SCANNED_TEXT, SCANNED_IMAGE, EMPTY = "born_digital", "scanned_text", "scanned_image", "empty"
IMAGE_COVERAGE = 0.5  # share of the page an image must cover for the page to count as a scan
DIGITAL_CHARS = 200  # drawn characters above which an image page is a born-digital page with a picture
OCR_LAYER_CHARS = 10  # invisible characters that make a text layer
INVISIBLE_MODES = {3, 7}


@dataclass
class PageReading:
    kind: str
    visible_chars: int
    invisible_chars: int
    image_coverage: float


@dataclass
class PdfReading:
    origin: str  # BORN_DIGITAL, SCANNED_TEXT or SCANNED_IMAGE (EMPTY: no page shows anything)
    needs_ocr: bool
    pages: list[PageReading]
    text: str
    legacy_fonts: list[str] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.pages)


class UnreadablePdf(ValueError):
    pass


def _lock():
    from congvan.signing.textlayer import PDFIUM_LOCK  # PDFium must not run twice at once, in any thread

    return PDFIUM_LOCK


def read_pdf(data: bytes, *, max_chars: int = 2_000_000, max_pages: int = 2000) -> PdfReading:
    """Classify a PDF and extract its text (at most ``max_chars`` characters, ``max_pages`` pages)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with _lock():
        try:
            pdf = pdfium.PdfDocument(io.BytesIO(data))
        except pdfium.PdfiumError as exc:
            raise UnreadablePdf(str(exc)) from exc
        try:
            pages, texts, fonts = [], [], set()
            used = 0
            legacy_reader = None
            for index in range(min(len(pdf), max_pages)):
                page = pdf[index]
                try:
                    reading, text, page_fonts = _read_page(raw, page, with_text=used < max_chars)
                finally:
                    page.close()
                if page_fonts and used < max_chars:
                    legacy_reader = legacy_reader or _pypdf(data)
                    text = _legacy_page_text(legacy_reader, index) if legacy_reader else text
                pages.append(reading)
                fonts |= page_fonts
                if text:
                    texts.append(text[: max_chars - used])
                    used += len(texts[-1])
        finally:
            pdf.close()
    kinds = Counter(p.kind for p in pages if p.kind != EMPTY)
    if not kinds:
        origin = EMPTY
    else:
        # ties go to the scan: a half-scanned file is counted as a scan
        order = {SCANNED_IMAGE: 0, SCANNED_TEXT: 1, BORN_DIGITAL: 2}
        origin = sorted(kinds.items(), key=lambda kv: (-kv[1], order[kv[0]]))[0][0]
    return PdfReading(origin=origin, needs_ocr=any(p.kind == SCANNED_IMAGE for p in pages), pages=pages,
                      text=unicodedata.normalize("NFC", "\n\f".join(texts)).strip(), legacy_fonts=sorted(fonts))


def _read_page(raw, page, *, with_text: bool) -> tuple[PageReading, str, set[str]]:
    width, height = page.get_size()
    area = max(width * height, 1.0)
    coverage, font_of = _walk(raw, page, area)
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        owner_of = _owner_getter(raw)
        handle = ctypes.cast(textpage.raw, ctypes.c_void_p).value
        owners = [owner_of(handle, i) for i in range(count)]
        visible = invisible = 0
        modes: dict[int, int] = {}
        for owner in owners:
            if not owner:
                continue
            if owner not in modes:
                modes[owner] = raw.FPDFTextObj_GetTextRenderMode(ctypes.cast(owner, raw.FPDF_PAGEOBJECT))
            if modes[owner] in INVISIBLE_MODES:
                invisible += 1
            else:
                visible += 1
        text = textpage.get_text_range() if with_text and count else ""
    finally:
        textpage.close()
    if coverage >= IMAGE_COVERAGE and visible < DIGITAL_CHARS:
        kind = SCANNED_TEXT if invisible >= OCR_LAYER_CHARS else SCANNED_IMAGE
    elif visible:
        kind = BORN_DIGITAL
    elif invisible >= OCR_LAYER_CHARS:
        kind = SCANNED_TEXT  # a text layer over a picture smaller than the page
    elif coverage > 0:
        kind = SCANNED_IMAGE
    else:
        kind = EMPTY
    legacy_fonts = {name for name, scheme in font_of.values() if scheme}
    return PageReading(kind, visible, invisible, round(coverage, 3)), text, legacy_fonts


def _pypdf(data: bytes):
    from pypdf import PdfReader

    try:
        return PdfReader(io.BytesIO(data), strict=False)
    except Exception:  # pypdf cannot read it: PDFium's text stays
        return None


def _legacy_page_text(pdf_reader, index: int) -> str:
    """A page with TCVN3 or VNI fonts, read with pypdf, which gives each run with its font and keeps the
    original byte values (PDFium turns 0xAD, TCVN3's ư, into a hyphen); legacy runs decoded."""
    runs: list[tuple[str, str]] = []

    def visit(text, _cm, _tm, font, _size):
        if text:
            runs.append((text, str(font.get("/BaseFont", "")).lstrip("/") if font else ""))

    try:
        pdf_reader.pages[index].extract_text(visitor_text=visit)
    except Exception:
        return ""
    parts = []
    for text, font in runs:
        scheme = scheme_of_font(font)
        parts.append(legacy.decode(legacy.as_bytes(text), scheme[0], capitals=scheme[1]) if scheme else text)
    return "".join(parts)


def _walk(raw, page, area: float) -> tuple[float, dict[int, tuple[str, tuple | None]]]:
    """Largest share of the page covered by one image, and the font of each text object, looking inside
    Form XObjects (their matrices place their content on the page)."""
    best = 0.0
    fonts: dict[int, tuple[str, tuple | None]] = {}
    name_buffer = ctypes.create_string_buffer(256)

    def visit(count, get, matrix, depth):
        nonlocal best
        for i in range(count):
            obj = get(i)
            if not obj:
                continue
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_IMAGE:
                left, bottom, right, top = (ctypes.c_float() for _ in range(4))
                if raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                    corners = [_apply(matrix, x, y) for x in (left.value, right.value)
                               for y in (bottom.value, top.value)]
                    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
                    best = max(best, (max(xs) - min(xs)) * (max(ys) - min(ys)) / area)
            elif kind == raw.FPDF_PAGEOBJ_TEXT:
                font = raw.FPDFTextObj_GetFont(obj)
                name = ""
                if font:
                    length = raw.FPDFFont_GetBaseFontName(font, name_buffer, len(name_buffer))
                    name = name_buffer.raw[: max(length - 1, 0)].decode("latin-1", errors="replace")
                fonts[ctypes.cast(obj, ctypes.c_void_p).value] = (name, scheme_of_font(name))
            elif kind == raw.FPDF_PAGEOBJ_FORM and depth < 12:
                inner = raw.FS_MATRIX()
                own = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
                if raw.FPDFPageObj_GetMatrix(obj, inner):
                    own = (inner.a, inner.b, inner.c, inner.d, inner.e, inner.f)
                visit(raw.FPDFFormObj_CountObjects(obj), lambda j, o=obj: raw.FPDFFormObj_GetObject(o, j),
                      _multiply(own, matrix), depth + 1)

    visit(raw.FPDFPage_CountObjects(page.raw), lambda j: raw.FPDFPage_GetObject(page.raw, j),
          (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), 0)
    return min(best, 1.0), fonts


def _apply(m, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _multiply(first, then):
    """The matrix applying ``first`` and then ``then`` (PDF row-vector convention)."""
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = then
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


_OWNER_GETTER = None


def _owner_getter(raw):
    """FPDFText_GetTextObject(textpage, index) returning the object's address as a plain int."""
    global _OWNER_GETTER
    if _OWNER_GETTER is None:
        address = ctypes.cast(raw.FPDFText_GetTextObject, ctypes.c_void_p).value
        _OWNER_GETTER = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(address)
    return _OWNER_GETTER


IMAGE_TYPES = {"image/png", "image/jpeg", "image/tiff", "image/bmp", "image/gif", "image/webp"}
