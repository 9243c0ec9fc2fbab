"""Appending a status to a delivery's trail: the way every recipient action reaches the sender."""

from django.utils import timezone

from congvan.workflow.models import Delivery, DeliveryStatus


def append_status(delivery: Delivery, code: str, note: str = "", by=None) -> DeliveryStatus:
    """Record ``code`` on the trail and as the delivery's current status.

    Internal deliveries need nothing more: both sides read the same row. Other channels (exchange,
    email) will send the status to the sender's installation from the worker.
    """
    entry = DeliveryStatus.objects.create(delivery=delivery, code=code, at=timezone.now(), note=note,
                                          by_name=getattr(by, "full_name", "") or "")
    Delivery.objects.filter(pk=delivery.pk).update(status=code, updated_at=entry.at)
    delivery.status = code
    return entry
