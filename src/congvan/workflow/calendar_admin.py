"""The province operator's working calendar: public holidays and make-up working days (ngày làm bù).

Deadlines in working days (hạn xử lý, "chậm nhất ngày làm việc tiếp theo") follow these rows, so every
change is the operator's alone and is audited in its own transaction.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from congvan import audit
from congvan.directory.models import Person
from congvan.errors import Forbidden, NotFound, ServiceError
from congvan.text import clean
from congvan.workflow.models import CalendarDay


def _require_operator(person: Person) -> None:
    if not person.is_operator:
        raise Forbidden(_("Chỉ quản trị toàn tỉnh được sửa lịch làm việc."))


def days_of_year(year: int):
    return CalendarDay.objects.filter(date__year=year).order_by("date")


@transaction.atomic
def add_day(person: Person, *, day: date, kind: str, name: str) -> CalendarDay:
    """Add a holiday or a make-up working day; one row per date."""
    _require_operator(person)
    name = clean(name)
    if kind not in CalendarDay.Kind.values:
        raise ServiceError(_("Loại ngày không hợp lệ."), code="invalid_calendar_kind")
    if not name:
        raise ServiceError(_("Cần ghi tên ngày nghỉ hoặc lý do làm bù."), code="calendar_name_required")
    weekend = day.weekday() >= 5
    if kind == CalendarDay.Kind.WORKDAY and not weekend:
        raise ServiceError(_("Ngày làm bù phải là thứ Bảy hoặc Chủ nhật."), code="makeup_not_weekend")
    try:
        with transaction.atomic():
            row = CalendarDay.objects.create(date=day, kind=kind, name=name)
    except IntegrityError:
        raise ServiceError(_("Ngày %(day)s đã có trong lịch.") % {"day": day.strftime("%d/%m/%Y")},
                           code="calendar_day_exists")
    audit.record("calendar.add", actor=person, obj=row, date=day.isoformat(), kind=kind, name=name)
    return row


@transaction.atomic
def delete_day(person: Person, pk) -> None:
    _require_operator(person)
    try:
        row = CalendarDay.objects.select_for_update().get(pk=pk)
    except (CalendarDay.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Không tìm thấy ngày này trong lịch."))
    audit.record("calendar.delete", actor=person, obj=row, date=row.date.isoformat(), kind=row.kind,
                 name=row.name)
    row.delete()
