"""DKIM keys of the province's domains (generated and kept by the platform) and signing of outgoing mail.

The public half goes into DNS as ``<selector>._domainkey.<domain> TXT "v=DKIM1; k=rsa; p=…"`` (printed by
``congvan mail dkim create``); receivers verify every message the platform sends against it."""

import base64
from datetime import date

import dkim as dkimpy
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from django.utils.translation import gettext as _

from congvan import audit
from congvan.errors import ServiceError
from congvan.mail import addresses, sealed
from congvan.mail.models import DkimKey

SIGNED_HEADERS = [b"From", b"To", b"Cc", b"Subject", b"Date", b"Message-ID", b"Reply-To", b"MIME-Version",
                  b"Content-Type", b"X-Congvan-Document", b"X-Congvan-Agency"]


def default_selector() -> str:
    return f"cv{date.today():%Y%m}"


@transaction.atomic
def create_key(domain: str, selector: str = "", bits: int = 2048, actor=None) -> DkimKey:
    """A new key for ``domain``; it becomes the one used for signing (earlier keys stay for rollover)."""
    domain = addresses.normalize(domain)
    selector = (selector or default_selector()).strip().lower()
    if not addresses.is_official(f"x@{domain}"):
        raise ServiceError(_("Tên miền không hợp lệ: %(domain)s") % {"domain": domain}, code="invalid_domain")
    if not selector.replace("-", "").isalnum():
        raise ServiceError(_("Selector DKIM chỉ gồm chữ, số và dấu gạch ngang."), code="invalid_selector")
    if DkimKey.objects.filter(domain=domain, selector=selector).exists():
        raise ServiceError(_("Tên miền %(domain)s đã có khóa DKIM với selector %(selector)s.") % {
            "domain": domain, "selector": selector}, code="dkim_exists")
    if bits not in (1024, 2048, 3072, 4096):
        raise ServiceError(_("Độ dài khóa DKIM phải là 1024, 2048, 3072 hoặc 4096 bit."), code="invalid_bits")
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode("ascii")
    public = base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode("ascii")
    DkimKey.objects.filter(domain=domain).update(is_active=False)
    row = DkimKey.objects.create(domain=domain, selector=selector, private_key=sealed.seal(private_pem),
                                 public_key=public)
    audit.record("mail.dkim_create", actor=actor, obj=row, domain=domain, selector=selector, bits=bits)
    return row


def active_key(domain: str) -> DkimKey | None:
    return DkimKey.objects.filter(domain=addresses.normalize(domain), is_active=True).order_by("-created_at").first()


def dns_record(key: DkimKey) -> str:
    """The zone-file line; values longer than 255 characters are split into quoted strings (RFC 7208 §3.3)."""
    value = key.dns_value
    chunks = " ".join(f'"{value[i:i + 250]}"' for i in range(0, len(value), 250))
    return f"{key.dns_name}. IN TXT ( {chunks} )"


def sign(raw: bytes, key: DkimKey) -> bytes:
    """``raw`` with a DKIM-Signature header in front (relaxed/relaxed: survives relays that rewrap)."""
    header = dkimpy.sign(raw, key.selector.encode(), key.domain.encode(), sealed.unseal(key.private_key).encode(),
                         canonicalize=(b"relaxed", b"relaxed"), include_headers=SIGNED_HEADERS)
    return header + raw
