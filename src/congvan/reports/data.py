"""Everything a dashboard or a report shows for one scope and one period, computed once.

The web page, the PDF and the xlsx all render a ``ReportData``: the same figures, targets and charts.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.directory.models import Agency
from congvan.documents.models import Form
from congvan.reports import charts, periods
from congvan.reports.indicators import (
    INDICATORS,
    Indicator,
    Inputs,
    Result,
    Totals,
    active_indicators,
    percent,
)
from congvan.reports.models import ReportSettings
from congvan.reports.relations import OVERLAYS, RELATIONS
from congvan.reports.selectors import Scope, targets_for, totals_by_agency, totals_by_month
from congvan.workflow.models import Channel

SECTIONS = ["exchange", "adoption", "processing", "savings", "mail"]
FORMS = ["electronic", "hybrid", "paper"]
RANKING_INDICATORS = ["electronic_share", "between_electronic_share", "issue_on_time_share",
                      "incoming_on_time_share"]
RANKING_MEASURES = ("issued", "rel_between", "issue_delay", "due", "activity")  # what the ranking reads


def section_titles() -> dict[str, str]:
    return {"exchange": _("Trao đổi văn bản điện tử"), "adoption": _("Mức độ sử dụng hệ thống"),
            "processing": _("Xử lý, phát hành văn bản"), "savings": _("Hiệu quả tiết kiệm (ước tính)"),
            "mail": _("Thư điện tử công vụ")}


def relation_labels() -> dict[str, str]:
    return {"internal": _("Nội bộ cơ quan"), "between": _("Giữa các cơ quan nhà nước trong tỉnh"),
            "outside": _("Với cơ quan Trung ương, tỉnh khác"), "public": _("Với tổ chức, doanh nghiệp, cá nhân"),
            "submission": _("Hồ sơ trình UBND tỉnh"), "commune": _("Giữa cấp tỉnh và cấp xã")}


def form_labels() -> dict[str, str]:
    return {**{value: str(label) for value, label in Form.choices}, "secret": _("Văn bản mật (giấy)")}


def channel_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Channel.choices}


def period_label(period: periods.Period) -> str:
    if period.kind == "year":
        return _("Năm %(year)s") % {"year": period.year}
    if period.kind == "quarter":
        return _("Quý %(q)s năm %(year)s") % {"q": periods.ROMAN[period.number], "year": period.year}
    if period.kind == "month":
        return _("Tháng %(m)s năm %(year)s") % {"m": period.number, "year": period.year}
    return _("Từ %(start)s đến %(end)s") % {"start": period.start.strftime("%d/%m/%Y"),
                                            "end": period.end.strftime("%d/%m/%Y")}


@dataclass
class IndicatorRow:
    indicator: Indicator
    result: Result
    target: Decimal | None = None
    target_note: str = ""
    met: bool | None = None
    number: int = 0  # its place in the report (1, 2 …)

    @property
    def key(self) -> str:
        return self.indicator.key


@dataclass
class TableRow:
    key: str
    label: str
    cells: list  # numbers (counts), each with its drill-down (measure, dims)


@dataclass
class RankingRow:
    agency: Agency
    issued: int
    active: bool
    values: dict[str, float | None]


@dataclass
class MonthRow:
    month: date
    issued: int
    electronic: int
    hybrid: int
    paper: int
    received: int
    electronic_share: float | None
    hybrid_share: float | None


@dataclass
class ReportData:
    scope: Scope
    period: periods.Period
    period_label: str
    settings: ReportSettings
    totals: Totals
    agency_ids: list[int]
    active_ids: set[int]
    rows: list[IndicatorRow]
    relations: list[TableRow]
    issued_forms: list[TableRow]
    channels: list[TableRow]
    received_forms: list[TableRow]
    months: list[MonthRow]
    ranking: list[RankingRow] = field(default_factory=list)
    charts: dict[str, str] = field(default_factory=dict)
    generated_at: datetime = field(default_factory=timezone.now)

    def sections(self) -> list[tuple[str, str, list[IndicatorRow]]]:
        titles = section_titles()
        return [(s, titles[s], [r for r in self.rows if r.indicator.section == s]) for s in SECTIONS
                if any(r.indicator.section == s for r in self.rows)]

    @property
    def row_by_key(self) -> dict[str, IndicatorRow]:
        return {r.key: r for r in self.rows}


def evaluate(indicators: list[Indicator], inputs: Inputs, targets: dict) -> list[IndicatorRow]:
    rows = []
    ordered = sorted(indicators, key=lambda i: SECTIONS.index(i.section) if i.section in SECTIONS else len(SECTIONS))
    for number, ind in enumerate(ordered, start=1):
        result = ind.compute(inputs)
        target = targets.get(ind.key)
        value = target.value if target else None
        rows.append(IndicatorRow(ind, result, value, target.note if target else "", ind.met(result.value, value),
                                 number))
    return rows


def build(scope: Scope, period: periods.Period, *, ranking: bool | None = None, chart_font: str | None = None
          ) -> ReportData:
    """The figures of ``scope`` over ``period``; ``ranking`` (default: for a group or the province) adds the
    ranking of its agencies."""
    settings = ReportSettings.current()
    agency_ids = scope.agency_ids
    by_month = totals_by_month(scope, period)
    totals = Totals()
    for month_totals in by_month.values():
        totals.add(month_totals)
    show_ranking = (not scope.is_agency) if ranking is None else ranking
    by_agency = totals_by_agency(agency_ids, period, RANKING_MEASURES) if show_ranking or not scope.is_agency \
        else {}
    if scope.is_agency:
        active = {scope.agency.pk} if totals.get("activity") else set()
    else:
        active = {pk for pk, t in by_agency.items() if t.get("activity")}
    inputs = Inputs(totals, agency_ids, active, period, settings)
    rows = evaluate(active_indicators(), inputs, targets_for(period.end.year, scope))
    months = _months(by_month)
    data = ReportData(scope, period, period_label(period), settings, totals, agency_ids, active, rows,
                      _relations(totals), _forms(totals, "issued"), _channels(totals),
                      _forms(totals, "received_form"), months)
    if show_ranking:
        data.ranking = _ranking(by_agency, agency_ids, period, settings)
    data.charts = _charts(data, chart_font or charts.FONT)
    return data


def _relations(t: Totals) -> list[TableRow]:
    labels = relation_labels()
    rows = []
    for rel in RELATIONS + OVERLAYS:
        measure = f"rel_{rel}"
        rows.append(TableRow(rel, labels[rel], [(t.get(measure), measure, ())] +
                             [(t.get(measure, f), measure, (f,)) for f in FORMS]))
    return rows


def _forms(t: Totals, measure: str) -> list[TableRow]:
    labels = form_labels()
    return [TableRow(f, labels[f], [(t.get(measure, f), measure, (f,))]) for f in [*FORMS, "secret"]]


def _channels(t: Totals) -> list[TableRow]:
    return [TableRow(c, label, [(t.get("sent", c), "sent", (c,)), (t.get("received", c), "received", (c,))])
            for c, label in channel_labels().items()]


def _months(by_month: dict) -> list[MonthRow]:
    rows = []
    for month, t in sorted(by_month.items()):
        e, h, p = (t.get("issued", f) for f in FORMS)
        rows.append(MonthRow(month, e + h + p + t.get("issued", "secret"), e, h, p, t.get("received"),
                             percent(e, e + h + p), percent(h, e + h + p)))
    return rows


def _ranking(by_agency: dict[int, Totals], agency_ids: list[int], period, settings) -> list[RankingRow]:
    indicators = [INDICATORS[k] for k in RANKING_INDICATORS]
    rows = []
    for agency in Agency.objects.filter(pk__in=agency_ids):
        t = by_agency.get(agency.pk, Totals())
        active = {agency.pk} if t.get("activity") else set()
        inputs = Inputs(t, [agency.pk], active, period, settings)
        rows.append(RankingRow(agency, t.get("issued"), bool(active),
                               {i.key: i.compute(inputs).value for i in indicators}))
    rows.sort(key=lambda r: (r.values["electronic_share"] is None, -(r.values["electronic_share"] or 0),
                             -r.issued, r.agency.name))
    return rows


def _charts(data: ReportData, font: str) -> dict[str, str]:
    out = {}
    labels = [f"{m.month:%m/%Y}" if len(data.months) > 12 else f"{m.month.month:02d}" for m in data.months]
    out["trend"] = charts.line_chart(
        labels, [(_("Điện tử hoàn toàn"), [m.electronic_share for m in data.months]),
                 (_("Điện tử kèm giấy"), [m.hybrid_share for m in data.months])],
        _("Tỷ lệ văn bản phát hành theo tháng"), font=font)
    names = [form_labels()[f] for f in FORMS]
    out["relations"] = charts.stacked_share_chart(
        [(r.label, [c[0] for c in r.cells[1:]]) for r in data.relations], names,
        _("Hình thức văn bản theo quan hệ trao đổi"), font=font)
    if data.ranking:
        top = data.ranking[:20]
        out["ranking"] = charts.bar_chart([(r.agency.name, r.values["electronic_share"]) for r in top],
                                          _("Tỷ lệ văn bản điện tử hoàn toàn theo cơ quan"), max_value=100,
                                          label_width=320, font=font)
    return out
