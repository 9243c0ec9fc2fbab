"""Gap-free numbering per register and calendar year, allocated inside the caller's transaction.

The register row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions
already hold the write lock), so concurrent issuers queue and a rolled-back issuance gives its number back.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q

from congvan.documents.models import Direction, DocumentType, Register

DEFAULT_NAMES = {
    (Direction.OUTGOING, False): "Sổ văn bản đi",
    (Direction.OUTGOING, True): "Sổ văn bản đi mật",
    (Direction.INCOMING, False): "Sổ văn bản đến",
    (Direction.INCOMING, True): "Sổ văn bản đến mật",
}


def register_for(agency, direction: str, year: int, secret: bool, doc_type: DocumentType | None = None) -> Register:
    """The register a document goes to: one that lists its type, else the general one (created on demand)."""
    candidates = Register.objects.filter(agency=agency, direction=direction, year=year, is_secret=secret,
                                         is_active=True)
    if doc_type is not None:
        specific = candidates.filter(document_types=doc_type).order_by("id").first()
        if specific:
            return specific
    general = candidates.filter(Q(document_types__isnull=True)).order_by("id").first()
    if general:
        return general
    name = DEFAULT_NAMES[(direction, secret)]
    try:
        with transaction.atomic():
            return Register.objects.create(agency=agency, direction=direction, year=year, is_secret=secret,
                                           name=name)
    except IntegrityError:  # another issuer created it at the same moment
        return Register.objects.get(agency=agency, direction=direction, year=year, name=name)


def allocate(register: Register) -> int:
    """Take the next number of ``register``. Call inside the transaction that records its use."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers must be allocated inside the issuing transaction")
    locked = Register.objects.select_for_update().get(pk=register.pk)
    locked.last_number += 1
    locked.save(update_fields=["last_number"])
    register.last_number = locked.last_number
    return locked.last_number
