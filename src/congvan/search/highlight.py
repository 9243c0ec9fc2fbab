"""Snippets that show the original, accented words with the matched ones marked, as safe HTML.

The text is cut into tokens the same way the query is (congvan.search.query.TOKEN); a token whose folded
form is one of the query's terms (or starts with one of its prefixes) is wrapped in ``<mark>``; everything
else is HTML-escaped. No Django.
"""

from __future__ import annotations

import html

from congvan.search.query import TOKEN
from congvan.text import fold

START, STOP = "\x02", "\x03"  # markers PostgreSQL's ts_headline is asked to put around matches


def _spans(text: str, terms: set[str], prefixes: set[str]) -> list[tuple[int, int]]:
    """Where the matched words are in ``text``. Folding keeps one character per character for NFC
    Vietnamese, so the text is folded once and searched; otherwise word by word."""
    folded = fold(text)
    if len(folded) != len(text):
        return [(m.start(), m.end()) for m in TOKEN.finditer(text)
                if fold(m.group()) in terms or any(fold(m.group()).startswith(p) for p in prefixes)]
    return [(m.start(), m.end()) for m in TOKEN.finditer(folded)
            if m.group() in terms or (prefixes and any(m.group().startswith(p) for p in prefixes))]


def highlight(text: str, terms: set[str], prefixes: set[str] = frozenset(), *, window: int | None = 240) -> str:
    """``text`` as HTML with matched words marked; with ``window``, only a passage of about that many
    characters around the first match (or the start of the text), with … where it was cut."""
    spans = _spans(text, terms, prefixes) if terms or prefixes else []
    start, end = 0, len(text)
    if window is not None and len(text) > window:
        first = spans[0][0] if spans else 0
        start = max(0, first - window // 3)
        while start > 0 and not text[start - 1].isspace():  # begin on a word
            start -= 1
        end = min(len(text), start + window)
        while end < len(text) and not text[end].isspace():
            end += 1
    out = ["…" if start > 0 else ""]
    position = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        out.append(html.escape(text[position:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        position = e
    out.append(html.escape(text[position:end]))
    out.append("…" if end < len(text) else "")
    return " ".join("".join(out).split())


def from_markers(marked: str) -> str:
    """ts_headline's output (with START/STOP markers around matches) as safe HTML."""
    out, inside = [], False
    for piece in marked.replace(STOP, START).split(START):
        out.append(f"<mark>{html.escape(piece)}</mark>" if inside and piece else html.escape(piece))
        inside = not inside
    return " ".join("".join(out).split())
