"""Incoming flow (văn bản đến): arrive (01) → register (03) or refuse (02) → assign (04) → start (05)
→ complete (06); revocation answers (15/16); bút phê, forwarding and the distribution history."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from congvan import audit
from congvan.directory.models import Person, Role
from congvan.documents import numbering
from congvan.documents.models import Direction, Document
from congvan.errors import Forbidden, InvalidState, ServiceError
from congvan.signing import selectors as signing_selectors
from congvan.signing import services as signing
from congvan.text import clean
from congvan.workflow.models import Delivery, Distribution, IncomingItem, LeaderNote, Status
from congvan.workflow.notify import notify, people_with_role
from congvan.workflow.selectors import working_calendar
from congvan.workflow.trail import append_status

IS = IncomingItem.State


def _url(item: IncomingItem) -> str:
    return reverse("incoming-detail", args=[item.pk])


def _lock(item: IncomingItem) -> IncomingItem:
    return IncomingItem.objects.select_for_update().select_related("delivery", "document", "agency").get(pk=item.pk)


def _require(person: Person, item: IncomingItem, role: str) -> None:
    if item.agency_id != person.agency_id or not person.has_role(role):
        raise Forbidden()


def arrive(delivery: Delivery, *, announce: bool = True) -> IncomingItem:
    """A delivery reached the recipient agency: status 01 and a task for its clerks (``announce=False``:
    the clerk registering it at once, from the agency's mail, already knows)."""
    item = IncomingItem.objects.create(delivery=delivery, agency=delivery.recipient, document=delivery.document,
                                       arrived_at=timezone.now())
    append_status(delivery, Status.ARRIVED)
    # --- signing (issue 3): every received PDF is validated; the result is kept with the file
    checks = signing.check_document(delivery.document)
    # --- end signing
    audit.record("incoming.arrive", agency=delivery.recipient, obj=item, document=delivery.document_id,
                 sender=delivery.document.agency.code,
                 signatures_ok=all(c.ok for c in checks) if checks else None)
    if announce:
        notify(people_with_role(delivery.recipient, Role.CLERK),
               f"Văn bản đến từ {delivery.document.agency.short_name}: {delivery.document.subject[:140]}",
               _url(item), by_mail=True)
    return item


@transaction.atomic
def register(person: Person, item: IncomingItem, due_date: date | None = None, *,
             signature_confirmed: bool = False) -> IncomingItem:
    """Vào sổ: the next số đến of the year (secret documents in their own register), status 03.

    A document whose signature check failed is registered only when the clerk confirms having checked it."""
    item = _lock(item)
    _require(person, item, Role.CLERK)
    if item.state != IS.ARRIVED:
        raise InvalidState("Văn bản đã được xử lý tiếp nhận.")
    # --- signing (issue 3): a failed signature is not accepted silently
    signing.check_document(item.document)
    problems = signing_selectors.signature_problems(item.document)
    if problems and not signature_confirmed:
        raise ServiceError("Chữ ký số của văn bản không hợp lệ: " + "; ".join(problems) + " Hãy kiểm tra với cơ "
                           "quan gửi; nếu vẫn tiếp nhận, đánh dấu “Tôi đã kiểm tra, vẫn vào sổ”.",
                           code="signature_not_confirmed", detail={"problems": problems})
    # --- end signing
    now = timezone.now()
    reg = numbering.register_for(item.agency, Direction.INCOMING, timezone.localdate(now).year,
                                 item.document.is_secret)
    item.register, item.arrival_number = reg, numbering.allocate(reg)
    item.state, item.registered_at, item.registered_by = IS.REGISTERED, now, person
    item.due_date = due_date or item.document.due_date
    item.save(update_fields=["register", "arrival_number", "state", "registered_at", "registered_by", "due_date"])
    append_status(item.delivery, Status.ACCEPTED, f"Số đến {item.arrival_number}", person)
    audit.record("incoming.register", actor=person, obj=item, arrival_number=item.arrival_number,
                 signature_problems=problems)
    notify(people_with_role(item.agency, Role.LEADER), f"Văn bản đến chờ phân công: {item.document.subject[:140]}",
           _url(item))
    return item


@transaction.atomic
def refuse(person: Person, item: IncomingItem, reason: str) -> IncomingItem:
    item = _lock(item)
    _require(person, item, Role.CLERK)
    if item.state != IS.ARRIVED:
        raise InvalidState("Chỉ từ chối được văn bản chưa vào sổ.")
    reason = clean(reason)
    if not reason:
        raise ServiceError("Cần ghi lý do từ chối (ví dụ: gửi nhầm, sai thẩm quyền).", code="reason_required")
    item.state, item.refusal_reason = IS.REFUSED, reason
    item.save(update_fields=["state", "refusal_reason"])
    append_status(item.delivery, Status.REFUSED, reason, person)
    audit.record("incoming.refuse", actor=person, obj=item, reason=reason)
    return item


def _same_agency(item: IncomingItem, ids) -> list[Person]:
    ids = [int(i) for i in ids if i not in (None, "")]
    people = list(Person.objects.filter(pk__in=ids, agency_id=item.agency_id))
    if len(people) != len(set(ids)):
        raise ServiceError("Người được giao phải thuộc cơ quan nhận văn bản.", code="unknown_person")
    return people


@transaction.atomic
def assign(person: Person, item: IncomingItem, *, lead, support=(), info=(), due_date: date | None = None,
           due_in_working_days: int | None = None, note: str = "") -> IncomingItem:
    """Phân công: one lead, any support and info people, a deadline; reassigning keeps the old as history.

    The deadline is a date, or a number of working days from today on the working calendar."""
    item = _lock(item)
    _require(person, item, Role.LEADER)
    if item.state not in (IS.REGISTERED, IS.ASSIGNED, IS.IN_PROGRESS):
        raise InvalidState("Chỉ phân công văn bản đã vào sổ và chưa hoàn thành.")
    if lead in (None, ""):
        raise ServiceError("Cần chọn người xử lý chính.", code="lead_required")
    [lead_person] = _same_agency(item, [lead])
    supports, infos = _same_agency(item, support), _same_agency(item, info)
    now = timezone.now()
    item.distributions.filter(role__in=["lead", "support", "info"], active=True).update(active=False)
    rows = [(lead_person, Distribution.Role.LEAD)] + [(p, Distribution.Role.SUPPORT) for p in supports] + \
           [(p, Distribution.Role.INFO) for p in infos]
    for target, role in rows:
        Distribution.objects.create(item=item, person=target, role=role, by=person, at=now, note=clean(note))
    if due_in_working_days is not None and not due_date:
        if not 1 <= due_in_working_days <= 365:
            raise ServiceError("Số ngày làm việc phải từ 1 đến 365.", code="invalid_due_days")
        due_date = working_calendar().add_working_days(timezone.localdate(), due_in_working_days)
    if due_date:
        item.due_date = due_date
    first = item.state == IS.REGISTERED
    if first:
        item.state = IS.ASSIGNED
    item.save(update_fields=["state", "due_date"])
    if clean(note):
        LeaderNote.objects.create(item=item, author=person, text=clean(note), at=now)
    append_status(item.delivery, Status.ASSIGNED, f"Xử lý chính: {lead_person.full_name}", person)
    audit.record("incoming.assign", actor=person, obj=item, lead=lead_person.pk,
                 support=[p.pk for p in supports], info=[p.pk for p in infos], due_date=item.due_date)
    notify([lead_person], f"Bạn được giao xử lý chính: {item.document.subject[:140]}", _url(item))
    notify(supports, f"Bạn được giao phối hợp xử lý: {item.document.subject[:140]}", _url(item))
    notify(infos, f"Văn bản để biết: {item.document.subject[:150]}", _url(item))
    return item


@transaction.atomic
def add_note(person: Person, item: IncomingItem, text: str) -> LeaderNote:
    """Bút phê: only added, never edited, so its history is the list itself."""
    item = _lock(item)
    _require(person, item, Role.LEADER)
    text = clean(text)
    if not text:
        raise ServiceError("Nội dung bút phê trống.", code="note_required")
    note = LeaderNote.objects.create(item=item, author=person, text=text, at=timezone.now())
    audit.record("incoming.note", actor=person, obj=item, text=text)
    return note


def _holds(person: Person, item: IncomingItem) -> bool:
    return person.roles() & {Role.CLERK, Role.LEADER} or item.distributions.filter(person=person).exists()


@transaction.atomic
def forward(person: Person, item: IncomingItem, to_people, note: str = "") -> list[Distribution]:
    """Chuyển: hand the item to colleagues of the same agency; they see it from now on."""
    item = _lock(item)
    if item.agency_id != person.agency_id or not _holds(person, item):
        raise Forbidden()
    if item.state in (IS.ARRIVED, IS.REFUSED, IS.REVOKED):
        raise InvalidState("Văn bản chưa vào sổ hoặc đã thu hồi không chuyển được.")
    targets = _same_agency(item, to_people)
    if not targets:
        raise ServiceError("Cần chọn người nhận.", code="recipients_required")
    now = timezone.now()
    rows = [Distribution.objects.create(item=item, person=t, role=Distribution.Role.FORWARD, by=person, at=now,
                                        note=clean(note)) for t in targets]
    audit.record("incoming.forward", actor=person, obj=item, to=[t.pk for t in targets])
    notify(targets, f"{person.full_name} chuyển văn bản: {item.document.subject[:140]}", _url(item))
    return rows


def mark_opened(person: Person, item: IncomingItem) -> None:
    """First opening by each recipient of a distribution is kept (who opened it, when)."""
    item.distributions.filter(person=person, opened_at__isnull=True).update(opened_at=timezone.now())


def _require_lead(person: Person, item: IncomingItem) -> None:
    if not item.distributions.filter(person=person, role=Distribution.Role.LEAD, active=True).exists():
        raise Forbidden("Chỉ người xử lý chính thực hiện được thao tác này.")


@transaction.atomic
def start(person: Person, item: IncomingItem) -> IncomingItem:
    item = _lock(item)
    _require_lead(person, item)
    if item.state != IS.ASSIGNED:
        raise InvalidState()
    item.state = IS.IN_PROGRESS
    item.save(update_fields=["state"])
    append_status(item.delivery, Status.IN_PROGRESS, "", person)
    audit.record("incoming.start", actor=person, obj=item)
    return item


@transaction.atomic
def complete(person: Person, item: IncomingItem, note: str = "", reply_document: Document | None = None
             ) -> IncomingItem:
    item = _lock(item)
    _require_lead(person, item)
    if item.state == IS.ASSIGNED:  # finishing at once still reports 05 before 06
        item.state = IS.IN_PROGRESS
        append_status(item.delivery, Status.IN_PROGRESS, "", person)
    if item.state != IS.IN_PROGRESS:
        raise InvalidState()
    if reply_document is not None and reply_document.agency_id != person.agency_id:
        raise ServiceError("Văn bản trả lời phải là văn bản của cơ quan mình.", code="invalid_reply")
    item.state, item.completed_at = IS.DONE, timezone.now()
    item.completion_note, item.reply_document = clean(note), reply_document
    item.save(update_fields=["state", "completed_at", "completion_note", "reply_document"])
    reply = f"; trả lời bằng {reply_document.notation or reply_document.subject[:60]}" if reply_document else ""
    append_status(item.delivery, Status.DONE, clean(note) + reply, person)
    audit.record("incoming.complete", actor=person, obj=item, reply=getattr(reply_document, "pk", None))
    return item


def revocation_requested(delivery: Delivery, reason: str) -> None:
    item = IncomingItem.objects.filter(delivery=delivery).first()
    if item is None or item.state == IS.REVOKED:
        return
    item.revocation_pending, item.revocation_reason = True, reason
    item.save(update_fields=["revocation_pending", "revocation_reason"])
    notify(people_with_role(item.agency, Role.CLERK),
           f"{delivery.document.agency.short_name} đề nghị thu hồi văn bản {delivery.document.notation}",
           _url(item))


def withdraw_replaced(item: IncomingItem, by: str) -> bool:
    """Văn bản bị thay thế: a document replaced by its sender (``by``: the new one's số, ký hiệu) is
    withdrawn at once — unlike a revocation, no answer is asked — and the clerks are told."""
    if item.state == IS.REVOKED:
        return False
    item.state, item.revocation_pending = IS.REVOKED, False
    item.revocation_reason = f"Được thay thế bởi văn bản {by}"
    item.save(update_fields=["state", "revocation_pending", "revocation_reason"])
    audit.record("incoming.replaced", agency=item.agency, obj=item, by=by)
    notify(people_with_role(item.agency, Role.CLERK),
           f"Văn bản {item.document.notation} của {item.document.agency.short_name} đã được thay thế bởi văn bản {by}",
           _url(item))
    return True


@transaction.atomic
def answer_revocation(person: Person, item: IncomingItem, accept: bool, reason: str = "") -> IncomingItem:
    """15: withdrawn from use (its metadata kept, per Decree 30 Appendix VI); 16: refused with a reason."""
    item = _lock(item)
    _require(person, item, Role.CLERK)
    if not item.revocation_pending:
        raise InvalidState("Không có đề nghị thu hồi nào đang chờ.")
    reason = clean(reason)
    item.revocation_pending = False
    if accept:
        item.state = IS.REVOKED
        append_status(item.delivery, Status.REVOKE_ACCEPTED, reason, person)
    else:
        if not reason:
            raise ServiceError("Cần ghi lý do không đồng ý thu hồi.", code="reason_required")
        append_status(item.delivery, Status.REVOKE_REFUSED, reason, person)
    item.save(update_fields=["state", "revocation_pending"])
    audit.record("incoming.revocation_answer", actor=person, obj=item, accept=accept, reason=reason)
    return item
