"""Queries of the reports, always scoped to what the acting person may see.

The province operator (quản trị toàn tỉnh) sees every agency, every group and the whole province; an
agency's leader (lãnh đạo) sees their own agency only. Figures come from the summary tables (whole
months from ``MonthlyCount``, the days at a period's edges from ``DailyCount``); the rows behind a figure
come from the base tables through the measure that counted them.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congvan.directory.models import Agency, Person, Role
from congvan.errors import Forbidden, NotFound
from congvan.reports import periods
from congvan.reports.indicators import Totals
from congvan.reports.models import DailyCount, MonthlyCount, StoredReport, Target

GROUPS = [Agency.Level.PROVINCE, Agency.Level.DEPARTMENT, Agency.Level.COMMUNE]
GROUP_LABELS = {
    Agency.Level.PROVINCE: gettext_lazy("Cấp tỉnh (UBND tỉnh)"),
    Agency.Level.DEPARTMENT: gettext_lazy("Các sở, ban, ngành"),
    Agency.Level.COMMUNE: gettext_lazy("Các xã, phường"),
}


@dataclass(frozen=True)
class Scope:
    """Phạm vi báo cáo: the whole province, a group of agencies of one level, or one agency."""

    key: str  # "province" | "group:<level>" | "agency:<code>"
    kind: str
    label: str
    agency: Agency | None = None
    group: str = ""

    @property
    def agency_ids(self) -> list[int]:
        if self.agency is not None:
            return [self.agency.pk]
        qs = local_agencies()
        if self.group:
            qs = qs.filter(level=self.group)
        return list(qs.values_list("pk", flat=True))

    @property
    def summary_key(self) -> str:
        """The scope of its rows in the summary (an agency by its id, which survives a change of code)."""
        return f"agency:{self.agency.pk}" if self.agency is not None else self.key

    @property
    def is_agency(self) -> bool:
        return self.agency is not None

    @property
    def target_keys(self) -> list[str]:
        """Target scope keys from the most specific to the most general."""
        if self.agency is not None:
            return [f"agency:{self.agency.pk}", f"group:{self.agency.level}", "province"]
        if self.group:
            return [f"group:{self.group}", "province"]
        return ["province"]


def local_agencies():
    """The agencies that work on this installation (the reports' universe)."""
    return Agency.objects.filter(is_local=True, is_active=True)


def is_operator(person: Person) -> bool:
    return bool(person.is_operator)


def can_view(person: Person) -> bool:
    return is_operator(person) or Role.LEADER in person.roles()


def province_scope() -> Scope:
    return Scope("province", "province", _("Toàn tỉnh"))


def group_scope(level: str) -> Scope:
    if level not in GROUP_LABELS:
        raise NotFound(_("Không có nhóm cơ quan này."))
    return Scope(f"group:{level}", "group", str(GROUP_LABELS[level]), group=level)


def agency_scope(agency: Agency) -> Scope:
    return Scope(f"agency:{agency.code}", "agency", agency.name, agency=agency)


def scope_from_key(key: str) -> Scope:
    key = (key or "province").strip()
    if key == "province":
        return province_scope()
    kind, _sep, value = key.partition(":")
    if kind == "group":
        return group_scope(value)
    if kind == "agency":
        agency = local_agencies().filter(code=value.upper()).first()
        if agency is None:
            raise NotFound(_("Không có cơ quan mang mã định danh này trên hệ thống."))
        return agency_scope(agency)
    raise NotFound(_("Phạm vi báo cáo không hợp lệ."))


def resolve_scope(person: Person, key: str | None) -> Scope:
    """The scope asked for, if the person may see it; a leader always gets their own agency."""
    if is_operator(person):
        return scope_from_key(key or "province")
    if Role.LEADER in person.roles():
        own = agency_scope(person.agency)
        if key and key not in (own.key, "province"):
            raise Forbidden(_("Lãnh đạo cơ quan chỉ xem được số liệu của cơ quan mình."))
        return own
    raise Forbidden(_("Chỉ quản trị toàn tỉnh và lãnh đạo cơ quan được xem báo cáo."))


def scope_choices(person: Person) -> list[tuple[str, str]]:
    if not is_operator(person):
        return [(agency_scope(person.agency).key, person.agency.name)]
    levels = set(local_agencies().values_list("level", flat=True))
    choices = [("province", _("Toàn tỉnh"))]
    choices += [(f"group:{g}", str(GROUP_LABELS[g])) for g in GROUPS if g in levels]
    choices += [(f"agency:{a.code}", a.name) for a in local_agencies().order_by("level", "name")]
    return choices


# --- Sums over the summary ----------------------------------------------------------------------------------

def _collect(period: periods.Period, by: str, **filters) -> dict:
    """{key: Totals} of the summary rows matching ``filters`` over the period, keyed by their month
    (``by="month"``) or their scope (``by="scope"``). Whole months are read from MonthlyCount, the days at
    the period's edges from DailyCount."""
    split = periods.split(period)
    out: dict = defaultdict(Totals)
    parts = []  # (rows, the field of the key in them, or the key of them all)
    if split.full_months:
        rows = MonthlyCount.objects.filter(month__in=split.full_months, **filters)
        parts.append((rows, "month" if by == "month" else "scope", None))
    for lo, hi in split.edges:
        rows = DailyCount.objects.filter(day__gte=lo, day__lte=hi, **filters)
        parts.append((rows, None, periods.month_start(lo)) if by == "month" else (rows, "scope", None))
    for rows, key_field, fixed_key in parts:
        fields = ("measure", "dim") + ((key_field,) if key_field else ())
        for row in rows.order_by().values(*fields).annotate(total=Sum("value")).values_list(*fields, "total"):
            out[row[2] if key_field else fixed_key].add_value(row[0], row[1], int(row[-1]))
    return out


def totals_by_month(scope: Scope, period: periods.Period) -> dict:
    """{first day of month: Totals} of the scope, every month of the period present (their sum is the
    period's)."""
    found = _collect(period, "month", scope=scope.summary_key)
    return {m: found.get(m, Totals()) for m in periods.months(period.start, period.end)}


def totals_by_agency(agency_ids: list[int], period: periods.Period, measures) -> dict[int, Totals]:
    found = _collect(period, "scope", scope__in=[f"agency:{pk}" for pk in agency_ids], measure__in=list(measures))
    return {int(key.split(":")[1]): totals for key, totals in found.items()}


# --- Targets ------------------------------------------------------------------------------------------------

def targets_for(year: int, scope: Scope) -> dict[str, Target]:
    """{indicator key: the target that applies} — the agency's own, else its group's, else the province's."""
    found: dict[str, Target] = {}
    rows = Target.objects.filter(year=year, scope_key__in=scope.target_keys)
    rank = {key: i for i, key in enumerate(scope.target_keys)}
    for target in sorted(rows, key=lambda t: rank[t.scope_key]):
        found.setdefault(target.indicator, target)
    return found


def targets_of_year(year: int):
    return Target.objects.filter(year=year).select_related("agency").order_by("indicator", "scope_key")


def target_years() -> list[int]:
    return sorted(set(Target.objects.values_list("year", flat=True)), reverse=True)


# --- Stored reports -----------------------------------------------------------------------------------------

def stored_reports(person: Person):
    """The 1 December drafts the person may download: all of them for the operator, their agency's for a
    leader, none for anyone else."""
    qs = StoredReport.objects.select_related("agency")
    if is_operator(person):
        return qs
    return qs.filter(agency_id=person.agency_id) if can_view(person) else qs.none()
