"""Appending a status to a delivery's trail: the way every recipient action reaches the sender."""

from datetime import datetime

from django.utils import timezone

from congvan.exchange import outbound
from congvan.workflow.models import Channel, Delivery, DeliveryStatus


def append_status(delivery: Delivery, code: str, note: str = "", by=None, *, at: datetime | None = None,
                  by_name: str | None = None, propagate: bool = True) -> DeliveryStatus:
    """Record ``code`` on the trail and as the delivery's current status.

    Internal deliveries need nothing more: both sides read the same row. On the exchange channel the
    entry is also queued for the other installation (in this transaction: the outbox), unless it is
    itself a status that came from there (``propagate=False``)."""
    entry = DeliveryStatus.objects.create(delivery=delivery, code=code, at=at or timezone.now(), note=note,
                                          by_name=by_name if by_name is not None else
                                          getattr(by, "full_name", "") or "")
    Delivery.objects.filter(pk=delivery.pk).update(status=code, updated_at=timezone.now())
    delivery.status = code
    if propagate and delivery.channel == Channel.EXCHANGE:
        outbound.enqueue_status(delivery, entry)
    return entry
