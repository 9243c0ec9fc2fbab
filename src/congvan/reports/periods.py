"""Reporting periods (kỳ báo cáo): a year, a quarter, a month or any range of days.

Pure: no Django. A period is split into whole calendar months (read from the monthly summary) and the
days at its edges (read from the daily summary)."""

from dataclasses import dataclass
from datetime import date, timedelta

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodError(ValueError):
    """A period that cannot exist (month 13, end before start…)."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str = "range"  # year | quarter | month | range
    year: int | None = None
    number: int | None = None  # the quarter or the month

    def __post_init__(self):
        if self.end < self.start:
            raise PeriodError("end before start")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def year(y: int) -> Period:
    _check_year(y)
    return Period(date(y, 1, 1), date(y, 12, 31), "year", y)


def quarter(y: int, q: int) -> Period:
    _check_year(y)
    if q not in ROMAN:
        raise PeriodError("quarter must be 1 to 4")
    start = date(y, 3 * q - 2, 1)
    return Period(start, month_end(date(y, 3 * q, 1)), "quarter", y, q)


def month(y: int, m: int) -> Period:
    _check_year(y)
    if not 1 <= m <= 12:
        raise PeriodError("month must be 1 to 12")
    start = date(y, m, 1)
    return Period(start, month_end(start), "month", y, m)


def custom(start: date, end: date) -> Period:
    if (end - start).days > 366 * 10:
        raise PeriodError("a range longer than ten years")
    return Period(start, end)


def _check_year(y: int) -> None:
    if not 2000 <= y <= 2100:
        raise PeriodError("year out of range")


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def months(start: date, end: date) -> list[date]:
    """First days of every month touched by [start, end]."""
    out, current = [], month_start(start)
    while current <= end:
        out.append(current)
        current = next_month(current)
    return out


@dataclass(frozen=True)
class Split:
    """Whole months inside the period, and the ranges of days left at its edges (inclusive, or None)."""

    full_months: tuple[date, ...]
    edges: tuple[tuple[date, date], ...]


def split(period: Period) -> Split:
    full, edges = [], []
    for first in months(period.start, period.end):
        last = month_end(first)
        lo, hi = max(first, period.start), min(last, period.end)
        if lo == first and hi == last:
            full.append(first)
        else:
            edges.append((lo, hi))
    return Split(tuple(full), tuple(edges))


def percentile_from_histogram(histogram: dict[int, int], p: float) -> float | None:
    """The p-th percentile (0–100, nearest rank) of integer values given as {value: count}."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank = max(1, -(-total * p // 100))  # ceil(total * p / 100), at least the first value
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return float(value)
    return float(max(histogram))


def median_from_histogram(histogram: dict[int, int]) -> float | None:
    """The median (the mean of the two middle values when the count is even)."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    ordered = sorted(histogram)

    def nth(n: int) -> int:  # 1-based
        seen = 0
        for value in ordered:
            seen += histogram[value]
            if seen >= n:
                return value
        return ordered[-1]

    if total % 2:
        return float(nth(total // 2 + 1))
    return (nth(total // 2) + nth(total // 2 + 1)) / 2
