"""Which days a change touches: saving a document, a delivery, an incoming item or a file marks the
days whose figures depend on it (``summary.mark_dirty``), in the transaction of the change; a change to an
agency that moves it between groups or relations marks every day.

Old values count too: an incoming item whose due date moves from the 3rd to the 10th changes both days.
Bulk writes (``bulk_create``, ``QuerySet.update``) send no signal: whoever writes in bulk calls
``congvan report rebuild`` or ``summary.mark_dirty`` itself."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from congvan.directory.models import Agency
from congvan.documents.models import Document, DocumentFile
from congvan.mail.models import CheckRule, IntakeCheck, Mailbox
from congvan.reports.measures import local_day
from congvan.reports.summary import mark_dirty, mark_everything_dirty
from congvan.workflow.models import Delivery, IncomingItem

ITEM_MOMENTS = ("arrived_at", "registered_at", "completed_at")


def _issue_day(document_id) -> object:
    issued_at = Document.objects.filter(pk=document_id).values_list("issued_at", flat=True).first()
    return local_day(issued_at) if issued_at else None


def document_changed(sender, instance: Document, **kwargs) -> None:
    if instance.issued_at:
        mark_dirty([local_day(instance.issued_at)])


def delivery_changed(sender, instance: Delivery, **kwargs) -> None:
    document = instance.document if Delivery.document.is_cached(instance) else None
    issued_at = document.issued_at if document is not None else None
    days = [local_day(instance.created_at) if instance.created_at else None,
            local_day(issued_at) if issued_at else _issue_day(instance.document_id)]
    mark_dirty(days)


def _item_days(values: dict) -> list:
    days = [local_day(values[m]) for m in ITEM_MOMENTS if values.get(m)]
    return days + ([values["due_date"]] if values.get("due_date") else [])


def item_before_save(sender, instance: IncomingItem, **kwargs) -> None:
    if instance.pk and not kwargs.get("raw"):
        old = IncomingItem.objects.filter(pk=instance.pk).values(*ITEM_MOMENTS, "due_date").first()
        instance._report_old_days = _item_days(old) if old else []


def item_changed(sender, instance: IncomingItem, **kwargs) -> None:
    days = _item_days({m: getattr(instance, m) for m in (*ITEM_MOMENTS, "due_date")})
    mark_dirty(days + getattr(instance, "_report_old_days", []))


def file_changed(sender, instance: DocumentFile, **kwargs) -> None:
    mark_dirty([_issue_day(instance.document_id)])


def mailbox_checked(sender, instance, created=False, raw=False, **kwargs) -> None:
    """A clerk's check of the agency's mail (congvan.mail) counts on its day; a mailbox opened or closed
    changes which agencies are followed from today."""
    if not raw:
        mark_dirty([local_day(getattr(instance, "at", None) or timezone.now())])


def check_rule_changed(sender, instance, raw=False, **kwargs) -> None:
    """A new rule for checking mailboxes judges its days from ``valid_from`` on (today at the earliest)."""
    if not raw and instance.valid_from <= timezone.localdate():
        mark_dirty([instance.valid_from])


# What decides a relation (level, code, local or not) for any agency, and, for the agencies of this
# installation, the groups they add to and how the provincial People's Committee's office is recognised.
AGENCY_ANY = ("level", "code", "is_local")
AGENCY_LOCAL = AGENCY_ANY + ("is_active", "parent_id", "name")


def agency_before_save(sender, instance: Agency, **kwargs) -> None:
    if instance.pk and not kwargs.get("raw"):
        instance._report_old = Agency.objects.filter(pk=instance.pk).values(*AGENCY_LOCAL).first()


def agency_changed(sender, instance: Agency, **kwargs) -> None:
    """An agency's level, code or place in the province changes figures already counted: every day is
    computed again (by the worker)."""
    old = getattr(instance, "_report_old", None)
    if not old:
        return
    fields = AGENCY_LOCAL if (old["is_local"] or instance.is_local) else AGENCY_ANY
    if any(old[f] != getattr(instance, f) for f in fields):
        mark_everything_dirty()


def connect() -> None:
    uid = "congvan.reports"
    post_save.connect(document_changed, sender=Document, dispatch_uid=f"{uid}.document")
    post_delete.connect(document_changed, sender=Document, dispatch_uid=f"{uid}.document-deleted")
    post_save.connect(delivery_changed, sender=Delivery, dispatch_uid=f"{uid}.delivery")
    post_delete.connect(delivery_changed, sender=Delivery, dispatch_uid=f"{uid}.delivery-deleted")
    pre_save.connect(item_before_save, sender=IncomingItem, dispatch_uid=f"{uid}.item-before")
    post_save.connect(item_changed, sender=IncomingItem, dispatch_uid=f"{uid}.item")
    post_delete.connect(item_changed, sender=IncomingItem, dispatch_uid=f"{uid}.item-deleted")
    post_save.connect(file_changed, sender=DocumentFile, dispatch_uid=f"{uid}.file")
    post_save.connect(mailbox_checked, sender=IntakeCheck, dispatch_uid=f"{uid}.mail-check")
    post_save.connect(mailbox_checked, sender=Mailbox, dispatch_uid=f"{uid}.mailbox")
    post_save.connect(check_rule_changed, sender=CheckRule, dispatch_uid=f"{uid}.check-rule")
    pre_save.connect(agency_before_save, sender=Agency, dispatch_uid=f"{uid}.agency-before")
    post_save.connect(agency_changed, sender=Agency, dispatch_uid=f"{uid}.agency")
