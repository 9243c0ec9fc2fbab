"""Văn bản đến: the inbox and the processing form (phiếu giải quyết văn bản đến).

Thin views: parse the form, call a service or a selector, render. Services decide who may do what;
their ServiceError becomes a message on the page, NotFound a 404.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvan.directory.models import Person, Role
from congvan.documents.models import Document
from congvan.errors import NotFound, ServiceError
from congvan.signing import selectors as signing_selectors
from congvan.web import forms_incoming as forms
from congvan.web import views_signing
from congvan.workflow import incoming, selectors
from congvan.workflow.models import Distribution, IncomingItem

IS = IncomingItem.State
PAGE_SIZE = 25
REPLY_WINDOW_DAYS = 730
STATE_CLASSES = {
    IS.ARRIVED: "bg-warning text-dark",
    IS.REFUSED: "bg-secondary",
    IS.REGISTERED: "bg-info text-dark",
    IS.ASSIGNED: "bg-primary",
    IS.IN_PROGRESS: "bg-primary",
    IS.DONE: "bg-success",
    IS.REVOKED: "bg-dark",
}


def acting_person(request) -> Person:
    """The Person behind the logged-in account (a bare Django account has no place in the UI)."""
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied(_("Tài khoản chưa gắn với cán bộ nào."))
    return person


def _item(person: Person, pk) -> IncomingItem:
    try:
        return selectors.get_item(person, pk)
    except NotFound:
        raise Http404(_("Không tìm thấy văn bản hoặc bạn không có quyền xem."))


class DueInfo:
    """Hạn xử lý counted in working days on the operator's calendar."""

    def __init__(self, item: IncomingItem, calendar, today):
        self.date = item.due_date
        self.open = item.state in (IS.ARRIVED, IS.REGISTERED, IS.ASSIGNED, IS.IN_PROGRESS)
        self.overdue = bool(self.date and self.open and self.date < today)
        self.days = 0
        if self.date and self.open:
            self.days = (calendar.working_days_between(self.date, today) if self.overdue
                         else calendar.working_days_between(today, self.date))

    @property
    def text(self) -> str:
        if not self.date or not self.open:
            return ""
        if self.overdue:
            return _("quá hạn %(days)s ngày làm việc") % {"days": self.days}
        if self.days == 0:
            return _("hạn là hôm nay")
        return _("còn %(days)s ngày làm việc") % {"days": self.days}


@login_required
def incoming_list(request):
    person = acting_person(request)
    form = forms.InboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.inbox(person, state=filters.get("state", ""), q=(filters.get("q") or "").strip(),
                            overdue=bool(filters.get("overdue")))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    calendar, today = selectors.working_calendar(), timezone.localdate()
    rows = [{"item": item, "due": DueInfo(item, calendar, today), "state_class": STATE_CLASSES.get(item.state, "")}
            for item in page.object_list]
    return render(request, "web/incoming/list.html", {"form": form, "page": page, "rows": rows})


def _permissions(person: Person, item: IncomingItem, roles: set[str], distributions: list[Distribution]) -> dict:
    """Which forms to show; the services check again on submission."""
    own = item.agency_id == person.agency_id
    clerk, leader = own and Role.CLERK in roles, own and Role.LEADER in roles
    is_lead = any(d.person_id == person.pk and d.role == Distribution.Role.LEAD and d.active for d in distributions)
    holds = clerk or leader or any(d.person_id == person.pk for d in distributions)
    return {
        "can_register": clerk and item.state == IS.ARRIVED and not item.revocation_pending,
        "can_answer_revocation": clerk and item.revocation_pending,
        "can_assign": leader and item.state in (IS.REGISTERED, IS.ASSIGNED, IS.IN_PROGRESS),
        "can_note": leader and item.state not in (IS.ARRIVED, IS.REFUSED, IS.REVOKED),
        "can_forward": holds and item.state not in (IS.ARRIVED, IS.REFUSED, IS.REVOKED),
        "can_start": is_lead and item.state == IS.ASSIGNED,
        "can_complete": is_lead and item.state in (IS.ASSIGNED, IS.IN_PROGRESS),
        "is_lead": is_lead,
    }


def _reply_documents(person: Person):
    """The agency's issued documents of the last two years, the candidates for a reply."""
    since = timezone.now() - timedelta(days=REPLY_WINDOW_DAYS)
    return selectors.outgoing(person, state=Document.State.ISSUED).filter(issued_at__gte=since).order_by("-issued_at")


@login_required
def incoming_detail(request, pk):
    person = acting_person(request)
    item = _item(person, pk)
    incoming.mark_opened(person, item)
    roles = person.roles()
    document = item.document
    distributions = list(item.distributions.select_related("person__unit", "by").order_by("at", "id"))
    perms = _permissions(person, item, roles, distributions)
    revoked = item.state == IS.REVOKED
    # signing (issue 3): the document as it is now (signed versions), each file with its validation
    files = [] if revoked else views_signing.annotate_files(document, signing_selectors.current_files(document))
    active_lead = next((d for d in distributions if d.active and d.role == Distribution.Role.LEAD), None)
    context = {
        "item": item,
        "document": document,
        "files": files,
        "revoked": revoked,
        "trail": list(item.delivery.trail.all()),
        "distributions": distributions,
        "active_lead": active_lead,
        "notes": list(item.notes.select_related("author").order_by("at", "id")),
        "due": DueInfo(item, selectors.working_calendar(), timezone.localdate()),
        "state_class": STATE_CLASSES.get(item.state, ""),
        **perms,
        **({} if revoked else views_signing.incoming_context(document)),  # signing (issue 3)
    }
    if perms["can_register"]:
        context["register_form"] = forms.RegisterItemForm(prefix="register", initial={"due_date": document.due_date})
        context["refuse_form"] = forms.ReasonForm(prefix="refuse")
    if perms["can_answer_revocation"]:
        context["revocation_form"] = forms.RevocationForm(prefix="revocation")
    if perms["can_assign"]:
        current = [d for d in distributions if d.active]
        context["assign_form"] = forms.AssignForm(person, prefix="assign", initial={
            "lead": active_lead.person_id if active_lead else None,
            "support": [d.person_id for d in current if d.role == Distribution.Role.SUPPORT],
            "info": [d.person_id for d in current if d.role == Distribution.Role.INFO],
            "due_date": item.due_date,
        })
    if perms["can_note"]:
        context["note_form"] = forms.NoteForm(prefix="note")
    if perms["can_forward"]:
        context["forward_form"] = forms.ForwardForm(person, prefix="forward")
    if perms["can_complete"]:
        context["complete_form"] = forms.CompleteForm(_reply_documents(person), prefix="complete")
    return render(request, "web/incoming/detail.html", context)


class InvalidForm(Exception):
    def __init__(self, form):
        self.form = form
        super().__init__("invalid form")

    @property
    def message(self) -> str:
        errors = []
        for field, field_errors in self.form.errors.items():
            label = self.form.fields[field].label if field in self.form.fields else ""
            errors += [f"{label}: {e}" if label else str(e) for e in field_errors]
        return " ".join(errors)


def _valid(form):
    if not form.is_valid():
        raise InvalidForm(form)
    return form.cleaned_data


def _do_register(request, person, item):
    data = _valid(forms.RegisterItemForm(request.POST, prefix="register"))
    item = incoming.register(person, item, due_date=data["due_date"],
                             signature_confirmed=views_signing.signature_confirmed(request))  # signing
    return _("Đã vào sổ văn bản đến, số đến %(number)s.") % {"number": item.arrival_number}


def _do_refuse(request, person, item):
    data = _valid(forms.ReasonForm(request.POST, prefix="refuse"))
    incoming.refuse(person, item, data["reason"])
    return _("Đã từ chối tiếp nhận văn bản; cơ quan gửi được thông báo lý do.")


def _do_assign(request, person, item):
    data = _valid(forms.AssignForm(person, request.POST, prefix="assign"))
    incoming.assign(person, item, lead=data["lead"].pk, support=[p.pk for p in data["support"]],
                    info=[p.pk for p in data["info"]], due_date=data["due_date"],
                    due_in_working_days=data["due_in_working_days"], note=data["note"])
    return _("Đã phân công %(name)s xử lý chính.") % {"name": data["lead"].full_name}


def _do_note(request, person, item):
    data = _valid(forms.NoteForm(request.POST, prefix="note"))
    incoming.add_note(person, item, data["text"])
    return _("Đã ghi bút phê.")


def _do_forward(request, person, item):
    data = _valid(forms.ForwardForm(person, request.POST, prefix="forward"))
    incoming.forward(person, item, [p.pk for p in data["to"]], data["note"])
    return _("Đã chuyển văn bản cho %(names)s.") % {"names": ", ".join(p.full_name for p in data["to"])}


def _do_start(request, person, item):
    incoming.start(person, item)
    return _("Đã bắt đầu xử lý văn bản.")


def _do_complete(request, person, item):
    data = _valid(forms.CompleteForm(_reply_documents(person), request.POST, prefix="complete"))
    incoming.complete(person, item, note=data["note"], reply_document=data["reply_document"])
    return _("Đã hoàn thành xử lý văn bản.")


def _do_revocation(request, person, item):
    data = _valid(forms.RevocationForm(request.POST, prefix="revocation"))
    accept = data["decision"] == "accept"
    incoming.answer_revocation(person, item, accept=accept, reason=data["reason"])
    if accept:
        return _("Đã đồng ý thu hồi: văn bản không còn được sử dụng, cơ quan gửi đã được báo.")
    return _("Đã báo cơ quan gửi không đồng ý thu hồi.")


ACTIONS = {
    "register": _do_register,
    "refuse": _do_refuse,
    "assign": _do_assign,
    "note": _do_note,
    "forward": _do_forward,
    "start": _do_start,
    "complete": _do_complete,
    "revocation": _do_revocation,
}


@login_required
@require_POST
def incoming_action(request, pk, action):
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404()
    person = acting_person(request)
    item = _item(person, pk)
    try:
        messages.success(request, handler(request, person, item))
    except InvalidForm as exc:
        messages.error(request, exc.message)
    except NotFound:
        raise Http404()
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("incoming-detail", pk=item.pk)
