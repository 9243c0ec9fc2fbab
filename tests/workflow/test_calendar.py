from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from congvan.workflow.calendar import WorkingCalendar

TET = frozenset(date(2026, 2, d) for d in range(16, 21))


def test_weekends_and_holidays_are_skipped():
    cal = WorkingCalendar(holidays=TET)
    friday = date(2026, 2, 13)
    assert cal.next_working_day(friday) == date(2026, 2, 23)  # weekend + Tết week
    assert cal.add_working_days(friday, 2) == date(2026, 2, 24)
    assert not cal.is_working_day(date(2026, 2, 14))


def test_makeup_saturday_counts():
    saturday = date(2026, 3, 7)
    cal = WorkingCalendar(makeup_days=frozenset({saturday}))
    assert cal.is_working_day(saturday)
    assert cal.next_working_day(date(2026, 3, 6)) == saturday


def test_same_or_next_working_day():
    cal = WorkingCalendar()
    assert cal.next_working_day(date(2026, 11, 20), include_today=True) == date(2026, 11, 20)
    assert cal.next_working_day(date(2026, 11, 21), include_today=True) == date(2026, 11, 23)
    assert cal.working_days_between(date(2026, 11, 20), date(2026, 11, 27)) == 5
    assert cal.working_days_between(date(2026, 11, 27), date(2026, 11, 20)) == 0


def test_database_calendar_is_used(demo):
    from congvan.workflow.selectors import working_calendar

    cal = working_calendar()
    assert not cal.is_working_day(date(2026, 9, 2))
    assert cal.is_working_day(date(2026, 9, 3))


@given(st.dates(min_value=date(1999, 1, 1), max_value=date(2060, 12, 31)),
       st.dates(min_value=date(1999, 1, 1), max_value=date(2060, 12, 31)))
def test_working_days_between_counts_each_day_after_start(start, end):
    cal = WorkingCalendar(holidays=TET | {date(2026, 9, 2)}, makeup_days=frozenset({date(2026, 3, 7)}))
    expected = sum(cal.is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))
    assert cal.working_days_between(start, end) == expected
