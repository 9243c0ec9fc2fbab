"""Periodic work of the workflow: deadline reminders."""

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from congvan.workflow.models import Distribution, IncomingItem
from congvan.workflow.notify import notify
from congvan.workflow.selectors import working_calendar


def send_deadline_reminders(today=None) -> int:
    """Remind the lead of every open item due by the next working day, and report overdue ones to
    the leader who assigned them. One reminder per item and day (idempotent)."""
    today = today or timezone.localdate()
    horizon = working_calendar().next_working_day(today)
    open_states = [IncomingItem.State.ASSIGNED, IncomingItem.State.IN_PROGRESS]
    sent = 0
    items = IncomingItem.objects.filter(state__in=open_states, due_date__lte=horizon).select_related("document")
    for item in items:
        leads = Distribution.objects.filter(item=item, role=Distribution.Role.LEAD, active=True).select_related(
            "person", "by")
        url = reverse("incoming-detail", args=[item.pk])
        overdue = item.due_date < today
        for row in leads:
            text = (f"Quá hạn xử lý ({item.due_date:%d/%m/%Y}): " if overdue else
                    f"Sắp đến hạn xử lý ({item.due_date:%d/%m/%Y}): ") + item.document.subject[:150]
            notify([row.person], text, url, key=f"due:{item.pk}:{today.isoformat()}")
            if overdue and row.by:
                notify([row.by], f"Văn bản giao {row.person.full_name} đã quá hạn: {item.document.subject[:120]}",
                       url, key=f"overdue:{item.pk}:{today.isoformat()}")
            sent += 1
    return sent


@task()
def remind_deadlines() -> int:
    return send_deadline_reminders()
