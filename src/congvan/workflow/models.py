"""Deliveries (one per document and recipient, whatever the channel), incoming items and their processing."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from congvan.directory.models import Agency, ExternalContact, Person
from congvan.documents.models import Document, Register


class Status(models.TextChoices):
    """edXML status codes (QCVN 102:2016) carried on every delivery's trail."""

    ARRIVED = "01", _("Đã đến")
    REFUSED = "02", _("Từ chối tiếp nhận")
    ACCEPTED = "03", _("Đã tiếp nhận")
    ASSIGNED = "04", _("Phân công")
    IN_PROGRESS = "05", _("Đang xử lý")
    DONE = "06", _("Hoàn thành")
    REVOKE_REQUESTED = "13", _("Lấy lại")
    REVOKE_ACCEPTED = "15", _("Đồng ý")
    REVOKE_REFUSED = "16", _("Từ chối")


class Channel(models.TextChoices):
    INTERNAL = "internal", _("Nội bộ hệ thống")
    EXCHANGE = "exchange", _("Trục liên thông")
    EMAIL = "email", _("Thư điện tử")
    PAPER = "paper", _("Bản giấy")


ELECTRONIC_CHANNELS = frozenset({Channel.INTERNAL, Channel.EXCHANGE, Channel.EMAIL})


class Delivery(models.Model):
    """The spine: one row per (document, recipient); the sender follows it through its status trail."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="deliveries")
    # An agency, or (e-mail channel) a citizen, business or organisation outside the directory: one of the two.
    recipient = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries")
    contact = models.ForeignKey(ExternalContact, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=2, choices=Status.choices, blank=True)  # "" = not arrived yet
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["recipient__name", "contact__name"]
        constraints = [
            models.UniqueConstraint(fields=["document", "recipient"], name="delivery_unique"),
            models.UniqueConstraint(fields=["document", "contact"], name="delivery_contact_unique"),
            models.CheckConstraint(condition=models.Q(recipient__isnull=False, contact__isnull=True)
                                   | models.Q(recipient__isnull=True, contact__isnull=False),
                                   name="delivery_agency_or_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.recipient_code or self.recipient_email}"

    @property
    def recipient_name(self) -> str:
        return self.recipient.name if self.recipient_id else self.contact.name

    @property
    def recipient_code(self) -> str:
        """The agency's code; empty for a recipient outside the directory."""
        return self.recipient.code if self.recipient_id else ""

    @property
    def recipient_email(self) -> str:
        return self.recipient.email if self.recipient_id else self.contact.email


class DeliveryStatus(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="trail")
    code = models.CharField(max_length=2, choices=Status.choices)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    by_name = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.at:%d/%m/%Y %H:%M}"


class IncomingItem(models.Model):
    """Văn bản đến: the recipient agency's side of a delivery."""

    class State(models.TextChoices):
        ARRIVED = "arrived", _("Chờ tiếp nhận")
        REFUSED = "refused", _("Đã từ chối")
        REGISTERED = "registered", _("Đã vào sổ, chờ phân công")
        ASSIGNED = "assigned", _("Đã phân công")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        DONE = "done", _("Hoàn thành")
        REVOKED = "revoked", _("Đã thu hồi")

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="incoming")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="incoming_items")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="incoming_items")
    state = models.CharField(max_length=12, choices=State.choices, default=State.ARRIVED, db_index=True)
    arrived_at = models.DateTimeField(db_index=True)
    register = models.ForeignKey(Register, null=True, blank=True, on_delete=models.PROTECT)
    arrival_number = models.PositiveIntegerField("số đến", null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField("hạn giải quyết", null=True, blank=True, db_index=True)
    refusal_reason = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_note = models.TextField(blank=True)
    reply_document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="replies_to")
    revocation_pending = models.BooleanField(default=False)
    revocation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-arrived_at"]
        indexes = [
            models.Index(fields=["agency", "state", "-arrived_at"], name="incoming_agency_state"),
            models.Index(fields=["agency", "-arrived_at", "-id"], name="incoming_agency_arrived"),  # the inbox
            models.Index(fields=["agency"], condition=models.Q(revocation_pending=True),
                         name="incoming_revocation_pending"),  # the clerk's dashboard count
        ]
        constraints = [
            models.UniqueConstraint(fields=["register", "arrival_number"], name="arrival_number_unique",
                                    condition=models.Q(arrival_number__isnull=False)),
        ]

    @property
    def status(self) -> str:
        return self.delivery.status

    @property
    def is_open(self) -> bool:
        return self.state in {self.State.REGISTERED, self.State.ASSIGNED, self.State.IN_PROGRESS}

    def __str__(self) -> str:
        return f"Đến số {self.arrival_number or '—'}: {self.document}"


class Distribution(models.Model):
    """Who received an incoming item inside the agency, in which role, from whom, and when they opened it."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Xử lý chính")
        SUPPORT = "support", _("Phối hợp")
        INFO = "info", _("Để biết")
        FORWARD = "forward", _("Chuyển")

    item = models.ForeignKey(IncomingItem, on_delete=models.CASCADE, related_name="distributions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="distributions")
    role = models.CharField(max_length=8, choices=Role.choices)
    by = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)  # an earlier assignment replaced by a new one stays as history

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["item", "person"], name="distribution_item_person")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class LeaderNote(models.Model):
    """Bút phê: the leader's direction written on an incoming document; never edited, only added to."""

    item = models.ForeignKey(IncomingItem, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Person, on_delete=models.PROTECT)
    text = models.TextField("ý kiến")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a public holiday or a make-up working day (làm bù)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Ngày nghỉ")
        WORKDAY = "workday", _("Ngày làm bù")

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]
        verbose_name = "ngày nghỉ, ngày làm bù"
        verbose_name_plural = "lịch làm việc"

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class Notification(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=255)
    url = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    key = models.CharField(max_length=80, blank=True)  # de-duplicates reminders: one per item and day

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="notification_key_unique",
                                               condition=~models.Q(key=""))]
        # The unread count is shown on every page; a clerk accumulates tens of thousands of notifications.
        indexes = [models.Index(fields=["person"], condition=models.Q(read_at__isnull=True),
                                name="notification_unread")]

    def __str__(self) -> str:
        return self.text
