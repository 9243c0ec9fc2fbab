"""Default images for visible signatures (Decree 30/2020, Appendix I), drawn with Pillow.

* :func:`signature_image` — the leader's signature: blue ink on a transparent background, generated
  from the name when the person has not uploaded a scan of their own signature.
* :func:`seal_image` — the agency's seal: red, round, the agency name on the ring and a star in the
  middle, transparent background, drawn for a real diameter of 36 mm (the PNG carries the matching DPI).

Both are deterministic (the same name gives the same image) and cached per process: they are public
pictures, not secrets.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import random
import unicodedata
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFont

__all__ = ["BLUE_INK", "RED_INK", "SEAL_DIAMETER_MM", "seal_image", "signature_image"]

#: Decree 30 Appendix I: the leader's signature image is blue, the seal red.
BLUE_INK = (0x12, 0x3A, 0xB0)
RED_INK = (0xD7, 0x19, 0x20)
#: Real diameter of the default seal (round seals of state agencies are 35–42 mm).
SEAL_DIAMETER_MM = 36.0

_FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/croscore",
              "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")
_SCRIPT_FONTS = ("NotoSerif-Italic.ttf", "Tinos-Italic.ttf", "DejaVuSerif-Italic.ttf", "NotoSans-Italic.ttf",
                 "DejaVuSans-Oblique.ttf", "DejaVuSans.ttf")
_SEAL_FONTS = ("NotoSans-Bold.ttf", "Arimo-Bold.ttf", "DejaVuSans-Bold.ttf", "NotoSans-Regular.ttf",
               "DejaVuSans.ttf")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(str(text).split()))


def find_font(candidates: tuple[str, ...]) -> str | None:
    for name in candidates:
        for folder in _FONT_DIRS:
            path = os.path.join(folder, name)
            if os.path.exists(path):
                return path
    return None


def _font(candidates: tuple[str, ...], size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = find_font(candidates)
    if path is None:  # pragma: no cover - fonts-noto-core / fonts-dejavu-core are run-time dependencies
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


def _png(mask: Image.Image, colour: tuple[int, int, int], *, dpi: float | None = None) -> bytes:
    image = Image.new("RGBA", mask.size, colour + (0,))
    image.putalpha(mask)
    out = io.BytesIO()
    kwargs = {"dpi": (dpi, dpi)} if dpi else {}
    image.save(out, format="PNG", optimize=True, **kwargs)
    return out.getvalue()


def _bezier(points, steps: int = 60):
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        yield (u ** 3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t ** 3 * x3,
               u ** 3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t ** 3 * y3)


def _brush(draw: ImageDraw.ImageDraw, points, start_width: float, end_width: float) -> None:
    """A stroke whose width changes along the path, like a pen pressed then lifted."""
    points = list(points)
    count = max(len(points) - 1, 1)
    for i, (x, y) in enumerate(points):
        r = (start_width + (end_width - start_width) * i / count) / 2
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
        if i:
            px, py = points[i - 1]
            draw.line((px, py, x, y), fill=255, width=max(1, int(2 * r)))


@lru_cache(maxsize=128)
def signature_image(full_name: str, *, width: int = 600, height: int = 240,
                    colour: tuple[int, int, int] = BLUE_INK) -> bytes:
    """A tidy handwriting-like signature drawn from the name: the given name in a slanted pen
    style with an underline swash, blue ink, transparent PNG (aspect 5:2)."""
    name = _nfc(full_name) or "?"
    words = name.split()
    given = words[-1]
    seed = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    rng = random.Random(seed)

    scale = 3  # supersampling for smooth edges
    w, h = width * scale, height * scale
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)

    label = given
    size = int(h * 0.52)
    font = _font(_SCRIPT_FONTS, size)
    while size > 20 and font.getlength(label) > w * 0.66:
        size = int(size * 0.92)
        font = _font(_SCRIPT_FONTS, size)
    text_w = font.getlength(label)
    x0 = (w - text_w) / 2 - w * 0.04
    baseline = h * 0.60
    draw.text((x0, baseline), label, font=font, fill=255, anchor="ls",
              stroke_width=max(1, size // 40), stroke_fill=255)

    # Slant the writing further (a pen signature leans right).
    shear = 0.18 + rng.uniform(0.0, 0.06)
    mask = mask.transform(mask.size, Image.Transform.AFFINE, (1, shear, -shear * baseline, 0, 1, 0),
                          resample=Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(mask)

    # The swash: out of the foot of the first letter, a hook to the left, then along under the name
    # and rising past its end — one continuous pen stroke.
    pen = max(3.0, size / 13)
    hook_start = (x0 + text_w * 0.08, baseline - h * 0.02)
    hook_end = (x0 - w * 0.02, baseline + h * 0.12)
    end = (x0 + text_w + w * rng.uniform(0.10, 0.16), baseline - h * rng.uniform(0.16, 0.26))
    stroke = list(_bezier((hook_start, (x0 + text_w * 0.04, baseline + h * 0.10),
                           (x0 - w * 0.05, baseline + h * 0.16), hook_end), steps=30))
    stroke += list(_bezier((hook_end, (x0 + text_w * 0.25, baseline + h * rng.uniform(0.26, 0.32)),
                            (x0 + text_w * 0.85, baseline + h * rng.uniform(0.10, 0.18)), end), steps=90))[1:]
    _brush(draw, stroke, pen * 0.8, pen * 0.35)

    mask = mask.resize((width, height), Image.Resampling.LANCZOS)
    bbox = mask.getbbox()
    if bbox:  # keep a small margin, centre the drawing
        pad = int(min(width, height) * 0.04)
        cropped = mask.crop(bbox)
        canvas = Image.new("L", (width, height), 0)
        fit = min((width - 2 * pad) / cropped.width, (height - 2 * pad) / cropped.height, 1.0)
        if fit < 1.0:
            cropped = cropped.resize((max(1, int(cropped.width * fit)), max(1, int(cropped.height * fit))),
                                     Image.Resampling.LANCZOS)
        canvas.paste(cropped, ((width - cropped.width) // 2, (height - cropped.height) // 2))
        mask = canvas
    return _png(mask, colour)


def _star(cx: float, cy: float, outer: float, inner: float, rotation: float = 0.0):
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        a = rotation + math.pi * i / 5
        points.append((cx + r * math.sin(a), cy - r * math.cos(a)))
    return points


def _ring_text(mask: Image.Image, text: str, centre: float, radius: float, max_angle: float,
               font_size: int) -> None:
    """Letters along a circle of ``radius`` (their baseline), clockwise, centred on the top."""
    size = font_size
    while True:
        font = _font(_SEAL_FONTS, size)
        spacing = size * 0.12
        widths = [font.getlength(ch) + spacing for ch in text]
        total = sum(widths) / radius
        if total <= max_angle or size <= 8:
            break
        size = int(size * 0.94)
    tile = int(size * 2.6)
    angle = -total / 2
    for ch, advance in zip(text, widths, strict=True):
        step = advance / radius
        theta = angle + step / 2
        angle += step
        if ch == " ":
            continue
        glyph = Image.new("L", (tile, tile), 0)
        ImageDraw.Draw(glyph).text((tile / 2, tile / 2), ch, font=font, fill=255, anchor="ms")
        glyph = glyph.rotate(-math.degrees(theta), resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.sin(theta) - tile / 2
        y = centre - radius * math.cos(theta) - tile / 2
        region = (int(round(x)), int(round(y)))
        layer = Image.new("L", mask.size, 0)
        layer.paste(glyph, region)
        mask.paste(ImageChops.lighter(mask, layer))


@lru_cache(maxsize=64)
def seal_image(agency_name: str, parent_name: str | None = None, *, size_px: int = 480,
               colour: tuple[int, int, int] = RED_INK, diameter_mm: float = SEAL_DIAMETER_MM) -> bytes:
    """A red round seal: double outer ring, the (parent and) agency name in capitals on the ring, a
    five-pointed star in the middle; transparent PNG whose DPI makes it ``diameter_mm`` wide."""
    agency = _nfc(agency_name).upper()
    parent = _nfc(parent_name).upper() if parent_name else ""
    text = f"{parent} - {agency}" if parent else agency

    scale = 2
    s = size_px * scale
    c = s / 2
    mask = Image.new("L", (s, s), 0)
    draw = ImageDraw.Draw(mask)
    outer_w = s * 0.030
    r_outer = s / 2 - outer_w / 2 - 2
    draw.ellipse((c - r_outer, c - r_outer, c + r_outer, c + r_outer), outline=255, width=int(outer_w))
    r_second = r_outer - outer_w * 1.6
    draw.ellipse((c - r_second, c - r_second, c + r_second, c + r_second), outline=255,
                 width=max(2, int(s * 0.007)))
    r_inner = s * 0.275
    draw.ellipse((c - r_inner, c - r_inner, c + r_inner, c + r_inner), outline=255,
                 width=max(2, int(s * 0.008)))
    # The ring text sits between the second ring and the inner circle.
    band = r_second - r_inner
    font_size = int(band * 0.62)
    baseline_r = r_inner + band * 0.24
    _ring_text(mask, text, c, baseline_r, math.radians(300), font_size)
    # A small star closes the ring at the bottom, a large one fills the middle.
    draw = ImageDraw.Draw(mask)
    small_r = band * 0.26
    draw.polygon(_star(c, c + baseline_r + band * 0.30, small_r, small_r * 0.4), fill=255)
    draw.polygon(_star(c, c + s * 0.012, r_inner * 0.78, r_inner * 0.78 * 0.40), fill=255)

    mask = mask.resize((size_px, size_px), Image.Resampling.LANCZOS)
    return _png(mask, colour, dpi=size_px / (diameter_mm / 25.4))
