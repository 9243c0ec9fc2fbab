"""Core web pages. ``congvan.web.views`` stays importable as one namespace for the URL modules."""

from congvan.web.views.common import current_person, person_required
from congvan.web.views.directory import delegation_revoke, delegations, directory_page
from congvan.web.views.home import LoginView, LogoutView, dashboard
from congvan.web.views.notifications import (
    notification_bell,
    notification_open,
    notifications,
    notifications_read_all,
)
from congvan.web.views.outgoing import (
    document_file,
    outgoing_action,
    outgoing_create,
    outgoing_detail,
    outgoing_edit,
    outgoing_list,
)

__all__ = [
    "LoginView", "LogoutView", "current_person", "dashboard", "delegation_revoke", "delegations",
    "directory_page", "document_file", "notification_bell", "notification_open", "notifications", "notifications_read_all",
    "outgoing_action", "outgoing_create", "outgoing_detail", "outgoing_edit", "outgoing_list", "person_required",
]
