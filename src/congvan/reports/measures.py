"""Measures: what the daily summary counts, each defined once on the base tables.

A measure yields ``(agency_id, day, dim, value)`` rows for a range of days (what ``DailyCount`` stores)
and, for a drill-down, the very rows behind a figure — both from the same definition, so a number on a
dashboard and the list behind it cannot disagree.

Who a figure belongs to and on which day:
- outgoing measures (``issued``, ``sent``, ``rel_*``, ``scanned``, ``issue_delay``, ``saved*``): the
  issuing agency, on the local day of issue;
- ``received``, ``received_form``: the recipient, on the day the delivery reached it;
- ``processed``: the recipient, on the day it completed the incoming document; ``due``: on its due date;
- ``activity``: 1 for an agency on a day it issued a document or registered an incoming one;
- ``mailbox``: each working day an agency's official mailbox is followed, and whether it was checked as
  the province requires (congvan.mail).

Secret documents (any độ mật) are paper by law: ``issued`` and ``received_form`` count them under the
dimension ``secret``; the exchange shares (``rel_*``, ``scanned``, ``saved*``) leave them out.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from congvan.documents.models import Document, DocumentFile, FileOrigin, Form, Secrecy
from congvan.reports.relations import OVERLAYS, RELATIONS, Context, document_q, own_delivery_q
from congvan.workflow.models import ELECTRONIC_CHANNELS, Delivery, IncomingItem

Row = tuple[int, date, str, int]
CHANNELS = ("internal", "exchange", "email", "paper")
PROCESSING_CAP = 60  # working days; a longer processing time counts in the last bucket ("60")
OPEN_STATES = (IncomingItem.State.REGISTERED, IncomingItem.State.ASSIGNED, IncomingItem.State.IN_PROGRESS)


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Aware datetimes [start 00:00, end + 1 day 00:00) in the installation's time zone."""
    tz = timezone.get_default_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))


def local_day(moment: datetime) -> date:
    return timezone.localdate(moment, timezone.get_default_timezone())


def issued_documents(start: date, end: date):
    """Documents issued in [start, end]: ``issued_at`` is set only when a document is issued (here or, for
    one received by exchange, by its sender), so its index alone selects them."""
    lo, hi = bounds(start, end)
    return Document.objects.filter(issued_at__gte=lo, issued_at__lt=hi)


def not_secret() -> Q:
    return Q(secrecy=Secrecy.NONE)


@dataclass(frozen=True)
class Drill:
    """The rows behind a figure: a queryset (ordered) or, for measures decided in Python, ordered pks."""

    model: type
    queryset: object = None
    pks: list | None = None


class Measure:
    key = ""
    model: type = Document
    dims: tuple[str, ...] = ()
    listed = True  # its rows can be listed (drill-down)

    def compute(self, ctx: Context, start: date, end: date) -> Iterable[Row]:
        raise NotImplementedError

    def drill(self, ctx: Context, agency_ids, start: date, end: date, dims) -> Drill:
        raise NotImplementedError


class SqlMeasure(Measure):
    """Counted by the database: ``base()`` the rows, ``dim`` their dimension, ``agency``/``moment``
    the owning agency and the moment that decides the day."""

    agency = "agency_id"
    moment = "issued_at"
    order = ("-issued_at", "-pk")

    def base(self, ctx: Context, start: date, end: date):
        raise NotImplementedError

    def dim(self, ctx: Context):
        return Value("", output_field=CharField())

    def value(self):
        return Count("pk")

    def compute(self, ctx, start, end):
        tz = timezone.get_default_timezone()
        rows = (self.base(ctx, start, end).order_by()
                .annotate(_day=TruncDate(self.moment, tzinfo=tz), _dim=self.dim(ctx))
                .values(self.agency, "_day", "_dim").annotate(_value=self.value()))
        for row in rows:
            if row["_value"]:
                yield row[self.agency], row["_day"], row["_dim"] or "", int(row["_value"])

    def drill(self, ctx, agency_ids, start, end, dims):
        qs = self.base(ctx, start, end).filter(**{f"{self.agency}__in": list(agency_ids)})
        if dims:
            qs = qs.annotate(_dim=self.dim(ctx)).filter(_dim__in=list(dims))
        return Drill(self.model, qs.order_by(*self.order))


def form_or_secret(prefix: str = ""):
    return Case(When(~Q(**{f"{prefix}secrecy": Secrecy.NONE}), then=Value("secret")),
                default=F(f"{prefix}form"), output_field=CharField())


class Issued(SqlMeasure):
    """Documents issued, by form (electronic / hybrid / paper), secret ones apart."""

    key, dims = "issued", ("electronic", "hybrid", "paper", "secret")

    def base(self, ctx, start, end):
        return issued_documents(start, end)

    def dim(self, ctx):
        return form_or_secret()


class SentDeliveries(SqlMeasure):
    """Deliveries of the documents issued in the range: the issuing agency's, on the day of issue."""

    model = Delivery
    agency, moment, order = "document__agency_id", "document__issued_at", ("-document__issued_at", "-pk")

    def base(self, ctx, start, end):
        lo, hi = bounds(start, end)
        return Delivery.objects.filter(document__issued_at__gte=lo, document__issued_at__lt=hi)


class Sent(SentDeliveries):
    """Deliveries of the documents issued, by channel."""

    key, dims = "sent", CHANNELS

    def dim(self, ctx):
        return F("channel")


class Received(SqlMeasure):
    """Deliveries that reached the agency, by channel."""

    key, model, dims = "received", Delivery, CHANNELS
    agency, moment, order = "recipient_id", "created_at", ("-created_at", "-pk")

    def base(self, ctx, start, end):
        lo, hi = bounds(start, end)
        # a delivery to an ExternalContact (a citizen, a business) reached no agency of the directory
        return Delivery.objects.filter(created_at__gte=lo, created_at__lt=hi, recipient__isnull=False)

    def dim(self, ctx):
        return F("channel")


class ReceivedForm(Received):
    """Deliveries that reached the agency, by the document's form (secret ones apart)."""

    key, dims = "received_form", ("electronic", "hybrid", "paper", "secret")

    def dim(self, ctx):
        return form_or_secret("document__")


class Relation(SqlMeasure):
    """Non-secret documents issued with at least one delivery of the relation, by form."""

    dims = ("electronic", "hybrid", "paper")

    def __init__(self, relation: str):
        self.relation = relation
        self.key = f"rel_{relation}"

    def base(self, ctx, start, end):
        return issued_documents(start, end).filter(not_secret()).filter(document_q(self.relation, ctx))

    def dim(self, ctx):
        return F("form")


def _main_files(origin_values) -> Exists:
    return Exists(DocumentFile.objects.filter(document=OuterRef("pk"), role=DocumentFile.Role.MAIN,
                                              origin__in=origin_values))


class Scanned(SqlMeasure):
    """Non-secret electronic documents (fully, or with paper) issued, by the origin of their main file:
    a scan of images, a scan with a text layer, born digital, or not classified yet. A document is a
    scan when any version of its main file is (the signed copy made at issue keeps no origin)."""

    key, dims = "scanned", ("scanned_image", "scanned_text", "born_digital", "unknown")

    def base(self, ctx, start, end):
        return issued_documents(start, end).filter(not_secret(), form__in=[Form.ELECTRONIC, Form.HYBRID])

    def dim(self, ctx):
        return Case(When(_main_files([FileOrigin.SCANNED_IMAGE]), then=Value("scanned_image")),
                    When(_main_files([FileOrigin.SCANNED_TEXT]), then=Value("scanned_text")),
                    When(_main_files([FileOrigin.BORN_DIGITAL]), then=Value("born_digital")),
                    default=Value("unknown"), output_field=CharField())


class Saved(SentDeliveries):
    """Deliveries that replaced a paper copy: a fully electronic, non-secret document over an electronic
    channel; ``internal`` inside the agency (no postage), ``external`` to another one."""

    key, dims = "saved", ("internal", "external")

    def base(self, ctx, start, end):
        return super().base(ctx, start, end).filter(document__secrecy=Secrecy.NONE, document__form=Form.ELECTRONIC,
                                                    channel__in=list(ELECTRONIC_CHANNELS))

    def dim(self, ctx):
        return Case(When(own_delivery_q(), then=Value("internal")), default=Value("external"),
                    output_field=CharField())


class SavedPages(Saved):
    """Pages of those deliveries' documents, where the document records its page count."""

    key = "saved_pages"

    def base(self, ctx, start, end):
        return super().base(ctx, start, end).filter(document__page_amount__isnull=False)

    def value(self):
        return Sum("document__page_amount")


class SavedNoPages(Saved):
    """Those deliveries whose document has no page count (the operator's default pages apply)."""

    key = "saved_nopages"

    def base(self, ctx, start, end):
        return super().base(ctx, start, end).filter(document__page_amount__isnull=True)


# Measures decided in Python: they need the working calendar or "today".

class PythonMeasure(Measure):
    def classify(self, ctx: Context, start: date, end: date, agency_ids=None):
        """Yield (pk, agency_id, day, dim, weight) for the rows in [start, end]."""
        raise NotImplementedError

    def compute(self, ctx, start, end):
        totals: dict[tuple[int, date, str], int] = defaultdict(int)
        for _pk, agency_id, day, dim, weight in self.classify(ctx, start, end):
            totals[(agency_id, day, dim)] += weight
        for (agency_id, day, dim), value in totals.items():
            yield agency_id, day, dim, value

    def drill(self, ctx, agency_ids, start, end, dims):
        wanted = set(dims) if dims else None
        rows = [(day, pk) for pk, _a, day, dim, _w in self.classify(ctx, start, end, agency_ids)
                if wanted is None or dim in wanted]
        rows.sort(reverse=True)
        return Drill(self.model, pks=[pk for _day, pk in rows])


class IssueDelay(PythonMeasure):
    """Documents issued, on time or late after the leader's signature (Decree 30: issued the same day
    or at the latest the next working day); ``unknown`` without an approval time (received ones)."""

    key, dims = "issue_delay", ("on_time", "late", "unknown")

    def classify(self, ctx, start, end, agency_ids=None):
        qs = issued_documents(start, end)
        if agency_ids is not None:
            qs = qs.filter(agency_id__in=list(agency_ids))
        for pk, agency_id, issued_at, approved_at in qs.values_list("pk", "agency_id", "issued_at",
                                                                    "approved_at").iterator(chunk_size=5000):
            day = local_day(issued_at)
            if approved_at is None:
                dim = "unknown"
            else:
                signed = local_day(approved_at)
                dim = "on_time" if day <= ctx.calendar.next_working_day(signed) else "late"
            yield pk, agency_id, day, dim, 1


class Processed(PythonMeasure):
    """Incoming documents completed, by working days from arrival to completion (the dimension is the
    number of days, capped at ``PROCESSING_CAP``)."""

    key, model = "processed", IncomingItem
    dims = tuple(str(n) for n in range(PROCESSING_CAP + 1))

    def classify(self, ctx, start, end, agency_ids=None):
        lo, hi = bounds(start, end)
        qs = IncomingItem.objects.filter(state=IncomingItem.State.DONE, completed_at__gte=lo, completed_at__lt=hi)
        if agency_ids is not None:
            qs = qs.filter(agency_id__in=list(agency_ids))
        for pk, agency_id, arrived_at, completed_at in qs.values_list(
                "pk", "agency_id", "arrived_at", "completed_at").iterator(chunk_size=5000):
            day = local_day(completed_at)
            days = ctx.calendar.working_days_between(local_day(arrived_at), day)
            yield pk, agency_id, day, str(min(days, PROCESSING_CAP)), 1


class Due(PythonMeasure):
    """Incoming documents by their due date (hạn giải quyết): completed on time, completed late, still
    open after the due date (overdue), or still open and not yet due. Refused and revoked ones are out."""

    key, model, dims = "due", IncomingItem, ("on_time", "late", "overdue", "pending")

    def classify(self, ctx, start, end, agency_ids=None):
        qs = IncomingItem.objects.filter(due_date__gte=start, due_date__lte=end).exclude(
            state__in=[IncomingItem.State.REFUSED, IncomingItem.State.REVOKED, IncomingItem.State.ARRIVED])
        if agency_ids is not None:
            qs = qs.filter(agency_id__in=list(agency_ids))
        for pk, agency_id, due, state, completed_at in qs.values_list(
                "pk", "agency_id", "due_date", "state", "completed_at").iterator(chunk_size=5000):
            if state == IncomingItem.State.DONE and completed_at is not None:
                dim = "on_time" if local_day(completed_at) <= due else "late"
            else:
                dim = "overdue" if due < ctx.today else "pending"
            yield pk, agency_id, due, dim, 1


class Activity(PythonMeasure):
    """1 for an agency on each day it issued a document or registered an incoming one in the system."""

    key, model, dims = "activity", None, ("",)

    def compute(self, ctx, start, end):
        tz = timezone.get_default_timezone()
        lo, hi = bounds(start, end)
        active = set()
        for qs, moment in ((issued_documents(start, end), "issued_at"),
                           (IncomingItem.objects.filter(registered_at__gte=lo, registered_at__lt=hi),
                            "registered_at")):
            rows = qs.order_by().annotate(_day=TruncDate(moment, tzinfo=tz)).values_list("agency_id", "_day")
            active.update(rows.distinct())
        for agency_id, day in active:
            yield agency_id, day, "", 1

    def drill(self, ctx, agency_ids, start, end, dims):
        raise NotImplementedError("activity is listed by agency (selectors.adoption_rows)")


class MailboxChecks(PythonMeasure):
    """Working days on which an agency's official mailbox was followed (``followed``: it has an active
    agency mailbox, the day has passed or is today) and those on which its clerks checked it as the
    province's rule requires (``met``): congvan.mail records each check and judges each working day."""

    key, model, dims, listed = "mailbox", None, ("met", "followed"), False

    def compute(self, ctx, start, end):
        from congvan.mail.selectors import check_compliance, mailbox_spans

        end = min(end, ctx.today)
        spans = mailbox_spans()
        if end < start or not spans:
            return
        for (agency_id, day), met in check_compliance(list(spans), start, end).items():
            first, last = spans[agency_id]
            if first <= day and (last is None or day <= last):
                yield agency_id, day, "followed", 1
                if met:
                    yield agency_id, day, "met", 1

    def drill(self, ctx, agency_ids, start, end, dims):
        raise NotImplementedError("the checks are listed by the mail capability's compliance page")


MEASURES: dict[str, Measure] = {m.key: m for m in [
    Issued(), Sent(), Received(), ReceivedForm(),
    *(Relation(r) for r in RELATIONS + OVERLAYS),
    Scanned(), Saved(), SavedPages(), SavedNoPages(),
    IssueDelay(), Processed(), Due(), Activity(), MailboxChecks(),
]}
