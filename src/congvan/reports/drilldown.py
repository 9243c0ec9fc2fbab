"""The rows behind a figure (xem chi tiết): exactly the documents, deliveries, incoming documents or
agencies a measure counted for a scope and a period, read from the base tables, one page at a time.

A secret document's subject is shown only to those who may open it (its agency's leaders and clerks)."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from congvan.directory.models import Agency, Person
from congvan.documents.models import Document
from congvan.errors import NotFound
from congvan.reports import periods
from congvan.reports.data import channel_labels, form_labels, relation_labels
from congvan.reports.measures import MEASURES, PROCESSING_CAP, Activity, Drill, local_day
from congvan.reports.relations import Context, context
from congvan.reports.selectors import Scope
from congvan.workflow import access
from congvan.workflow.models import Delivery, IncomingItem

PAGE_SIZE = 25
RELATED = {Document: ("agency", "doc_type"), Delivery: ("document__agency", "document__doc_type", "recipient", "contact"),
           IncomingItem: ("document__agency", "document__doc_type", "agency")}
KINDS = {Document: "document", Delivery: "delivery", IncomingItem: "item"}


def measure_title(key: str) -> str:
    if key.startswith("rel_"):
        return _("Văn bản phát hành — %(relation)s") % {"relation": relation_labels()[key[4:]]}
    return {
        "issued": _("Văn bản phát hành"), "sent": _("Lần gửi văn bản đi"), "received": _("Lần nhận văn bản đến"),
        "received_form": _("Lần nhận văn bản đến"), "scanned": _("Văn bản điện tử theo nguồn gốc tệp"),
        "saved": _("Lần gửi điện tử thay bản giấy"), "saved_pages": _("Lần gửi điện tử thay bản giấy"),
        "saved_nopages": _("Lần gửi điện tử thay bản giấy"), "issue_delay": _("Văn bản phát hành"),
        "processed": _("Văn bản đến đã giải quyết"), "due": _("Văn bản đến có hạn giải quyết trong kỳ"),
        "activity": _("Cơ quan trong phạm vi"),
    }.get(key, key)


def dim_labels() -> dict[str, str]:
    return {**form_labels(), **channel_labels(),
            "scanned_image": _("Bản quét chỉ có ảnh"), "scanned_text": _("Bản quét có lớp chữ"),
            "born_digital": _("Văn bản điện tử gốc"), "unknown": _("Chưa xác định"),
            "on_time": _("Đúng hạn"), "late": _("Sau hạn"), "overdue": _("Quá hạn, chưa hoàn thành"),
            "pending": _("Chưa đến hạn"), "external": _("Gửi cơ quan khác"),
            "active": _("Có hoạt động trên hệ thống")}


@dataclass
class DrillPage:
    title: str
    dims_label: str
    kind: str  # document | delivery | item | agency
    page: object
    total: int
    visible_ids: set
    extra: dict  # per row: processing days, due status, activity


def _validate(measure: str, dims: list[str]) -> None:
    known = MEASURES.get(measure)
    if known is None or not known.listed:
        raise NotFound(_("Không có số liệu này."))
    allowed = set(known.dims) | ({"active"} if measure == "activity" else set())
    if any(d not in allowed for d in dims):
        raise NotFound(_("Không có số liệu này."))


def rows(ctx: Context, scope: Scope, period: periods.Period, measure: str, dims: list[str]):
    """The measure's rows for the scope and period: a ``Drill`` (documents, deliveries, items) or, for
    the adoption figure, a list of (agency, active)."""
    _validate(measure, dims)
    if measure == "activity":
        active = {a for a, _day, _dim, _v in Activity().compute(ctx, period.start, period.end)}
        agencies = Agency.objects.filter(pk__in=scope.agency_ids).order_by("name")
        listed = [(a, a.pk in active) for a in agencies]
        return [row for row in listed if row[1]] if "active" in dims else listed
    return MEASURES[measure].drill(ctx, scope.agency_ids, period.start, period.end, dims)


def _materialise(drill: Drill, page_items: list) -> list:
    """The page's objects with what the list shows, in the drill's order."""
    if drill.pks is None:
        return list(page_items)
    found = drill.model.objects.select_related(*RELATED[drill.model]).in_bulk(page_items)
    return [found[pk] for pk in page_items if pk in found]


def page(person: Person, scope: Scope, period: periods.Period, measure: str, dims: list[str],
         number) -> DrillPage:
    labels = dim_labels()
    title, dims_label = measure_title(measure), ", ".join(labels.get(d, d) for d in dims)
    ctx = context()
    result = rows(ctx, scope, period, measure, dims)
    if isinstance(result, list):
        paginator = Paginator(result, PAGE_SIZE)
        current = paginator.get_page(number)
        return DrillPage(title, dims_label, "agency", current, paginator.count, set(), {})
    drill: Drill = result
    if drill.pks is not None:
        paginator = Paginator(drill.pks, PAGE_SIZE)
    else:
        paginator = Paginator(drill.queryset.select_related(*RELATED[drill.model]), PAGE_SIZE)
    current = paginator.get_page(number)
    current.object_list = _materialise(drill, list(current.object_list))
    kind = KINDS[drill.model]
    documents = [_document_of(obj) for obj in current.object_list]
    visible = set(access.visible_documents(person).filter(pk__in=[d.pk for d in documents])
                  .values_list("pk", flat=True))
    extra = _extra(measure, current.object_list, ctx) if kind == "item" else {}
    return DrillPage(title, dims_label, kind, current, paginator.count, visible, extra)


def _document_of(obj) -> Document:
    return obj if isinstance(obj, Document) else obj.document


def _extra(measure: str, items: list[IncomingItem], ctx: Context) -> dict:
    out = {}
    for item in items:
        days = None
        if item.completed_at:
            days = ctx.calendar.working_days_between(local_day(item.arrived_at), local_day(item.completed_at))
            days = min(days, PROCESSING_CAP) if measure == "processed" else days
        out[item.pk] = days
    return out
