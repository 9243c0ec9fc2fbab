"""Mail out (hộp thư đi): messages written in the transaction of the change they report, built once
(signed PDF attached, DKIM-signed), sent by the worker with retries and back-off; the delivery's trail
follows: handed to the mail system → 01, refused or bounced (DSN) → 02 with the reason."""

import base64
import logging
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from congvan import audit
from congvan.directory.models import Agency, Person, Role
from congvan.documents import storage
from congvan.mail import addresses, dkim, mime
from congvan.mail.models import Mailbox, MailPreference, OutgoingMail
from congvan.mail.transport import NoRoute, SendError
from congvan.workflow.models import Delivery, Status

log = logging.getLogger(__name__)
HELD_RECHECK = timedelta(seconds=60)
M = OutgoingMail.State


def backoff(attempts: int) -> timedelta:
    steps = settings.MAIL_BACKOFF or [60.0]
    return timedelta(seconds=steps[min(attempts, len(steps)) - 1])


def agency_address(agency: Agency) -> str:
    """The agency's official address: its active agency mailbox, else the directory's e-mail."""
    mailbox = Mailbox.objects.filter(agency=agency, person__isnull=True, state=Mailbox.State.ACTIVE).first()
    if mailbox is not None:
        return mailbox.address
    if agency.email:
        return addresses.normalize(agency.email)
    return f"{agency.slug}@{settings.MAIL_DOMAINS[0]}"


def notify_address() -> str:
    return f"thongbao@{settings.MAIL_DOMAINS[0]}"


# --- enqueue (inside the business transaction) ------------------------------------------------------------

def enqueue_document(document, deliveries: list[Delivery]) -> list[OutgoingMail]:
    """One message per e-mail delivery of an issued document."""
    sender = agency_address(document.agency)
    now = timezone.now()
    return [OutgoingMail.objects.create(
        kind=OutgoingMail.Kind.DOCUMENT, document=document, delivery=d, from_address=sender,
        from_name=document.agency.name, to_address=addresses.normalize(d.recipient_email), to_name=d.recipient_name,
        next_attempt_at=now) for d in deliveries]


def enqueue_revocation(delivery: Delivery, reason: str) -> OutgoingMail:
    document = delivery.document
    return OutgoingMail.objects.create(
        kind=OutgoingMail.Kind.REVOCATION, document=document, delivery=delivery,
        from_address=agency_address(document.agency), from_name=document.agency.name,
        to_address=addresses.normalize(delivery.recipient_email), to_name=delivery.recipient_name, text=reason,
        next_attempt_at=timezone.now())


def enqueue_notifications(people, text: str, url: str = "") -> int:
    """The people who asked for it get the notification by e-mail too (their official address: their active
    mailbox, else the directory's e-mail). Three queries and one insert, however many people there are."""
    ids = [p.pk for p in people]
    wanted = set(MailPreference.objects.filter(person_id__in=ids, notify_by_mail=True).values_list("person_id",
                                                                                                  flat=True))
    if not wanted:
        return 0
    mailboxes: dict[int, str] = {}
    for person_id, address in Mailbox.objects.filter(person_id__in=wanted, state=Mailbox.State.ACTIVE) \
            .values_list("person_id", "address"):
        mailboxes.setdefault(person_id, address)  # should there be two, the first in the model's order
    now, sender = timezone.now(), notify_address()
    rows = []
    for person in Person.objects.filter(pk__in=wanted):
        address = mailboxes.get(person.pk) or addresses.normalize(person.email)
        if addresses.is_valid(address):
            rows.append(OutgoingMail(kind=OutgoingMail.Kind.NOTIFICATION, person=person, from_address=sender,
                                     from_name="Congvan", to_address=address, to_name=person.full_name, text=text,
                                     url=url, next_attempt_at=now))
    OutgoingMail.objects.bulk_create(rows)
    return len(rows)


# --- building --------------------------------------------------------------------------------------------

def _site_url(path: str) -> str:
    base = settings.CSRF_TRUSTED_ORIGINS[0] if settings.CSRF_TRUSTED_ORIGINS else ""
    return base.rstrip("/") + path if path else ""


def _document_context(mail: OutgoingMail) -> dict:
    from congvan.signing.selectors import current_files

    document = mail.document
    files = current_files(document)
    issued = timezone.localtime(document.issued_at) if document.issued_at else None
    return {"mail": mail, "document": document, "agency": document.agency, "files": files,
            "type_name": document.doc_type.name, "issued": issued, "to_name": mail.to_name,
            "hybrid": document.form == "hybrid"}


def encode_words(text: str, limit: int = 66) -> str:
    """RFC 2047 encoded words (UTF-8, base64), folded one per line, every space inside a word: Python 3.11's
    own folding drops the space between two encoded words ("việc sử" arrives as "việcsử")."""
    if text.isascii():
        return text

    def word(chunk: str) -> str:
        return "=?utf-8?b?" + base64.b64encode(chunk.encode("utf-8")).decode("ascii") + "?="

    words, chunk = [], ""
    for ch in text:
        if chunk and len(word(chunk + ch)) > limit:
            words.append(word(chunk))
            chunk = ""
        chunk += ch
    words.append(word(chunk))
    return "\r\n ".join(words)


def _set(message: EmailMessage, name: str, value: str) -> None:
    message.set_raw(name, encode_words(" ".join(value.split())))


def _address(name: str, address: str) -> str:
    if not name:
        return address
    return f"{encode_words(name)} <{address}>" if not name.isascii() else formataddr((name, address))


def compose(mail: OutgoingMail) -> EmailMessage:
    """The message as it will be sent (not yet DKIM-signed)."""
    message = EmailMessage()
    message.set_raw("From", _address(mail.from_name, mail.from_address))
    message.set_raw("To", _address(mail.to_name, mail.to_address))
    message["Date"] = format_datetime(timezone.localtime())
    message["Message-ID"] = f"<{mail.token}@{settings.MAIL_HOSTNAME}>"
    if mail.kind == OutgoingMail.Kind.NOTIFICATION:
        _set(message, "Subject", "[Congvan] " + mail.text[:150])
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(render_to_string("mail/notification.txt", {"mail": mail, "link": _site_url(mail.url)}))
        return message
    context = _document_context(mail)
    document = mail.document
    message["Reply-To"] = mail.from_address
    _set(message, "X-Congvan-Document", document.notation)
    message["X-Congvan-Agency"] = document.agency.code
    template = "mail/document" if mail.kind == OutgoingMail.Kind.DOCUMENT else "mail/revocation"
    _set(message, "Subject", render_to_string(template + "_subject.txt", context)[:250])
    message.set_content(render_to_string(template + ".txt", context))
    if mail.kind == OutgoingMail.Kind.DOCUMENT:
        total = 0
        for attached in context["files"]:
            data = storage.read_verified(attached.blob)  # the signed file's hash is checked on sending
            total += len(data)
            if total > settings.MAIL_MAX_MESSAGE:
                raise SendError(f"Tệp văn bản quá lớn để gửi qua thư điện tử (trên "
                                f"{settings.MAIL_MAX_MESSAGE // (1024 * 1024)} MB).", permanent=True)
            maintype, _, subtype = (attached.content_type or "application/octet-stream").partition("/")
            message.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=attached.name)
    return message


def build(mail: OutgoingMail) -> bytes:
    """Compose, DKIM-sign and store the message once: a retry sends the very same bytes."""
    if mail.blob_id:
        return storage.read_verified(mail.blob)
    message = compose(mail)
    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    domain = addresses.domain_of(mail.from_address)
    key = dkim.active_key(domain)
    if key is not None:
        raw = dkim.sign(raw, key)
    else:
        log.warning("mail: no DKIM key for %s; %s leaves unsigned", domain, mail.pk)
    blob = storage.store_bytes(raw)
    OutgoingMail.objects.filter(pk=mail.pk).update(blob=blob, message_id=message["Message-ID"],
                                                   dkim_domain=domain if key else "")
    mail.blob, mail.message_id = blob, message["Message-ID"]
    return raw


def envelope_from(mail: OutgoingMail) -> str:
    return addresses.bounce_address(settings.MAIL_BOUNCE_LOCALPART, mail.token, addresses.domain_of(mail.from_address))


# --- sending ---------------------------------------------------------------------------------------------

def due(limit: int = 50) -> list[OutgoingMail]:
    return list(OutgoingMail.objects.filter(state__in=[M.PENDING, M.HELD], next_attempt_at__lte=timezone.now())
                .select_related("document__agency", "document__doc_type", "delivery").order_by("created_at")[:limit])


def drain(transport, limit: int = 50) -> int:
    """Send what is due; returns how many left (handed to the relay or delivered locally)."""
    sent = 0
    for mail in due(limit):
        try:
            raw = build(mail)
            reply = transport.send(envelope_from(mail), mail.to_address, raw)
        except NoRoute:
            held(mail)
            continue
        except SendError as exc:
            failed(mail, exc.message, permanent=exc.permanent)
            continue
        except Exception as exc:  # noqa: BLE001 - a bug or a broken file must not stop the queue
            log.exception("mail: %s could not be sent", mail.pk)
            failed(mail, str(exc) or exc.__class__.__name__, permanent=False)
            continue
        delivered(mail, reply, getattr(transport, "label", ""))
        sent += 1
    return sent


@transaction.atomic
def delivered(mail: OutgoingMail, reply: str, via: str) -> None:
    from congvan.workflow.trail import append_status

    OutgoingMail.objects.filter(pk=mail.pk).update(state=M.SENT, sent_at=timezone.now(), attempts=mail.attempts + 1,
                                                   last_error="")
    if mail.kind == OutgoingMail.Kind.DOCUMENT and mail.delivery_id:
        delivery = Delivery.objects.select_related("document").get(pk=mail.delivery_id)
        if not delivery.status:
            append_status(delivery, Status.ARRIVED, f"Đã gửi thư điện tử tới {mail.to_address} qua {via}: {reply}"[:1000])
    audit.record("mail.sent", obj=mail.document, mail=str(mail.pk), to=mail.to_address, kind=mail.kind, reply=reply)


def held(mail: OutgoingMail) -> None:
    """No relay and not our own address: wait (attempts are not counted) until the operator configures one."""
    OutgoingMail.objects.filter(pk=mail.pk).update(
        state=M.HELD, next_attempt_at=timezone.now() + HELD_RECHECK,
        last_error="Chưa cấu hình máy chủ gửi thư ra ngoài (CONGVAN_MAIL_RELAY_HOST); thư chờ trong hộp thư đi.")


def failed(mail: OutgoingMail, reason: str, *, permanent: bool) -> None:
    attempts = mail.attempts + 1
    dead = not permanent and attempts >= settings.MAIL_MAX_ATTEMPTS
    log.warning("mail: %s to %s attempt %d failed: %s", mail.pk, mail.to_address, attempts, reason)
    with transaction.atomic():
        state = M.FAILED if permanent else (M.DEAD if dead else M.PENDING)
        OutgoingMail.objects.filter(pk=mail.pk).update(
            attempts=attempts, last_error=reason[:2000], state=state,
            next_attempt_at=timezone.now() + backoff(attempts),
            failed_at=timezone.now() if state in (M.FAILED, M.DEAD) else None)
        if permanent:
            _refused(mail, reason)
        elif dead:
            from congvan.workflow.notify import operators

            audit.record("mail.dead_letter", obj=mail.document, mail=str(mail.pk), to=mail.to_address, reason=reason)
            _tell_sender(mail, f"Không gửi được thư tới {mail.to_address} sau {attempts} lần: {reason[:120]}",
                         extra=operators())


def _tell_sender(mail: OutgoingMail, text: str, extra=()) -> None:
    from django.urls import reverse

    from congvan.workflow.notify import notify, people_with_role

    if mail.document_id:
        notify(list(people_with_role(mail.document.agency, Role.CLERK)) + list(extra), text,
               reverse("outgoing-detail", args=[mail.document_id]))
    elif extra:
        notify(extra, text, reverse("admin-mail"))


def _refused(mail: OutgoingMail, reason: str) -> None:
    """A permanent refusal (5xx at sending, or a DSN): the delivery is refused (02) with the reason."""
    from congvan.workflow.trail import append_status

    audit.record("mail.failed", obj=mail.document, mail=str(mail.pk), to=mail.to_address, reason=reason)
    if mail.kind != OutgoingMail.Kind.DOCUMENT or not mail.delivery_id:
        return
    delivery = Delivery.objects.select_related("document").get(pk=mail.delivery_id)
    append_status(delivery, Status.REFUSED, f"Thư điện tử tới {mail.to_address} bị trả lại: {reason}"[:1000])
    _tell_sender(mail, f"Thư gửi văn bản {delivery.document.notation} tới {mail.to_address} bị trả lại: {reason[:100]}")


# --- bounces ---------------------------------------------------------------------------------------------

def find_bounced(token: str | None, dsn: mime.Dsn | None) -> OutgoingMail | None:
    query = Q()
    if token:
        try:
            import uuid

            query |= Q(pk=uuid.UUID(hex=token))
        except ValueError:
            pass
    if dsn and dsn.original_message_id:
        query |= Q(message_id=dsn.original_message_id)
    if not query:
        return None
    return OutgoingMail.objects.filter(query).select_related("document__agency").first()


@transaction.atomic
def apply_bounce(raw: bytes, token: str | None) -> OutgoingMail | None:
    """A message to a bounce address: a DSN saying "failed" marks the mail failed and the delivery 02;
    anything else (a delay, an auto-reply) is kept with the mail and changes nothing."""
    parsed = mime.parse(raw)
    dsn = mime.parse_dsn(parsed.message)
    mail = find_bounced(token, dsn)
    if mail is None:
        log.info("mail: a bounce matched no outgoing message (token %s)", token)
        return None
    blob = storage.store_bytes(raw)
    OutgoingMail.objects.filter(pk=mail.pk).update(bounce=blob)
    failures = [r for r in (dsn.recipients if dsn else []) if r.failed and
                (r.address == mail.to_address or len(dsn.recipients) == 1)]
    if failures and mail.state != M.FAILED:
        first = failures[0]
        reason = " ".join(x for x in (first.status, first.diagnostic) if x) or "thư không chuyển được"
        OutgoingMail.objects.filter(pk=mail.pk).update(state=M.FAILED, failed_at=timezone.now(),
                                                       last_error=reason[:2000])
        _refused(mail, reason)
    elif dsn and any(r.action == "delayed" for r in dsn.recipients):
        delayed = next(r for r in dsn.recipients if r.action == "delayed")
        OutgoingMail.objects.filter(pk=mail.pk).update(last_error=f"Đang chậm: {delayed.status} {delayed.diagnostic}"
                                                       [:2000])
    return mail


@transaction.atomic
def retry(mail: OutgoingMail, person: Person | None = None) -> None:
    """The operator sends a dead or held message again now."""
    OutgoingMail.objects.filter(pk=mail.pk).update(state=M.PENDING, next_attempt_at=timezone.now(), attempts=0)
    audit.record("mail.retry", actor=person, mail=str(mail.pk), to=mail.to_address)
