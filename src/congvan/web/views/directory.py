"""The public directory (danh bạ) and delegations of roles (ủy quyền)."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvan.directory import services as directory
from congvan.directory.models import Agency, AgencyHistory, Person, Role
from congvan.errors import ServiceError
from congvan.text import fold
from congvan.web.forms import LEVEL_LABELS, LEVEL_ORDER, DelegationForm
from congvan.web.views.common import error_text, person_required


def directory_page(request):
    """Public: every active agency by level, its contacts, earlier codes and names, published people."""
    q = (request.GET.get("q") or "").strip()
    agencies = Agency.objects.filter(is_active=True).order_by("code").prefetch_related(
        Prefetch("history", queryset=AgencyHistory.objects.order_by("-valid_until")),
        Prefetch("people", queryset=Person.objects.filter(publish_in_directory=True).order_by("full_name"),
                 to_attr="published_people"))
    needle = fold(q)
    groups: dict[str, list[Agency]] = {}
    for agency in agencies:
        if needle:
            haystack = " ".join([agency.code, agency.name, agency.short_name, agency.address, agency.email]
                                + [f"{h.code} {h.name}" for h in agency.history.all()]
                                + [p.full_name for p in agency.published_people])
            if needle not in fold(haystack):
                continue
        groups.setdefault(agency.level, []).append(agency)
    sections = [{"level": level, "label": LEVEL_LABELS[level], "agencies": groups[level]}
                for level in LEVEL_ORDER if level in groups]
    return render(request, "web/directory.html", {"sections": sections, "q": q,
                                                  "count": sum(len(s["agencies"]) for s in sections)})


@person_required
def delegations(request, person):
    roles = directory.delegable_roles(person)
    form = None
    if roles:
        form = DelegationForm(person, roles, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                delegation = directory.delegate(person, data["to_person"], data["role"], data["starts_at"],
                                                data["ends_at"], data["reason"])
            except ServiceError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Đã ủy quyền cho %(name)s đến %(end)s.") % {
                    "name": delegation.to_person.full_name,
                    "end": timezone.localtime(delegation.ends_at).strftime("%d/%m/%Y %H:%M")})
                return redirect("delegations")
    elif request.method == "POST":
        messages.error(request, _("Chỉ lãnh đạo hoặc văn thư được ủy quyền."))
        return redirect("delegations")
    now = timezone.now()
    rows = list(directory.delegations_for(person).order_by("-starts_at", "-id"))
    current = [d for d in rows if d.revoked_at is None and d.ends_at > now]
    past = [d for d in rows if not (d.revoked_at is None and d.ends_at > now)]
    is_admin = Role.ADMIN in person.own_roles
    for row in current:
        row.can_revoke = row.from_person_id == person.pk or is_admin
    return render(request, "web/delegations.html", {"form": form, "current": current, "past": past, "now": now})


@require_POST
@person_required
def delegation_revoke(request, person, pk):
    delegation = directory.delegations_for(person).filter(pk=pk).first()
    if delegation is None:
        raise Http404()
    try:
        directory.revoke_delegation(person, delegation)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Đã thu hồi ủy quyền của %(name)s.") % {"name": delegation.to_person.full_name})
    return redirect("delegations")



