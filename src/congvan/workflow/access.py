"""Who may see what: the one place that turns a person and their roles into query filters.

A person sees their own agency's documents as their role allows, and documents addressed to their
agency through its incoming items. Secret documents stay with the drafter, leaders and clerks.
"""

from django.db.models import Exists, OuterRef, Q

from congvan.directory.models import Person, Role
from congvan.documents.models import Document, Secrecy
from congvan.workflow.models import Distribution, IncomingItem

MANAGING_ROLES = {Role.LEADER, Role.CLERK}


def outgoing_filter(person: Person, roles: set[str]) -> Q:
    """Documents of the person's own agency that they may open."""
    S = Document.State
    own = Q(created_by=person)
    visible = Q(state=S.ISSUED, secrecy=Secrecy.NONE)
    if Role.LEADER in roles:
        visible |= Q(state__in=[S.SUBMITTED, S.RETURNED, S.APPROVED, S.ISSUED])
    if Role.CLERK in roles:
        visible |= Q(state__in=[S.APPROVED, S.ISSUED])
    return Q(agency_id=person.agency_id) & (own | visible)


def incoming_filter(person: Person, roles: set[str]) -> Q:
    """Incoming items of the person's agency that they may open."""
    base = Q(agency_id=person.agency_id)
    if roles & MANAGING_ROLES:
        return base
    # Officers see what was handed to them (assigned, forwarded, for information), secret or not.
    # EXISTS, not a join: a join would need DISTINCT, which sorts the agency's whole inbox; with the
    # (item, person) index the newest-first page stops after its 25 rows.
    return base & Q(Exists(Distribution.objects.filter(item=OuterRef("pk"), person=person)))


def visible_items(person: Person, roles: set[str] | None = None):
    roles = person.roles() if roles is None else roles
    return IncomingItem.objects.filter(incoming_filter(person, roles))


def visible_documents(person: Person, roles: set[str] | None = None):
    """Every document the person may open: their agency's (as the role allows) and those it received.

    A received document whose revocation was accepted is withdrawn from use: its incoming item (the
    metadata) stays visible, the document and its files do not."""
    roles = person.roles() if roles is None else roles
    received = visible_items(person, roles).exclude(state=IncomingItem.State.REVOKED).values("document_id")
    return Document.objects.filter(outgoing_filter(person, roles) | Q(pk__in=received))
