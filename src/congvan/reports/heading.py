"""The administrative heading of a report (thể thức văn bản, Decree 30/2020/NĐ-CP, Appendix I).

Pure: no Django. The issuing body's name is printed in capitals under the name of the body it belongs
to ("UBND TỈNH GIA LAI" / "SỞ KHOA HỌC VÀ CÔNG NGHỆ"); a People's Committee prints "ỦY BAN NHÂN DÂN" over
its place ("TỈNH GIA LAI", "XÃ ĐỨC CƠ"). The date line is "Gia Lai, ngày 01 tháng 12 năm 2026": days
below 10 and the months January and February take a leading zero.
"""

from datetime import date

from congvan.text import fold

PEOPLES_COMMITTEE = "ủy ban nhân dân"


def upper(text: str) -> str:
    return text.upper()


def _committee_place(name: str) -> str | None:
    """"Ủy ban nhân dân tỉnh Gia Lai" → "tỉnh Gia Lai"; None for another kind of body."""
    if fold(name).startswith(fold(PEOPLES_COMMITTEE)):
        return name[len(PEOPLES_COMMITTEE):].strip()
    return None


def without_province(name: str, province: str) -> str:
    """"Sở Nội vụ tỉnh Gia Lai" → "Sở Nội vụ" under "UBND TỈNH GIA LAI" (the heading already says it)."""
    suffix = f" tỉnh {province}"
    return name[: -len(suffix)] if province and name.endswith(suffix) else name


def heading_lines(name: str, parent_name: str | None, province: str) -> tuple[str, str]:
    """(the upper line, the issuing body's line), both in capitals; the upper line may be empty."""
    place = _committee_place(name)
    if place is not None:
        return upper("Ủy ban nhân dân"), upper(place)
    if parent_name:
        parent_place = _committee_place(parent_name)
        upper_line = upper(f"UBND {parent_place}") if parent_place is not None else upper(parent_name)
        return upper_line, upper(without_province(name, province))
    return "", upper(name)


def date_line(place: str, day: date) -> str:
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {d} tháng {m} năm {day.year}"
