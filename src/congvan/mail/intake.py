"""Mail in: a message for an agency's address becomes an intake item (thư đến) for its clerks.

The same path serves the listener (`congvan smtpd`, SMTP and LMTP), the IMAP poller and local delivery.
The raw message is always kept in the content-addressed store first, so nothing received is lost:
a message that cannot be read, or that carries a program, is kept in quarantine for the clerk and the
operator to see. Attachments are stored once by SHA-256; PDFs have their signatures validated by the
signing capability. The same bytes delivered twice make one item; another message with the same
Message-ID is flagged as a duplicate.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from congvan import audit
from congvan.directory.models import Agency, Role
from congvan.documents import storage
from congvan.mail import addresses, mime, outbox
from congvan.mail.models import IntakeAttachment, IntakeItem, MailAlias, Mailbox

log = logging.getLogger(__name__)
IS = IntakeItem.State


def route(address: str):
    """("agency", Agency) for an agency's mailbox or one of its aliases, ("bounce", token) for a bounce
    address of this installation, else None (personal mailboxes are the mail server's, not ours)."""
    address = addresses.normalize(address)
    token = addresses.bounce_token(address, settings.MAIL_BOUNCE_LOCALPART)
    if token is not None or addresses.local_part_of(address) == settings.MAIL_BOUNCE_LOCALPART.lower():
        return ("bounce", token)
    mailbox = (Mailbox.objects.filter(address=address, state=Mailbox.State.ACTIVE).select_related("agency").first()
               or getattr(MailAlias.objects.filter(address=address, mailbox__state=Mailbox.State.ACTIVE)
                          .select_related("mailbox__agency").first(), "mailbox", None))
    if mailbox is not None and mailbox.is_agency_mailbox:
        return ("agency", mailbox.agency)
    return None


def accepts(address: str) -> bool:
    return route(address) is not None


def deliver(raw: bytes, *, source: str, envelope_from: str = "", recipients: list[str],
            imap_account=None, imap_uid=None) -> list[IntakeItem]:
    """Hand a received message to every recipient this installation handles (agencies, bounces)."""
    agencies, bounces = {}, []
    for recipient in recipients:
        found = route(recipient)
        if found is None:
            continue
        if found[0] == "bounce":
            bounces.append(found[1])
        else:
            agencies[found[1].pk] = found[1]
    for token in bounces:
        outbox.apply_bounce(raw, token)
    if not agencies:
        return []
    return receive(raw, agencies=list(agencies.values()), source=source, envelope_from=envelope_from,
                   envelope_to=recipients, imap_account=imap_account, imap_uid=imap_uid)


def _attachments(parsed: mime.Parsed) -> tuple[list[dict], bool]:
    """Each attachment stored (or refused with the reason), PDFs' signatures validated; and whether one of
    them is a program (the message is then quarantined)."""
    from congvan.signing import services as signing

    rows, executable = [], False
    for position, part in enumerate(parsed.attachments, start=1):
        content_type = mime.sniff_content_type(part.name, part.content_type, part.data)
        row = {"position": position, "name": part.name, "content_type": content_type[:120], "size": len(part.data),
               "inline": part.inline, "blob": None, "refused": ""}
        reason = mime.executable_reason(part.name, part.data)
        if reason:
            row["refused"] = f"{part.name}: {reason}."
            executable = True
        elif len(part.data) > settings.MAIL_MAX_ATTACHMENT:
            row["refused"] = (f"{part.name}: tệp {len(part.data) // (1024 * 1024)} MB vượt quá giới hạn "
                              f"{settings.MAIL_MAX_ATTACHMENT // (1024 * 1024)} MB cho một tệp đính kèm.")
        else:
            row["blob"] = storage.store_bytes(part.data) if part.data else None
            if row["blob"] is not None and content_type == "application/pdf":
                signing.check_blob(row["blob"])
        rows.append(row)
    return rows, executable


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def receive(raw: bytes, *, agencies: list[Agency], source: str, envelope_from: str = "", envelope_to=(),
            imap_account=None, imap_uid=None) -> list[IntakeItem]:
    blob = storage.store_bytes(raw)
    parsed = mime.parse(raw)
    attachments, executable = _attachments(parsed) if parsed.readable else ([], False)
    problems = list(parsed.problems) + [a["refused"] for a in attachments if a["refused"]]
    auto = (parsed.message.get("Auto-Submitted", "no").strip().lower() != "no") if parsed.message else False
    items = []
    for agency in agencies:
        with transaction.atomic():
            existing = IntakeItem.objects.filter(agency=agency, raw_sha256=blob.sha256).first()
            if existing is not None:  # the same bytes again (a retry of the sender, a re-read mailbox)
                items.append(existing)
                continue
            state = IS.QUARANTINED if (not parsed.readable or executable) else IS.NEW
            original = None
            if parsed.message_id and state == IS.NEW:
                original = (IntakeItem.objects.filter(agency=agency, message_id=parsed.message_id)
                            .order_by("received_at", "id").first())
                if original is not None:
                    state = IS.DUPLICATE
            item = IntakeItem.objects.create(
                agency=agency, source=source, imap_account=imap_account, imap_uid=imap_uid, raw=blob,
                raw_sha256=blob.sha256, size=len(raw), message_id=parsed.message_id,
                envelope_from=(envelope_from or "")[:255], envelope_to="\n".join(envelope_to)[:5000],
                from_name=parsed.from_name[:255], from_address=parsed.from_address[:255], subject=parsed.subject,
                sent_at=_aware(parsed.date), received_at=timezone.now(), body=parsed.text[:100000], state=state,
                problems=problems, duplicate_of=original)
            IntakeAttachment.objects.bulk_create([IntakeAttachment(item=item, **a) for a in attachments])
            audit.record("mail.receive", agency=agency, obj=item, source=source, sha256=blob.sha256,
                         message_id=parsed.message_id, state=state, problems=problems[:10])
            _announce(item, by_mail=not auto)
            items.append(item)
    return items


def receive_too_large(*, agency: Agency, headers: bytes, size: int, source: str, imap_account=None,
                      imap_uid=None) -> IntakeItem:
    """A message over the size limit seen in a polled mailbox: recorded from its headers and quarantined;
    the message itself stays in the mailbox (nothing is deleted there)."""
    parsed = mime.parse(headers)
    reason = (f"Thư {size / (1024 * 1024):.1f} MB vượt quá giới hạn {settings.MAIL_MAX_MESSAGE // (1024 * 1024)} MB "
              f"nên không được tải về; thư vẫn còn nguyên trong hộp thư {imap_account or ''}.")
    with transaction.atomic():
        item = IntakeItem.objects.create(
            agency=agency, source=source, imap_account=imap_account, imap_uid=imap_uid, size=size,
            message_id=parsed.message_id, from_name=parsed.from_name[:255], from_address=parsed.from_address[:255],
            subject=parsed.subject, sent_at=_aware(parsed.date), received_at=timezone.now(),
            state=IS.QUARANTINED, problems=[reason])
        audit.record("mail.receive_too_large", agency=agency, obj=item, source=source, size=size)
        _announce(item, by_mail=True)
    return item


def _announce(item: IntakeItem, by_mail: bool) -> None:
    from congvan.workflow.notify import notify, people_with_role

    sender = item.from_name or item.from_address or "?"
    prefix = "Thư điện tử bị cách ly" if item.state == IS.QUARANTINED else "Thư điện tử mới"
    notify(people_with_role(item.agency, Role.CLERK), f"{prefix} từ {sender}: {item.subject[:150]}",
           reverse("intake-detail", args=[item.pk]), by_mail=by_mail)
