"""Scans made for the tests: Vietnamese text rendered with Pillow (Noto Serif or DejaVu Sans), optionally
degraded like a poor scan (rotation, blur, noise, JPEG), wrapped in a PDF with img2pdf (image only)."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

NOTO = "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 1234/UBND-VP ngày 15 tháng 3 năm 2025",
    "Ủy ban nhân dân tỉnh Gia Lai tăng cường sử dụng văn bản điện tử",
    "Về việc đẩy mạnh số hóa hồ sơ lưu trữ tại Đắk Lắk và Đức Cơ",
]


def render(lines=LINES, font: str = NOTO, size: int = 40, width: int = 2480) -> Image.Image:
    face = ImageFont.truetype(font, size)
    image = Image.new("L", (width, 120 + int(len(lines) * size * 2.6)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((120, 80 + int(i * size * 2.6)), line, font=face, fill=0)
    return image


def degrade(image: Image.Image, seed: int = 6) -> Image.Image:
    """A poor scan: rotated 1.2°, blurred, speckled (salt and pepper) and JPEG-compressed at quality 40."""
    rng = random.Random(seed)
    image = image.rotate(1.2, resample=Image.BICUBIC, expand=True, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(1.0))
    pixels = image.load()
    for _ in range(image.width * image.height // 150):
        pixels[rng.randrange(image.width), rng.randrange(image.height)] = rng.choice((0, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=40)
    return Image.open(io.BytesIO(out.getvalue()))


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()


def scanned_pdf(lines=LINES, image: Image.Image | None = None) -> bytes:
    import img2pdf

    return img2pdf.convert(png(image or render(lines)))
