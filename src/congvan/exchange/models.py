"""Exchange between installations (liên thông): nodes, the hub's store and routing table, outbox and inbox.

Every installation is a *node*. One node acts as the *hub* (trục) for a set of nodes: it keeps the
routing table from agency code to node, stores each message until the destination node fetches and
acknowledges it, and passes codes it does not know to its own upstream hub.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from congvan.documents.models import Blob, Document
from congvan.workflow.models import Delivery


class Node(models.Model):
    """An installation as this one knows it (nút liên thông)."""

    class Kind(models.TextChoices):
        SELF = "self", _("Hệ thống này")
        PEER = "peer", _("Hệ thống kết nối vào trục này")
        HUB = "hub", _("Trục mà hệ thống này kết nối tới")
        REMOTE = "remote", _("Hệ thống khác (biết qua danh bạ trục)")

    name = models.SlugField("tên nút", max_length=60, unique=True)
    kind = models.CharField("loại", max_length=8, choices=Kind.choices)
    title = models.CharField("tên hiển thị", max_length=200, blank=True)
    url = models.URLField("địa chỉ trục", blank=True)  # kind=hub: where to send, list, fetch and acknowledge
    token = models.CharField(max_length=128, blank=True)  # kind=hub: our credential there
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)  # kind=peer: its credential here
    certificate = models.TextField("chứng thư số của nút (PEM)", blank=True)
    accept_unsigned = models.BooleanField(
        "nhận gói tin không ký", default=False,
        help_text="Chỉ bật cho hệ thống dùng phần mềm cũ không ký gói tin edXML.")
    is_active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "nút liên thông"
        verbose_name_plural = "nút liên thông"

    def __str__(self) -> str:
        return self.title or self.name


class Route(models.Model):
    """The hub's routing table: which node hosts an agency (fed by each node's directory)."""

    agency_code = models.CharField(max_length=35, unique=True)
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="routes")
    agency_name = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True)  # short name, level, e-mail… for the directory
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency_code"]

    def __str__(self) -> str:
        return f"{self.agency_code} → {self.node.name}"


class HubMessage(models.Model):
    """A message stored by the hub for one destination node until it is fetched and acknowledged."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ nhận")
        DONE = "done", _("Đã nhận")
        FAILED = "failed", _("Bên nhận từ chối")
        DEAD = "dead", _("Không chuyển được")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    message_id = models.UUIDField()  # the sender's id: a resend after a timeout is the same message
    sender = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    message_type = models.CharField(max_length=6)  # edoc | status
    from_code = models.CharField(max_length=35)
    to_codes = models.JSONField(default=list)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    acked_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)  # forwarding to the upstream hub
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["sender", "message_id", "recipient"],
                                               name="hubmessage_once_per_recipient")]
        indexes = [models.Index(fields=["recipient", "state", "created_at"], name="hubmessage_pending")]

    def __str__(self) -> str:
        return f"{self.message_type} {self.from_code} → {self.recipient_id} ({self.state})"


class OutboxMessage(models.Model):
    """Transactional outbox (hộp thư đi): written in the same transaction as the business change,
    sent by the worker with retries and back-off, then kept as the record of what left."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Đã gửi lên trục")
        DEAD = "dead", _("Gửi không thành công")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    message_type = models.CharField(max_length=6)  # edoc | status
    document = models.ForeignKey(Document, null=True, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(Delivery, null=True, on_delete=models.CASCADE, related_name="+")
    status_code = models.CharField(max_length=2, blank=True)
    note = models.TextField(blank=True)
    staff = models.CharField(max_length=120, blank=True)
    at = models.DateTimeField()  # when the business event happened (the status packet's Timestamp)
    from_code = models.CharField(max_length=35)
    to_codes = models.JSONField(default=list)
    blob = models.ForeignKey(Blob, null=True, on_delete=models.PROTECT)  # the package once built
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.message_type} {self.status_code} → {', '.join(self.to_codes)} ({self.state})"


class InboxMessage(models.Model):
    """What this node received from the hub, with the outcome: the transport's idempotency key
    (a message fetched twice is processed once) and the record of the package signature check."""

    class State(models.TextChoices):
        PROCESSED = "processed", _("Đã xử lý")
        DUPLICATE = "duplicate", _("Trùng, đã bỏ qua")
        REFUSED = "refused", _("Từ chối")

    message_id = models.UUIDField(unique=True)
    hub_id = models.CharField(max_length=64, blank=True)
    from_node = models.CharField(max_length=60, blank=True)
    message_type = models.CharField(max_length=6)
    from_code = models.CharField(max_length=35, blank=True)
    document_id = models.CharField(max_length=300, blank=True)  # edXML DocumentId
    status_code = models.CharField(max_length=2, blank=True)
    blob = models.ForeignKey(Blob, null=True, on_delete=models.PROTECT)  # the package as received
    state = models.CharField(max_length=10, choices=State.choices)
    error_code = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    signature_present = models.BooleanField(default=False)
    signature_valid = models.BooleanField(default=False)
    signature_subject = models.CharField(max_length=255, blank=True)
    signature_note = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.message_type} {self.from_code} {self.document_id} ({self.state})"
