"""The daily summary (bảng tổng hợp theo ngày): computing days again, and their monthly sums.

A change to a document, a delivery, an incoming item or a file marks the days it touches as dirty
(``signals``); the worker computes those days again (``refresh``), and the monthly rows of their months.
``rebuild`` computes every day from the first issued document to today, a month at a time.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone

from congvan.documents.models import Document
from congvan.mail.models import Mailbox
from congvan.reports import periods
from congvan.reports.measures import MEASURES, local_day
from congvan.reports.models import DailyCount, DirtyDay, MonthlyCount, SummaryState
from congvan.reports.relations import Context, context
from congvan.reports.selectors import GROUPS, local_agencies
from congvan.workflow.models import Delivery, IncomingItem

log = logging.getLogger(__name__)
BATCH = 5000


def mark_dirty(days: Iterable[date | None]) -> None:
    """Ask for ``days`` to be computed again (in the caller's transaction: it commits with the change)."""
    rows = [DirtyDay(day=day) for day in {d for d in days if d is not None}]
    if rows:
        DirtyDay.objects.bulk_create(rows, batch_size=BATCH)


def scopes_of_agencies() -> dict[int, tuple[str, ...]]:
    """{agency id: the summary scopes its figures add to}: itself, its group, the province — for every
    agency of this installation (figures of agencies elsewhere are not kept: they are never a scope)."""
    out = {}
    for pk, level in local_agencies().values_list("pk", "level"):
        out[pk] = (f"agency:{pk}",) + ((f"group:{level}",) if level in GROUPS else ()) + ("province",)
    return out


def compute_days(start: date, end: date, ctx: Context | None = None) -> int:
    """Replace the daily rows of [start, end] and the monthly rows of the months it touches."""
    ctx = ctx or context()
    scopes = scopes_of_agencies()
    sums: dict[tuple, int] = defaultdict(int)
    for measure in MEASURES.values():
        for agency_id, day, dim, value in measure.compute(ctx, start, end):
            for scope in scopes.get(agency_id, ()):
                sums[(day, scope, measure.key, dim)] += value
    rows = [DailyCount(day=day, scope=scope, measure=measure, dim=dim, value=value)
            for (day, scope, measure, dim), value in sums.items() if value]
    with transaction.atomic():
        DailyCount.objects.filter(day__gte=start, day__lte=end).delete()
        DailyCount.objects.bulk_create(rows, batch_size=BATCH)
        roll_up(periods.months(start, end))
    return len(rows)


def roll_up(months: Iterable[date]) -> None:
    """Monthly rows = the sums of the daily rows of each month."""
    for first in months:
        last = periods.month_end(first)
        sums = (DailyCount.objects.filter(day__gte=first, day__lte=last).order_by()
                .values("scope", "measure", "dim").annotate(total=Sum("value")))
        MonthlyCount.objects.filter(month=first).delete()
        MonthlyCount.objects.bulk_create(
            [MonthlyCount(month=first, scope=r["scope"], measure=r["measure"], dim=r["dim"], value=r["total"])
             for r in sums if r["total"]], batch_size=BATCH)


LOCK_KEY = 7_202_612_01  # pg_advisory_xact_lock key of the summary (any constant unique to this use)
CHUNK = 400  # marks taken per round


@contextmanager
def serialised():
    """One computation of the summary at a time. PostgreSQL: a transaction holding an advisory lock, so two
    worker processes (or the worker and `congvan report rebuild`) never interleave their deletes and
    inserts. SQLite (the embedded mode, one worker process) needs no more than its single writer."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        yield


def refresh(limit: int | None = None, today: date | None = None) -> int:
    """Compute the dirty days again (oldest first); returns how many days were done.

    The marks seen are deleted by id after the computation: a mark committed meanwhile (with its change)
    was not seen, stays, and is done on the next round — no change is lost to a race with the worker.
    Only the marks present when the call starts are taken (a busy system does not keep it running)."""
    newest = DirtyDay.objects.aggregate(m=Max("pk"))["m"]
    done = 0
    ctx = context(today)
    while newest is not None and (limit is None or done < limit):
        with serialised():
            marks = list(DirtyDay.objects.filter(pk__lte=newest).order_by("day", "pk").values_list("pk", "day")
                         [:CHUNK])
            if not marks:
                break
            days = sorted({day for _pk, day in marks})
            for start, end in _runs(days):
                compute_days(start, end, ctx)
            ids = [pk for pk, _day in marks]
            for i in range(0, len(ids), 500):
                DirtyDay.objects.filter(pk__in=ids[i:i + 500]).delete()
        done += len(days)
    return done


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days grouped into ranges, never across a month (one roll-up per month)."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and day == runs[-1][1] + timedelta(days=1) and day.month == runs[-1][1].month:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(a, b) for a, b in runs]


def first_day() -> date | None:
    """The first day anything happened: the oldest issue, delivery or arrival, or an agency's mailbox opened."""
    moments = [Document.objects.aggregate(m=Min("issued_at"))["m"], Delivery.objects.aggregate(m=Min("created_at"))["m"],
               IncomingItem.objects.aggregate(m=Min("arrived_at"))["m"],
               Mailbox.objects.filter(person__isnull=True).aggregate(m=Min("created_at"))["m"]]
    moments = [m for m in moments if m is not None]
    return local_day(min(moments)) if moments else None


def last_day() -> date:
    """Today, or the latest due date of an incoming document when one lies ahead."""
    due = IncomingItem.objects.aggregate(m=Max("due_date"))["m"]
    today = timezone.localdate()
    return max(today, due) if due else today


def rebuild(start: date | None = None, end: date | None = None, progress=None) -> int:
    """Compute every day of [start, end], a month at a time. Without bounds: from the first activity to
    ``last_day()``, and rows outside that range are removed."""
    whole = start is None and end is None
    start = start or first_day()
    end = end or last_day()
    if start is None:
        DailyCount.objects.all().delete()
        MonthlyCount.objects.all().delete()
        return 0
    ctx = context()
    marks = list(DirtyDay.objects.filter(day__gte=start, day__lte=end).values_list("pk", flat=True))
    if whole:
        with transaction.atomic():
            DailyCount.objects.filter(Q(day__lt=start) | Q(day__gt=end)).delete()
            MonthlyCount.objects.filter(Q(month__lt=periods.month_start(start)) | Q(month__gt=end)).delete()
    written = 0
    for month in periods.months(start, end):
        lo, hi = max(month, start), min(periods.month_end(month), end)
        with serialised():
            written += compute_days(lo, hi, ctx)
        if progress:
            progress(month)
    for i in range(0, len(marks), 500):
        DirtyDay.objects.filter(pk__in=marks[i:i + 500]).delete()
    return written


def mark_everything_dirty() -> int:
    """After a change of definitions (the submission recipients): every day is done again by the worker."""
    start = first_day()
    if start is None:
        return 0
    days = [start + timedelta(days=n) for n in range((last_day() - start).days + 1)]
    for i in range(0, len(days), BATCH):
        mark_dirty(days[i:i + BATCH])
    return len(days)


def daily(today: date | None = None) -> int:
    """Once a day: the days that went by since the last run are marked (open incoming documents whose
    due date passed become overdue without any change to them), then every dirty day is computed."""
    today = today or timezone.localdate()
    with transaction.atomic():
        state, _ = SummaryState.objects.select_for_update().get_or_create(pk=1)
        since = state.last_daily or today - timedelta(days=1)
        mark_dirty(since + timedelta(days=n) for n in range((today - since).days))
        state.last_daily = today
        state.save(update_fields=["last_daily"])
    return refresh(today=today)


def pending() -> bool:
    return DirtyDay.objects.exists()
