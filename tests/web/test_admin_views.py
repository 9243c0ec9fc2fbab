"""Quản trị: the agency administrator's pages, the operator's working calendar and Django admin."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from congvan.audit.models import AuditEntry
from congvan.documents.models import DocumentType, Register
from congvan.workflow.models import CalendarDay, IncomingItem

ADMIN = "vanthu.sonoivu"  # the demo clerks are also their agency's administrators


def test_admin_pages_are_for_administrators(client_of):
    admin = client_of(ADMIN)
    home = admin.get(reverse("admin-home"))
    assert home.status_code == 200
    page = home.content.decode()
    assert reverse("admin-doctypes") in page and reverse("admin-registers") in page
    assert reverse("admin-calendar") not in page  # the calendar is the operator's
    officer = client_of("chuyenvien.sonoivu")
    for name in ("admin-home", "admin-doctypes", "admin-registers", "admin-calendar"):
        assert officer.get(reverse(name)).status_code == 403
    assert officer.post(reverse("admin-doctypes"), {"code": "X", "name": "X"}).status_code == 403


def test_document_types_national_and_own(client_of, person):
    admin = client_of(ADMIN)
    page = admin.get(reverse("admin-doctypes")).content.decode()
    assert "Quyết định" in page and "Giấy mời" in page  # the national list
    response = admin.post(reverse("admin-doctypes"), {
        "code": "PTT", "name": "Phiếu trình", "abbreviation": "PTr", "is_active": "on"}, follow=True)
    own = DocumentType.objects.get(agency=person(ADMIN).agency, code="PTT")
    assert own.name == "Phiếu trình" and own.abbreviation == "PTr" and own.is_active
    assert "Phiếu trình" in response.content.decode()
    assert AuditEntry.objects.filter(action="document_type.save", object_id=str(own.pk)).exists()

    edit = admin.get(reverse("admin-doctypes"), {"sua": own.pk}).content.decode()
    assert 'value="Phiếu trình"' in edit and "readonly" in edit
    admin.post(reverse("admin-doctypes"), {"code": "PTT", "name": "Phiếu trình lãnh đạo", "abbreviation": "PTr"})
    own.refresh_from_db()
    assert own.name == "Phiếu trình lãnh đạo" and not own.is_active
    # Another agency neither sees nor edits it; national types cannot be edited here.
    other = client_of("vanthu.sotaichinh")
    assert "Phiếu trình lãnh đạo" not in other.get(reverse("admin-doctypes")).content.decode()
    assert other.get(reverse("admin-doctypes"), {"sua": own.pk}).status_code == 404
    national = DocumentType.objects.filter(agency__isnull=True).first()
    assert admin.get(reverse("admin-doctypes"), {"sua": national.pk}).status_code == 404


def test_registers_are_created_per_year_with_types_or_secret(client_of, person, issue_document):
    issue_document(sender="sonoivu", recipients=["000.00.00.H21"])
    admin = client_of(ADMIN)
    year = timezone.localdate().year
    response = admin.post(reverse("admin-registers"), {
        "direction": "outgoing", "year": year + 1, "name": "Sổ quyết định, chỉ thị", "type_codes": ["QĐ", "CT"]},
        follow=True)
    created = Register.objects.get(agency=person(ADMIN).agency, name="Sổ quyết định, chỉ thị")
    assert created.year == year + 1 and not created.is_secret
    assert sorted(created.document_types.values_list("code", flat=True)) == ["CT", "QĐ"]
    admin.post(reverse("admin-registers"), {"direction": "incoming", "year": year, "name": "Sổ văn bản đến mật",
                                            "is_secret": "on"})
    assert Register.objects.get(name="Sổ văn bản đến mật", year=year).is_secret
    page = admin.get(reverse("admin-registers")).content.decode()
    assert "Sổ quyết định, chỉ thị" in page and "QĐ" in page and "Sổ văn bản đến mật" in page
    general = Register.objects.get(agency=person(ADMIN).agency, direction="outgoing", year=year, is_secret=False,
                                   name="Sổ văn bản đi")
    assert general.last_number == 1 and general.name in response.content.decode()
    # An invalid year is refused with a message.
    response = admin.post(reverse("admin-registers"), {"direction": "outgoing", "year": 1800, "name": "Sổ cũ"},
                          follow=True)
    assert not Register.objects.filter(name="Sổ cũ").exists()
    assert [str(m) for m in response.context["messages"]]


def test_calendar_is_for_the_operator_only(client_of):
    assert client_of(ADMIN).get(reverse("admin-calendar")).status_code == 403
    response = client_of(ADMIN).post(reverse("admin-calendar"), {
        "action": "add", "date": "2026-03-02", "kind": "holiday", "name": "Thử"})
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(date=date(2026, 3, 2)).exists()
    page = client_of("quantri").get(reverse("admin-calendar"), {"year": 2026}).content.decode()
    assert "Tết Nguyên đán Bính Ngọ" in page and "Quốc khánh" in page


def test_operator_adds_a_holiday_and_the_working_days_count_changes(client_of, person, issue_document):
    from congvan.workflow import incoming, selectors

    item = IncomingItem.objects.get(document=issue_document(), agency__code="000.05.00.H21")
    today = timezone.localdate()
    due = today + timedelta(days=15)
    incoming.register(person("vanthu.sonoivu"), item, due_date=due)
    calendar = selectors.working_calendar()
    before = calendar.working_days_between(today, due)
    clerk = client_of("vanthu.sonoivu")
    detail = reverse("incoming-detail", args=[item.pk])
    assert f"còn {before} ngày làm việc" in clerk.get(detail).content.decode()

    holiday = next(today + timedelta(days=n) for n in range(1, 16)
                   if calendar.is_working_day(today + timedelta(days=n)))
    operator = client_of("quantri")
    response = operator.post(reverse("admin-calendar"), {
        "action": "add", "date": holiday.isoformat(), "kind": "holiday", "name": "Nghỉ lễ bổ sung"}, follow=True)
    row = CalendarDay.objects.get(date=holiday)
    assert row.kind == "holiday" and row.name == "Nghỉ lễ bổ sung"
    assert "Nghỉ lễ bổ sung" in response.content.decode()
    assert AuditEntry.objects.filter(action="calendar.add", actor="quantri").exists()
    assert f"còn {before - 1} ngày làm việc" in clerk.get(detail).content.decode()

    # The same date twice is a clear error; deleting gives the day back.
    response = operator.post(reverse("admin-calendar"), {
        "action": "add", "date": holiday.isoformat(), "kind": "holiday", "name": "Lặp"}, follow=True)
    assert any("đã có trong lịch" in str(m) for m in response.context["messages"])
    operator.post(reverse("admin-calendar") + f"?year={holiday.year}", {"action": "delete", "pk": row.pk})
    assert not CalendarDay.objects.filter(pk=row.pk).exists()
    assert AuditEntry.objects.filter(action="calendar.delete").exists()
    assert f"còn {before} ngày làm việc" in clerk.get(detail).content.decode()


def test_makeup_day_must_be_a_weekend(client_of):
    operator = client_of("quantri")
    monday = date(2026, 3, 2)
    response = operator.post(reverse("admin-calendar"), {
        "action": "add", "date": monday.isoformat(), "kind": "workday", "name": "Làm bù"}, follow=True)
    assert not CalendarDay.objects.filter(date=monday).exists()
    assert any("thứ Bảy hoặc Chủ nhật" in str(m) for m in response.context["messages"])
    saturday = date(2026, 3, 7)
    operator.post(reverse("admin-calendar"), {
        "action": "add", "date": saturday.isoformat(), "kind": "workday", "name": "Làm bù ngày 02/3"})
    assert CalendarDay.objects.get(date=saturday).kind == "workday"


def test_django_admin_for_the_operator_with_audit(client_of, person):
    operator = client_of("quantri")
    assert operator.get("/quan-tri-he-thong/").status_code == 200
    agency = person("vanthu.sonoivu").agency
    page = operator.get(f"/quan-tri-he-thong/directory/agency/{agency.pk}/change/").content.decode()
    assert "000.05.00.H21" in page and "Phòng Tổ chức, biên chế" in page  # units inline
    page = operator.get(f"/quan-tri-he-thong/directory/person/{person('vanthu.sonoivu').pk}/change/")
    assert page.status_code == 200
    assert operator.get("/quan-tri-he-thong/audit/auditentry/").status_code == 200
    assert operator.get("/quan-tri-he-thong/audit/auditentry/add/").status_code == 403
    response = operator.post("/quan-tri-he-thong/workflow/calendarday/add/", {
        "date": "2026-12-24", "kind": "holiday", "name": "Nghỉ thử"})
    assert response.status_code == 302
    row = CalendarDay.objects.get(date=date(2026, 12, 24))
    assert AuditEntry.objects.filter(action="admin.add", object_type="calendarday", object_id=str(row.pk),
                                     actor="quantri").exists()
    # An agency administrator who is not the operator stays out.
    assert client_of(ADMIN).get("/quan-tri-he-thong/").status_code == 302
