"""Use cases of official e-mail, one transaction and one audit entry each: mail passwords, mailbox requests
and their approval, the clerk's handling of intake items (register in one step, dismiss), the record of
mailbox checks, a person's mail preference, the agencies' IMAP sources and the operator's retries."""

import re
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan import audit
from congvan.archive.services import ingest_file
from congvan.directory.models import Agency, Person, Role
from congvan.directory.services import correspondent_agency
from congvan.documents import notation as notations
from congvan.documents.models import Document, DocumentFile, DocumentType, Form
from congvan.errors import Forbidden, InvalidState, ServiceError
from congvan.mail import addresses, compliance, outbox, passwords, provisioning, sealed
from congvan.mail.models import (
    CheckRule,
    ImapAccount,
    IntakeCheck,
    IntakeItem,
    MailAlias,
    Mailbox,
    MailboxRequest,
    MailPreference,
    OutgoingMail,
)
from congvan.text import clean
from congvan.workflow import incoming
from congvan.workflow.models import Channel, Delivery
from congvan.workflow.notify import notify, operators

IS = IntakeItem.State
RK, RS = MailboxRequest.Kind, MailboxRequest.State
NOTATION_IN_TEXT = re.compile(r"(?<![\w/])(\d{1,7}(?:/\d{4})?/[A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-Za-zĐđ0-9]+)*)")


# --- mail passwords ---------------------------------------------------------------------------------------

def can_manage(person: Person, mailbox: Mailbox) -> bool:
    """A person manages their own mailbox; the agency's clerks and administrators its agency mailbox."""
    if mailbox.person_id is not None:
        return mailbox.person_id == person.pk
    return mailbox.agency_id == person.agency_id and bool(person.roles() & {Role.CLERK, Role.ADMIN})


def password_message(code: str) -> str:
    return {
        "short": _("Mật khẩu thư điện tử cần ít nhất %(n)d ký tự.") % {"n": passwords.MIN_LENGTH},
        "long": _("Mật khẩu thư điện tử dài tối đa %(n)d byte.") % {"n": passwords.MAX_BYTES},
        "spaces": _("Mật khẩu không được có khoảng trắng ở đầu, cuối hoặc ký tự điều khiển."),
        "colon": _("Mật khẩu không được chứa dấu hai chấm."),
    }.get(code, _("Mật khẩu không hợp lệ."))


@transaction.atomic
def set_password(person: Person, mailbox: Mailbox, password: str, confirm: str) -> Mailbox:
    """The owner (or, for the agency mailbox, a clerk) sets the password Dovecot will check."""
    mailbox = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
    if not can_manage(person, mailbox):
        raise Forbidden(_("Bạn chỉ đặt được mật khẩu cho hộp thư của mình hoặc hộp thư của cơ quan (văn thư)."))
    if not mailbox.is_active:
        raise InvalidState(_("Hộp thư đã đóng."))
    if password != confirm:
        raise ServiceError(_("Hai lần nhập mật khẩu không khớp nhau."), code="password_mismatch")
    try:
        mailbox.password_hash = passwords.hash_password(password, settings.MAIL_BCRYPT_ROUNDS)
    except passwords.PasswordError as exc:
        raise ServiceError(password_message(exc.code), code="weak_password")
    mailbox.password_set_at = timezone.now()
    mailbox.save(update_fields=["password_hash", "password_set_at"])
    provisioning.changed()
    audit.record("mail.password_set", actor=person, obj=mailbox, address=mailbox.address)
    return mailbox


# --- mailboxes and requests -------------------------------------------------------------------------------

def _address(value: str) -> str:
    address = addresses.normalize(value)
    if not addresses.is_official(address):
        raise ServiceError(_("Địa chỉ thư không hợp lệ: %(address)s (chỉ chữ không dấu, số và . _ -).") % {
            "address": value or "(trống)"}, code="invalid_address")
    if addresses.domain_of(address) not in settings.MAIL_DOMAINS:
        raise ServiceError(_("Địa chỉ phải thuộc tên miền của tỉnh: %(domains)s.") % {
            "domains": ", ".join(settings.MAIL_DOMAINS)}, code="foreign_domain")
    return address


def _free(address: str, mailbox: Mailbox | None = None) -> None:
    taken = Mailbox.objects.filter(address=address).exclude(pk=getattr(mailbox, "pk", None)).exists() or \
        MailAlias.objects.filter(address=address).exclude(mailbox=mailbox).exists()
    if taken or addresses.local_part_of(address) == settings.MAIL_BOUNCE_LOCALPART:
        raise ServiceError(_("Địa chỉ %(address)s đã được dùng.") % {"address": address}, code="address_taken")


def _aliases(text: str, mailbox: Mailbox | None = None) -> list[str]:
    found = []
    for line in re.split(r"[\s,;]+", text or ""):
        if line.strip():
            alias = _address(line)
            _free(alias, mailbox)
            if alias not in found:
                found.append(alias)
    return found


def suggested_address(agency: Agency, person: Person | None = None) -> str:
    domain = settings.MAIL_DOMAINS[0]
    local = addresses.local_part(person.user.username if person else agency.slug)
    return f"{local}@{domain}"


@transaction.atomic
def request_mailbox(actor: Person, kind: str, *, person: Person | None = None, mailbox: Mailbox | None = None,
                    address: str = "", aliases: str = "", reason: str = "") -> MailboxRequest:
    """An agency's administrator or clerk asks the province operator for a new, changed or closed mailbox."""
    if not (actor.roles() & {Role.ADMIN, Role.CLERK}):
        raise Forbidden(_("Chỉ văn thư hoặc quản trị của cơ quan được đề nghị cấp, đổi, đóng hộp thư."))
    agency = actor.agency
    if kind not in RK.values:
        raise ServiceError(_("Loại đề nghị không hợp lệ."), code="invalid_kind")
    reason = clean(reason)
    if kind == RK.NEW:
        if person is not None and person.agency_id != agency.pk:
            raise Forbidden(_("Chỉ đề nghị cấp hộp thư cho cán bộ của cơ quan mình."))
        owner = Mailbox.objects.filter(agency=agency, person=person, state=Mailbox.State.ACTIVE)
        if owner.exists():
            raise ServiceError(_("Đã có hộp thư đang hoạt động; hãy đề nghị thay đổi."), code="mailbox_exists")
        address = _address(address or suggested_address(agency, person))
        _free(address)
        _aliases(aliases)
        mailbox = None
    else:
        if mailbox is None or mailbox.agency_id != agency.pk or not mailbox.is_active:
            raise ServiceError(_("Chọn một hộp thư đang hoạt động của cơ quan."), code="mailbox_required")
        person = mailbox.person
        if kind == RK.CHANGE:
            if address:
                address = _address(address)
                _free(address, mailbox)
            _aliases(aliases, mailbox)
            if not address and not clean(aliases):
                raise ServiceError(_("Cần ghi địa chỉ mới hoặc bí danh."), code="change_required")
        elif not reason:
            raise ServiceError(_("Cần ghi lý do đóng hộp thư."), code="reason_required")
    if MailboxRequest.objects.filter(agency=agency, state=RS.PENDING, person=person, mailbox=mailbox,
                                     kind=kind).exists():
        raise ServiceError(_("Đề nghị này đang chờ quản trị toàn tỉnh duyệt."), code="request_pending")
    request = MailboxRequest.objects.create(agency=agency, kind=kind, person=person, mailbox=mailbox,
                                            address=address, aliases=clean(aliases), reason=reason,
                                            requested_by=actor)
    audit.record("mail.mailbox_request", actor=actor, obj=request, kind=kind, address=address or str(mailbox),
                 aliases=request.alias_list)
    notify(operators(), _("%(agency)s đề nghị %(kind)s hộp thư %(address)s") % {
        "agency": agency.short_name, "kind": request.get_kind_display().lower(),
        "address": address or mailbox.address}, reverse("mail-requests"))
    return request


def open_mailbox(agency: Agency, person: Person | None, address: str, aliases=()) -> Mailbox:
    """Create a mailbox (approval, demo); the directory shows the new address."""
    mailbox = Mailbox.objects.create(address=address, agency=agency, person=person, quota_mb=settings.MAIL_QUOTA_MB,
                                     display_name=person.full_name if person else agency.name)
    for alias in aliases:
        MailAlias.objects.create(address=alias, mailbox=mailbox)
    _publish(mailbox)
    provisioning.changed()
    return mailbox


def _publish(mailbox: Mailbox) -> None:
    if mailbox.person_id:
        Person.objects.filter(pk=mailbox.person_id).update(email=mailbox.address)
    else:
        Agency.objects.filter(pk=mailbox.agency_id).update(email=mailbox.address)


@transaction.atomic
def decide_request(operator: Person, request: MailboxRequest, approve: bool, note: str = "") -> MailboxRequest:
    """The province operator approves (the mailbox is created, changed or closed, then provisioned) or refuses."""
    if not operator.is_operator:
        raise Forbidden(_("Chỉ quản trị toàn tỉnh duyệt đề nghị về hộp thư."))
    request = MailboxRequest.objects.select_for_update().select_related("mailbox", "person", "agency").get(
        pk=request.pk)
    if request.state != RS.PENDING:
        raise InvalidState(_("Đề nghị đã được xử lý."))
    note = clean(note)
    if not approve and not note:
        raise ServiceError(_("Cần ghi lý do không duyệt."), code="reason_required")
    if approve:
        request.mailbox = _apply(request)
    request.state = RS.APPROVED if approve else RS.REJECTED
    request.decided_by, request.decided_at, request.decision_note = operator, timezone.now(), note
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "mailbox"])
    audit.record("mail.mailbox_decide", actor=operator, obj=request, approve=approve, note=note,
                 mailbox=getattr(request.mailbox, "address", ""))
    text = (_("Đề nghị %(kind)s hộp thư %(address)s đã được duyệt.") if approve else
            _("Đề nghị %(kind)s hộp thư %(address)s không được duyệt: %(note)s"))
    notify([request.requested_by] + ([request.person] if request.person else []), text % {
        "kind": request.get_kind_display().lower(), "address": getattr(request.mailbox, "address", "") or
        request.address, "note": note}, reverse("mail-mailboxes"))
    return request


def _apply(request: MailboxRequest) -> Mailbox:
    if request.kind == RK.NEW:
        address = _address(request.address)
        _free(address)
        return open_mailbox(request.agency, request.person, address, _aliases(request.aliases))
    mailbox = Mailbox.objects.select_for_update().get(pk=request.mailbox_id)
    if not mailbox.is_active:
        raise InvalidState(_("Hộp thư đã đóng."))
    if request.kind == RK.CLOSE:
        mailbox.state, mailbox.closed_at = Mailbox.State.CLOSED, timezone.now()
        mailbox.save(update_fields=["state", "closed_at"])
        if mailbox.person_id:
            Person.objects.filter(pk=mailbox.person_id, email=mailbox.address).update(email="")
    else:
        if request.address and request.address != mailbox.address:
            new = _address(request.address)
            _free(new, mailbox)
            old = mailbox.address
            mailbox.address = new
            mailbox.save(update_fields=["address"])
            MailAlias.objects.filter(address=new).delete()
            MailAlias.objects.get_or_create(address=old, defaults={"mailbox": mailbox})  # mail to the old one arrives
            _publish(mailbox)
        for alias in _aliases(request.aliases, mailbox):
            MailAlias.objects.get_or_create(address=alias, defaults={"mailbox": mailbox})
    provisioning.changed()
    return mailbox


# --- intake -----------------------------------------------------------------------------------------------

def _require_clerk(person: Person, item: IntakeItem) -> None:
    if item.agency_id != person.agency_id or not person.has_role(Role.CLERK):
        raise Forbidden(_("Chỉ văn thư của cơ quan nhận thư xử lý được thư này."))


def _open_item(person: Person, item: IntakeItem) -> IntakeItem:
    """The item locked for this transaction, still to be handled, and the person its agency's clerk."""
    item = IntakeItem.objects.select_for_update().select_related("agency").get(pk=item.pk)
    _require_clerk(person, item)
    if not item.is_open:
        raise InvalidState(_("Thư đã được xử lý."))
    return item


def guess_notation(text: str) -> str:
    """The số, ký hiệu written in a subject ("Công văn số 1468/UBND-VHXH về việc…"), or ""."""
    for candidate in NOTATION_IN_TEXT.findall(text or ""):
        try:
            return str(notations.parse(candidate))
        except notations.NotationError:
            continue
    return ""


def sender_agency(item: IntakeItem) -> Agency | None:
    """A known agency (not on this installation) whose official address sent the message."""
    if not item.from_address:
        return None
    return Agency.objects.filter(email__iexact=item.from_address, is_local=False, is_active=True).first()


@transaction.atomic
def convert(person: Person, item: IntakeItem, *, subject: str, doc_type: str = "CV", notation: str = "",
            issued_on: date | None = None, sender: Agency | None = None, sender_name: str = "",
            due_date: date | None = None, main: int | None = None, signature_confirmed: bool = False):
    """Vào sổ in one step: the message becomes a received document (its author the sending agency, or the
    correspondent outside the directory), a delivery on the e-mail channel, an incoming item, then the
    next số đến (status 03). The usable attachments become the document's files, ``main`` the main one."""
    item = _open_item(person, item)
    subject = clean(subject)
    if not subject:
        raise ServiceError(_("Trích yếu không được để trống."), code="subject_required")
    files = list(item.attachments.filter(blob__isnull=False, refused=""))
    main_file = next((a for a in files if a.pk == main), None) if main else \
        next((a for a in files if a.is_pdf and not a.inline), None)
    if main and main_file is None:
        raise ServiceError(_("Tệp văn bản chính không thuộc thư này."), code="invalid_main_file")
    number, notation = None, clean(notation)
    if notation:
        try:
            parsed = notations.parse(notation)
            number, notation = parsed.number, str(parsed) if not parsed.year else notation
        except notations.NotationError as exc:
            raise ServiceError(_("Số, ký hiệu không đúng dạng: %(error)s") % {"error": exc}, code="invalid_notation")
    if sender is not None and (sender.is_local or not sender.is_active):
        sender = None
    if sender is None and not clean(sender_name):
        sender = sender_agency(item)  # an agency known by the address it wrote from
    author = sender or correspondent_agency(clean(sender_name) or item.from_name, item.from_address)
    kind = DocumentType.objects.filter(agency__isnull=True, code=doc_type).first() or \
        DocumentType.objects.get(agency__isnull=True, code="CV")
    issued_at = timezone.make_aware(datetime.combine(issued_on, time(8, 0))) if issued_on else \
        (item.sent_at or item.received_at)
    document = Document.objects.create(
        agency=author, doc_type=kind, subject=subject, state=Document.State.ISSUED, notation=notation[:60],
        number=number, issued_at=issued_at, form=_form(main_file),
        summary=item.body[:5000], due_date=due_date, signer_name="")
    for attachment in files:
        role = DocumentFile.Role.MAIN if attachment is main_file else DocumentFile.Role.ANNEX
        ingest_file(DocumentFile.objects.create(document=document, blob_id=attachment.blob_id, name=attachment.name,
                                                content_type=attachment.content_type, role=role))
    delivery = Delivery.objects.create(document=document, recipient=item.agency, channel=Channel.EMAIL)
    received = incoming.arrive(delivery, announce=False)
    received = incoming.register(person, received, due_date=due_date, signature_confirmed=signature_confirmed)
    item.state, item.incoming_item = IS.CONVERTED, received
    item.handled_by, item.handled_at = person, timezone.now()
    item.save(update_fields=["state", "incoming_item", "handled_by", "handled_at"])
    audit.record("mail.convert", actor=person, obj=item, incoming=received.pk, document=document.pk,
                 sender=author.code)
    return received


def _form(main_file) -> str:
    """Fully electronic only with a validly signed main PDF; an unsigned one (a scan sent by mail) needs the
    paper original (hybrid), as the signing rule of issue 3 says."""
    from congvan.signing.models import FileSignatureCheck

    if main_file is None:
        return Form.PAPER
    check = FileSignatureCheck.objects.filter(blob_id=main_file.blob_id).first()
    return Form.ELECTRONIC if check is not None and check.ok else Form.HYBRID


@transaction.atomic
def dismiss(person: Person, item: IntakeItem, reason: str) -> IntakeItem:
    """Loại bỏ: not a document to register (spam, a duplicate, a personal message); the mail is kept."""
    item = _open_item(person, item)
    reason = clean(reason)
    if not reason:
        raise ServiceError(_("Cần ghi lý do loại bỏ thư."), code="reason_required")
    item.state, item.dismiss_reason = IS.DISMISSED, reason
    item.handled_by, item.handled_at = person, timezone.now()
    item.save(update_fields=["state", "dismiss_reason", "handled_by", "handled_at"])
    audit.record("mail.dismiss", actor=person, obj=item, reason=reason)
    return item


@transaction.atomic
def record_check(person: Person, via: str = "web") -> IntakeCheck | None:
    """A clerk looked at the agency's mail. Checks closer than CONGVAN_MAIL_CHECK_GAP minutes count once."""
    if not person.has_role(Role.CLERK):
        return None
    now = timezone.now()
    since = now - timedelta(minutes=settings.MAIL_CHECK_GAP)
    if IntakeCheck.objects.filter(agency_id=person.agency_id, at__gt=since).exists():
        return None
    return IntakeCheck.objects.create(agency_id=person.agency_id, person=person, at=now, via=via)


@transaction.atomic
def set_check_rule(person: Person, *, rule: str, valid_from: date, note: str = "") -> CheckRule:
    """The province operator sets the rule for checking agency mailboxes, in force from ``valid_from`` (not
    before today: days already judged keep the rule they were judged by)."""
    if not person.is_operator:
        raise Forbidden(_("Chỉ quản trị toàn tỉnh đặt quy định kiểm tra hộp thư."))
    rule = clean(rule).lower()
    try:
        compliance.parse_rule(rule)
    except compliance.RuleError as exc:
        raise ServiceError(str(exc), code="invalid_rule")
    if valid_from < timezone.localdate():
        raise ServiceError(_("Quy định mới chỉ áp dụng từ hôm nay trở đi."), code="invalid_date")
    saved, _created = CheckRule.objects.update_or_create(valid_from=valid_from, defaults={
        "rule": rule, "note": clean(note)[:255], "created_by": person})
    audit.record("mail.check_rule", actor=person, obj=saved, rule=rule, valid_from=valid_from.isoformat())
    return saved


@transaction.atomic
def set_preference(person: Person, notify_by_mail: bool) -> MailPreference:
    preference, _created = MailPreference.objects.get_or_create(person=person)
    preference.notify_by_mail = notify_by_mail
    preference.save(update_fields=["notify_by_mail"])
    audit.record("mail.preference", actor=person, notify_by_mail=notify_by_mail)
    return preference


# --- IMAP sources -----------------------------------------------------------------------------------------

def _require_agency_admin(person: Person, agency: Agency) -> None:
    if not (person.is_operator or (person.agency_id == agency.pk and person.roles() & {Role.ADMIN, Role.CLERK})):
        raise Forbidden(_("Chỉ văn thư, quản trị của cơ quan hoặc quản trị toàn tỉnh cấu hình hộp thư IMAP."))


@transaction.atomic
def save_imap_account(person: Person, agency: Agency, *, host: str, port: int, security: str, username: str,
                      password: str = "", folder: str = "INBOX", enabled: bool = True,
                      account: ImapAccount | None = None) -> ImapAccount:
    """Add or change the IMAP mailbox polled for the agency (an empty password keeps the stored one)."""
    _require_agency_admin(person, agency)
    host, username, folder = clean(host), clean(username), clean(folder) or "INBOX"
    if not host or not username:
        raise ServiceError(_("Cần máy chủ và tên đăng nhập IMAP."), code="imap_required")
    if security not in ImapAccount.Security.values or not 1 <= int(port) <= 65535:
        raise ServiceError(_("Cổng hoặc kiểu mã hóa IMAP không hợp lệ."), code="imap_invalid")
    if account is None:
        if not password:
            raise ServiceError(_("Cần mật khẩu của hộp thư IMAP."), code="imap_required")
        account = ImapAccount(agency=agency)
    elif account.agency_id != agency.pk:
        raise Forbidden()
    moved = (account.host, account.username, account.folder) != (host, username, folder)
    account.host, account.port, account.security, account.username = host, int(port), security, username
    account.folder, account.enabled = folder, enabled
    if password:
        account.password = sealed.seal(password)
    if moved and account.pk:  # another mailbox: start from its beginning
        account.uidvalidity, account.last_uid = None, 0
    account.last_error = ""
    account.save()
    audit.record("mail.imap_save", actor=person, agency=agency, obj=account, host=host, username=username,
                 folder=folder, enabled=enabled)
    return account


@transaction.atomic
def retry(person: Person, mail: OutgoingMail) -> None:
    if not person.is_operator:
        raise Forbidden()
    if mail.state not in (OutgoingMail.State.DEAD, OutgoingMail.State.HELD):
        raise InvalidState(_("Chỉ gửi lại được thư đang chờ hoặc gửi không thành công."))
    outbox.retry(mail, person)

