"""Log in, log out and the dashboard (bàn làm việc)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from congvan.web.forms import LoginForm
from congvan.web.views.common import person_required
from congvan.workflow import selectors

TASK_LIMIT = 6


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if getattr(settings, "DEMO", False):
            from congvan.directory.demo import AGENCIES, PASSWORD

            context["demo"] = {"password": PASSWORD, "slugs": [row[0] for row in AGENCIES]}
        return context


class LogoutView(auth_views.LogoutView):
    pass


# The dashboard blocks: key of selectors.my_tasks, title, what the rows are (outgoing document or incoming item).
TASK_BLOCKS = [
    ("to_process", _("Văn bản đến cần xử lý"), "item"),
    ("my_drafts", _("Dự thảo của tôi, bị trả lại"), "doc"),
    ("to_approve", _("Dự thảo chờ duyệt"), "doc"),
    ("to_assign", _("Văn bản đến chờ phân công"), "item"),
    ("to_issue", _("Văn bản chờ phát hành"), "doc"),
    ("to_register", _("Văn bản đến chờ tiếp nhận, vào sổ"), "item"),
    ("revocations", _("Yêu cầu thu hồi chờ trả lời"), "item"),
]


@person_required
def dashboard(request, person):
    tasks = selectors.my_tasks(person)
    blocks = []
    for key, title, kind in TASK_BLOCKS:
        if key not in tasks:
            continue
        qs = tasks[key]
        if kind == "doc":
            qs = qs.select_related("doc_type").order_by("-created_at")
        else:
            qs = qs.select_related("document__agency", "document__doc_type")
        blocks.append({"key": key, "title": title, "kind": kind, "count": qs.count(), "rows": list(qs[:TASK_LIMIT])})
    overdue = selectors.inbox(person, overdue=True).order_by("due_date")
    arrivals = selectors.inbox(person)
    return render(request, "web/dashboard.html", {
        "blocks": blocks,
        "overdue_count": overdue.count(), "overdue": list(overdue[:TASK_LIMIT]),
        "arrivals": list(arrivals[:TASK_LIMIT]),
        "total": sum(block["count"] for block in blocks),
    })
