"""Finding the signer's printed name in a PDF's text layer, to place the leader's signature above it."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass


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
# Finding the signer's name in the text layer
# --------------------------------------------------------------------------------------------------

@dataclass
class _Run:
    text: str  # NFC
    x0: float
    x1: float
    y: float  # baseline
    size: float


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def _page_runs(page) -> list[_Run]:
    runs: list[_Run] = []
    try:  # pypdf's layout-mode text state machine knows where every text show ends (private API)
        from pypdf._text_extraction._layout_mode import _fixed_width_page as layout
        from pypdf._text_extraction._layout_mode._text_state_manager import TextStateManager
        from pypdf.generic import ArrayObject, ContentStream, StreamObject

        fonts = page._layout_mode_fonts()
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        if isinstance(contents, ArrayObject | StreamObject):
            # The loop of layout.text_show_operations, without its final shift of every x to the left.
            ops = iter(ContentStream(contents, page.pdf, "bytes").operations)
            state = TextStateManager()
            groups = []
            for operands, op in ops:
                if op in (b"BT", b"q"):
                    found, _ = layout.recurse_to_target_op(ops, state, b"ET" if op == b"BT" else b"Q", fonts,
                                                           True)
                    groups.extend(found)
                elif op == b"Tf":
                    layout.set_font_operation(state, fonts, operands)
                else:
                    state.set_state_param(op, operands)
            for group in groups:
                text = unicodedata.normalize("NFC", group["text"])
                if text.strip():
                    size = abs(float(group.get("font_height") or group["font_size"]))
                    x0, x1 = sorted((float(group["tx"]), float(group["displaced_tx"])))
                    runs.append(_Run(text, x0, x1, float(group["ty"]), size))
        return runs
    except Exception:  # pragma: no cover - fall back to the public visitor with estimated widths
        runs = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text or not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (abs(tm[0] * cm[0]) or 1.0)
        size = float(font_size) * scale
        text = unicodedata.normalize("NFC", text.strip("\n"))
        runs.append(_Run(text, x, x + 0.5 * size * len(text), y, size))

    page.extract_text(visitor_text=visit)
    return runs


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


def _locate(line: list[_Run], needle: str) -> tuple[float, float] | None:
    """x extent of ``needle`` (folded) inside a line made of runs, or None."""
    chars: list[tuple[str, float, float]] = []
    previous_end = None
    for run in line:
        if previous_end is not None and run.x0 - previous_end > 0.15 * run.size and chars \
                and not chars[-1][0].isspace():
            chars.append((" ", previous_end, run.x0))
        text = run.text
        n = max(len(text), 1)
        step = (run.x1 - run.x0) / n
        for i, ch in enumerate(text):
            chars.append((ch, run.x0 + i * step, run.x0 + (i + 1) * step))
        previous_end = run.x1
    # Collapse whitespace while keeping positions.
    folded: list[tuple[str, float, float]] = []
    for ch, a, b in chars:
        ch = " " if ch.isspace() else _fold(ch)
        if ch == " " and (not folded or folded[-1][0] == " "):
            continue
        for sub in ch:
            folded.append((sub, a, b))
    haystack = "".join(c for c, _, _ in folded)
    index = haystack.find(needle)
    if index < 0:
        return None
    return folded[index][1], folded[index + len(needle) - 1][2]


def find_signer_name(pdf: bytes, full_name: str, *, min_width: float = 150.0, max_width: float = 230.0,
                     default_height: float = 72.0) -> Placement | None:
    """The box where the leader's signature goes: above the signer's printed name, below the title line.

    Looks in the text layer of the last page first (then the pages before it, last to first), for the
    last occurrence of ``full_name`` (NFC/NFD and case do not matter). The box is centred on the name,
    ``min_width``…``max_width`` wide, and spans the space between the line above the name (the title,
    e.g. "CHỦ TỊCH") and the name; ``default_height`` when nothing is above. None when the name is not
    found (scanned page without text, other name)."""
    needle = " ".join(_fold(full_name).split())
    if not needle:
        return None
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(pdf), strict=False)
        count = len(reader.pages)
    except Exception:
        return None
    for page_index in range(count - 1, -1, -1):
        try:
            page = reader.pages[page_index]
            runs = _page_runs(page)
            box = page.cropbox if page.get("/CropBox") is not None else page.mediabox
            left, bottom, right, top = (float(v) for v in (box.left, box.bottom, box.right, box.top))
        except Exception:
            continue
        lines = _lines(runs)
        found = None
        for position, line in enumerate(lines):  # top to bottom: keep the lowest match
            extent = _locate(line, needle)
            if extent is not None:
                found = (position, line, extent)
        if found is None:
            continue
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
        return Placement(page=page_index, x0=round(x0, 2), y0=round(name_top, 2), x1=round(x1, 2),
                         y1=round(y1, 2))
    return None
