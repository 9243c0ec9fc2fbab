"""How signature stamps look: fonts reduced once and embedded whole, images deflated once, and the
appearance (an image and/or lines of text) laid out inside a signature field's box.

Why our own font embedding: pyHanko 0.38's font engine spaces fonts whose unitsPerEm is not 1000
wrongly (RECIPES §2), and subsetting with fontTools on every signature costs 150–300 ms. A stamp font is
reduced once per process to the Latin/Vietnamese repertoire, rescaled to 1000 units per em, and embedded
from its cached deflated bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

from .errors import SigningError

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
def stamp_font(path: str) -> _StampFont:
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


def pick_font(candidates: tuple[str, ...]) -> str:
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


def text_width(font: _StampFont, text: str, size: float) -> float:
    if not text:
        return 0.0
    return sum(p.x_advance for p in _shape(font, text).glyph_positions) / 1000 * size


def wrap_text(font: _StampFont, text: str, size: float, max_width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        current = ""
        for word in words:
            candidate = f"{current} {word}".strip()
            if current and text_width(font, candidate, size) > max_width:
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


def encode_image(png: bytes) -> _EncodedImage:
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
class TextBlock:
    lines: tuple[str, ...]
    font_path: str
    size: float
    x: float  # anchor, box coordinates: left edge, centre or right edge depending on align
    top: float  # y of the top of the first line, box coordinates
    align: str = "center"
    colour: tuple[float, float, float] = (0.0, 0.0, 0.0)
    leading: float = 0.0


def appearance_style(image: _EncodedImage | None = None,
                      image_box: tuple[float, float, float, float] | None = None,
                      text: TextBlock | None = None):
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
                font = stamp_font(text.font_path)
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
