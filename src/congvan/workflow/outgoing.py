"""Outgoing flow (văn bản đi): submit → approve or return → issue → deliveries; revocation."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from congvan import audit
from congvan.directory.models import ExternalContact, Person, Role
from congvan.documents import numbering, storage
from congvan.documents.models import Direction, Document, Form
from congvan.documents.services import check_form
from congvan.errors import Forbidden, InvalidState, SecrecyViolation, ServiceError
from congvan.exchange import outbound
from congvan.exchange import selectors as exchange_selectors
from congvan.mail import outbox as mail_outbox
from congvan.signing import selectors as signing_selectors
from congvan.signing import services as signing
from congvan.text import clean
from congvan.workflow import incoming
from congvan.workflow.models import ELECTRONIC_CHANNELS, Channel, Delivery, Status
from congvan.workflow.notify import notify, people_with_role
from congvan.workflow.trail import append_status

S = Document.State


def _require(person: Person, document: Document, role: str) -> None:
    if document.agency_id != person.agency_id or not person.has_role(role):
        raise Forbidden()


def _lock(document: Document) -> Document:
    return Document.objects.select_for_update(of=("self",)).select_related("agency", "doc_type", "drafting_unit").get(
        pk=document.pk)


def _url(document: Document) -> str:
    return reverse("outgoing-detail", args=[document.pk])


@transaction.atomic
def submit(person: Person, document: Document) -> Document:
    document = _lock(document)
    if document.created_by_id != person.pk:
        raise Forbidden("Chỉ người soạn thảo được trình dự thảo.")
    if document.state not in (S.DRAFT, S.RETURNED):
        raise InvalidState()
    document.state, document.submitted_at, document.return_reason = S.SUBMITTED, timezone.now(), ""
    document.save(update_fields=["state", "submitted_at", "return_reason"])
    audit.record("document.submit", actor=person, obj=document)
    notify(people_with_role(document.agency, Role.LEADER), f"Dự thảo chờ duyệt: {document.subject[:150]}",
           _url(document))
    return document


@transaction.atomic
def approve(person: Person, document: Document, *, passphrase: str | None = None, pin: str | None = None,
            placement=None) -> Document:
    """Duyệt. With the leader's passphrase (PKCS#12) or PIN (token) the main PDF is signed (issue 3);
    signing is required when the installation says so (signing.selectors.signing_required)."""
    document = _lock(document)
    _require(person, document, Role.LEADER)
    if document.state != S.SUBMITTED:
        raise InvalidState()
    # --- signing (issue 3): the signed main PDF becomes a new file; a failure rolls the approval back
    signed = signing.sign_approval(person, document, passphrase=passphrase, pin=pin, placement=placement)
    # --- end signing
    document.state, document.approved_by, document.approved_at = S.APPROVED, person, timezone.now()
    document.signer_name, document.signer_position = person.full_name, person.position
    document.save(update_fields=["state", "approved_by", "approved_at", "signer_name", "signer_position"])
    audit.record("document.approve", actor=person, obj=document, signed=signed is not None)
    notify(people_with_role(document.agency, Role.CLERK), f"Văn bản chờ phát hành: {document.subject[:150]}",
           _url(document))
    return document


@transaction.atomic
def return_(person: Person, document: Document, reason: str) -> Document:
    document = _lock(document)
    _require(person, document, Role.LEADER)
    if document.state != S.SUBMITTED:
        raise InvalidState()
    reason = clean(reason)
    if not reason:
        raise ServiceError("Cần ghi lý do trả lại.", code="reason_required")
    document.state, document.return_reason = S.RETURNED, reason
    document.save(update_fields=["state", "return_reason"])
    audit.record("document.return", actor=person, obj=document, reason=reason)
    notify([document.created_by], f"Dự thảo bị trả lại: {reason[:150]}", _url(document))
    return document


def channel_for(document: Document, recipient) -> str:
    """Paper for a paper document; else an agency on this installation → internal, one reachable through
    the exchange → exchange, one with an official address → e-mail; a contact outside the directory
    (ExternalContact) → e-mail; otherwise paper."""
    if document.form == Form.PAPER:
        return Channel.PAPER
    if isinstance(recipient, ExternalContact):
        return Channel.EMAIL if recipient.email else Channel.PAPER
    if recipient.is_local:
        return Channel.INTERNAL
    if exchange_selectors.reachable(recipient.code):
        return Channel.EXCHANGE
    return Channel.EMAIL if recipient.email else Channel.PAPER


@transaction.atomic
def issue(person: Person, document: Document, *, passphrase: str | None = None, pin: str | None = None
          ) -> Document:
    """Number, date and send: everything in one transaction, so a failure leaves no gap in the register.

    The agency's signature (passphrase or PIN of the agency's seal certificate) is applied after the
    number is allocated; a signing failure rolls the number back (issue 3)."""
    document = _lock(document)
    _require(person, document, Role.CLERK)
    if document.state != S.APPROVED:
        raise InvalidState("Chỉ phát hành được văn bản đã được lãnh đạo duyệt.")
    check_form(document.secrecy, document.form)
    recipients = list(document.recipients.all())
    contacts = list(document.contacts.all())
    if not recipients and not contacts and not document.recipients_note:
        raise ServiceError("Văn bản chưa có nơi nhận.", code="no_recipients")
    if document.form != Form.PAPER:
        main = document.main_file
        if main is None:
            raise ServiceError("Văn bản điện tử cần có tệp PDF văn bản chính trước khi phát hành.",
                               code="main_file_required")
        storage.read_verified(main.blob)
    now = timezone.now()
    register = numbering.register_for(document.agency, Direction.OUTGOING, timezone.localdate(now).year,
                                      document.is_secret, document.doc_type)
    number = numbering.allocate(register)
    document.register, document.number = register, number
    document.notation = document.build_notation(number)
    document.state, document.issued_at, document.issued_by = S.ISSUED, now, person
    # --- signing (issue 3): seal on the main PDF, text on annex PDFs; then the form follows the signatures
    signing.seal_issue(person, document, signed_at=now, passphrase=passphrase, pin=pin)
    document.form = signing_selectors.form_from_signatures(document)
    # --- end signing
    document.save(update_fields=["register", "number", "notation", "state", "issued_at", "issued_by", "form"])
    audit.record("document.issue", actor=person, obj=document, notation=document.notation,
                 register=register.pk, recipients=[a.code for a in recipients], form=document.form,
                 contacts=[c.email for c in contacts])
    remote, mails = [], []
    for recipient in recipients + contacts:
        delivery = create_delivery(document, recipient, channel_for(document, recipient))
        if delivery.channel == Channel.EXCHANGE:
            remote.append(recipient)
        elif delivery.channel == Channel.EMAIL:
            mails.append(delivery)
    if remote:  # one edXML package for every recipient on other installations, sent by the worker
        outbound.enqueue_document(document, remote)
    if mails:  # one message per e-mail recipient, sent by the worker (issue 5)
        mail_outbox.enqueue_document(document, mails)
    if document.replaces_id:
        _withdraw_replaced(person, document)
    return document


def _withdraw_replaced(person: Person, document: Document) -> None:
    """Văn bản thay thế, on issue: the replaced document's recipients on this installation lose it at once
    (their trail says so: 15); e-mail recipients get a revocation notice (13); those on other installations
    are told by the new document's package itself (BussinessDocType 3)."""
    replaced = document.replaces
    reason = f"Được thay thế bởi văn bản {document.notation}"
    for delivery in replaced.deliveries.filter(channel__in=[Channel.INTERNAL, Channel.EMAIL]).select_related(
            "incoming", "contact", "recipient"):
        if delivery.channel == Channel.EMAIL:
            append_status(delivery, Status.REVOKE_REQUESTED, reason, person)
            mail_outbox.enqueue_revocation(delivery, reason)
        elif hasattr(delivery, "incoming") and incoming.withdraw_replaced(delivery.incoming, document.notation):
            append_status(delivery, Status.REVOKE_ACCEPTED, reason, person)
    audit.record("document.replace", actor=person, obj=document, replaces=replaced.notation)


def create_delivery(document: Document, recipient, channel: str) -> Delivery:
    """The one place a delivery is born (to an Agency or an ExternalContact); refuses an electronic channel
    for a secret document."""
    if document.is_secret and channel in ELECTRONIC_CHANNELS:
        raise SecrecyViolation()
    target = {"contact": recipient} if isinstance(recipient, ExternalContact) else {"recipient": recipient}
    delivery = Delivery.objects.create(document=document, channel=channel, **target)
    if channel == Channel.INTERNAL:
        incoming.arrive(delivery)
    return delivery


@transaction.atomic
def revoke(person: Person, document: Document, reason: str) -> Document:
    """Ask every recipient to take the document back (status 13); each answers 15 or 16."""
    document = _lock(document)
    if document.agency_id != person.agency_id or not (person.roles() & {Role.CLERK, Role.LEADER}):
        raise Forbidden()
    if document.state != S.ISSUED:
        raise InvalidState("Chỉ thu hồi được văn bản đã phát hành.")
    reason = clean(reason)
    if not reason:
        raise ServiceError("Cần ghi lý do thu hồi.", code="reason_required")
    document.revocation_reason = reason
    document.save(update_fields=["revocation_reason"])
    asked = 0
    for delivery in document.deliveries.select_related("recipient", "contact").exclude(
            status__in=[Status.REFUSED, Status.REVOKE_ACCEPTED]):
        append_status(delivery, Status.REVOKE_REQUESTED, reason, person)
        incoming.revocation_requested(delivery, reason)
        if delivery.channel == Channel.EMAIL:  # an e-mail recipient is told by e-mail
            mail_outbox.enqueue_revocation(delivery, reason)
        asked += 1
    audit.record("document.revoke_request", actor=person, obj=document, reason=reason, recipients=asked)
    return document
