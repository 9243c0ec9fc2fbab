"""The sending side: the transactional outbox (hộp thư đi) and its drain with retries and back-off.

Business code only calls ``enqueue_document`` and ``enqueue_status`` inside its own transaction, so a
message exists if and only if the change it reports was committed. The worker builds the package,
sends it to the hub with the message's id (a resend after a crash is recognised by the hub) and
backs off like Estonia's DHX: 30 s, 2 min, 20 min, then hourly, until the message is declared dead.
"""

import logging
import os
import tempfile
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from congvan import audit
from congvan.directory.models import Agency, Person
from congvan.documents import storage
from congvan.exchange import edxml, identity, packages
from congvan.exchange.models import OutboxMessage
from congvan.exchange.services import alert_operators
from congvan.workflow.models import Delivery, DeliveryStatus, Status

log = logging.getLogger(__name__)

RECEIVER_CODES = {Status.ARRIVED, Status.REFUSED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS,
                  Status.DONE, Status.REVOKE_ACCEPTED, Status.REVOKE_REFUSED}


def backoff(attempts: int) -> timedelta:
    """Delay before attempt ``attempts + 1``: CONGVAN_EXCHANGE_BACKOFF, the last step repeating."""
    steps = settings.EXCHANGE_BACKOFF
    return timedelta(seconds=steps[min(attempts, len(steps)) - 1])


def enqueue_document(document, recipients: list[Agency]) -> OutboxMessage:
    """One package per issued document, listing every recipient on other installations."""
    packages.document_id(document)
    return OutboxMessage.objects.create(
        message_type="edoc", document=document, from_code=document.agency.code,
        to_codes=[a.code for a in recipients], at=timezone.now(), next_attempt_at=timezone.now())


def enqueue_status(delivery: Delivery, entry: DeliveryStatus) -> OutboxMessage | None:
    """A trail entry that the other installation must learn: the receiver's 01–06/15/16, the sender's 13."""
    document = delivery.document
    if document.agency.is_local:  # we are the sender: only the take-back request travels
        if entry.code != Status.REVOKE_REQUESTED:
            return None
        reporter, to = document.agency, delivery.recipient
    else:
        if entry.code not in RECEIVER_CODES:
            return None
        reporter, to = delivery.recipient, document.agency
    return OutboxMessage.objects.create(
        message_type="status", document=document, delivery=delivery, status_code=entry.code, note=entry.note,
        staff=entry.by_name, at=entry.at, from_code=reporter.code, to_codes=[to.code],
        next_attempt_at=timezone.now())


def build(message: OutboxMessage) -> str:
    """Write the message's package to a temporary file (signed with this node's key); returns its path."""
    signer = identity.signer()
    fd, path = tempfile.mkstemp(prefix="out-", suffix=".edxml", dir=identity.spool_dir())
    try:
        with os.fdopen(fd, "wb") as out:
            if message.message_type == "edoc":
                recipients = list(Agency.objects.filter(code__in=message.to_codes))
                edxml.write_document(packages.document_package(message.document, recipients), out, signer=signer)
            else:
                delivery = message.delivery
                reporter = Agency.objects.get(code=message.from_code)
                edxml.write_status(packages.status_packet(reporter, delivery.document, message.status_code,
                                                          message.note, message.staff, message.at),
                                   out, signer=signer)
    except BaseException:
        os.unlink(path)
        raise
    return path


def due(limit: int = 50) -> list[OutboxMessage]:
    """Pending messages whose time has come, oldest first — except those behind an earlier message still
    pending for the same delivery (or, for a take-back, behind the document's package): the other side
    must see statuses in the order they happened, whatever the retries."""
    pending = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING)
    before = pending.filter(created_at__lt=OuterRef("created_at"))  # two EXISTS, each on its own index
    same_delivery = before.filter(delivery_id=OuterRef("delivery_id"))
    document_package = before.filter(message_type="edoc", document_id=OuterRef("document_id"))
    return list(pending.filter(next_attempt_at__lte=timezone.now())
                .exclude(Exists(same_delivery)).exclude(Exists(document_package))
                .select_related("document__agency", "delivery__recipient").order_by("created_at")[:limit])


def drain(client, limit: int = 50) -> int:
    """Send what is due; returns how many left. A message that fails waits its back-off (and the messages
    queued behind it for the same delivery with it). An unreachable hub ends the pass: the caller pauses."""
    sent = 0
    for message in due(limit):
        path = None
        try:
            if message.blob_id:
                path = str(storage.blob_path(message.blob_id))
            else:
                path = build(message)
            client.send(message_id=str(message.id), from_code=message.from_code, to_codes=message.to_codes,
                        message_type=message.message_type, path=path)
        except Exception as exc:  # noqa: BLE001 - every failure is retried and recorded
            failed(message, exc)
            if getattr(exc, "code", "") == "unreachable":
                raise
            continue
        finally:
            if path and not message.blob_id and os.path.exists(path):
                os.unlink(path)
        OutboxMessage.objects.filter(pk=message.pk).update(
            state=OutboxMessage.State.SENT, sent_at=timezone.now(), attempts=message.attempts + 1, last_error="")
        sent += 1
    return sent


def failed(message: OutboxMessage, exc: Exception) -> None:
    attempts = message.attempts + 1
    reason = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
    dead = attempts >= settings.EXCHANGE_MAX_ATTEMPTS or getattr(exc, "permanent", False)
    log.warning("exchange: message %s attempt %d failed: %s", message.id, attempts, reason)
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=attempts, last_error=str(reason)[:2000], next_attempt_at=timezone.now() + backoff(attempts),
            state=OutboxMessage.State.DEAD if dead else OutboxMessage.State.PENDING)
        if dead:
            audit.record("exchange.dead_letter", obj=message.document, message=str(message.id), reason=str(reason))
            alert_operators(f"Gói tin liên thông không gửi được sau {attempts} lần: {str(reason)[:120]}")


@transaction.atomic
def retry(message: OutboxMessage, person: Person | None = None) -> None:
    """The operator sends a dead letter again (same id: the hub still recognises a duplicate)."""
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxMessage.State.PENDING,
                                                       next_attempt_at=timezone.now(), attempts=0)
    audit.record("exchange.retry", actor=person, message=str(message.id))
