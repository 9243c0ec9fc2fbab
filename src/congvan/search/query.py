"""The search box's language, parsed once for both backends: words (all required), "quoted phrases",
-excluded words, and a trailing * for a prefix. Every token is folded (congvan.text.fold: lower case, marks
removed, đ→d), so a query with or without accents, in capitals or not, means the same.

A word made of several tokens (``1468/UBND-VP``, ``QĐ-UBND``) is a phrase of its tokens. The expressions
built here quote every token, so nothing a user types is read as FTS5 or tsquery syntax. No Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from congvan.text import fold

TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_PART = re.compile(r'(-?)["“”]([^"“”]*)["“”]?|(\S+)')
MAX_UNITS = 24


@dataclass
class Unit:
    tokens: list[str]
    prefix: bool = False  # the last token is a prefix (word*)


@dataclass
class Query:
    required: list[Unit] = field(default_factory=list)
    excluded: list[Unit] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.required

    def terms(self) -> set[str]:
        """Folded tokens to highlight."""
        return {t for unit in self.required for t in unit.tokens}

    def prefixes(self) -> set[str]:
        return {unit.tokens[-1] for unit in self.required if unit.prefix}


def tokens(text: str) -> list[str]:
    return TOKEN.findall(fold(text))


def parse(text: str) -> Query:
    query = Query()
    for match in _PART.finditer((text or "")[:1000]):
        negative, phrase, word = match.group(1) == "-", match.group(2), match.group(3)
        prefix = False
        if word is not None:
            negative = word.startswith("-") and len(word) > 1
            word = word[1:] if negative else word
            prefix = word.endswith("*")
            phrase = word.rstrip("*")
        parts = tokens(phrase or "")
        if not parts:
            continue
        unit = Unit(parts, prefix=prefix and len(parts[-1]) >= 2)
        (query.excluded if negative else query.required).append(unit)
    query.required = query.required[:MAX_UNITS]
    query.excluded = query.excluded[:MAX_UNITS]
    return query


def _fts5_unit(unit: Unit) -> str:
    return '"' + " ".join(unit.tokens) + '"' + ("*" if unit.prefix else "")


def fts5_expression(query: Query) -> str:
    """The FTS5 MATCH expression over the text columns (subject, meta, body)."""
    expression = " AND ".join(_fts5_unit(u) for u in query.required)
    for unit in query.excluded:
        expression = f"({expression}) NOT {_fts5_unit(unit)}"
    return "{subject meta body} : (" + expression + ")"


def _tsquery_unit(unit: Unit) -> str:
    parts = [f"'{t}'" for t in unit.tokens]
    if unit.prefix:
        parts[-1] += ":*"
    return "(" + " <-> ".join(parts) + ")" if len(parts) > 1 else parts[0]


def tsquery_expression(query: Query) -> str:
    """A to_tsquery() text for PostgreSQL (tokens are letters and digits only, so quoting is safe)."""
    parts = [_tsquery_unit(u) for u in query.required]
    parts += ["!" + _tsquery_unit(u) for u in query.excluded]
    return " & ".join(parts)
