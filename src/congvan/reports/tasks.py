"""Background work of the reports, run by `congvan worker`: keeping the daily summary current and the
1 December drafts."""

from django.utils import timezone
from django_tasks import task

from congvan.reports import services, summary


@task()
def refresh_summary() -> int:
    """Compute again the days whose documents changed (marked by the signals)."""
    return summary.refresh()


@task()
def daily_reports() -> list[str]:
    """Once a day: days that went by are computed again (open documents became overdue), and from
    1 December each agency's draft yearly report is generated once."""
    today = timezone.localdate()
    summary.daily(today)
    return services.december_drafts(today).created


def schedule(new_day: bool) -> None:
    """Called by the worker's scheduler about once a minute: queue the refresh when days are dirty, and
    the daily work on the first call of a day."""
    if new_day:
        daily_reports.enqueue()
    elif summary.pending():
        refresh_summary.enqueue()
