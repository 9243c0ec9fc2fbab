"""The demo's official mail: a mailbox for every demo agency (managed by its clerk) and person, one alias,
and a DKIM key for the demo domain (created by ``congvan demo``, not per test: key generation is slow)."""

from django.conf import settings
from django.db import transaction

from congvan.directory.models import Agency, Person
from congvan.mail import addresses, provisioning
from congvan.mail.models import DkimKey, MailAlias, Mailbox


@transaction.atomic
def load_mailboxes(domain: str) -> int:
    """Idempotent: mailboxes for the local agencies and their people whose address is on ``domain``."""
    existing = set(Mailbox.objects.values_list("address", flat=True))
    rows = []
    for agency in Agency.objects.filter(is_local=True, is_active=True):
        address = addresses.normalize(agency.email)
        if address.endswith("@" + domain) and address not in existing:
            rows.append(Mailbox(address=address, agency=agency, display_name=agency.name,
                                quota_mb=settings.MAIL_QUOTA_MB))
            existing.add(address)
    for person in Person.objects.filter(agency__is_local=True).select_related("agency"):
        address = addresses.normalize(person.email)
        if address.endswith("@" + domain) and address not in existing:
            rows.append(Mailbox(address=address, agency=person.agency, person=person, display_name=person.full_name,
                                quota_mb=settings.MAIL_QUOTA_MB))
            existing.add(address)
    if rows:
        Mailbox.objects.bulk_create(rows, ignore_conflicts=True)
        province = Mailbox.objects.filter(address=f"ubndtinh@{domain}").first()
        if province is not None:
            MailAlias.objects.get_or_create(address=f"vanthu@{domain}", defaults={"mailbox": province})
        provisioning.changed()
    return len(rows)


def ensure_dkim(domain: str = "") -> DkimKey | None:
    """A DKIM key for the demo's domain (default: the first mail domain) when it has none, so the demo signs
    what it sends."""
    from congvan.mail import dkim

    domain = domain or (settings.MAIL_DOMAINS[0] if settings.MAIL_DOMAINS else "")
    if not domain:
        return None
    return dkim.active_key(domain) or dkim.create_key(domain)
