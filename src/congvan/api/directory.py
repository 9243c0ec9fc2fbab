"""Directory: agencies (by mã định danh) and people with their roles."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from congvan.api.errors import ERROR_CODES, ErrorOut
from congvan.api.schemas import AgencyOut, PersonOut, agency_out, person_out
from congvan.directory.models import Agency, Person, RoleGrant
from congvan.errors import NotFound
from congvan.text import clean, fold

router = Router(tags=["directory"])


@router.get("/agencies", response={200: list[AgencyOut], ERROR_CODES: ErrorOut}, url_name="agencies")
def agencies(request, q: Query[str] = ""):
    """Active agencies; ``q`` matches the name, code or short name, with or without diacritics."""
    rows = Agency.objects.filter(is_active=True).select_related("parent").order_by("code")
    needle = fold(clean(q))
    if needle:
        rows = [a for a in rows if any(needle in fold(value) for value in (a.name, a.code, a.short_name, a.slug))]
    return [agency_out(a) for a in rows]


@router.get("/people", response={200: list[PersonOut], ERROR_CODES: ErrorOut}, url_name="people")
def people(request, agency: Query[str] = ""):
    """People of an agency (the caller's own when ``agency`` is omitted) with their own roles."""
    if agency:
        found = Agency.objects.filter(code=clean(agency).upper()).first()
        if found is None:
            raise NotFound(_("Không có cơ quan mang mã định danh này."), code="unknown_agency",
                           detail={"agency": agency})
    else:
        found = request.auth.agency
    rows = (Person.objects.filter(agency=found, user__is_active=True)
            .select_related("user", "agency", "unit")
            .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.all()))
            .order_by("full_name", "id"))
    return [person_out(p) for p in rows]
