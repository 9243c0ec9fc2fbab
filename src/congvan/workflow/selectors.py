"""Queries of the workflow, always scoped to what the acting person may see."""

from django.db.models import Count, Q
from django.utils import timezone

from congvan.directory.models import Person
from congvan.documents.models import Document
from congvan.errors import NotFound
from congvan.workflow import access
from congvan.workflow.calendar import WorkingCalendar
from congvan.workflow.models import CalendarDay, IncomingItem


def get_document(person: Person, pk) -> Document:
    """A document the person may open, or NotFound (404: its existence is not revealed)."""
    try:
        return access.visible_documents(person).select_related("agency", "doc_type", "drafting_unit").get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def get_item(person: Person, pk) -> IncomingItem:
    try:
        return (access.visible_items(person)
                .select_related("document__agency", "document__doc_type", "delivery", "register")
                .get(pk=pk))
    except (IncomingItem.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def outgoing(person: Person, *, state: str = "", doc_type: str = "", q: str = "", year: int | None = None):
    roles = person.roles()
    qs = Document.objects.filter(access.outgoing_filter(person, roles))
    if state:
        qs = qs.filter(state=state)
    if doc_type:
        qs = qs.filter(doc_type__code=doc_type)
    if year:
        qs = qs.filter(Q(issued_at__year=year) | Q(issued_at__isnull=True, created_at__year=year))
    if q:
        qs = qs.filter(Q(subject__icontains=q) | Q(notation__icontains=q))
    return qs.select_related("doc_type", "created_by").annotate(recipient_count=Count("recipients", distinct=True))


def inbox(person: Person, *, state: str = "", q: str = "", overdue: bool = False):
    qs = access.visible_items(person)
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(document__subject__icontains=q) | Q(document__notation__icontains=q))
    if overdue:
        qs = overdue_filter(qs)
    return qs.select_related("document__agency", "document__doc_type", "delivery").order_by("-arrived_at", "-id")


def overdue_filter(qs):
    return qs.filter(due_date__lt=timezone.localdate(), state__in=[
        IncomingItem.State.REGISTERED, IncomingItem.State.ASSIGNED, IncomingItem.State.IN_PROGRESS])


def my_tasks(person: Person) -> dict:
    """What waits for this person, by role: the dashboard's first block."""
    roles = person.roles()
    S, IS = Document.State, IncomingItem.State
    tasks = {
        "to_process": access.visible_items(person, roles).filter(
            distributions__person=person, distributions__role="lead", distributions__active=True,
            state__in=[IS.ASSIGNED, IS.IN_PROGRESS]).distinct().select_related("document").order_by("due_date"),
        "my_drafts": Document.objects.filter(created_by=person, state__in=[S.DRAFT, S.RETURNED]),
    }
    if "leader" in roles:
        tasks["to_approve"] = Document.objects.filter(agency=person.agency, state=S.SUBMITTED)
        tasks["to_assign"] = IncomingItem.objects.filter(agency=person.agency, state=IS.REGISTERED)
    if "clerk" in roles:
        tasks["to_issue"] = Document.objects.filter(agency=person.agency, state=S.APPROVED)
        tasks["to_register"] = IncomingItem.objects.filter(agency=person.agency, state=IS.ARRIVED)
        tasks["revocations"] = IncomingItem.objects.filter(agency=person.agency, revocation_pending=True)
    return tasks


def working_calendar() -> WorkingCalendar:
    days = list(CalendarDay.objects.values_list("date", "kind"))
    return WorkingCalendar(
        holidays=frozenset(d for d, k in days if k == CalendarDay.Kind.HOLIDAY),
        makeup_days=frozenset(d for d, k in days if k == CalendarDay.Kind.WORKDAY),
    )
