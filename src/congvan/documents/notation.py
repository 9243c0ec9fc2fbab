"""Số, ký hiệu of a document (Decree 30/2020, Appendix III).

Three shapes:
- a typed document: ``12/QĐ-UBND`` (number / type abbreviation - issuing agency);
- a công văn (no type abbreviation): ``1468/UBND-VHXH`` (number / agency - drafting unit);
- a legal normative document with its year: ``07/2013/CT-UBND``.
Numbers below 10 are written with a leading zero.
"""

import re
from dataclasses import dataclass

from congvan.text import nfc

# Appendix III abbreviations; công văn and thư công have none.
TYPE_ABBREVIATIONS = frozenset(
    "NQ QĐ CT QC QyĐ TC TB HD CTr KH PA ĐA DA BC BB TTr HĐ CĐ BGN BTT GUQ GM GGT GNP PG PC PB SY TrS SL".split()
)

_SHAPE = re.compile(r"^\s*(\d{1,7})\s*/\s*(?:(\d{4})\s*/\s*)?([^\s/]+(?:-[^\s/]+)*)\s*$")


class NotationError(ValueError):
    pass


@dataclass(frozen=True)
class Notation:
    number: int
    agency: str
    type_code: str | None = None
    unit: str | None = None
    year: int | None = None

    @property
    def code(self) -> str:
        """The ký hiệu without the number: ``QĐ-UBND``, ``UBND-VHXH``."""
        return symbol(self.agency, self.type_code, self.unit)

    def __str__(self) -> str:
        return build(self.number, self.agency, self.type_code, self.unit, self.year)


def format_number(number: int) -> str:
    if number < 1:
        raise NotationError("Số văn bản phải từ 1 trở lên.")
    return f"{number:02d}"


def symbol(agency: str, type_code: str | None = None, unit: str | None = None) -> str:
    if not agency:
        raise NotationError("Thiếu tên viết tắt của cơ quan ban hành.")
    if type_code:
        head = f"{type_code}-{agency}"
        return f"{head}-{unit}" if unit else head
    return f"{agency}-{unit}" if unit else agency


def build(number: int, agency: str, type_code: str | None = None, unit: str | None = None,
          year: int | None = None) -> str:
    """``build(12, "UBND", "QĐ")`` → ``12/QĐ-UBND``; ``build(7, "UBND", "CT", year=2013)`` → ``07/2013/CT-UBND``."""
    parts = [format_number(number)]
    if year is not None:
        parts.append(f"{year:04d}")
    parts.append(symbol(nfc(agency), nfc(type_code) if type_code else None, nfc(unit) if unit else None))
    return "/".join(parts)


def parse(text: str, type_codes: frozenset[str] = TYPE_ABBREVIATIONS) -> Notation:
    """Parse any of the three shapes; the first group is a type when it is a known abbreviation."""
    match = _SHAPE.match(nfc(text or ""))
    if not match:
        raise NotationError(f"Số, ký hiệu không đúng dạng (ví dụ 12/QĐ-UBND, 1468/UBND-VHXH): {text!r}")
    number_text, year_text, code = match.groups()
    number = int(number_text)
    if number < 1:
        raise NotationError("Số văn bản phải từ 1 trở lên.")
    groups = code.split("-")
    if any(not g for g in groups):
        raise NotationError(f"Ký hiệu có nhóm rỗng: {text!r}")
    year = int(year_text) if year_text else None
    if groups[0] in type_codes:
        if len(groups) < 2:
            raise NotationError(f"Ký hiệu thiếu tên cơ quan ban hành: {text!r}")
        return Notation(number, groups[1], groups[0], "-".join(groups[2:]) or None, year)
    return Notation(number, groups[0], None, "-".join(groups[1:]) or None, year)
