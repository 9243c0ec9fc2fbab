"""Queries of official e-mail, scoped to what the acting person may see, and the compliance figures the
reports read (``check_compliance``, ``checks``: plain functions over agencies and dates)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from congvan.directory.models import Agency, Person, Role
from congvan.errors import NotFound
from congvan.mail import compliance
from congvan.mail.models import (
    CheckRule,
    ImapAccount,
    IntakeCheck,
    IntakeItem,
    MailAlias,
    Mailbox,
    MailboxRequest,
    OutgoingMail,
    ProvisioningState,
)
from congvan.workflow.selectors import working_calendar

INTAKE_ROLES = {Role.CLERK, Role.LEADER, Role.ADMIN}


# --- intake -----------------------------------------------------------------------------------------------

def can_see_intake(person: Person) -> bool:
    """The agency's mail is for its clerks (who handle it), its leaders and administrators."""
    return bool(person.roles() & INTAKE_ROLES)


def intake(person: Person, *, state: str = "", q: str = ""):
    if not can_see_intake(person):
        return IntakeItem.objects.none()
    rows = IntakeItem.objects.filter(agency_id=person.agency_id)
    if state == "open":
        rows = rows.filter(state__in=[IntakeItem.State.NEW, IntakeItem.State.QUARANTINED, IntakeItem.State.DUPLICATE])
    elif state:
        rows = rows.filter(state=state)
    if q:
        rows = rows.filter(Q(subject__icontains=q) | Q(from_address__icontains=q) | Q(from_name__icontains=q))
    return rows.order_by("-received_at", "-id")


def get_item(person: Person, pk) -> IntakeItem:
    try:
        return intake(person).select_related("agency", "incoming_item", "handled_by", "duplicate_of").get(pk=pk)
    except (IntakeItem.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def signatures(attachments) -> dict[str, dict]:
    """By SHA-256: the stored validation of each PDF attachment, as ``{"state", "summary", "signers"}``."""
    from congvan.signing.models import FileSignatureCheck

    shas = {a.blob_id for a in attachments if a.blob_id and a.is_pdf}
    result = {}
    for check in FileSignatureCheck.objects.filter(blob_id__in=shas):
        result[check.blob_id] = {
            "state": check.state, "summary": check.summary or check.error,
            "signers": [{"name": s.get("signer_name", ""), "ok": bool(s.get("ok")),
                         "signed_at": s.get("signed_at"), "summary": s.get("summary", "")}
                        for s in check.signatures]}
    return result


# --- compliance ------------------------------------------------------------------------------------------

class Rules:
    """The rules in force over a range of days: the operator's (CheckRule, each from its day on), and
    before the first of them the installation's default (CONGVAN_MAIL_CHECK_RULE)."""

    def __init__(self):
        self.dated = [(r.valid_from, compliance.parse_rule(r.rule))
                      for r in CheckRule.objects.order_by("valid_from")]
        self.default = compliance.parse_rule(settings.MAIL_CHECK_RULE)

    def on(self, day: date) -> compliance.Rule:
        current = self.default
        for valid_from, dated in self.dated:
            if valid_from > day:
                break
            current = dated
        return current


def rule(day: date | None = None) -> compliance.Rule:
    """The rule in force on ``day`` (today by default)."""
    return Rules().on(day or timezone.localdate())


def rule_history() -> list[CheckRule]:
    return list(CheckRule.objects.select_related("created_by").order_by("-valid_from"))


def checks(agency_ids, start_date: date, end_date: date):
    """The raw check rows (agency, person, at, via) of these agencies between the two dates (inclusive)."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(start_date, time.min, tzinfo=tz)
    end = datetime.combine(end_date + timedelta(days=1), time.min, tzinfo=tz)
    return IntakeCheck.objects.filter(agency_id__in=list(agency_ids), at__gte=start, at__lt=end).order_by("at", "id")


def _times_by_day(agency_ids, start_date: date, end_date: date) -> dict[tuple[int, date], list[time]]:
    found: dict[tuple[int, date], list[time]] = defaultdict(list)
    for agency_id, at in checks(agency_ids, start_date, end_date).values_list("agency_id", "at"):
        local = timezone.localtime(at)
        found[(agency_id, local.date())].append(local.time())
    return found


def mailbox_spans() -> dict[int, tuple[date, date | None]]:
    """Agencies of this installation with an official mailbox of their own (not a person's): the first day
    it was open and, when every one of them is closed, the last day."""
    spans: dict[int, tuple[date, date | None]] = {}
    rows = Mailbox.objects.filter(person__isnull=True, agency__is_local=True).values_list(
        "agency_id", "created_at", "closed_at", "state")
    for agency_id, created_at, closed_at, state in rows:
        first = timezone.localdate(created_at)
        last = timezone.localdate(closed_at) if state == Mailbox.State.CLOSED and closed_at else None
        if agency_id in spans:
            known_first, known_last = spans[agency_id]
            first = min(first, known_first)
            last = None if known_last is None or last is None else max(last, known_last)
        spans[agency_id] = (first, last)
    return spans


def check_compliance(agency_ids, start_date: date, end_date: date) -> dict[tuple[int, date], bool]:
    """Per (agency id, working day): whether the agency's mail was checked as the province's rule in force
    that day requires. Non-working days (weekends, holidays of the working calendar) are absent."""
    calendar, rules = working_calendar(), Rules()
    times = _times_by_day(agency_ids, start_date, end_date)
    result = {}
    day = start_date
    while day <= end_date:
        if calendar.is_working_day(day):
            current = rules.on(day)
            for agency_id in agency_ids:
                result[(agency_id, day)] = compliance.met(current, times.get((agency_id, day), []))
        day += timedelta(days=1)
    return result


@dataclass
class Day:
    day: date
    working: bool
    times: list[time] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    met: bool | None = None
    windows: list[tuple[time, time, bool]] = field(default_factory=list)

    @property
    def checks(self) -> list[tuple[time, str]]:
        return list(zip(self.times, self.people, strict=True))


def compliance_days(agency: Agency, start_date: date, end_date: date) -> list[Day]:
    """One agency's days, newest first, with each check's time and who made it (the compliance page)."""
    calendar, rules = working_calendar(), Rules()
    rows: dict[date, Day] = {}
    for check in checks([agency.pk], start_date, end_date).select_related("person"):
        local = timezone.localtime(check.at)
        entry = rows.setdefault(local.date(), Day(local.date(), calendar.is_working_day(local.date())))
        entry.times.append(local.time())
        entry.people.append(check.person.full_name)
    days = []
    day = end_date
    while day >= start_date:
        entry = rows.get(day) or Day(day, calendar.is_working_day(day))
        if entry.working:
            current = rules.on(day)
            entry.met = compliance.met(current, entry.times)
            hits = compliance.windows_met(current, entry.times)
            entry.windows = [(s, e, hit) for (s, e), hit in zip(current.windows, hits, strict=True)]
        days.append(entry)
        day -= timedelta(days=1)
    return days


def compliance_overview(day: date) -> list[dict]:
    """Every local agency on one day (the operator's view): checks made, required, met."""
    agencies = list(Agency.objects.filter(is_local=True, is_active=True).order_by("code"))
    met = check_compliance([a.pk for a in agencies], day, day)
    counts = dict(checks([a.pk for a in agencies], day, day).values_list("agency_id").annotate(n=Count("id")))
    return [{"agency": a, "checks": counts.get(a.pk, 0), "met": met.get((a.pk, day))} for a in agencies]


# --- addresses ------------------------------------------------------------------------------------------

@dataclass
class Entry:
    """A line of the address book (sổ địa chỉ)."""

    kind: str  # agency | person
    name: str
    email: str
    agency: Agency
    position: str = ""
    phone: str = ""
    aliases: list[str] = field(default_factory=list)


def address_book(q: str = "") -> list[Entry]:
    """Public: every active agency of the directory with its official address, and the staff each agency
    publishes (Person.publish_in_directory), with their aliases."""
    from congvan.text import fold

    aliases: dict[str, list[str]] = defaultdict(list)
    for alias, target in MailAlias.objects.filter(mailbox__state=Mailbox.State.ACTIVE).values_list(
            "address", "mailbox__address"):
        aliases[target].append(alias)
    entries = []
    agencies = Agency.objects.filter(is_active=True).exclude(email="").order_by("code")
    people = {}
    for person in Person.objects.filter(publish_in_directory=True, agency__is_active=True).exclude(email="") \
            .order_by("full_name"):
        people.setdefault(person.agency_id, []).append(person)
    for agency in agencies:
        entries.append(Entry("agency", agency.name, agency.email, agency, phone=agency.phone,
                             aliases=sorted(aliases.get(agency.email.lower(), []))))
        for person in people.get(agency.pk, []):
            entries.append(Entry("person", person.full_name, person.email, agency, position=person.position,
                                 phone=person.phone, aliases=sorted(aliases.get(person.email.lower(), []))))
    needle = fold(q.strip())
    if needle:
        entries = [e for e in entries if needle in fold(" ".join([e.name, e.email, e.agency.name, e.position,
                                                                  *e.aliases]))]
    return entries


def mailboxes_of(agency: Agency):
    return Mailbox.objects.filter(agency=agency).select_related("person").prefetch_related("aliases").order_by(
        "state", "person__full_name", "address")


def own_mailbox(person: Person) -> Mailbox | None:
    return Mailbox.objects.filter(person=person, state=Mailbox.State.ACTIVE).prefetch_related("aliases").first()


def agency_mailbox(agency: Agency) -> Mailbox | None:
    return Mailbox.objects.filter(agency=agency, person__isnull=True, state=Mailbox.State.ACTIVE).first()


def requests_for(person: Person):
    rows = MailboxRequest.objects.select_related("agency", "person", "mailbox", "requested_by", "decided_by")
    return rows if person.is_operator else rows.filter(agency_id=person.agency_id)


def imap_accounts(agency: Agency | None = None):
    rows = ImapAccount.objects.select_related("agency")
    return rows.filter(agency=agency) if agency is not None else rows


# --- outgoing -------------------------------------------------------------------------------------------

def mail_for_deliveries(delivery_ids) -> dict[int, OutgoingMail]:
    """The document message of each e-mail delivery (for the sender's trail table and the API)."""
    rows = OutgoingMail.objects.filter(delivery_id__in=list(delivery_ids), kind=OutgoingMail.Kind.DOCUMENT)
    return {m.delivery_id: m for m in rows.order_by("created_at")}


def waiting(limit: int = 100):
    """The operator's page: messages still to leave, held, given up or refused, newest first."""
    M = OutgoingMail.State
    return OutgoingMail.objects.filter(state__in=[M.PENDING, M.HELD, M.DEAD, M.FAILED]).select_related(
        "document").order_by("-created_at")[:limit]


def quarantined(limit: int = 100):
    """The operator's page: every agency's quarantined mail, newest first."""
    return IntakeItem.objects.filter(state=IntakeItem.State.QUARANTINED).select_related("agency").order_by(
        "-received_at")[:limit]


def summary() -> dict:
    state = ProvisioningState.current()
    return {
        "outbox": dict(OutgoingMail.objects.values_list("state").annotate(n=Count("id"))),
        "intake": dict(IntakeItem.objects.values_list("state").annotate(n=Count("id"))),
        "mailboxes": Mailbox.objects.filter(state=Mailbox.State.ACTIVE).count(),
        "provisioning": state,
        "relay": f"{settings.MAIL_RELAY_HOST}:{settings.MAIL_RELAY_PORT}" if settings.MAIL_RELAY_HOST else "",
        "pending_requests": MailboxRequest.objects.filter(state=MailboxRequest.State.PENDING).count(),
    }
