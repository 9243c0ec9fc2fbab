"""Official e-mail: mailboxes and aliases, mailbox requests, the provisioning state, DKIM keys, IMAP
sources, intake items (mail received for an agency), the record of mailbox checks and the mail outbox."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from congvan.directory.models import Agency, Person
from congvan.documents.models import Blob, Document
from congvan.workflow.models import Delivery, IncomingItem


class Mailbox(models.Model):
    """Hộp thư công vụ: an agency's mailbox (managed by its clerks) or a person's, on the province's domain."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Đang hoạt động")
        CLOSED = "closed", _("Đã đóng")

    address = models.EmailField("địa chỉ", unique=True)  # always lower case
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="mailboxes")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="mailboxes")
    display_name = models.CharField("tên hiển thị", max_length=255)
    password_hash = models.CharField(max_length=255, blank=True)  # {BLF-CRYPT}$2b$…: what Dovecot verifies
    password_set_at = models.DateTimeField(null=True, blank=True)
    quota_mb = models.PositiveIntegerField("dung lượng (MB)", default=2048)
    state = models.CharField(max_length=8, choices=State.choices, default=State.ACTIVE, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency", "person", "address"]
        verbose_name = "hộp thư công vụ"
        verbose_name_plural = "hộp thư công vụ"

    def __str__(self) -> str:
        return self.address

    @property
    def is_agency_mailbox(self) -> bool:
        return self.person_id is None

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE


class MailAlias(models.Model):
    """Another address delivered to a mailbox (e.g. vanthu@… for the agency's mailbox)."""

    address = models.EmailField("địa chỉ bí danh", unique=True)
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="aliases")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address"]
        verbose_name = "bí danh"
        verbose_name_plural = "bí danh"

    def __str__(self) -> str:
        return f"{self.address} → {self.mailbox.address}"


class MailboxRequest(models.Model):
    """An agency asks for a new, changed or closed mailbox; the province operator decides."""

    class Kind(models.TextChoices):
        NEW = "new", _("Cấp mới")
        CHANGE = "change", _("Thay đổi")
        CLOSE = "close", _("Đóng hộp thư")

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ duyệt")
        APPROVED = "approved", _("Đã duyệt, đã cấp")
        REJECTED = "rejected", _("Không duyệt")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="mailbox_requests")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.PROTECT, related_name="requests")
    address = models.EmailField("địa chỉ đề nghị", blank=True)
    aliases = models.TextField("bí danh", blank=True)  # one per line
    reason = models.TextField("lý do", blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING, db_index=True)
    requested_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "đề nghị cấp, đổi, đóng hộp thư"
        verbose_name_plural = "đề nghị cấp, đổi, đóng hộp thư"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.address or self.mailbox}"

    @property
    def alias_list(self) -> list[str]:
        return [a for a in (line.strip().lower() for line in self.aliases.splitlines()) if a]


class ProvisioningState(models.Model):
    """One row: the mailbox data's generation and the one last written for the mail server. A change
    raises ``generation`` in its own transaction; the worker writes the files until both agree."""

    generation = models.PositiveBigIntegerField(default=0)
    provisioned_generation = models.PositiveBigIntegerField(default=0)
    provisioned_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    files = models.JSONField(default=dict, blank=True)  # name → SHA-256 of what was written

    def __str__(self) -> str:
        return f"{self.provisioned_generation}/{self.generation}"

    @classmethod
    def current(cls) -> "ProvisioningState":
        return cls.objects.get_or_create(pk=1)[0]


class DkimKey(models.Model):
    """A DKIM key of one of the province's domains (selector._domainkey.domain in DNS)."""

    domain = models.CharField(max_length=253)
    selector = models.CharField(max_length=63)
    private_key = models.TextField()  # sealed with the installation's secret (congvan.mail.sealed)
    public_key = models.TextField()  # base64 SubjectPublicKeyInfo, the DNS record's p=
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["domain", "selector"], name="dkim_selector_unique")]

    def __str__(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def dns_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def dns_value(self) -> str:
        return f"v=DKIM1; k=rsa; p={self.public_key}"


class ImapAccount(models.Model):
    """An existing mailbox on another mail server that the platform polls for an agency's intake."""

    class Security(models.TextChoices):
        SSL = "ssl", _("SSL/TLS (cổng 993)")
        STARTTLS = "starttls", _("STARTTLS (cổng 143)")
        NONE = "none", _("Không mã hóa (chỉ trong mạng nội bộ)")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="imap_accounts")
    host = models.CharField("máy chủ IMAP", max_length=253)
    port = models.PositiveIntegerField("cổng", default=993)
    security = models.CharField("mã hóa", max_length=8, choices=Security.choices, default=Security.SSL)
    username = models.CharField("tên đăng nhập", max_length=255)
    password = models.TextField(blank=True)  # sealed (congvan.mail.sealed)
    folder = models.CharField("thư mục", max_length=255, default="INBOX")
    enabled = models.BooleanField("đang lấy thư", default=True)
    uidvalidity = models.PositiveBigIntegerField(null=True, blank=True)
    last_uid = models.PositiveBigIntegerField(default=0)  # everything up to it was taken
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency", "host", "username"]
        verbose_name = "hộp thư IMAP"
        verbose_name_plural = "hộp thư IMAP"

    def __str__(self) -> str:
        return f"{self.username}@{self.host}:{self.port}/{self.folder}"


class IntakeItem(models.Model):
    """Thư đến: one message received for an agency, waiting for its clerk to register or dismiss it."""

    class Source(models.TextChoices):
        SMTP = "smtp", _("Nhận trực tiếp (SMTP/LMTP)")
        IMAP = "imap", _("Lấy từ hộp thư (IMAP)")

    class State(models.TextChoices):
        NEW = "new", _("Chờ xử lý")
        QUARANTINED = "quarantined", _("Cách ly, cần kiểm tra")
        DUPLICATE = "duplicate", _("Trùng thư đã nhận")
        CONVERTED = "converted", _("Đã vào sổ văn bản đến")
        DISMISSED = "dismissed", _("Đã loại bỏ")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="intake_items")
    source = models.CharField(max_length=4, choices=Source.choices)
    imap_account = models.ForeignKey(ImapAccount, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="items")
    imap_uid = models.PositiveBigIntegerField(null=True, blank=True)
    raw = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    raw_sha256 = models.CharField(max_length=64, blank=True)  # "" when the message was not taken (too large)
    size = models.PositiveBigIntegerField(default=0)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    envelope_from = models.CharField(max_length=255, blank=True)
    envelope_to = models.TextField(blank=True)
    from_name = models.CharField(max_length=255, blank=True)
    from_address = models.CharField(max_length=255, blank=True)
    subject = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # the Date header
    received_at = models.DateTimeField(db_index=True)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW, db_index=True)
    problems = models.JSONField(default=list, blank=True)  # why it is quarantined, parse defects
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    incoming_item = models.OneToOneField(IncomingItem, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="intake")
    handled_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["agency", "-received_at", "-id"], name="intake_agency_received")]
        constraints = [models.UniqueConstraint(fields=["agency", "raw_sha256"], name="intake_once_per_agency",
                                               condition=~models.Q(raw_sha256=""))]
        verbose_name = "thư đến"
        verbose_name_plural = "thư đến"

    def __str__(self) -> str:
        return self.subject[:80] or self.message_id

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.NEW, self.State.QUARANTINED, self.State.DUPLICATE)


class IntakeAttachment(models.Model):
    item = models.ForeignKey(IntakeItem, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(default=0)
    blob = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    refused = models.TextField(blank=True)  # why the file was not taken (executable, too large)
    inline = models.BooleanField(default=False)

    class Meta:
        ordering = ["item", "position"]

    def __str__(self) -> str:
        return self.name

    @property
    def sha256(self) -> str:
        return self.blob_id or ""

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf" or self.name.lower().endswith(".pdf")


class IntakeCheck(models.Model):
    """A clerk looked at the agency's mail (opened the intake page or listed it through the API)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="intake_checks")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    via = models.CharField(max_length=4, default="web")  # web | api

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["agency", "at"], name="intake_check_agency_at")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.at:%d/%m/%Y %H:%M}"


class OutgoingMail(models.Model):
    """Hộp thư đi: a message written in the transaction of what it reports (an issued document, a
    revocation, a notification) and sent by the worker with retries and back-off."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Văn bản phát hành")
        REVOCATION = "revocation", _("Thông báo thu hồi")
        NOTIFICATION = "notify", _("Thông báo")

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        HELD = "held", _("Chờ cấu hình máy chủ gửi thư")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Bị trả lại")
        DEAD = "dead", _("Gửi không thành công")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.CASCADE, related_name="mails")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    from_address = models.CharField(max_length=255)
    from_name = models.CharField(max_length=255, blank=True)
    to_address = models.CharField(max_length=255)
    to_name = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True)  # a notification's text, a revocation's reason
    url = models.CharField(max_length=255, blank=True)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    blob = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dkim_domain = models.CharField(max_length=253, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    bounce = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outgoing_mail_due")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_address} ({self.state})"

    @property
    def token(self) -> str:
        """What the envelope sender carries (bounces+<token>@…) so a bounce finds its message."""
        return self.id.hex


class MailPreference(models.Model):
    """A person's choices about mail: new arrivals also notified by e-mail to their official address."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="mail_preference")
    notify_by_mail = models.BooleanField("nhận thông báo qua thư điện tử", default=False)

    def __str__(self) -> str:
        return f"{self.person_id}: {self.notify_by_mail}"


class CheckRule(models.Model):
    """Quy định kiểm tra hộp thư: the province's rule for checking an agency's mailbox, in force from a day
    (a later rule does not change how earlier days were judged). Before the first one, the installation's
    default (CONGVAN_MAIL_CHECK_RULE) applies."""

    valid_from = models.DateField("áp dụng từ ngày", unique=True)
    rule = models.CharField("quy định", max_length=255)  # gialai | thainguyen | count:N | windows:HH:MM-HH:MM,…
    note = models.CharField("căn cứ (văn bản quy định)", max_length=255, blank=True)
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = "quy định kiểm tra hộp thư"
        verbose_name_plural = "quy định kiểm tra hộp thư"

    def __str__(self) -> str:
        return f"{self.valid_from:%d/%m/%Y}: {self.rule}"
