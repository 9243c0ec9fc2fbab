"""Template filters of the reports: numbers in the reader's locale, indicator values with their unit,
and the drill-down link of a figure."""

from functools import lru_cache
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import translation
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from congvan.reports.indicators import COUNT, DAYS, MONEY, PAGES, PERCENT

register = template.Library()


@register.filter
def num(value, decimals=0):
    """1234567 → "1.234.567" (Vietnamese) / "1,234,567" (English), groups of three; None → "—"."""
    if value is None or value == "":
        return "—"
    decimals = int(decimals)
    number = round(float(value), decimals)
    if decimals and number == int(number):
        decimals = 0
    text = f"{number:,.{decimals}f}"  # "1,234.5"
    thousands, decimal = _separators(get_language())
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)


@lru_cache(maxsize=8)
def _separators(language: str) -> tuple[str, str]:
    with translation.override(language):
        return get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR")


def format_value(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == PERCENT:
        return f"{num(value, 1)}%"
    if unit == MONEY:
        return f"{num(value)} đ"
    if unit == DAYS:
        return num(value, 1)
    return num(value) if unit in (COUNT, PAGES) else str(value)


@register.filter
def ind_value(row) -> str:
    return format_value(row.result.value, row.indicator.unit)


@register.filter
def ind_target(row) -> str:
    if row.target is None:
        return ""
    sign = {">=": "≥", "<": "<", "<=": "≤"}[row.indicator.comparison]
    return f"{sign} {format_value(float(row.target), row.indicator.unit)}"


@register.filter
def unit_value(value, unit) -> str:
    return format_value(value, unit)


@register.simple_tag(takes_context=True)
def drill(context, measure, dims=()):
    """URL of the rows behind a figure, keeping the page's scope and period."""
    params = dict(context.get("filter_params") or {})
    params["m"] = measure
    if dims:
        params["d"] = ",".join(dims)
    return reverse("reports-drill") + "?" + urlencode(params)


@register.filter
def svg(markup: str):
    """A chart from congvan.reports.charts (built from escaped text only)."""
    return mark_safe(markup or "")  # noqa: S308 - our own SVG, every text inside is escaped


@register.filter
def urlencode_params(params, agency_code=None) -> str:
    """The filter's query string; with an agency code, the same period for that agency."""
    params = dict(params or {})
    if agency_code:
        params["scope"] = f"agency:{agency_code}"
    return urlencode(params)


@register.simple_tag
def ranking_rows(report, params=None):
    """The ranking's rows, built here rather than by a template loop (two hundred agencies, seven cells
    each): each agency's name links to its own figures for the same period when ``params`` is given."""
    from django.utils.html import format_html, format_html_join
    from django.utils.translation import gettext

    from congvan.reports.data import RANKING_INDICATORS
    from congvan.reports.indicators import INDICATORS

    units = [INDICATORS[key].unit for key in RANKING_INDICATORS]
    idle = format_html(' <span class="badge bg-warning text-dark idle">{}</span>', gettext("chưa sử dụng"))
    rows = []
    for rank, row in enumerate(report.ranking, start=1):
        name = format_html('<a href="?{}">{}</a>', urlencode_params(params, row.agency.code), row.agency.name) \
            if params is not None else row.agency.name
        cells = format_html_join("", '<td class="text-end n">{}</td>',
                                 ((format_value(row.values[key], unit),) for key, unit in zip(
                                     RANKING_INDICATORS, units, strict=True)))
        rows.append(format_html('<tr data-agency="{}"><td class="c">{}</td><td>{}{}</td><td class="text-end n">{}'
                                '</td>{}</tr>', row.agency.code, rank, name, "" if row.active else idle,
                                num(row.issued), cells))
    return mark_safe("".join(rows))  # noqa: S308 - every part above went through format_html


@register.simple_tag
def scope_options(form):
    """The options of the scope list (the province, the groups, then every agency: two hundred of them),
    written here: rendering them through the widget's templates takes longer than the rest of the page."""
    from django.utils.html import format_html, format_html_join

    current = form["scope"].value()
    return format_html_join("", "{}", ((format_html('<option value="{}"{}>{}</option>', value,
                                                    mark_safe(" selected") if value == current else "", label),)
                                       for value, label in form.fields["scope"].choices))
