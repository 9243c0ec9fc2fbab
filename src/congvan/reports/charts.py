"""Charts drawn as SVG on the server: the same picture in the web page and in the PDF report.

Pure: no Django. Three kinds — horizontal bars (a ranking), lines (a trend by month) and 100 % stacked
bars (the shares of each form). Text is escaped; labels keep their Vietnamese letters, so the font must
cover them (Times New Roman → Tinos in the PDF, the page's sans-serif on screen).
"""

from xml.sax.saxutils import escape

PALETTE = ["#1d5fa8", "#e8a33d", "#8c96a3", "#2e9e6b", "#c0392b", "#7d4cb0"]
FONT = "'Noto Sans', 'DejaVu Sans', Arial, sans-serif"


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _number(value: float, decimals: int = 1) -> str:
    """Vietnamese number: comma as the decimal mark, dot between thousands."""
    text = f"{value:,.{decimals}f}" if decimals else f"{value:,.0f}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if decimals and "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def _svg(width: int, height: int, title: str, body: list[str], font: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="cv-chart" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{_attr(title)}" '
            f'font-family="{_attr(font)}" font-size="12">'
            f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(items: list[tuple[str, float | None]], title: str, *, unit: str = "%", max_value: float | None = None,
              width: int = 640, label_width: int = 230, font: str = FONT, color: str = PALETTE[0]) -> str:
    """Horizontal bars, one per (label, value); a None value is drawn as "—"."""
    bar_h, gap, top = 18, 6, 30
    height = top + len(items) * (bar_h + gap) + 10
    values = [v for _label, v in items if v is not None]
    scale_max = max_value if max_value is not None else (max(values) if values else 1) or 1
    plot_w = width - label_width - 70
    body = [f'<text x="0" y="16" font-weight="bold" font-size="13">{escape(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_h + gap)
        body.append(f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">'
                    f'{escape(_clip(label, label_width // 8))}</text>')
        body.append(f'<rect x="{label_width}" y="{y}" width="{plot_w}" height="{bar_h}" fill="#eef1f5"/>')
        if value is None:
            body.append(f'<text x="{label_width + 4}" y="{y + 13}" fill="#6b7280">—</text>')
            continue
        w = max(0.0, min(1.0, value / scale_max)) * plot_w
        body.append(f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>')
        body.append(f'<text x="{label_width + w + 4:.1f}" y="{y + 13}">{_number(value)}{escape(unit)}</text>')
    return _svg(width, height, title, body, font)


def line_chart(labels: list[str], series: list[tuple[str, list[float | None]]], title: str, *,
               y_max: float = 100.0, unit: str = "%", width: int = 640, height: int = 260,
               font: str = FONT) -> str:
    """One line per series over ``labels`` (months); gaps where a value is None."""
    left, right, top, bottom = 44, 12, 30, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)
    step = plot_w / max(n - 1, 1)
    body = [f'<text x="0" y="16" font-weight="bold" font-size="13">{escape(title)}</text>']
    for k in range(5):  # horizontal grid at 0, 25, 50, 75, 100 % of y_max
        value = y_max * k / 4
        y = top + plot_h - plot_h * k / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#dde2e8"/>')
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#4b5563">'
                    f"{_number(value, 0)}{escape(unit)}</text>")
    for i, label in enumerate(labels):
        x = left + (i * step if n > 1 else plot_w / 2)
        body.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#4b5563">'
                    f"{escape(label)}</text>")
    for s, (name, values) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        segment: list[str] = []
        segments = [segment]
        for i, value in enumerate(values):
            if value is None:
                segment = []
                segments.append(segment)
                continue
            x = left + (i * step if n > 1 else plot_w / 2)
            y = top + plot_h - plot_h * max(0.0, min(1.0, value / y_max if y_max else 0))
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
        for points in segments:
            if len(points) > 1:
                body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
                            f'stroke-width="2"/>')
        lx = left + s * 200
        body.append(f'<rect x="{lx}" y="{height - 18}" width="12" height="12" fill="{color}"/>')
        body.append(f'<text x="{lx + 16}" y="{height - 8}">{escape(_clip(name, 30))}</text>')
    return _svg(width, height, title, body, font)


def stacked_share_chart(rows: list[tuple[str, list[float]]], part_names: list[str], title: str, *,
                        width: int = 640, label_width: int = 230, font: str = FONT,
                        colors: list[str] | None = None) -> str:
    """One 100 % bar per row, split by the counts of each part (e.g. electronic / hybrid / paper)."""
    colors = colors or PALETTE
    bar_h, gap, top = 20, 8, 30
    height = top + len(rows) * (bar_h + gap) + 30
    plot_w = width - label_width - 10
    body = [f'<text x="0" y="16" font-weight="bold" font-size="13">{escape(title)}</text>']
    for i, (label, counts) in enumerate(rows):
        y = top + i * (bar_h + gap)
        total = sum(counts)
        body.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{escape(_clip(label, 38))}</text>')
        if not total:
            body.append(f'<rect x="{label_width}" y="{y}" width="{plot_w}" height="{bar_h}" fill="#eef1f5"/>')
            body.append(f'<text x="{label_width + 4}" y="{y + 14}" fill="#6b7280">—</text>')
            continue
        x = float(label_width)
        for k, count in enumerate(counts):
            w = plot_w * count / total
            if w <= 0:
                continue
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                        f'fill="{colors[k % len(colors)]}"/>')
            if w > 34:
                body.append(f'<text x="{x + w / 2:.1f}" y="{y + 14}" text-anchor="middle" fill="#fff">'
                            f"{_number(100 * count / total, 0)}%</text>")
            x += w
    for k, name in enumerate(part_names):
        lx = label_width + k * 150
        body.append(f'<rect x="{lx}" y="{height - 18}" width="12" height="12" fill="{colors[k % len(colors)]}"/>')
        body.append(f'<text x="{lx + 16}" y="{height - 8}">{escape(name)}</text>')
    return _svg(width, height, title, body, font)
