"""Selectors of the agency administration pages: document types and registers of the acting person's agency."""

from django.db.models import Q

from congvan.directory.models import Person
from congvan.documents.models import DocumentType, Register
from congvan.errors import NotFound


def document_types(person: Person):
    """The national list and the agency's own types (inactive own ones included, for editing)."""
    return (DocumentType.objects.filter(Q(agency__isnull=True, is_active=True) | Q(agency_id=person.agency_id))
            .order_by("agency_id", "name"))


def own_document_type(person: Person, pk) -> DocumentType:
    try:
        return DocumentType.objects.get(pk=pk, agency_id=person.agency_id)
    except (DocumentType.DoesNotExist, ValueError, TypeError):
        raise NotFound("Không tìm thấy loại văn bản của cơ quan.")


def agency_registers(person: Person, year: int | None = None):
    qs = Register.objects.filter(agency_id=person.agency_id).prefetch_related("document_types")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "direction", "is_secret", "name")
