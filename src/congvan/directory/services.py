"""Use cases on the directory: delegation of a role (ủy quyền) and its revocation; e-mail correspondents."""

import hashlib
import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan import audit
from congvan.directory.models import Agency, Delegation, ExternalContact, Person, Role
from congvan.errors import Forbidden, InvalidState, ServiceError
from congvan.text import clean

# Only these roles may be lent: the ones that approve, sign, number and issue.
DELEGABLE_ROLES = (Role.LEADER, Role.CLERK)


def delegable_roles(person: Person) -> list[str]:
    """The roles this person holds in their own right and may lend (never a role received by delegation)."""
    own = person.own_roles
    return [role for role in DELEGABLE_ROLES if role in own]


def delegations_for(person: Person):
    """Delegations the person gave or received (an agency admin sees every one of the agency)."""
    qs = Delegation.objects.select_related("from_person", "to_person")
    if Role.ADMIN in person.own_roles:
        return qs.filter(from_person__agency_id=person.agency_id)
    return qs.filter(Q(from_person=person) | Q(to_person=person))


def _delegations_url() -> str:
    try:
        return reverse("delegations")
    except NoReverseMatch:  # the web URLs are not loaded (API-only use)
        return ""


@transaction.atomic
def delegate(by: Person, to_person: Person, role: str, starts_at: datetime, ends_at: datetime,
             reason: str) -> Delegation:
    """Lend ``role`` of ``by`` to a colleague of the same agency from ``starts_at`` to ``ends_at``."""
    if role not in DELEGABLE_ROLES:
        raise ServiceError(_("Chỉ ủy quyền được quyền lãnh đạo hoặc văn thư."), code="role_not_delegable")
    if role not in by.own_roles:
        raise Forbidden(_("Bạn chỉ ủy quyền được quyền mà chính bạn được giao."))
    if to_person.pk == by.pk:
        raise ServiceError(_("Không thể tự ủy quyền cho chính mình."), code="self_delegation")
    if to_person.agency_id != by.agency_id:
        raise ServiceError(_("Người được ủy quyền phải cùng cơ quan."), code="other_agency")
    if not starts_at or not ends_at:
        raise ServiceError(_("Cần nhập thời gian bắt đầu và kết thúc ủy quyền."), code="period_required")
    if ends_at <= starts_at:
        raise ServiceError(_("Thời điểm kết thúc phải sau thời điểm bắt đầu."), code="invalid_period")
    if ends_at <= timezone.now():
        raise ServiceError(_("Thời điểm kết thúc đã qua."), code="invalid_period")
    reason = clean(reason)
    if not reason:
        raise ServiceError(_("Cần ghi lý do ủy quyền."), code="reason_required")
    delegation = Delegation.objects.create(from_person=by, to_person=to_person, role=role, starts_at=starts_at,
                                           ends_at=ends_at, reason=reason[:255])
    audit.record("delegation.create", actor=by, obj=delegation, to=to_person.user.username, role=role,
                 starts_at=starts_at, ends_at=ends_at, reason=reason)
    from congvan.workflow.notify import notify

    role_label = Role(role).label
    notify([to_person], _("%(name)s ủy quyền %(role)s cho bạn từ %(start)s đến %(end)s") % {
        "name": by.full_name, "role": role_label.lower(),
        "start": timezone.localtime(starts_at).strftime("%d/%m/%Y %H:%M"),
        "end": timezone.localtime(ends_at).strftime("%d/%m/%Y %H:%M")}, _delegations_url())
    return delegation


@transaction.atomic
def revoke_delegation(by: Person, delegation: Delegation) -> Delegation:
    """End a delegation now: by the person who gave it (or an admin of the same agency)."""
    delegation = Delegation.objects.select_for_update().select_related("from_person", "to_person").get(
        pk=delegation.pk)
    is_giver = delegation.from_person_id == by.pk
    is_admin = Role.ADMIN in by.own_roles and delegation.from_person.agency_id == by.agency_id
    if not (is_giver or is_admin):
        raise Forbidden(_("Chỉ người ủy quyền được thu hồi ủy quyền này."))
    now = timezone.now()
    if delegation.revoked_at is not None:
        raise InvalidState(_("Ủy quyền này đã được thu hồi."))
    if delegation.ends_at <= now:
        raise InvalidState(_("Ủy quyền này đã hết hạn."))
    delegation.revoked_at = now
    delegation.save(update_fields=["revoked_at"])
    audit.record("delegation.revoke", actor=by, obj=delegation, to=delegation.to_person.user.username,
                 role=delegation.role)
    from congvan.workflow.notify import notify

    notify([delegation.to_person], _("%(name)s đã thu hồi ủy quyền %(role)s") % {
        "name": by.full_name, "role": Role(delegation.role).label.lower()}, _delegations_url())
    return delegation


# E-mail correspondents outside the directory (issue 5) ----------------------------------------------------

CONTACT_LINE = re.compile(r"^\s*(?:\"?(?P<name>[^<>\"]*?)\"?\s*<(?P<angle>[^<>\s]+)>|(?P<bare>[^<>\s]+))\s*$")


def parse_contact(item) -> tuple[str, str]:
    """(name, e-mail) from ``"Họ tên <email>"``, a bare address, a dict or an ExternalContact."""
    if isinstance(item, ExternalContact):
        return item.name, item.email
    if isinstance(item, dict):
        return clean(item.get("name", "")), clean(item.get("email", "")).lower()
    match = CONTACT_LINE.match(clean(str(item)))
    if not match:
        raise ServiceError(_("Không đọc được nơi nhận “%(text)s”: ghi theo dạng Họ tên <địa chỉ thư>.") % {
            "text": str(item)[:80]}, code="invalid_contact", detail={"text": str(item)[:200]})
    email = (match.group("angle") or match.group("bare") or "").lower()
    return clean(match.group("name") or ""), email


def resolve_contacts(agency: Agency, items) -> list[ExternalContact]:
    """The agency's correspondents for these entries, created when new (the name is updated when given)."""
    contacts = []
    for item in items or ():
        if isinstance(item, ExternalContact):
            if item.agency_id != agency.pk:
                raise Forbidden()
            contacts.append(item)
            continue
        name, email = parse_contact(item)
        try:
            validate_email(email)
        except ValidationError:
            raise ServiceError(_("Địa chỉ thư điện tử không hợp lệ: %(email)s") % {"email": email or "(trống)"},
                               code="invalid_contact", detail={"email": email})
        contact, created = ExternalContact.objects.get_or_create(
            agency=agency, email=email, defaults={"name": (name or email)[:255]})
        if not created and name and contact.name != name:
            contact.name = name[:255]
            contact.save(update_fields=["name"])
        if contact not in contacts:
            contacts.append(contact)
    return contacts


def correspondent_agency(name: str, email: str) -> Agency:
    """The author of a document received by e-mail from outside the directory (a citizen, a business): kept as
    an inactive, non-local agency of level "other" so the registers show it as the author (tác giả), without
    appearing in the directory or among the recipients. One per address."""
    email = clean(email).lower()
    digest = hashlib.sha256(email.encode()).hexdigest()[:16].upper()
    code = f"TDT.{digest}"  # "thư điện tử"
    agency = Agency.objects.filter(code=code).first()
    name = clean(name) or email or _("Người gửi không rõ")
    if agency is None:
        agency = Agency.objects.create(code=code, slug=f"tdt-{digest.lower()}", name=name[:255],
                                       short_name=name[:20], level=Agency.Level.OTHER, is_local=False,
                                       is_active=False, email=email[:254])
    elif name and agency.name != name:
        agency.name, agency.short_name = name[:255], name[:20]
        agency.save(update_fields=["name", "short_name"])
    return agency
