"""The agency directory: agencies (cơ quan), units (phòng ban), people (cán bộ) and their roles."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvan.directory.codes import AgencyCodeError, validate_agency_code


def validate_code_field(value: str) -> None:
    try:
        validate_agency_code(value)
    except AgencyCodeError as exc:
        raise ValidationError(str(exc)) from exc


class Agency(models.Model):
    """Cơ quan, tổ chức: known everywhere by its identifier code (mã định danh)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Cấp tỉnh")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        COMMUNE = "commune", _("Cấp xã")
        CENTRAL = "central", _("Trung ương")
        OTHER = "other", _("Khác")

    code = models.CharField("mã định danh", max_length=35, unique=True, validators=[validate_code_field])
    slug = models.SlugField("tên ngắn (đường dẫn)", max_length=40, unique=True)
    name = models.CharField("tên cơ quan", max_length=255)
    short_name = models.CharField("tên viết tắt (dùng trong ký hiệu)", max_length=20)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="cơ quan cấp trên")
    level = models.CharField("cấp", max_length=12, choices=Level.choices, default=Level.DEPARTMENT)
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    email = models.EmailField("thư điện tử công vụ", blank=True)
    phone = models.CharField("điện thoại", max_length=40, blank=True)
    fax = models.CharField("fax", max_length=40, blank=True)
    website = models.URLField("trang thông tin", blank=True)
    place = models.CharField("địa danh (ghi trên văn bản)", max_length=80, blank=True)
    is_local = models.BooleanField("dùng hệ thống này", default=True,
                                   help_text="Bỏ chọn nếu cơ quan dùng hệ thống khác (liên thông qua trục).")
    is_active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.code:
            self.code = validate_agency_code(self.code)


class AgencyHistory(models.Model):
    """An earlier code or name of an agency (mergers change both; old codes must still resolve)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="history")
    code = models.CharField("mã định danh cũ", max_length=35, db_index=True)
    name = models.CharField("tên cũ", max_length=255)
    valid_until = models.DateField("sử dụng đến ngày")
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        ordering = ["-valid_until"]
        verbose_name = "mã, tên trước đây"
        verbose_name_plural = "mã, tên trước đây"

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Unit(models.Model):
    """Phòng ban: a unit inside an agency; its short name ends a công văn's ký hiệu (UBND-VP)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="units")
    name = models.CharField("tên đơn vị", max_length=255)
    short_name = models.CharField("viết tắt", max_length=20)

    class Meta:
        ordering = ["agency", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "short_name"], name="unit_short_name_unique")]
        verbose_name = "phòng ban"
        verbose_name_plural = "phòng ban"

    def __str__(self) -> str:
        return f"{self.name} ({self.short_name})"


class Role(models.TextChoices):
    CLERK = "clerk", _("Văn thư")
    LEADER = "leader", _("Lãnh đạo")
    OFFICER = "officer", _("Chuyên viên")
    ADMIN = "admin", _("Quản trị")


class Person(models.Model):
    """Cán bộ, công chức, viên chức: one login, one agency."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="people")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    full_name = models.CharField("họ và tên", max_length=120)
    position = models.CharField("chức vụ", max_length=120, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    phone = models.CharField("điện thoại", max_length=40, blank=True)
    is_operator = models.BooleanField("quản trị toàn tỉnh", default=False,
                                      help_text="Đơn vị vận hành nền tảng: quản lý danh bạ, lịch làm việc.")
    publish_in_directory = models.BooleanField("công khai trong danh bạ", default=False)

    class Meta:
        ordering = ["agency", "full_name"]
        verbose_name = "cán bộ"
        verbose_name_plural = "cán bộ"

    def __str__(self) -> str:
        return self.full_name

    @property
    def own_roles(self) -> set[str]:
        return {grant.role for grant in self.role_grants.all()}

    def roles(self, at=None) -> set[str]:
        """Own roles plus those delegated to this person and in force now (ủy quyền)."""
        at = at or timezone.now()
        delegated = Delegation.objects.filter(to_person=self, starts_at__lte=at, ends_at__gt=at, revoked_at__isnull=True)
        return self.own_roles | {d.role for d in delegated}

    def has_role(self, role: str) -> bool:
        return role in self.roles()


class RoleGrant(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "role"], name="role_grant_unique")]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"


class Delegation(models.Model):
    """Ủy quyền: a leader's or clerk's role lent to another person of the same agency for a period."""

    from_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="delegations_given")
    to_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="delegations_received")
    role = models.CharField("quyền", max_length=10, choices=Role.choices)
    starts_at = models.DateTimeField("từ")
    ends_at = models.DateTimeField("đến")
    reason = models.CharField("lý do", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = "ủy quyền"
        verbose_name_plural = "ủy quyền"

    def is_current(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.starts_at <= at < self.ends_at

    def __str__(self) -> str:
        return f"{self.from_person} → {self.to_person} ({self.get_role_display()})"


class ApiToken(models.Model):
    """Bearer token of the REST API; only its SHA-256 is stored."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"token of {self.person}"


class ExternalContact(models.Model):
    """Nơi nhận ngoài hệ thống: a citizen, a business or an organisation an agency writes to by e-mail.

    Kept per agency (an agency's correspondents are not published); drafts address them beside agencies
    and their deliveries take the e-mail channel."""

    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Công dân")
        BUSINESS = "business", _("Doanh nghiệp")
        ORGANIZATION = "organization", _("Tổ chức")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("họ tên, tên tổ chức", max_length=255)
    email = models.EmailField("thư điện tử")
    kind = models.CharField("loại", max_length=12, choices=Kind.choices, default=Kind.CITIZEN)
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    phone = models.CharField("điện thoại", max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "email"], name="contact_email_unique")]
        verbose_name = "nơi nhận ngoài hệ thống"
        verbose_name_plural = "nơi nhận ngoài hệ thống"

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
