"""Secret tokens for machines and API clients: random, shown once, kept only as their SHA-256, so a leaked
database does not leak usable tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from congvan import audit
from congvan.directory.models import ApiToken, Person


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_token(person: Person) -> tuple[str, datetime]:
    """A new API token valid ``settings.API_TOKEN_HOURS``; the person's expired tokens are dropped."""
    now = timezone.now()
    person.api_tokens.filter(expires_at__lte=now).delete()
    token = new_token()
    expires_at = now + timedelta(hours=settings.API_TOKEN_HOURS)
    row = ApiToken.objects.create(person=person, key_hash=hash_token(token), expires_at=expires_at)
    audit.record("api.token", actor=person, obj=row, expires_at=expires_at)
    return token, expires_at


@transaction.atomic
def revoke_token(row: ApiToken) -> None:
    """Log out: this token stops working."""
    person = row.person
    row.delete()
    audit.record("api.token_revoke", actor=person)
