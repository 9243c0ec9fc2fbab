"""Checks of the agency mailbox against the province's rule: the rules of seeds 000 (Gia Lai: twice per
half day) and 001 (Thái Nguyên: five times a day), the recorded checks, and the selectors reports read."""

from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from congvan.mail import compliance, selectors, services
from congvan.mail.models import IntakeCheck

MONDAY = date(2026, 11, 30)  # a working day
SATURDAY = date(2026, 12, 5)
TZ = timezone.get_fixed_timezone(7 * 60)


def test_presets_and_custom_rules():
    gialai = compliance.parse_rule("gialai")
    assert gialai.required == 4  # start and after the middle of each half day
    assert compliance.met(gialai, [time(7, 35), time(10, 0), time(13, 40), time(16, 0)])
    assert not compliance.met(gialai, [time(7, 35), time(7, 50), time(13, 40), time(16, 0)])  # morning middle missed
    thainguyen = compliance.parse_rule("thainguyen")
    assert thainguyen.required == 5
    assert compliance.windows_met(thainguyen, [time(7, 30), time(16, 30)]) == [True, False, False, False, True]
    assert compliance.met(compliance.parse_rule("count:5"), [time(h, 0) for h in (8, 9, 10, 14, 15)])
    assert not compliance.met(compliance.parse_rule("count:5"), [time(8, 0)] * 4)
    custom = compliance.parse_rule("windows:08:00-09:00,14:00-15:00")
    assert compliance.met(custom, [time(8, 30), time(14, 0)])
    for bad in ("count:0", "windows:09:00-08:00", "windows:8h-9h", "daily", ""):
        with pytest.raises(compliance.RuleError):
            compliance.parse_rule(bad)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


@pytest.mark.django_db
@pytest.mark.postgres  # constraints and dates behave differently on the two databases
def test_check_compliance_per_agency_and_working_day(person, settings):
    settings.MAIL_CHECK_RULE = "gialai"
    province, home = person("vanthu.ubndtinh"), person("vanthu.sonoivu")
    for hour, minute in ((7, 40), (10, 5), (13, 30), (15, 45)):
        IntakeCheck.objects.create(agency=province.agency, person=province, at=at(MONDAY, hour, minute))
    IntakeCheck.objects.create(agency=home.agency, person=home, at=at(MONDAY, 8, 0))
    result = selectors.check_compliance([province.agency_id, home.agency_id], MONDAY, SATURDAY)
    assert result[(province.agency_id, MONDAY)] is True and result[(home.agency_id, MONDAY)] is False
    assert result[(province.agency_id, MONDAY + timedelta(days=1))] is False
    assert (province.agency_id, SATURDAY) not in result  # the rule applies on working days only
    assert [c.at.astimezone(TZ).hour for c in selectors.checks([province.agency_id], MONDAY, MONDAY)] == [7, 10, 13, 15]
    settings.MAIL_CHECK_RULE = "count:5"
    assert selectors.check_compliance([province.agency_id], MONDAY, MONDAY) == {(province.agency_id, MONDAY): False}


@pytest.mark.django_db
def test_opening_the_intake_counts_once_per_gap_and_only_for_clerks(client_of, person, settings):
    settings.MAIL_CHECK_GAP = 10
    clerk = client_of("vanthu.ubndtinh")
    assert clerk.get("/thu-den/").status_code == 200
    assert clerk.get("/thu-den/").status_code == 200  # a reload a moment later is the same check
    assert IntakeCheck.objects.count() == 1
    IntakeCheck.objects.update(at=timezone.now() - timedelta(minutes=11))
    clerk.get("/thu-den/")
    assert IntakeCheck.objects.count() == 2
    leader = client_of("lanhdao.ubndtinh")
    assert leader.get("/thu-den/").status_code == 200 and IntakeCheck.objects.count() == 2  # leaders read, not check
    assert client_of("chuyenvien.ubndtinh").get("/thu-den/").status_code == 403
    assert services.record_check(person("chuyenvien.ubndtinh")) is None


@pytest.mark.django_db
def test_compliance_page_shows_the_days_checks(client_of, person):
    clerk = person("vanthu.ubndtinh")
    IntakeCheck.objects.create(agency=clerk.agency, person=clerk, at=timezone.now())
    page = client_of("lanhdao.ubndtinh").get("/thu-den/kiem-tra-hop-thu/").content.decode()
    today = timezone.localdate()
    assert f'data-day="{today:%Y-%m-%d}"' in page and timezone.localtime().strftime("%H:%M") in page
    assert "07:00–08:30" in page  # Gia Lai's windows in words
    operator = client_of("quantri").get(f"/thu-den/kiem-tra-hop-thu/?ngay={today:%Y-%m-%d}").content.decode()
    assert 'data-agency="000.00.00.H21"' in operator and 'data-agency="000.05.00.H21"' in operator


@pytest.mark.django_db
def test_api_listing_is_a_check_too(demo):
    token = Client().post("/api/v1/auth/token", {"username": "vanthu.sonoivu", "password": "congvan"},
                          content_type="application/json").json()["token"]
    assert Client().get("/api/v1/intake", HTTP_AUTHORIZATION=f"Bearer {token}").json() == []
    assert IntakeCheck.objects.get().via == "api"


@pytest.mark.django_db
def test_the_operator_sets_a_new_rule_from_a_day_on_and_earlier_days_keep_theirs(person, settings):
    from congvan.workflow.selectors import working_calendar

    settings.MAIL_CHECK_RULE = "count:1"
    clerk, operator = person("vanthu.sonoivu"), person("quantri")
    calendar, today = working_calendar(), timezone.localdate()
    first = today + timedelta(days=7)
    while not calendar.is_working_day(first):
        first += timedelta(days=1)
    second = first + timedelta(days=1)
    while not calendar.is_working_day(second):
        second += timedelta(days=1)
    for day in (first, second):  # one check on each of two working days ahead
        IntakeCheck.objects.create(agency=clerk.agency, person=clerk, at=at(day, 8))

    def judged() -> tuple:
        found = selectors.check_compliance([clerk.agency_id], first, second)
        return found[(clerk.agency_id, first)], found[(clerk.agency_id, second)]

    assert judged() == (True, True)
    services.set_check_rule(operator, rule="count:2", valid_from=second, note="Công văn 123/UBND-VX")
    assert judged() == (True, False)  # the first day keeps the rule of its day
    assert selectors.rule(first).count == 1 and selectors.rule(second).count == 2
    with pytest.raises(services.Forbidden):
        services.set_check_rule(clerk, rule="count:3", valid_from=second)
    with pytest.raises(services.ServiceError, match="từ 1 đến 48"):
        services.set_check_rule(operator, rule="count:99", valid_from=second)
    with pytest.raises(services.ServiceError, match="từ hôm nay"):
        services.set_check_rule(operator, rule="count:3", valid_from=today - timedelta(days=1))


@pytest.mark.django_db
def test_the_operator_page_sets_the_rule(client_of, person):
    operator = client_of("quantri")
    today = timezone.localdate()
    bad = operator.post("/quan-tri/thu-dien-tu/", {"action": "rule", "kind": "windows", "windows": "9h-10h",
                                                   "valid_from": today.isoformat()})
    assert bad.status_code == 400 and "Giờ không hợp lệ" in bad.content.decode()
    saved = operator.post("/quan-tri/thu-dien-tu/", {
        "action": "rule", "kind": "windows", "windows": "07:00-08:30, 13:00 - 14:30",
        "valid_from": today.isoformat(), "note": "Chỉ thị 05/CT-UBND"}, follow=True)
    page = saved.content.decode()
    assert saved.status_code == 200 and "07:00–08:30, 13:00–14:30" in page and "Chỉ thị 05/CT-UBND" in page
    assert selectors.rule().windows == ((time(7, 0), time(8, 30)), (time(13, 0), time(14, 30)))
    assert client_of("vanthu.sonoivu").post("/quan-tri/thu-dien-tu/", {
        "action": "rule", "kind": "count", "count": 3, "valid_from": today.isoformat()}).status_code == 403
