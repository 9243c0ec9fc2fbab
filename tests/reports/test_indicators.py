"""Each indicator's exact value over the known history (tests/reports/history.py), for the province, a
group and one agency over a quarter; the targets met or not; and every drill-down listing exactly the
documents its figure counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from congvan.reports import data, drilldown, periods, selectors, summary
from congvan.reports.measures import MEASURES
from congvan.reports.models import ReportSettings, Target
from tests.reports.history import YEAR, at

pytestmark = pytest.mark.postgres



def values(report) -> dict:
    return {row.key: row.result.value for row in report.rows}


def test_province_year_indicators(history):
    report = data.build(selectors.province_scope(), periods.year(YEAR))
    v = values(report)
    assert v["electronic_share"] == 50.0  # D1 D5 D7 D8 of 8 non-secret documents
    assert v["hybrid_share"] == 25.0  # D2 D6
    assert v["internal_electronic_share"] == 100.0  # D5 and D7 were sent to their own agency
    assert v["between_electronic_share"] == 50.0  # D1 D5 D8 of D1 D2 D3 D5 D8 D9
    assert v["between_hybrid_share"] == 16.67  # D2
    assert v["submission_electronic_share"] == 75.0  # D2 D5 D8 of D2 D3 D5 D8 (to UBND tỉnh or its office)
    assert v["commune_electronic_share"] == 75.0  # D1 D5 D8 of D1 D5 D8 D9
    assert v["outside_electronic_share"] == 100.0  # D6 to VPCP and Nghệ An
    assert v["public_electronic_share"] == 100.0  # D6 to a business
    assert v["scanned_share"] == 60.0  # D2 D6 D8 scanned, D1 D5 born digital; D7 not classified
    assert v["adoption_share"] == 66.67  # P N K DC QN issued, V registered; PL, T, Y did nothing
    assert v["issue_on_time_share"] == 77.78  # D2 and D9 issued later than the next working day
    assert v["incoming_on_time_share"] == 40.0  # D1→N, D8→V on time; D1→K, D10→P late; D1→DC overdue
    assert v["overdue_count"] == 3
    assert v["processing_median"] == 2.5  # 0 1 2 3 10 10 working days
    assert v["processing_p90"] == 10.0
    assert v["saved_pages"] == 15.0  # D1 2×3 + D5 3×2 + D7 1 + D8 (no page count: 2 by default)
    assert v["saved_money"] == 15 * 500 + 5 * 25000  # pages × 500 đ + 5 deliveries to another agency × 25 000 đ
    assert v["saved_days"] == 10.0  # 5 × 2 days
    rows = report.row_by_key
    assert (rows["scanned_share"].result.numerator.value, rows["scanned_share"].result.denominator.value) == (3, 5)
    assert rows["scanned_share"].result.parts[0].value == 1  # D7, not classified
    assert (rows["adoption_share"].result.numerator.value, rows["adoption_share"].result.denominator.value) == (6, 9)

    t = report.totals
    assert {f: t.get("issued", f) for f in ("electronic", "hybrid", "paper", "secret")} == \
        {"electronic": 4, "hybrid": 2, "paper": 2, "secret": 1}
    assert {c: t.get("sent", c) for c in ("internal", "exchange", "email", "paper")} == \
        {"internal": 9, "exchange": 2, "email": 1, "paper": 3}
    assert {c: t.get("received", c) for c in ("internal", "exchange", "email", "paper")} == \
        {"internal": 9, "exchange": 1, "email": 0, "paper": 3}
    assert {f: t.get("received_form", f) for f in ("electronic", "hybrid", "paper", "secret")} == \
        {"electronic": 8, "hybrid": 2, "paper": 2, "secret": 1}
    relations = {r.key: [c[0] for c in r.cells] for r in report.relations}  # total, electronic, hybrid, paper
    assert relations == {"internal": [2, 2, 0, 0], "between": [6, 3, 1, 2], "outside": [1, 0, 1, 0],
                         "public": [1, 0, 1, 0], "submission": [4, 2, 1, 1], "commune": [4, 3, 0, 1]}
    months = {m.month.month: (m.issued, m.electronic, m.hybrid, m.paper, m.received) for m in report.months}
    assert months[1] == (5, 2, 1, 1, 9) and months[2] == (3, 2, 1, 0, 2) and months[4] == (1, 0, 0, 1, 2)
    assert months[3] == (0, 0, 0, 0, 0) and len(months) == 12
    ranking = [r.agency.code for r in report.ranking]
    assert ranking[:2] in (["000.63.00.H21", "000.62.00.H21"], ["000.62.00.H21", "000.63.00.H21"])  # 100 %


def test_one_agency_one_quarter_and_a_group(history):
    noi_vu = selectors.scope_from_key("agency:000.05.00.H21")
    q1 = data.build(noi_vu, periods.quarter(YEAR, 1))
    v = values(q1)
    assert v["electronic_share"] == 50.0  # D7 of D2 D7
    assert v["internal_electronic_share"] == 100.0  # D7
    assert v["submission_electronic_share"] == 100.0  # D2 (hybrid: it has an electronic copy)
    assert v["issue_on_time_share"] == 50.0  # D2 late, D7 on time
    assert v["processing_median"] == 2.0 and v["incoming_on_time_share"] == 100.0  # D1→N 3 days, D7→N 1 day
    assert v["adoption_share"] == 100.0 and q1.ranking == []
    assert data.build(noi_vu, periods.quarter(YEAR, 2)).totals.sums == {}  # nothing in April–June
    communes = data.build(selectors.group_scope("commune"), periods.year(YEAR))
    v = values(communes)
    assert v["adoption_share"] == 66.67  # DC and QN, not PL
    assert v["electronic_share"] == 100.0  # D5 D8
    assert v["commune_electronic_share"] == 100.0
    assert [r.agency.code for r in communes.ranking][-1] == "000.61.00.H21"  # PL: nothing issued
    # A custom range cut inside months reads the daily rows at its edges: 08/01 – 12/02.
    edges = data.build(selectors.province_scope(), periods.custom(*(d.date() for d in (
        history[0]["D2"].issued_at, history[0]["D8"].issued_at))))
    assert edges.totals.get("issued") == 7  # D2 … D8
    assert edges.totals.get("received") == 8  # D2×2, D3, D4, D5×2, D7, D8 (D6 went to other installations)


def test_targets_met_or_not(history, person):
    from congvan.reports import services

    operator = person("quantri")
    noi_vu = selectors.scope_from_key("agency:000.05.00.H21").agency
    services.save_target(operator, year=YEAR, indicator="internal_electronic_share", value=90)
    services.save_target(operator, year=YEAR, indicator="electronic_share", value=80)
    services.save_target(operator, year=YEAR, indicator="electronic_share", scope="agency", agency=noi_vu, value=40)
    services.save_target(operator, year=YEAR, indicator="scanned_share", value="50")
    services.save_target(operator, year=YEAR, indicator="adoption_share", scope="group", group="commune", value=100)
    services.save_target(operator, year=YEAR, indicator="processing_median", value="2,5")
    province = data.build(selectors.province_scope(), periods.year(YEAR)).row_by_key
    assert (province["internal_electronic_share"].target, province["internal_electronic_share"].met) == (90, True)
    assert (province["electronic_share"].target, province["electronic_share"].met) == (80, False)  # 50 %
    assert province["scanned_share"].met is False  # 60 % is not under 50 %
    assert province["processing_median"].met is True  # 2.5 ≤ 2.5
    assert province["adoption_share"].target is None  # the communes' target is not the province's
    assert province["between_electronic_share"].met is None  # no target set
    own = data.build(selectors.scope_from_key("agency:000.05.00.H21"), periods.year(YEAR)).row_by_key
    assert (own["electronic_share"].target, own["electronic_share"].met) == (Decimal("40.00"), True)  # its own
    assert own["internal_electronic_share"].target == 90  # the province's, for want of its own
    communes = data.build(selectors.group_scope("commune"), periods.year(YEAR)).row_by_key
    assert (communes["adoption_share"].target, communes["adoption_share"].met) == (100, False)  # 2 of 3
    duc_co = data.build(selectors.scope_from_key("agency:000.63.00.H21"), periods.year(YEAR)).row_by_key
    assert (duc_co["adoption_share"].target, duc_co["adoption_share"].met) == (100, True)  # its group's
    # Setting it again replaces it; another year's targets do not apply.
    services.save_target(operator, year=YEAR, indicator="electronic_share", value=45)
    services.save_target(operator, year=YEAR + 1, indicator="electronic_share", value=10)
    assert Target.objects.filter(year=YEAR, indicator="electronic_share", scope_key="province").get().value == 45
    assert data.build(selectors.province_scope(), periods.year(YEAR)).row_by_key["electronic_share"].met is True


def test_target_input_is_checked(demo, person):
    from congvan.errors import Forbidden, ServiceError
    from congvan.reports import services

    operator = person("quantri")
    for kwargs in ({"indicator": "electronic_share", "value": 120}, {"indicator": "nope", "value": 1},
                   {"indicator": "electronic_share", "value": "abc"},
                   {"indicator": "electronic_share", "value": 5, "scope": "group", "group": "xyz"},
                   {"indicator": "electronic_share", "value": 5, "scope": "agency"}):
        with pytest.raises(ServiceError):
            services.save_target(operator, year=YEAR, **kwargs)
    with pytest.raises(Forbidden):
        services.save_target(person("lanhdao.sonoivu"), year=YEAR, indicator="electronic_share", value=50)
    assert not Target.objects.filter(year=YEAR).exists()


EXPECTED_ROWS = {  # (measure, dims): documents (or document→recipient) the figure counts, province, 2025
    ("issued", ("electronic",)): {"D1", "D5", "D7", "D8"},
    ("issued", ("hybrid",)): {"D2", "D6"},
    ("issued", ("paper",)): {"D3", "D9"},
    ("issued", ("secret",)): {"D4"},
    ("rel_internal", ()): {"D5", "D7"},
    ("rel_between", ()): {"D1", "D2", "D3", "D5", "D8", "D9"},
    ("rel_between", ("electronic",)): {"D1", "D5", "D8"},
    ("rel_outside", ()): {"D6"},
    ("rel_public", ()): {"D6"},
    ("rel_submission", ()): {"D2", "D3", "D5", "D8"},
    ("rel_submission", ("electronic", "hybrid")): {"D2", "D5", "D8"},
    ("rel_commune", ()): {"D1", "D5", "D8", "D9"},
    ("scanned", ("scanned_image", "scanned_text")): {"D2", "D6", "D8"},
    ("scanned", ("born_digital",)): {"D1", "D5"},
    ("scanned", ("unknown",)): {"D7"},
    ("issue_delay", ("late",)): {"D2", "D9"},
    ("sent", ("exchange",)): {"D6>VPCP", "D6>NA"},
    ("sent", ("email",)): {"D6>BIZ"},
    ("sent", ("paper",)): {"D3>P", "D4>N", "D9>PL"},
    ("received", ("exchange",)): {"D10>P"},
    ("received", ("paper",)): {"D3>P", "D4>N", "D9>PL"},
    ("received_form", ("secret",)): {"D4>N"},
    ("saved", ("internal",)): {"D5>DC", "D7>N"},
    ("saved", ("external",)): {"D1>N", "D1>K", "D1>DC", "D5>P", "D8>V"},
    ("saved_nopages", ()): {"D8>V"},
    ("processed", ()): {"D1>N", "D1>K", "D2>P", "D7>N", "D8>V", "D10>P"},
    ("processed", ("10",)): {"D1>K", "D10>P"},
    ("due", ("late", "overdue")): {"D1>K", "D10>P", "D1>DC"},
    ("due", ("on_time",)): {"D1>N", "D8>V"},
}


def _names(history) -> dict:
    from tests.reports.history import CODES

    docs, _items = history
    by_doc = {doc.pk: name for name, doc in docs.items()}
    agencies = {code: name for name, code in CODES.items()} | {"000.05.00.H41": "NA", "CTYCAPHEGIALAI": "BIZ"}
    return by_doc, agencies


def _listed(page_rows, by_doc, agencies) -> set[str]:
    out = set()
    for obj in page_rows:
        if hasattr(obj, "recipient"):  # a delivery
            out.add(f"{by_doc[obj.document_id]}>{agencies[obj.recipient.code]}")
        elif hasattr(obj, "arrived_at"):  # an incoming item
            out.add(f"{by_doc[obj.document_id]}>{agencies[obj.agency.code]}")
        else:
            out.add(by_doc[obj.pk])
    return out


def test_drill_down_lists_exactly_what_is_counted(history, person):
    by_doc, agencies = _names(history)
    scope, period = selectors.province_scope(), periods.year(YEAR)
    totals = data.build(scope, period).totals
    operator = person("quantri")
    for (measure, dims), expected in EXPECTED_ROWS.items():
        page = drilldown.page(operator, scope, period, measure, list(dims), 1)
        listed = _listed(page.page.object_list, by_doc, agencies)
        assert listed == expected, (measure, dims)
        assert page.total == len(listed) == totals.get(measure, *dims), (measure, dims)


def test_drill_down_of_adoption_lists_agencies(history, person):
    scope, period = selectors.province_scope(), periods.year(YEAR)
    active = drilldown.page(person("quantri"), scope, period, "activity", ["active"], 1)
    assert {a.code for a, _active in active.page.object_list} == {
        "000.00.00.H21", "000.01.00.H21", "000.10.00.H21", "000.05.00.H21", "000.62.00.H21", "000.63.00.H21"}
    everyone = drilldown.page(person("quantri"), scope, period, "activity", [], 1)
    assert everyone.total == 9 and sum(1 for _a, is_active in everyone.page.object_list if is_active) == 6


def test_every_measure_agrees_with_its_drill_down(history, person):
    """Beyond the list above: for every measure and every dimension, the rows listed are as many as counted."""
    scope, period = selectors.province_scope(), periods.year(YEAR)
    totals = data.build(scope, period).totals
    operator = person("quantri")
    for key, measure in MEASURES.items():
        if key in ("activity", "saved_pages") or not measure.listed:
            continue
        for dim in measure.dims:
            page = drilldown.page(operator, scope, period, key, [dim], 1)
            assert page.total == totals.get(key, dim), (key, dim)


def test_scope_of_the_drill_down_follows_the_person(history, person, client_of):
    leader = client_of("lanhdao.sonoivu")
    own = leader.get("/bao-cao/chi-tiet/", {"year": YEAR, "m": "issued"})
    assert own.status_code == 200
    page = own.content.decode()
    assert "02/SNV-D2" in page and "07/SNV-D7" in page and "01/UBND-D1" not in page
    assert leader.get("/bao-cao/chi-tiet/", {"year": YEAR, "m": "issued", "scope": "agency:000.00.00.H21"}
                      ).status_code == 403
    assert leader.get("/bao-cao/chi-tiet/", {"year": YEAR, "m": "issued", "scope": "group:commune"}
                      ).status_code == 403
    assert client_of("chuyenvien.sonoivu").get("/bao-cao/chi-tiet/", {"m": "issued"}).status_code == 403
    operator = client_of("quantri").get("/bao-cao/chi-tiet/", {"year": YEAR, "m": "issued", "d": "secret"})
    body = operator.content.decode()
    assert "04/SKHCN-D4" in body and "(văn bản mật)" in body and "Văn bản thử nghiệm D4" not in body
    k_leader = client_of("lanhdao.sokhcn").get("/bao-cao/chi-tiet/", {"year": YEAR, "m": "issued", "d": "secret"})
    assert "Văn bản thử nghiệm D4" in k_leader.content.decode()  # its own secret document
    assert client_of("quantri").get("/bao-cao/chi-tiet/", {"year": YEAR, "m": "nope"}).status_code == 404
    assert client_of("quantri").get("/bao-cao/chi-tiet/", {"year": YEAR, "m": "issued", "d": "x"}).status_code == 404


def test_submission_recipients_chosen_by_the_operator(history, person):
    from congvan.reports import services

    operator = person("quantri")
    ubnd = selectors.scope_from_key("agency:000.00.00.H21").agency
    settings = ReportSettings.current()
    services.update_settings(operator, paper_cost_per_page=1000, postage_per_document=30000, postal_days="1,5",
                             default_pages=4, directive=settings.directive, submission_agencies=[ubnd])
    assert summary.pending()
    summary.refresh()
    v = values(data.build(selectors.province_scope(), periods.year(YEAR)))
    assert v["submission_electronic_share"] == 66.67  # only UBND tỉnh now: D2 D5 of D2 D3 D5 (D8 went to V)
    assert v["saved_pages"] == 6 + 6 + 1 + 4  # D8 without page count: 4 pages now
    assert v["saved_money"] == 17 * 1000 + 5 * 30000 and v["saved_days"] == 7.5


def working_days(start: date, end: date) -> int:
    """Monday to Friday, less the holidays and plus the make-up days of the working calendar (an oracle
    written apart from congvan.workflow.calendar)."""
    from congvan.workflow.models import CalendarDay

    exceptions = dict(CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind"))
    count, day = 0, start
    while day <= end:
        kind = exceptions.get(day)
        count += kind == "workday" or (kind != "holiday" and day.weekday() < 5)
        day += timedelta(days=1)
    return count


def test_mailbox_compliance_comes_from_the_clerks_checks(history, settings, person, client_of):
    """Each working day an agency's official mailbox is open counts; it is met when the clerks checked the
    mail as often as the province's rule says (here: twice a day)."""
    from congvan.mail.models import IntakeCheck, Mailbox

    settings.MAIL_CHECK_RULE = "count:2"
    clerks = {slug: person(f"vanthu.{slug}") for slug in ("ubndtinh", "sonoivu")}
    Mailbox.objects.filter(person__isnull=True).delete()
    for slug, clerk in clerks.items():
        box = Mailbox.objects.create(address=f"{slug}@hopthu.example", agency=clerk.agency, display_name=slug)
        Mailbox.objects.filter(pk=box.pk).update(created_at=at(1, 1, 0))  # open since the new year
    for slug, month, day, hour in (("ubndtinh", 1, 2, 8), ("ubndtinh", 1, 2, 14), ("ubndtinh", 1, 3, 8),
                                   ("sonoivu", 1, 2, 9), ("sonoivu", 1, 2, 15), ("sonoivu", 2, 3, 10)):
        IntakeCheck.objects.create(agency=clerks[slug].agency, person=clerks[slug], at=at(month, day, hour))
    summary.rebuild()

    q1 = periods.quarter(YEAR, 1)
    followed = working_days(q1.start, q1.end)
    row = data.build(selectors.province_scope(), q1).row_by_key["mailbox_check_compliance"]
    assert (row.result.numerator.value, row.result.denominator.value) == (2, 2 * followed)
    assert row.result.value == round(100 * 2 / (2 * followed), 2)
    one = data.build(selectors.scope_from_key(f"agency:{clerks['ubndtinh'].agency.code}"), q1)
    assert (one.row_by_key["mailbox_check_compliance"].result.numerator.value,
            one.row_by_key["mailbox_check_compliance"].result.denominator.value) == (1, followed)
    # a later check is counted by the worker's refresh, without a rebuild
    IntakeCheck.objects.create(agency=clerks["sonoivu"].agency, person=clerks["sonoivu"], at=at(2, 3, 16))
    summary.refresh()
    row = data.build(selectors.province_scope(), q1).row_by_key["mailbox_check_compliance"]
    assert row.result.numerator.value == 3
    page = client_of("quantri").get("/bao-cao/", {"year": YEAR, "quarter": 1}).content.decode()
    assert 'data-indicator="mailbox_check_compliance"' in page and "Thư điện tử công vụ" in page
