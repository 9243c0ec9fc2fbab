"""Text and fonts of Word files (.docx, .rtf, .doc), read with legacy Vietnamese fonts in mind.

Old documents were typed in TCVN3 or VNI fonts: the bytes are Latin-1 letters that only the font turns into
Vietnamese. Knowing each run's font, ``docx_text`` decodes those runs to Unicode (NFC), so that search and
display see real words; ``fonts_of`` lists the fonts of any of the three formats with their scheme.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

from congvan.text import legacy
from congvan.text.detect import scheme_of_font

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_XML = 64 * 1024 * 1024


def _xml(archive: zipfile.ZipFile, name: str):
    from lxml import etree

    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_XML:
        raise ValueError(f"{name} is too large")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(archive.read(name), parser=parser)


def _run_font(rpr) -> str:
    if rpr is None:
        return ""
    fonts = rpr.find(f"{W}rFonts")
    if fonts is None:
        return ""
    return fonts.get(f"{W}ascii") or fonts.get(f"{W}hAnsi") or fonts.get(f"{W}cs") or ""


def _style_fonts(styles) -> tuple[dict[str, str], str]:
    """Font of each style (following basedOn) and the document's default font."""
    if styles is None:
        return {}, ""
    default = _run_font(styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr"))
    own, based = {}, {}
    for style in styles.iter(f"{W}style"):
        sid = style.get(f"{W}styleId")
        own[sid] = _run_font(style.find(f"{W}rPr"))
        parent = style.find(f"{W}basedOn")
        based[sid] = parent.get(f"{W}val") if parent is not None else None
    resolved = {}
    for sid in own:
        seen, current = set(), sid
        while current and current not in seen and not own.get(current):
            seen.add(current)
            current = based.get(current)
        resolved[sid] = own.get(current, "") if current else ""
    return resolved, default


def _decode(text: str, font: str) -> str:
    scheme = scheme_of_font(font)
    if scheme is None:
        return unicodedata.normalize("NFC", text)
    name, capitals = scheme
    return legacy.decode(legacy.as_bytes(text), name, capitals=capitals)


def docx_text(data: bytes) -> str:
    """The text of a .docx, paragraph by paragraph, each run decoded according to its font."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = _xml(archive, "word/document.xml")
        style_font, default = _style_fonts(_xml(archive, "word/styles.xml"))
    if body is None:
        return ""
    lines = []
    for paragraph in body.iter(f"{W}p"):
        ppr = paragraph.find(f"{W}pPr")
        pstyle = ppr.find(f"{W}pStyle") if ppr is not None else None
        paragraph_font = style_font.get(pstyle.get(f"{W}val"), "") if pstyle is not None else ""
        parts = []
        for run in paragraph.iter(f"{W}r"):
            rpr = run.find(f"{W}rPr")
            rstyle = rpr.find(f"{W}rStyle") if rpr is not None else None
            font = _run_font(rpr) or (style_font.get(rstyle.get(f"{W}val"), "") if rstyle is not None else "") \
                or paragraph_font or default
            for node in run:
                if node.tag == f"{W}t" and node.text:
                    parts.append(_decode(node.text, font))
                elif node.tag == f"{W}tab":
                    parts.append("\t")
                elif node.tag in (f"{W}br", f"{W}cr"):
                    parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines).strip()


def docx_fonts(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set()
        for part in ("word/document.xml", "word/styles.xml", "word/fontTable.xml"):
            root = _xml(archive, part)
            if root is None:
                continue
            for fonts in root.iter(f"{W}rFonts"):
                names.update(v for k, v in fonts.attrib.items() if k in (f"{W}ascii", f"{W}hAnsi") and v)
            for font in root.iter(f"{W}font"):
                if font.get(f"{W}name"):
                    names.add(font.get(f"{W}name"))
    return sorted(names)


_RTF_FONT = re.compile(rb"\\f\d+(?:\\[a-zA-Z]+-?\d*\s?)*([^;\\{}]*);")  # \f1\froman\fprq2 Name;


def rtf_fonts(data: bytes) -> list[str]:
    """Font names of an RTF file's font table."""
    start = data.find(b"\\fonttbl")
    if start < 0:
        return []
    depth, end = 0, start
    for end in range(max(start - 1, 0), min(len(data), start + 200_000)):
        if data[end:end + 1] == b"{":
            depth += 1
        elif data[end:end + 1] == b"}":
            depth -= 1
            if depth <= 0:
                break
    table = re.sub(rb"\{\\\*[^{}]*\}", b"", data[start:end])  # {\*\panose …} and other hidden groups
    names = {m.group(1).strip().decode("latin-1") for m in _RTF_FONT.finditer(table)}
    return sorted(n for n in names if n)


_UTF16_NAME = re.compile(rb"((?:[\x20-\x7e]\x00){3,40})\x00\x00")


def doc_fonts(data: bytes) -> list[str]:
    """Legacy font names found in a binary .doc (its font table stores names in UTF-16)."""
    names = set()
    for match in _UTF16_NAME.finditer(data[:16 * 1024 * 1024]):
        name = match.group(1).decode("utf-16-le").strip()
        if scheme_of_font(name) is not None:
            names.add(name)
    return sorted(names)


def fonts_of(data: bytes, filename: str) -> list[tuple[str, str | None, bool]]:
    """(font, scheme or None, capitals) for each font of a .docx, .rtf or .doc file."""
    lower = filename.lower()
    if lower.endswith(".docx"):
        names = docx_fonts(data)
    elif lower.endswith(".rtf") or data.startswith(b"{\\rtf"):
        names = rtf_fonts(data)
    elif lower.endswith(".doc"):
        names = doc_fonts(data)
    else:
        return []
    result = []
    for name in names:
        scheme = scheme_of_font(name)
        result.append((name, scheme[0] if scheme else None, scheme[1] if scheme else False))
    return result


def legacy_schemes(data: bytes, filename: str) -> set[str]:
    """The legacy schemes a Word file's fonts imply (empty: Unicode fonts only)."""
    return {scheme for _, scheme, _ in fonts_of(data, filename) if scheme}
