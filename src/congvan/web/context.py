"""Template context shared by every page: the acting person, their roles and unread notifications."""

from django.conf import settings


def navigation(request):
    person = getattr(getattr(request, "user", None), "person", None) if request.user.is_authenticated else None
    if person is None:
        return {"person": None, "roles": set()}
    return {
        "person": person,
        "roles": person.roles(),
        "unread_count": person.notifications.filter(read_at__isnull=True).count(),
        "notify_poll": max(settings.NOTIFY_POLL, 2),
    }
