from datetime import date, timedelta

from congvan.workflow import incoming
from congvan.workflow.models import IncomingItem, Notification
from congvan.workflow.tasks import send_deadline_reminders


def test_deadline_reminders_once_per_day(person, issue_document):
    doc = issue_document()
    item = IncomingItem.objects.get(document=doc)
    incoming.register(person("vanthu.sonoivu"), item)
    officer, leader = person("chuyenvien.sonoivu"), person("lanhdao.sonoivu")
    today = date(2026, 11, 20)  # a Friday
    incoming.assign(leader, item, lead=officer.pk, due_date=today - timedelta(days=1))
    before = Notification.objects.filter(person=officer).count()
    assert send_deadline_reminders(today) == 1
    assert send_deadline_reminders(today) == 1  # counted again, but no second notification
    texts = list(Notification.objects.filter(person=officer).values_list("text", flat=True))
    assert len(texts) == before + 1 and texts[0].startswith("Quá hạn xử lý")
    assert Notification.objects.filter(person=leader, text__contains="đã quá hạn").count() == 1


def test_items_due_after_the_next_working_day_are_not_reminded(person, issue_document):
    doc = issue_document()
    item = IncomingItem.objects.get(document=doc)
    incoming.register(person("vanthu.sonoivu"), item)
    incoming.assign(person("lanhdao.sonoivu"), item, lead=person("chuyenvien.sonoivu").pk,
                    due_date=date(2026, 11, 24))
    assert send_deadline_reminders(date(2026, 11, 20)) == 0  # next working day is Monday 23rd
    assert send_deadline_reminders(date(2026, 11, 23)) == 1
