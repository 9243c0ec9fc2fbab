"""Use cases of the reports: the operator's targets and assumptions, and the 1 December drafts.

Every change is one transaction with its audit entry."""

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from congvan import audit
from congvan.directory.models import Agency, Person, Role
from congvan.documents import storage
from congvan.errors import Forbidden, NotFound, ServiceError
from congvan.reports import data, exports, periods, summary
from congvan.reports.indicators import INDICATORS, PERCENT
from congvan.reports.models import ReportSettings, StoredReport, Target
from congvan.reports.selectors import GROUP_LABELS, agency_scope, local_agencies, province_scope
from congvan.text import clean
from congvan.workflow.notify import notify, operators, people_with_role

log = logging.getLogger(__name__)


def _require_operator(person: Person) -> None:
    if not person.is_operator:
        raise Forbidden(_("Chỉ quản trị toàn tỉnh được thay đổi chỉ tiêu và giả định của báo cáo."))


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ServiceError(_("%(field)s phải là một số.") % {"field": field}, code="invalid_number")
    if not number.is_finite():
        raise ServiceError(_("%(field)s phải là một số.") % {"field": field}, code="invalid_number")
    return number


@transaction.atomic
def save_target(person: Person, *, year, indicator: str, scope: str = Target.Scope.PROVINCE, group: str = "",
                agency: Agency | None = None, value, note: str = "") -> Target:
    """Set the target of one indicator for a year and a scope (replacing the one already set)."""
    _require_operator(person)
    ind = INDICATORS.get(indicator)
    if ind is None:
        raise ServiceError(_("Không có chỉ số này."), code="unknown_indicator")
    try:
        year = int(year)
        periods.year(year)
    except (TypeError, ValueError):
        raise ServiceError(_("Năm không hợp lệ."), code="invalid_year")
    number = _decimal(value, _("Chỉ tiêu"))
    if number < 0 or (ind.unit == PERCENT and number > 100):
        raise ServiceError(_("Chỉ tiêu tỷ lệ phải từ 0 đến 100 (%)."), code="invalid_target")
    if scope == Target.Scope.GROUP and group not in GROUP_LABELS:
        raise ServiceError(_("Hãy chọn nhóm cơ quan."), code="group_required")
    if scope == Target.Scope.AGENCY and agency is None:
        raise ServiceError(_("Hãy chọn cơ quan."), code="agency_required")
    if scope not in Target.Scope.values:
        raise ServiceError(_("Phạm vi không hợp lệ."), code="invalid_scope")
    group = group if scope == Target.Scope.GROUP else ""
    agency = agency if scope == Target.Scope.AGENCY else None
    key = Target.key_for(scope, group, agency.pk if agency else None)
    target, created = Target.objects.update_or_create(year=year, indicator=indicator, scope_key=key, defaults={
        "scope": scope, "group": group, "agency": agency, "value": number, "note": clean(note)[:255],
        "updated_by": person})
    audit.record("report.target_set", actor=person, obj=target, year=year, indicator=indicator, scope=key,
                 value=str(number), created=created)
    return target


@transaction.atomic
def delete_target(person: Person, pk) -> None:
    _require_operator(person)
    target = Target.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if target is None:
        raise NotFound(_("Không có chỉ tiêu này."))
    audit.record("report.target_delete", actor=person, obj=target, year=target.year, indicator=target.indicator,
                 scope=target.scope_key, value=str(target.value))
    target.delete()


@transaction.atomic
def update_settings(person: Person, *, paper_cost_per_page, postage_per_document, postal_days, default_pages,
                    directive: str, submission_agencies: list[Agency]) -> ReportSettings:
    """The cost assumptions and the submission recipients. Changing the recipients changes which documents
    count as submissions: every day is computed again by the worker."""
    _require_operator(person)
    values = {}
    for name, value, label in (("paper_cost_per_page", paper_cost_per_page, _("Chi phí in, giấy một trang")),
                               ("postage_per_document", postage_per_document, _("Cước chuyển phát")),
                               ("default_pages", default_pages, _("Số trang mặc định"))):
        number = _decimal(value, label)
        if number < 0 or number != number.to_integral_value() or number > 10**9:
            raise ServiceError(_("%(field)s phải là số nguyên không âm.") % {"field": label}, code="invalid_number")
        values[name] = int(number)
    days = _decimal(postal_days, _("Số ngày chuyển phát"))
    if not Decimal(0) <= days <= Decimal(60):
        raise ServiceError(_("Số ngày chuyển phát phải từ 0 đến 60."), code="invalid_number")
    current = ReportSettings.current()
    before = set(current.submission_agencies.values_list("pk", flat=True))
    for name, value in values.items():
        setattr(current, name, value)
    current.postal_days, current.directive, current.updated_by = days.quantize(Decimal("0.1")), clean(directive), person
    current.save()
    current.submission_agencies.set(submission_agencies)
    after = {a.pk for a in submission_agencies}
    redo = before != after
    if redo:
        summary.mark_everything_dirty()
    audit.record("report.settings", actor=person, obj=current, **{k: v for k, v in values.items()},
                 postal_days=str(current.postal_days), submission_agencies=sorted(after), recompute=redo)
    return current


# --- The 1 December drafts ---------------------------------------------------------------------------------

DECEMBER = (12, 1)


@dataclass
class Generated:
    year: int
    created: list[str]


def december_period(year: int) -> periods.Period:
    """The report of 1 December covers 1 January to 30 November (the days already over)."""
    return periods.custom(date(year, 1, 1), date(year, 11, 30))


def _store(year: int, scope, agency: Agency | None, period: periods.Period, on: date) -> StoredReport | None:
    key = "province" if agency is None else f"agency:{agency.pk}"
    if StoredReport.objects.filter(year=year, kind=StoredReport.Kind.DECEMBER, scope_key=key).exists():
        return None
    report = data.build(scope, period, chart_font=exports.PDF_FONT)
    pdf = storage.store_bytes(exports.render_pdf(report, draft=True, on=on))
    xlsx = storage.store_bytes(exports.render_xlsx(report))
    with transaction.atomic():
        stored, created = StoredReport.objects.get_or_create(
            year=year, kind=StoredReport.Kind.DECEMBER, scope_key=key,
            defaults={"agency": agency, "period_start": period.start, "period_end": period.end, "pdf": pdf,
                      "xlsx": xlsx})
        if not created:
            return None
        audit.record("report.december_draft", agency=agency, obj=stored, year=year, scope=key)
        url = reverse("reports-stored")
        if agency is None:
            notify(operators(), _("Dự thảo báo cáo tổng hợp sử dụng văn bản điện tử năm %(year)s đã sẵn sàng.")
                   % {"year": year}, url, key=f"report:{year}:province")
        else:
            notify(people_with_role(agency, Role.LEADER),
                   _("Dự thảo báo cáo sử dụng văn bản điện tử năm %(year)s của cơ quan đã sẵn sàng để xem, ký.")
                   % {"year": year}, url, key=f"report:{year}:{agency.pk}")
    return stored


def december_due(today: date, *, force: bool = False) -> list[str]:
    """The scopes (``agency:<pk>``, then ``province``) whose 1 December draft of this year is not stored yet:
    none before 1 December unless ``force`` (the operator's command, still for the current year)."""
    if (today.month, today.day) < DECEMBER and not force:
        return []
    stored = set(StoredReport.objects.filter(year=today.year, kind=StoredReport.Kind.DECEMBER)
                 .values_list("scope_key", flat=True))
    keys = [f"agency:{pk}" for pk in local_agencies().order_by("code").values_list("pk", flat=True)] + ["province"]
    return [key for key in keys if key not in stored]


def december_draft(year: int, key: str, on: date) -> str | None:
    """One scope's draft of the year (its agency's code, or ``province``), unless it is stored already."""
    agency = None if key == "province" else local_agencies().filter(pk=int(key.split(":", 1)[1])).first()
    if key != "province" and agency is None:
        return None
    with translation.override("vi"):
        stored = _store(year, province_scope() if agency is None else agency_scope(agency), agency,
                        december_period(year), on)
    if stored is None:
        return None
    log.info("1 December draft of %s: %s", year, key)
    return "province" if agency is None else agency.code


def december_drafts(today: date, *, force: bool = False) -> Generated:
    """On or after 1 December: each local agency's draft and the province's consolidated one, once per
    year (a report already stored is left alone, so running it again is harmless). The worker makes them
    one task each (reports.tasks), so that it can stop between two."""
    done = Generated(today.year, [])
    keys = december_due(today, force=force)
    if keys:
        summary.refresh()
    for key in keys:
        if code := december_draft(today.year, key, today):
            done.created.append(code)
    return done
