"""Quản trị liên thông: the province operator's view of the exchange (issue 4, docs/exchange.md).

What is in flight, what could not be sent (with "send again"), what was refused on arrival, the hub's
traffic per installation, and the installations this one knows. Queries live in
``congvan.exchange.selectors``, changes in ``congvan.exchange.services`` and ``outbound``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from congvan.exchange import outbound, selectors, services
from congvan.exchange.models import Node, OutboxMessage
from congvan.web.views_admin import _operator
from congvan.workflow.models import Status


@login_required
def admin_exchange(request):
    person = _operator(request)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "retry":
            _retry(request, person)
        elif action == "unsigned":
            _set_unsigned(request, person)
        return redirect("admin-exchange")
    installation = selectors.this_installation()
    return render(request, "web/admin/exchange.html", {
        **installation,
        "summary": selectors.summary(),
        "in_flight": _labelled(selectors.outbox_in_flight().select_related("document__agency")),
        "dead": _labelled(selectors.dead_letters().select_related("document__agency")),
        "refused": selectors.refused_inbox(),
        "traffic": selectors.hub_traffic() if installation["is_hub"] else [],
        "hub_problems": selectors.hub_problems() if installation["is_hub"] else [],
        "nodes": selectors.known_nodes(),
        "active_tab": "exchange",
    })


def _labelled(outbox) -> list[OutboxMessage]:
    """Status messages carry their code's name (03 → "Đã tiếp nhận") for the table."""
    rows = list(outbox)
    names = dict(Status.choices)
    for row in rows:
        row.status_name = names.get(row.status_code, "")
    return rows


def _retry(request, person) -> None:
    message = selectors.outbox_message(request.POST.get("message"), OutboxMessage.State.DEAD)
    if message is None:
        messages.error(request, _("Gói tin không còn trong danh sách không gửi được."))
        return
    outbound.retry(message, person)
    messages.success(request, _("Đã đưa gói tin %(id)s vào hàng đợi gửi lại.") % {"id": str(message.pk)[:8]})


def _set_unsigned(request, person) -> None:
    pk = request.POST.get("node", "")
    node = Node.objects.exclude(kind=Node.Kind.SELF).filter(pk=pk).first() if pk.isdigit() else None
    if node is None:
        messages.error(request, _("Không có hệ thống này."))
        return
    value = request.POST.get("value") == "1"
    services.set_accept_unsigned(node, value, person)
    if value:
        messages.warning(request, _("Hệ thống %(name)s được gửi gói tin không ký.") % {"name": node.name})
    else:
        messages.success(request, _("Gói tin từ hệ thống %(name)s phải có chữ ký số.") % {"name": node.name})
