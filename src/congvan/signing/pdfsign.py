"""PAdES signatures on PDFs, laid out as Decree 30/2020 Appendix I shows them (no Django here).

* :func:`sign_approval` — the competent leader's signature at approval: the (blue) signature image in
  the box between the signer's title line and their printed name, found in the text layer of the last
  page by :func:`find_signer_name` (or at a ``placement`` chosen on a page preview).
* :func:`seal_issue` — the agency's signature at issuance: the red seal at real size (36 mm) overlapping
  the left third of the leader's signature, with the agency name, the number/notation and the signing
  time (ISO 8601, Vietnam time) written under it.
* :func:`seal_annex` — the agency's signature on annexes and electronic copies: no image, a text box at
  the top right of page 1 (number and signing time; Times-like serif, 10 pt, black).

Every signature is a PAdES (``ETSI.CAdES.detached``, SHA-256) signature added as an **incremental
update**: the bytes already signed are never rewritten. ``bytes_reserved`` is always passed so pyHanko
does not sign twice to measure the signature (its "dry run").

Costs and what is cached (per process, none of it secret): a stamp font is reduced once to the
Latin/Vietnamese repertoire, rescaled to 1000 units per em (the unit of PDF glyph widths; pyHanko 0.38's own
font engine spaces fonts with another unitsPerEm wrongly, see RECIPES §2) and then embedded whole from its
cached deflated bytes by a small font engine of ours — no fontTools subsetting per signature; the images
are deflated once per PNG. The CMS container is re-used per signer key (see ``keys._CmsTemplate``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import threading
import unicodedata
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from .errors import SigningError
from .keys import SignerKey
from .verify import install_pyhanko_speedups

__all__ = [
    "LEADER_FIELD_PREFIX",
    "Placement",
    "VIETNAM_TZ",
    "find_signer_name",
    "iso_vietnam",
    "seal_annex",
    "seal_issue",
    "sign_approval",
    "signature_fields",
]

logging.getLogger("fontTools").setLevel(logging.ERROR)

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
LEADER_FIELD_PREFIX = "LanhDaoKy"
SEAL_FIELD_PREFIX = "CoQuanKy"
ANNEX_FIELD_PREFIX = "CoQuanKyPhuLuc"
MM = 72 / 25.4
#: Room left under the leader's box for the signer's printed name (found by find_signer_name, the box
#: ends 2 pt above the name's capitals), before the seal's text lines start.
NAME_CLEARANCE = 19.0
SEAL_DIAMETER = 36 * MM

_SERIF_FONTS = ("/usr/share/fonts/truetype/croscore/Tinos-Regular.ttf",
                "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
                "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
_SANS_FONTS = ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
               "/usr/share/fonts/truetype/croscore/Arimo-Regular.ttf",
               "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

#: Room for the CMS container: signature, signer and chain certificates, attributes; a timestamp token
#: with its TSA certificates adds more. Grows with the embedded certificates (see _bytes_reserved).
_BASE_RESERVED = 8192
_TIMESTAMP_RESERVED = 12288


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


def iso_vietnam(moment: datetime) -> str:
    """ISO 8601 in Vietnam time, to the second: ``2026-11-22T10:05:00+07:00``. Naive = Vietnam time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM_TZ)
    return moment.astimezone(VIETNAM_TZ).replace(microsecond=0).isoformat()


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(str(text).split()))


# --------------------------------------------------------------------------------------------------
# Fonts: reduced once, embedded whole (no per-signature subsetting)
# --------------------------------------------------------------------------------------------------

_VIETNAMESE_RANGES = (
    (0x20, 0x7E), (0xA0, 0xFF), (0x100, 0x17F), (0x1A0, 0x1A1), (0x1AF, 0x1B0), (0x300, 0x309),
    (0x323, 0x323), (0x1EA0, 0x1EF9), (0x2010, 0x2027), (0x2030, 0x203A), (0x20AB, 0x20AC), (0x2116, 0x2116),
)


@dataclass
class _StampFont:
    """A stamp font reduced once per process: program bytes, their deflated form, HarfBuzz font and the
    metrics needed to write the PDF font dictionaries — nothing is parsed again per signature."""

    path: str
    ps_name: str
    data: bytes  # the reduced font program (TrueType, 1000 units per em)
    flate: bytes  # its deflated bytes, ready for /FontFile2
    advances: list[int]  # advance width per glyph id, 1/1000 em
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    italic_angle: float
    stem_v: int
    hb_font: object = field(repr=False, default=None)


_font_lock = threading.Lock()


@lru_cache(maxsize=8)
def _stamp_font(path: str) -> _StampFont:
    import uharfbuzz as hb
    from fontTools import subset, ttLib
    from fontTools.ttLib.scaleUpem import scale_upem

    with _font_lock:
        tt = ttLib.TTFont(path)
        unicodes = [cp for lo, hi in _VIETNAMESE_RANGES for cp in range(lo, hi + 1)]
        options = subset.Options()
        options.hinting = False
        options.layout_features = ["kern", "mark", "mkmk", "ccmp", "locl"]
        options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
        options.notdef_outline = True
        options.drop_tables += ["FFTM", "DSIG", "GDEF", "gasp", "hdmx", "VDMX", "LTSH"]
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(tt)
        if tt["head"].unitsPerEm != 1000:
            scale_upem(tt, 1000)
        buffer = io.BytesIO()
        tt.save(buffer)
        data = buffer.getvalue()
        tt = ttLib.TTFont(io.BytesIO(data))
        hmtx = tt["hmtx"]
        advances = [hmtx[name][0] for name in tt.getGlyphOrder()]
        head, hhea, os2, post = tt["head"], tt["hhea"], tt["OS/2"], tt["post"]
        ps_name = tt["name"].getDebugName(6) or os.path.splitext(os.path.basename(path))[0]
        ps_name = re.sub(r"[^A-Za-z0-9_-]", "", ps_name) or "StampFont"
    return _StampFont(
        path=path, ps_name=ps_name, data=data, flate=zlib.compress(data, 9), advances=advances,
        bbox=(head.xMin, head.yMin, head.xMax, head.yMax), ascent=hhea.ascent, descent=hhea.descent,
        cap_height=getattr(os2, "sCapHeight", 700) or 700, italic_angle=float(post.italicAngle),
        stem_v=int(10 + 220 * (os2.usWeightClass - 50) / 900), hb_font=hb.Font(hb.Face(data)))


def _pick_font(candidates: tuple[str, ...]) -> str:
    for path in candidates:
        if os.path.exists(path):
            return path
    raise SigningError("Máy chủ thiếu phông chữ tiếng Việt cho chữ ký số (fonts-noto-core, fonts-croscore).",
                       code="missing_font", detail=", ".join(candidates))


def _shape(font: _StampFont, text: str):
    import uharfbuzz as hb

    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font.hb_font, buf, None)
    return buf


def _text_width(font: _StampFont, text: str, size: float) -> float:
    if not text:
        return 0.0
    return sum(p.x_advance for p in _shape(font, text).glyph_positions) / 1000 * size


def _wrap(font: _StampFont, text: str, size: float, max_width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        current = ""
        for word in words:
            candidate = f"{current} {word}".strip()
            if current and _text_width(font, candidate, size) > max_width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


def _font_engine(writer, font: _StampFont):
    """A pyHanko font engine that shapes with the cached HarfBuzz font and, when the PDF is written,
    embeds the whole reduced font (cached deflated bytes) as a CIDFontType2 with Identity encoding,
    glyph widths for the glyphs used and a ToUnicode map, so the text can be copied and searched."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.font.api import FontEngine, ShapeResult

    n = generic.pdf_name

    class _CachedFontEngine(FontEngine):
        def __init__(self):
            super().__init__(writer, font.ps_name, embedded_subset=True, font_size=10)
            self._ref = writer.allocate_placeholder()
            self._unicode: dict[int, str] = {}
            self._written = False

        def shape(self, txt: str) -> ShapeResult:
            if not txt:
                return ShapeResult(b"", 0, 0)
            buf = _shape(font, txt)
            infos, positions = buf.glyph_infos, buf.glyph_positions
            clusters = sorted({i.cluster for i in infos})
            bounds = {c: (clusters[k + 1] if k + 1 < len(clusters) else len(txt)) for k, c in enumerate(clusters)}
            first_of_cluster: set[int] = set()
            ops: list[str] = []
            total = 0
            simple = all(p.y_offset == 0 and p.x_offset == 0 for p in positions)
            pending: list[str] = []
            line_x = line_y = 0.0
            for info, pos in zip(infos, positions, strict=True):
                gid = info.codepoint
                if info.cluster not in first_of_cluster:
                    first_of_cluster.add(info.cluster)
                    if gid and gid not in self._unicode:
                        self._unicode[gid] = txt[info.cluster:bounds[info.cluster]]
                width = font.advances[gid] if gid < len(font.advances) else pos.x_advance
                if simple:
                    pending.append(f"<{gid:04x}>")
                    adjust = width - pos.x_advance
                    if adjust:
                        pending.append(str(adjust))
                else:  # marks positioned by HarfBuzz: place every glyph explicitly (Td moves the line origin)
                    x = (total + pos.x_offset) / 1000 * self.font_size
                    y = pos.y_offset / 1000 * self.font_size
                    ops.append(f"{x - line_x:g} {y - line_y:g} Td <{gid:04x}> Tj")
                    line_x, line_y = x, y
                total += pos.x_advance
            if simple:
                body = f"[{' '.join(pending)}] TJ"
            else:
                body = " ".join(ops)
            actual = generic.TextStringObject(txt)
            stream = io.BytesIO()
            stream.write(b"/Span <</ActualText ")
            actual.write_to_stream(stream)
            stream.write(b">> BDC " + body.encode("ascii") + b" EMC")
            return ShapeResult(graphics_ops=stream.getvalue(), x_advance=total / 1000, y_advance=0)

        def as_resource(self):
            return self._ref

        def prepare_write(self):
            if self._written:  # the writer may ask more than once
                return
            self._written = True
            name = f"{self.subset_prefix}+{font.ps_name}"
            font_file = writer.add_object(generic.StreamObject(
                {n("/Filter"): n("/FlateDecode"), n("/Length1"): generic.NumberObject(len(font.data))},
                encoded_data=font.flate))
            descriptor = writer.add_object(generic.DictionaryObject({
                n("/Type"): n("/FontDescriptor"), n("/FontName"): n("/" + name),
                n("/Flags"): generic.NumberObject(4),
                n("/FontBBox"): generic.ArrayObject(generic.NumberObject(v) for v in font.bbox),
                n("/ItalicAngle"): generic.FloatObject(font.italic_angle),
                n("/Ascent"): generic.NumberObject(font.ascent), n("/Descent"): generic.NumberObject(font.descent),
                n("/CapHeight"): generic.NumberObject(font.cap_height),
                n("/StemV"): generic.NumberObject(font.stem_v), n("/FontFile2"): font_file,
            }))
            widths = generic.ArrayObject()
            for gid in sorted(set(self._unicode) | {0}):
                widths.append(generic.NumberObject(gid))
                widths.append(generic.ArrayObject([generic.NumberObject(font.advances[gid])]))
            cid_font = writer.add_object(generic.DictionaryObject({
                n("/Type"): n("/Font"), n("/Subtype"): n("/CIDFontType2"), n("/BaseFont"): n("/" + name),
                n("/CIDSystemInfo"): generic.DictionaryObject({
                    n("/Registry"): generic.TextStringObject("Adobe"),
                    n("/Ordering"): generic.TextStringObject("Identity"),
                    n("/Supplement"): generic.NumberObject(0)}),
                n("/FontDescriptor"): descriptor, n("/DW"): generic.NumberObject(1000), n("/W"): widths,
                n("/CIDToGIDMap"): n("/Identity"),
            }))
            lines = [f"<{gid:04x}> <{text.encode('utf-16be').hex()}>" for gid, text in sorted(self._unicode.items())
                     if text]
            chunks = []
            for start in range(0, len(lines), 100):
                part = lines[start:start + 100]
                chunks.append(f"{len(part)} beginbfchar\n" + "\n".join(part) + "\nendbfchar")
            cmap = ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + "\n".join(chunks)
                    + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
            to_unicode = generic.StreamObject(stream_data=cmap.encode("ascii"))
            to_unicode.compress()
            writer.add_object(generic.DictionaryObject({
                n("/Type"): n("/Font"), n("/Subtype"): n("/Type0"), n("/BaseFont"): n("/" + name),
                n("/Encoding"): n("/Identity-H"), n("/DescendantFonts"): generic.ArrayObject([cid_font]),
                n("/ToUnicode"): writer.add_object(to_unicode),
            }), idnum=self._ref.idnum)

    return _CachedFontEngine()


# --------------------------------------------------------------------------------------------------
# Images: deflated once per PNG
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _EncodedImage:
    width: int
    height: int
    colour_space: str  # /DeviceRGB or /DeviceGray
    data: bytes  # deflated samples
    alpha: bytes | None  # deflated soft mask


_image_cache: OrderedDict[str, _EncodedImage] = OrderedDict()
_image_lock = threading.Lock()


def _encode_image(png: bytes) -> _EncodedImage:
    digest = hashlib.sha256(png).hexdigest()
    with _image_lock:
        cached = _image_cache.get(digest)
        if cached is not None:
            _image_cache.move_to_end(digest)
            return cached
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except Exception as exc:
        raise SigningError("Ảnh chữ ký/con dấu không đọc được (cần tệp PNG).", code="bad_image", detail=repr(exc))
    if image.width * image.height > 4000 * 4000:
        raise SigningError("Ảnh chữ ký/con dấu quá lớn.", code="bad_image")
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    alpha = None
    if image.mode in ("RGBA", "LA"):
        alpha = zlib.compress(image.getchannel("A").tobytes(), 6)
        image = image.convert(image.mode[:-1])
    encoded = _EncodedImage(
        width=image.width, height=image.height,
        colour_space="/DeviceGray" if image.mode == "L" else "/DeviceRGB",
        data=zlib.compress(image.tobytes(), 6), alpha=alpha)
    with _image_lock:
        _image_cache[digest] = encoded
        while len(_image_cache) > 32:
            _image_cache.popitem(last=False)
    return encoded


def _add_image(writer, image: _EncodedImage):
    from pyhanko.pdf_utils import generic

    n = generic.pdf_name

    def stream(colour_space: str, data: bytes, smask=None):
        entries = {
            n("/Type"): n("/XObject"), n("/Subtype"): n("/Image"),
            n("/Width"): generic.NumberObject(image.width), n("/Height"): generic.NumberObject(image.height),
            n("/ColorSpace"): n(colour_space), n("/BitsPerComponent"): generic.NumberObject(8),
            n("/Filter"): n("/FlateDecode"),
        }
        if smask is not None:
            entries[n("/SMask")] = smask
        return writer.add_object(generic.StreamObject(entries, encoded_data=data))

    smask = stream("/DeviceGray", image.alpha) if image.alpha is not None else None
    return stream(image.colour_space, image.data, smask)


# --------------------------------------------------------------------------------------------------
# The appearance: an image and/or lines of text, positioned inside the field's box
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _TextBlock:
    lines: tuple[str, ...]
    font_path: str
    size: float
    x: float  # anchor, box coordinates: left edge, centre or right edge depending on align
    top: float  # y of the top of the first line, box coordinates
    align: str = "center"
    colour: tuple[float, float, float] = (0.0, 0.0, 0.0)
    leading: float = 0.0


def _appearance_style(image: _EncodedImage | None = None,
                      image_box: tuple[float, float, float, float] | None = None,
                      text: _TextBlock | None = None):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.content import ResourceType
    from pyhanko.stamp import BaseStamp, BaseStampStyle

    class _Stamp(BaseStamp):
        def _render_inner_content(self):
            commands: list[bytes] = []
            if image is not None and image_box is not None:
                ref = _add_image(self.writer, image)
                self.set_resource(ResourceType.XOBJECT, generic.pdf_name("/Im0"), ref)
                x, y, w, h = image_box
                commands.append(b"q %.3f 0 0 %.3f %.3f %.3f cm /Im0 Do Q" % (w, h, x, y))
            if text is not None and text.lines:
                font = _stamp_font(text.font_path)
                engine = _font_engine(self.writer, font)
                self.set_resource(ResourceType.FONT, generic.pdf_name("/F1"), engine.as_resource())
                leading = text.leading or text.size * 1.25
                r, g, b = text.colour
                for i, line in enumerate(text.lines):
                    if not line:
                        continue
                    engine.font_size = text.size
                    shaped = engine.shape(line)
                    width = shaped.x_advance * text.size
                    if text.align == "center":
                        x = text.x - width / 2
                    elif text.align == "right":
                        x = text.x - width
                    else:
                        x = text.x
                    baseline = text.top - text.size * 0.9 - i * leading
                    commands.append(b"BT /F1 %.2f Tf %.3f %.3f %.3f rg 1 0 0 1 %.3f %.3f Tm %s ET"
                                    % (text.size, r, g, b, x, baseline, shaped.graphics_ops))
            return commands

    @dataclass(frozen=True)
    class _Style(BaseStampStyle):
        border_width: int = 0

        def create_stamp(self, writer, box, text_params):
            return _Stamp(writer=writer, style=self, box=box)

    return _Style()


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


# --------------------------------------------------------------------------------------------------
# Signing
# --------------------------------------------------------------------------------------------------

def _open_writer(pdf: bytes):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    install_pyhanko_speedups()
    if not isinstance(pdf, bytes | bytearray | memoryview) or b"%PDF-" not in bytes(pdf[:1024]):
        raise SigningError("Tệp không phải là PDF, không ký được.", code="not_pdf")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(bytes(pdf)))
    except Exception as exc:
        raise SigningError("Tệp PDF bị hỏng hoặc không đọc được, không ký được.", code="bad_pdf", detail=repr(exc))
    if writer.prev.encrypted:
        raise SigningError("Tệp PDF đã được mã hóa bằng mật khẩu, không ký được.", code="encrypted_pdf")
    return writer


def _page_count(reader) -> int:
    try:
        return int(reader.root["/Pages"]["/Count"])
    except Exception:
        return 0


def _page_box(reader, page_index: int) -> tuple[float, float, float, float]:
    """The visible box (CropBox, else MediaBox, inherited) of a page."""
    from pyhanko.pdf_utils import generic

    page_ref, _ = reader.find_page_for_modification(page_index)
    node = page_ref.get_object()
    for key in ("/CropBox", "/MediaBox"):
        current = node
        while current is not None:
            if key in current:
                values = [float(v) for v in current[key]]
                x0, x1 = sorted((values[0], values[2]))
                y0, y1 = sorted((values[1], values[3]))
                return x0, y0, x1, y1
            parent = current.get("/Parent")
            current = parent.get_object() if isinstance(parent, generic.IndirectObject) else parent
    return 0.0, 0.0, 595.28, 841.89


@dataclass
class SignatureField:
    name: str
    signed: bool
    page: int | None
    rect: tuple[float, float, float, float] | None


def _page_refs(reader) -> dict[tuple[int, int], int]:
    """(object number, generation) of every page → its 0-based index, in one walk of the page tree."""
    from pyhanko.pdf_utils import generic

    result: dict[tuple[int, int], int] = {}
    seen: set[tuple[int, int]] = set()
    try:
        root = reader.root.raw_get("/Pages")
    except Exception:
        return result
    stack = [root]
    while stack and len(seen) < 1_000_000:
        node_ref = stack.pop()
        if isinstance(node_ref, generic.IndirectObject):
            key = (node_ref.idnum, node_ref.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node_ref.get_object()
        else:
            key, node = None, node_ref
        if not isinstance(node, generic.DictionaryObject):
            continue
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            kids = node.raw_get("/Kids") if "/Kids" in node else []
            kids = kids.get_object() if isinstance(kids, generic.IndirectObject) else kids
            stack.extend(reversed(list(kids)))
        elif key is not None:
            result[key] = len(result)
    return result


def _field_names(reader) -> set[str]:
    from pyhanko.sign.fields import enumerate_sig_fields

    return {str(name) for name, _, _ in enumerate_sig_fields(reader)}


def signature_fields(reader) -> list[SignatureField]:
    """Signature fields of a pyHanko reader, in document order, with their widget box and page."""
    from pyhanko.sign.fields import enumerate_sig_fields

    fields = list(enumerate_sig_fields(reader))
    page_refs = _page_refs(reader) if fields else {}
    result = []
    for name, value, field_ref in fields:
        field_obj = field_ref.get_object()
        widget = field_obj
        if "/Rect" not in widget and "/Kids" in widget:
            widget = widget["/Kids"][0].get_object()
        rect = None
        if "/Rect" in widget:
            values = [float(v) for v in widget["/Rect"]]
            rect = (min(values[0], values[2]), min(values[1], values[3]),
                    max(values[0], values[2]), max(values[1], values[3]))
        page = None
        p = widget.raw_get("/P") if "/P" in widget else None
        if p is not None and hasattr(p, "idnum"):
            page = page_refs.get((p.idnum, p.generation))
        if page is None and rect is not None:
            page = _find_annot_page(reader, page_refs, field_ref)
        result.append(SignatureField(name=str(name), signed=value is not None, page=page, rect=rect))
    return result


def _find_annot_page(reader, page_refs, field_ref) -> int | None:
    from pyhanko.pdf_utils import generic

    target = (field_ref.idnum, field_ref.generation)
    for (idnum, generation), index in page_refs.items():
        try:
            page = reader.get_object(generic.Reference(idnum, generation, reader))
            annots = page.get("/Annots", ()) or ()
            for annot in (annots.get_object() if isinstance(annots, generic.IndirectObject) else annots):
                if hasattr(annot, "idnum") and (annot.idnum, annot.generation) == target:
                    return index
        except Exception:
            continue
    return None


def _unique_field_name(reader, prefix: str) -> str:
    existing = _field_names(reader)
    if prefix not in existing:
        return prefix
    n = 2
    while f"{prefix}{n}" in existing:
        n += 1
    return f"{prefix}{n}"


def _bytes_reserved(key: SignerKey, timestamper) -> int:
    certs = [key.certificate, *key.chain]
    size = _BASE_RESERVED + 2 * sum(len(c.dump()) for c in certs)
    if timestamper is not None:
        size += _TIMESTAMP_RESERVED
    return size + size % 2


def _timestamper(timestamp_url: str | None, timestamper):
    if timestamper is not None:
        return timestamper
    if timestamp_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        return HTTPTimeStamper(timestamp_url, timeout=15)
    return None


def _sign(pdf: bytes, key: SignerKey, *, field_name_prefix: str, placement: Placement | None, style,
          reason: str | None, location: str | None, name: str | None, timestamp_url, timestamper,
          signing_time: datetime | None = None, subfilter=None, writer=None,
          contact_info: str | None = None) -> bytes:
    from pyhanko.sign import fields, signers

    writer = writer or _open_writer(pdf)
    field_name = _unique_field_name(writer.prev, field_name_prefix)
    if placement is not None:
        pages = _page_count(writer.prev)
        if not 0 <= placement.page < max(pages, 1):
            raise SigningError("Vị trí đặt chữ ký nằm ngoài số trang của văn bản.", code="bad_placement")
        spec = fields.SigFieldSpec(field_name, on_page=placement.page,
                                   box=tuple(round(v, 2) for v in placement.as_box()))
    else:
        spec = fields.SigFieldSpec(field_name)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256",
        subfilter=subfilter or fields.SigSeedSubFilter.PADES,
        reason=reason or None, location=location or None, name=name or None, contact_info=contact_info)
    ts = _timestamper(timestamp_url, timestamper)

    class _Signer(signers.PdfSigner):
        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
            if signing_time is not None:
                session.system_time = signing_time
            return session

    pdf_signer = _Signer(meta, signer=key.signer, timestamper=ts, stamp_style=style, new_field_spec=spec)
    out = io.BytesIO()
    try:
        try:
            pdf_signer.sign_pdf(writer, bytes_reserved=_bytes_reserved(key, ts), output=out)
        except Exception as exc:
            if not any(hint in str(exc) for hint in ("larger than expected", "too small", "bytes_reserved")):
                raise
            writer = _open_writer(pdf)  # the writer is spent: start again with pyHanko's own estimate
            out = io.BytesIO()
            pdf_signer.sign_pdf(writer, output=out)
    except SigningError:
        raise
    except Exception as exc:
        raise _signing_failure(exc)
    return out.getvalue()


def _signing_failure(exc: Exception) -> SigningError:
    from .keys import _pkcs11_error

    module = type(exc).__module__
    text = str(exc)
    if module.startswith("pkcs11"):
        return _pkcs11_error(exc)
    if "TimestampRequestError" in type(exc).__name__ or "imestamp" in text:
        return SigningError("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA).",
                            code="timestamp_failed", detail=repr(exc))
    return SigningError("Không ký được tệp PDF.", code="signing_failed", detail=repr(exc))


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM_TZ)
    return moment.astimezone(VIETNAM_TZ).replace(microsecond=0)


def sign_approval(pdf: bytes, key: SignerKey, *, signer_name: str, image_png: bytes | None = None,
                  placement: Placement | None = None, reason: str = "Phê duyệt văn bản", location: str = "",
                  timestamp_url: str | None = None, timestamper=None, visible: bool = True,
                  subfilter=None, signing_time: datetime | None = None) -> bytes:
    """The competent leader's signature (PAdES B-B, or B-T with a TSA) with the signature image.

    The box comes from ``placement`` when given, else from :func:`find_signer_name`; neither →
    :class:`SigningError` (the user then picks a place on a page preview). ``image_png`` defaults to
    :func:`~congvan.signing.stamps.signature_image` of ``signer_name``. ``visible=False`` signs with no
    appearance at all (used by the benchmark and for non-Decree-30 files)."""
    signer_name = _nfc(signer_name)
    writer = _open_writer(pdf)
    style = None
    if visible:
        if placement is None:
            placement = find_signer_name(pdf, signer_name)
        if placement is None:
            raise SigningError(
                f"Không tìm thấy tên người ký “{signer_name}” trong lớp chữ của văn bản để đặt chữ ký; "
                "hãy chọn vị trí trên trang.", code="no_placement")
        if image_png is None:
            from .stamps import signature_image

            image_png = signature_image(signer_name)
        image = _encode_image(image_png)
        w, h = placement.width, placement.height
        if w <= 4 or h <= 4:
            raise SigningError("Vùng đặt chữ ký quá nhỏ.", code="bad_placement")
        scale = min(w / image.width, h / image.height)
        iw, ih = image.width * scale, image.height * scale
        style = _appearance_style(image=image, image_box=((w - iw) / 2, (h - ih) / 2, iw, ih))
    else:
        placement = None
    return _sign(pdf, key, field_name_prefix=LEADER_FIELD_PREFIX, placement=placement, style=style,
                 reason=reason, location=location, name=signer_name, timestamp_url=timestamp_url,
                 timestamper=timestamper, subfilter=subfilter, writer=writer,
                 signing_time=_aware(signing_time))


def _leader_field(reader) -> SignatureField | None:
    signed = [f for f in signature_fields(reader) if f.signed and f.rect is not None and f.page is not None
              and (f.rect[2] - f.rect[0]) > 1 and (f.rect[3] - f.rect[1]) > 1]
    leaders = [f for f in signed if f.name.startswith(LEADER_FIELD_PREFIX)]
    return (leaders or signed or [None])[-1]


def seal_issue(pdf: bytes, key: SignerKey, *, agency_name: str, notation: str, signed_at: datetime,
               seal_png: bytes | None = None, timestamp_url=None, timestamper=None,
               placement: Placement | None = None, parent_name: str | None = None,
               seal_diameter_mm: float = 36.0, reason: str = "Ban hành văn bản", location: str = "",
               subfilter=None) -> bytes:
    """The agency's signature at issuance, as an incremental update over the leader's signature.

    The red seal (``seal_png``, default :func:`~congvan.signing.stamps.seal_image`) at real size covers
    the left third of the leader's signature box (read from the existing signature field's /Rect); the
    agency name, the number/notation and the signing time (ISO 8601, +07:00) are written under the seal
    and below the signer's printed name (above the seal when the page ends there). The CMS signing time is ``signed_at``.
    ``placement`` overrides the leader's box (documents signed elsewhere without a visible signature)."""
    agency_name, notation = _nfc(agency_name), _nfc(notation)
    signed_at = _aware(signed_at)
    writer = _open_writer(pdf)
    reader = writer.prev
    if placement is None:
        leader = _leader_field(reader)
        if leader is None:
            raise SigningError("Văn bản chưa có chữ ký số hiển thị của người có thẩm quyền để đóng dấu lên.",
                               code="no_leader_signature")
        placement = Placement(leader.page, *leader.rect)
    page_box = _page_box(reader, placement.page)

    d = seal_diameter_mm * MM
    seal_x1 = placement.x0 + placement.width / 3
    seal_x0 = seal_x1 - d
    centre_y = (placement.y0 + placement.y1) / 2
    seal_y0, seal_y1 = centre_y - d / 2, centre_y + d / 2

    font = _stamp_font(_pick_font(_SERIF_FONTS))
    size, leading = 7.0, 8.4
    lines = [*_wrap(font, agency_name, size, 1.5 * d), f"Số: {notation}", f"Thời gian ký: {iso_vietnam(signed_at)}"]
    text_w = max(_text_width(font, line, size) for line in lines) + 4
    text_h = len(lines) * leading + 3
    seal_cx = (seal_x0 + seal_x1) / 2
    text_x0, text_x1 = seal_cx - text_w / 2, seal_cx + text_w / 2
    # Under the seal, but never higher than the line of the signer's printed name below the leader's box
    # (``NAME_CLEARANCE`` points), so the text does not run over the name.
    text_top = min(seal_y0 + 2, placement.y0 - NAME_CLEARANCE)
    if text_top - text_h >= page_box[1] + 4:
        text_y1 = text_top
    else:
        text_y1 = seal_y1 + text_h
    text_y0 = text_y1 - text_h
    x0, x1 = min(seal_x0, text_x0), max(seal_x1, text_x1)
    y0, y1 = min(seal_y0, text_y0), max(seal_y1, text_y1)
    # Keep the whole appearance on the page.
    dx = max(0.0, page_box[0] + 2 - x0) - max(0.0, x1 - (page_box[2] - 2))
    dy = max(0.0, page_box[1] + 2 - y0) - max(0.0, y1 - (page_box[3] - 2))
    box = Placement(placement.page, x0 + dx, y0 + dy, x1 + dx, y1 + dy)

    if seal_png is None:
        from .stamps import seal_image

        seal_png = seal_image(agency_name, parent_name)
    image = _encode_image(seal_png)
    text = _TextBlock(lines=tuple(lines), font_path=font.path, size=size, x=seal_cx - x0,
                      top=text_y1 - y0 - 1, align="center", leading=leading)
    style = _appearance_style(image=image, image_box=(seal_x0 - x0, seal_y0 - y0, d, d), text=text)
    return _sign(pdf, key, field_name_prefix=SEAL_FIELD_PREFIX, placement=box, style=style, reason=reason,
                 location=location, name=agency_name, timestamp_url=timestamp_url, timestamper=timestamper,
                 signing_time=signed_at, subfilter=subfilter, writer=writer)


def seal_annex(pdf: bytes, key: SignerKey, *, agency_name: str, notation: str, signed_at: datetime,
               timestamp_url=None, timestamper=None, reason: str = "Ban hành văn bản", location: str = "",
               font_size: float = 10.0, show_agency: bool = False, subfilter=None) -> bytes:
    """The agency's signature with no image, for annexes in separate files and electronic copies: a text
    box at the top right of page 1, inside the top margin — the number/notation and the signing time
    (ISO 8601, +07:00), Decree 30 style (Times New Roman-like serif, 10 pt, upright, black).
    ``show_agency`` adds the agency name as a first line (the name is always in the signature itself)."""
    agency_name, notation = _nfc(agency_name), _nfc(notation)
    signed_at = _aware(signed_at)
    writer = _open_writer(pdf)
    left, bottom, right, top = _page_box(writer.prev, 0)
    font = _stamp_font(_pick_font(_SERIF_FONTS))
    size = font_size
    leading = size * 1.15
    lines = [*(_wrap(font, agency_name, size, 220) if show_agency else []), f"Số: {notation}",
             f"Thời gian ký: {iso_vietnam(signed_at)}"]
    width = max(_text_width(font, line, size) for line in lines) + 6
    height = len(lines) * leading + 3
    margin_x, margin_y = 15 * MM, 4 * MM
    x1 = right - margin_x
    y1 = top - margin_y
    box = Placement(0, max(left + 2, x1 - width), y1 - height, x1, y1)
    text = _TextBlock(lines=tuple(lines), font_path=font.path, size=size, x=box.width - 3, top=height - 1,
                      align="right", leading=leading)
    style = _appearance_style(text=text)
    return _sign(pdf, key, field_name_prefix=ANNEX_FIELD_PREFIX, placement=box, style=style, reason=reason,
                 location=location, name=agency_name, timestamp_url=timestamp_url, timestamper=timestamper,
                 signing_time=signed_at, subfilter=subfilter, writer=writer)
