"""Notifications (thông báo): the list behind the bell; opening one marks it read and follows its link."""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from congvan.web.views.common import paginate, person_required


@person_required
def notifications(request, person):
    page, query = paginate(request, person.notifications.order_by("-created_at", "-id"), per_page=50)
    return render(request, "web/notifications.html", {"page": page, "query": query})


@person_required
def notification_open(request, person, pk):
    notification = get_object_or_404(person.notifications, pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("notifications")


@require_POST
@person_required
def notifications_read_all(request, person):
    person.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")


@person_required
def notification_bell(request, person):
    """The bell alone (htmx polls it every CONGVAN_NOTIFY_POLL seconds): new arrivals show up at once."""
    unread = person.notifications.filter(read_at__isnull=True)
    response = render(request, "web/_bell.html", {"unread_count": unread.count(),
                                                  "latest_unread": unread.order_by("-created_at", "-id").first()})
    response["Cache-Control"] = "no-store"
    return response
