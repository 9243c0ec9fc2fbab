"""Who a document was exchanged with: the relations the directives count apart.

Every delivery (one document, one recipient) falls in exactly one of four relations, seen from the
issuing agency:

- ``internal``: nội bộ cơ quan — the recipient is the issuing agency itself;
- ``public``: tổ chức, doanh nghiệp, cá nhân — the recipient is in the directory with the level "Khác",
  or is one of the agency's own contacts outside the directory (an e-mail address, ExternalContact);
- ``outside``: cơ quan Trung ương, tỉnh khác — a state body outside the province: level "Trung ương",
  or a legacy mã định danh not under the province's level-1 code (H21 for Gia Lai);
- ``between``: giữa các cơ quan nhà nước trong tỉnh — every other recipient.

Two more relations overlap them: ``submission`` (hồ sơ trình UBND tỉnh: a delivery to the provincial
People's Committee or its office, from an agency that is neither) and ``commune`` (between an agency at
province level — UBND tỉnh, a department — and a commune, in either direction).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from congvan.directory.codes import AgencyCodeError, parse_legacy
from congvan.directory.models import Agency
from congvan.text import fold
from congvan.workflow.calendar import WorkingCalendar
from congvan.workflow.models import Delivery
from congvan.workflow.selectors import working_calendar

L = Agency.Level
PROVINCE_SIDE = [L.PROVINCE, L.DEPARTMENT]
RELATIONS = ("internal", "between", "outside", "public")
OVERLAYS = ("submission", "commune")


@dataclass(frozen=True)
class Context:
    """What the relations and the working-day rules need, read once per computation."""

    province_code: str  # level-1 group of the province's code ("H21"); "" when it has no legacy code
    submission_ids: frozenset[int]
    calendar: WorkingCalendar
    today: date

    def in_province(self, prefix: str = "") -> Q:
        if self.province_code:
            return Q(**{f"{prefix}code__endswith": "." + self.province_code})
        return Q(**{f"{prefix}is_local": True})


def province_agency() -> Agency | None:
    return Agency.objects.filter(is_local=True, level=L.PROVINCE).order_by("code").first()


def province_code(agency: Agency | None) -> str:
    if agency is None:
        return ""
    try:
        return parse_legacy(agency.code).level1
    except AgencyCodeError:
        return ""


def default_submission_agencies() -> list[Agency]:
    """UBND tỉnh (the local agency of level "Cấp tỉnh") and its office: a body under it whose name
    starts with "Văn phòng Ủy ban nhân dân tỉnh" / "Văn phòng UBND tỉnh"."""
    provinces = list(Agency.objects.filter(is_local=True, level=L.PROVINCE))
    offices = [a for a in Agency.objects.filter(parent__in=provinces)
               if fold(a.name).startswith(("van phong uy ban nhan dan tinh", "van phong ubnd tinh"))]
    return provinces + offices


def submission_agencies() -> list[Agency]:
    from congvan.reports.models import ReportSettings

    chosen = list(ReportSettings.current().submission_agencies.all())
    return chosen or default_submission_agencies()


def context(today: date | None = None) -> Context:
    return Context(province_code=province_code(province_agency()),
                   submission_ids=frozenset(a.pk for a in submission_agencies()),
                   calendar=working_calendar(), today=today or timezone.localdate())


def delivery_q(kind: str, ctx: Context, sender) -> Q:
    """Deliveries of relation ``kind``; ``sender`` is the issuing agency's id (an OuterRef or an F)."""
    own = Q(recipient_id=sender)
    if kind == "internal":
        return own
    contact = Q(recipient__isnull=True)  # a delivery to an ExternalContact has no recipient agency
    if kind == "public":
        return contact | (~own & Q(recipient__level=L.OTHER))
    agency = ~contact & ~own & ~Q(recipient__level=L.OTHER)
    outside = Q(recipient__level=L.CENTRAL) | ~ctx.in_province("recipient__")
    if kind == "outside":
        return agency & outside
    if kind == "between":
        return agency & ~outside
    if kind == "submission":
        return ~contact & ~own & Q(recipient_id__in=ctx.submission_ids)
    raise ValueError(kind)


def document_q(kind: str, ctx: Context) -> Q:
    """Documents with at least one delivery of relation ``kind`` (on ``Document``)."""
    deliveries = Delivery.objects.filter(document=OuterRef("pk"))
    if kind == "commune":
        to_commune = deliveries.filter(ctx.in_province("recipient__"), recipient__level=L.COMMUNE)
        to_province = deliveries.filter(ctx.in_province("recipient__"), recipient__level__in=PROVINCE_SIDE)
        return (Q(agency__level__in=PROVINCE_SIDE) & Exists(to_commune)) | \
            (Q(agency__level=L.COMMUNE) & Exists(to_province))
    found = Exists(deliveries.filter(delivery_q(kind, ctx, OuterRef("agency_id"))))
    if kind == "submission":
        return found & ~Q(agency_id__in=ctx.submission_ids)
    return found


def own_delivery_q() -> Q:
    """On ``Delivery``: the recipient is the issuing agency."""
    return Q(recipient_id=F("document__agency_id"))
