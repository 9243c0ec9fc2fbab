"""Helpers shared by the core views: the acting person, errors turned into messages or 404."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from congvan.directory.models import Person


def current_person(request) -> Person | None:
    if not request.user.is_authenticated:
        return None
    return getattr(request.user, "person", None)


def person_required(view):
    """Log-in required, and the account must belong to a person (cán bộ); the view gets it as 2nd argument."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        person = current_person(request)
        if person is None:
            return render(request, "web/no_person.html", status=403)
        return view(request, person, *args, **kwargs)

    return wrapper


def error_text(exc) -> str:
    return str(getattr(exc, "message", None) or exc)


def form_errors(form) -> str:
    """A form's errors as one message line, each after its field's label."""
    return " ".join(f"{form.fields[f].label}: {e}" if f in form.fields else str(e)
                    for f, errors in form.errors.items() for e in errors)


def paginate(request, queryset, per_page: int = 25):
    """A page of ``queryset`` and the query string without ``page`` (to build the page links)."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def year_param(value, default: int) -> int:
    """A year from the query string (2000–2100), or ``default`` when it is missing or not one."""
    try:
        year = int(value or default)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def forbidden(request, message: str | None = None):
    return render(request, "web/forbidden.html",
                  {"message": message or _("Bạn không có quyền thực hiện thao tác này.")}, status=403)
