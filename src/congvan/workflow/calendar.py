"""Working calendar (lịch làm việc): weekends, public holidays and make-up working days.

Pure logic; the operator's holidays and make-up days come from the database (``CalendarDay``).
Decree 30 wants documents handed over "the same day or at the latest the next working day",
and deadlines are often counted in working days, so these answers must follow the real calendar.
"""

from calendar import isleap
from dataclasses import dataclass, field
from datetime import date, timedelta

SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_days: frozenset[date] = field(default_factory=frozenset)  # weekend days worked (ngày làm bù)
    weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY})
    # {year: running count of working days from 1 January, one entry per day}, built on first use
    _running: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.makeup_days:
            return True
        return day.weekday() not in self.weekend

    def next_working_day(self, day: date, include_today: bool = False) -> date:
        current = day if include_today else day + timedelta(days=1)
        for _ in range(400):
            if self.is_working_day(current):
                return current
            current += timedelta(days=1)
        raise ValueError("no working day within 400 days: check the calendar data")

    def add_working_days(self, day: date, count: int) -> date:
        """The date ``count`` working days after ``day`` (``day`` itself not counted)."""
        current = day
        for _ in range(count):
            current = self.next_working_day(current)
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end <= start).

        Read from a running count per year, built once per calendar and year: constant time within a
        year (the reports count the processing times of a million incoming documents in one rebuild)."""
        if end <= start:
            return 0
        count = self._running_count(end) - self._running_count(start)
        for year in range(start.year, end.year):
            count += self._year_counts(year)[-1]
        return count

    def _running_count(self, day: date) -> int:
        """Working days from 1 January of ``day``'s year up to and including ``day``."""
        return self._year_counts(day.year)[day.timetuple().tm_yday - 1]

    def _year_counts(self, year: int) -> list[int]:
        counts = self._running.get(year)
        if counts is None:
            counts, running, first = [], 0, date(year, 1, 1)
            for offset in range(366 if isleap(year) else 365):
                running += self.is_working_day(first + timedelta(days=offset))
                counts.append(running)
            self._running[year] = counts
        return counts
