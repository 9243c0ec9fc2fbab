"""Background work of the reports, run by `congvan worker`: keeping the daily summary current and the
1 December drafts."""

from datetime import date

from django.utils import timezone
from django_tasks import task

from congvan.reports import services, summary


@task()
def refresh_summary() -> int:
    """Compute again the days whose documents changed (marked by the signals)."""
    return summary.refresh()


@task()
def daily_reports(on: str | None = None) -> list[str]:
    """Once a day (``on``: that day, ISO; today by default): days that went by are computed again (open
    documents became overdue), and from 1 December each agency's draft yearly report is queued once, one
    task per report."""
    today = date.fromisoformat(on) if on else timezone.localdate()
    summary.daily(today)
    keys = services.december_due(today)
    for key in keys:
        december_draft.enqueue(today.year, key, today.isoformat())
    return keys


@task()
def december_draft(year: int, key: str, on: str) -> str | None:
    """One agency's (or the province's) draft yearly report, stored and announced to its leaders."""
    return services.december_draft(year, key, date.fromisoformat(on))


def schedule(new_day: bool) -> None:
    """Called by the worker's scheduler about once a minute: queue the refresh when days are dirty, and
    the daily work on the first call of a day."""
    if new_day:
        daily_reports.enqueue()
    elif summary.pending():
        refresh_summary.enqueue()
