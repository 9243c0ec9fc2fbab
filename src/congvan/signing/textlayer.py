"""Finding the signer's printed name in a PDF's text layer, to place the leader's signature above it.

The text layer is read with PDFium (pypdfium2): one text page per page searched, a run per text object
(one text-showing operator), with its baseline, effective font size and the exact advance of each of its
characters — a few milliseconds for a page, where parsing fonts and ToUnicode maps in Python cost tens."""

from __future__ import annotations

import ctypes
import functools
import math
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

#: PDFium is not thread-safe: no two of its calls may run at the same time, even on other documents.
PDFIUM_LOCK = threading.RLock()


@dataclass
class Placement:
    """A box on a page in PDF user-space points (origin bottom left), page 0-based."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def as_box(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)


# --------------------------------------------------------------------------------------------------
# Reading a page's text layer
# --------------------------------------------------------------------------------------------------

@dataclass
class _Run:
    text: str  # NFC
    x0: float
    x1: float
    y: float  # baseline
    size: float
    raw: str = field(default="", repr=False)  # the characters as PDFium gives them
    start: int = field(default=0, repr=False)  # PDFium index of the first one

    def sources(self) -> list[tuple[int, int]]:
        """For each character of ``text``: the range of PDFium character indexes it was made of (an NFC
        character may come from a base letter and its combining marks)."""
        return _clusters(self.raw, self.start, self.text)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def _clusters(raw: str, start: int, nfc: str) -> list[tuple[int, int]]:
    """For each character of ``nfc`` (``raw`` in NFC), the range of indexes in ``raw`` (from ``start``)
    it comes from."""
    if raw == nfc:
        return [(start + i, start + i + 1) for i in range(len(raw))]
    text: list[str] = []
    sources: list[tuple[int, int]] = []
    i = 0
    while i < len(raw):
        j = i + 1
        while j < len(raw) and unicodedata.combining(raw[j]):
            j += 1
        composed = unicodedata.normalize("NFC", raw[i:j])
        text.append(composed)
        sources.extend([(start + i, start + j)] * len(composed))
        i = j
    if "".join(text) != nfc:  # composition across clusters (not in Latin scripts): spread evenly
        step = len(raw) / max(len(nfc), 1)
        sources = [(start + int(k * step), start + max(int((k + 1) * step), int(k * step) + 1))
                   for k in range(len(nfc))]
    return sources


class _TextPage:
    """The characters of one page's PDFium text page: runs and the exact extent of any character."""

    def __init__(self, raw, textpage):
        self.raw = raw
        self.textpage = textpage
        self._x = ctypes.c_double()
        self._y = ctypes.c_double()
        self._rect = raw.FS_RECTF()

    def origin(self, index: int) -> tuple[float, float]:
        self.raw.FPDFText_GetCharOrigin(self.textpage, index, self._x, self._y)
        return round(self._x.value, 4), round(self._y.value, 4)

    def right(self, index: int) -> float:
        """Where the character's advance ends (the loose box: origin + glyph width)."""
        if not self.raw.FPDFText_GetLooseCharBox(self.textpage, index, self._rect):
            return self.origin(index)[0]
        return round(self._rect.right, 4)

    def extent(self, first: int, last: int) -> tuple[float, float]:
        """x from the origin of character ``first`` to the end of the advance of ``last - 1``."""
        return self.origin(first)[0], max(self.right(i) for i in range(first, last))

    def text(self) -> str:
        raw, textpage = self.raw, self.textpage
        count = raw.FPDFText_CountChars(textpage)
        if count <= 0:
            return ""
        buffer = ctypes.create_string_buffer(2 * (2 * count + 1))
        written = raw.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
        text = buffer.raw[:2 * max(written - 1, 0)].decode("utf-16-le", errors="replace")
        if len(text) != count:  # one character per index, whatever UTF-16 made of it
            text = "".join(chr(raw.FPDFText_GetUnicode(textpage, i)) for i in range(count))
        return text

    def runs(self) -> list[_Run]:
        """One run per stretch of characters of the same text object (a Tj/TJ/'/" operator), text that is
        rotated against the page left out (as pypdf's layout mode does)."""
        raw, textpage = self.raw, self.textpage
        text = self.text()
        object_of = _object_getter(raw)
        handle = ctypes.cast(textpage, ctypes.c_void_p).value
        owners = [object_of(handle, i) for i in range(len(text))]
        runs: list[_Run] = []
        matrix, font_size = raw.FS_MATRIX(), ctypes.c_float()
        start = 0
        while start < len(text):
            owner = owners[start]
            end = start + 1
            while end < len(text) and owners[end] == owner:
                end += 1
            chunk = text[start:end]
            if owner and chunk.strip():
                raw.FPDFText_GetMatrix(textpage, start, matrix)
                a, b, d = matrix.a, matrix.b, matrix.d
                if not (abs(d) <= 1e-6 or (d < -1e-6 and a < -1e-6)):  # rotated by 90°, 180°, 270°
                    x, y = self.origin(start)
                    x0, x1 = sorted((x, self.right(end - 1)))
                    if not raw.FPDFTextObj_GetFontSize(ctypes.cast(owner, raw.FPDF_PAGEOBJECT), font_size):
                        font_size.value = 0.0
                    size = abs(font_size.value * math.hypot(b, d))  # Tf size × the text matrix's y scale
                    runs.append(_Run(unicodedata.normalize("NFC", chunk), x0, x1, y, round(size, 4), chunk, start))
            start = end
        return runs


@functools.cache
def _object_getter(raw) -> Callable[[int, int], int | None]:
    """FPDFText_GetTextObject(textpage address, index) giving the object's address as an int: comparable,
    and four times faster than through the binding, which makes a pointer object per call."""
    address = ctypes.cast(raw.FPDFText_GetTextObject, ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(address)


# --------------------------------------------------------------------------------------------------
# Finding the signer's name in the text layer
# --------------------------------------------------------------------------------------------------

def _lines(runs: list[_Run]) -> list[list[_Run]]:
    """Runs grouped into lines: the same baseline and no wide horizontal gap (so the two columns of a
    signature block — "Nơi nhận" on the left, the signer on the right — stay apart). Top to bottom."""
    rows: list[list[_Run]] = []
    for run in sorted(runs, key=lambda r: -r.y):
        if rows and abs(rows[-1][0].y - run.y) <= max(1.0, 0.15 * run.size):
            rows[-1].append(run)
        else:
            rows.append([run])
    lines: list[list[_Run]] = []
    for row in rows:
        row.sort(key=lambda r: r.x0)
        current = [row[0]]
        for run in row[1:]:
            if run.x0 - max(r.x1 for r in current) > 2.5 * max(run.size, current[-1].size):
                lines.append(current)
                current = [run]
            else:
                current.append(run)
        lines.append(current)
    return lines


def _squeezed(text: str) -> str:
    """``text`` folded as :func:`_locate` folds it character by character, without its whitespace."""
    text = "".join(text.split())
    return text.lower() if "Σ" not in text else "".join(_fold(ch) for ch in text)  # (final sigma)


def _locate(line: list[_Run], needle: str,
            extent: Callable[[int, int], tuple[float, float]]) -> tuple[float, float] | None:
    """x extent of ``needle`` (folded) inside a line made of runs, or None. ``extent(first, end)`` gives
    the exact x extent of the PDFium characters ``first`` to ``end - 1``."""
    if needle.replace(" ", "") not in _squeezed("".join(run.text for run in line)):
        return None  # (a quick test first: most lines do not hold the name)
    # Each character: (character, its PDFium index range or None for a gap between runs).
    chars: list[tuple[str, tuple[int, int] | None]] = []
    previous_end = None
    for run in line:
        if previous_end is not None and run.x0 - previous_end > 0.15 * run.size and chars \
                and not chars[-1][0].isspace():
            chars.append((" ", None))
        chars.extend(zip(run.text, run.sources(), strict=True))
        previous_end = run.x1
    # Collapse whitespace while keeping positions.
    folded: list[tuple[str, tuple[int, int] | None]] = []
    for ch, source in chars:
        ch = " " if ch.isspace() else _fold(ch)
        if ch == " " and (not folded or folded[-1][0] == " "):
            continue
        for sub in ch:
            folded.append((sub, source))
    haystack = "".join(c for c, _ in folded)
    index = haystack.find(needle)
    if index < 0:
        return None
    first, last = folded[index][1], folded[index + len(needle) - 1][1]
    if first is None or last is None:  # the needle does not start or end with a space: cannot happen
        return None
    return extent(first[0], first[1])[0], extent(last[0], last[1])[1]


def _page_box(raw, page) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of the crop box, or of the media box when the page has none."""
    values = [ctypes.c_float() for _ in range(4)]
    if not raw.FPDFPage_GetCropBox(page, *values) and not raw.FPDFPage_GetMediaBox(page, *values):
        left, bottom = 0.0, 0.0
        right, top = raw.FPDF_GetPageWidthF(page), raw.FPDF_GetPageHeightF(page)
        return left, bottom, right, top
    left, bottom, right, top = (round(v.value, 4) for v in values)
    return left, bottom, right, top


def _placement(page_index: int, lines: list[list[_Run]], needle: str, box: tuple[float, float, float, float],
               extent: Callable[[int, int], tuple[float, float]], min_width: float, max_width: float,
               default_height: float) -> Placement | None:
    left, bottom, right, top = box
    found = None
    for position, line in enumerate(lines):  # top to bottom: keep the lowest match
        if needle_extent := _locate(line, needle, extent):
            found = (position, line, needle_extent)
    if found is None:
        return None
    position, line, (nx0, nx1) = found
    name_y = line[0].y
    name_size = max(r.size for r in line)
    centre = (nx0 + nx1) / 2
    name_top = name_y + 0.80 * name_size + 2
    title = None
    for other in reversed(lines[:position]):  # nearest line above that overlaps the name horizontally
        ox0, ox1 = min(r.x0 for r in other), max(r.x1 for r in other)
        if other[0].y > name_y and ox1 > nx0 - 20 and ox0 < nx1 + 20 and other[0].y - name_y < 260:
            title = other
            break
    width = nx1 - nx0
    if title is not None:
        tx0 = min(r.x0 for r in title)
        tx1 = max(r.x1 for r in title)
        width = max(width, tx1 - tx0)
        title_bottom = title[0].y - 0.25 * max(r.size for r in title) - 2
        height = title_bottom - name_top
        if height < 24:  # no room was left: use a fixed box, overlapping the title
            title_bottom = name_top + default_height
    else:
        title_bottom = name_top + default_height
    width = min(max(width + 20, min_width), max_width)
    x0 = max(left + 2, centre - width / 2)
    x1 = min(right - 2, x0 + width)
    y1 = min(top - 2, title_bottom)
    return Placement(page=page_index, x0=round(x0, 2), y0=round(name_top, 2), x1=round(x1, 2), y1=round(y1, 2))


def find_signer_name(pdf: bytes, full_name: str, *, min_width: float = 150.0, max_width: float = 230.0,
                     default_height: float = 72.0) -> Placement | None:
    """The box where the leader's signature goes: above the signer's printed name, below the title line.

    Looks in the text layer of the last page first (then the pages before it, last to first), for the
    last occurrence of ``full_name`` (NFC/NFD and case do not matter). The box is centred on the name,
    ``min_width``…``max_width`` wide, and spans the space between the line above the name (the title,
    e.g. "CHỦ TỊCH") and the name; ``default_height`` when nothing is above. None when the name is not
    found (scanned page without text, other name) or the file cannot be read as a PDF."""
    needle = " ".join(_fold(full_name).split())
    if not needle:
        return None
    import pypdfium2.raw as raw

    with PDFIUM_LOCK:
        buffer = bytes(pdf)
        document = raw.FPDF_LoadMemDocument64(buffer, len(buffer), None)
        if not document:
            return None
        try:
            for page_index in range(raw.FPDF_GetPageCount(document) - 1, -1, -1):
                page = raw.FPDF_LoadPage(document, page_index)
                if not page:
                    continue
                textpage = None
                try:
                    textpage = raw.FPDFText_LoadPage(page)
                    if not textpage:
                        continue
                    reader = _TextPage(raw, textpage)
                    placement = _placement(page_index, _lines(reader.runs()), needle, _page_box(raw, page),
                                           reader.extent, min_width, max_width, default_height)
                except Exception:  # noqa: BLE001 - an unreadable page is a page without the name
                    continue
                finally:
                    if textpage:
                        raw.FPDFText_ClosePage(textpage)
                    raw.FPDF_ClosePage(page)
                if placement is not None:
                    return placement
            return None
        finally:
            raw.FPDF_CloseDocument(document)
