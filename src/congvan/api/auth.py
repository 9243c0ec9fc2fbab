"""Bearer tokens: ``POST /auth/token`` trades a username and password for a token valid
``settings.API_TOKEN_HOURS`` hours. Only the token's SHA-256 is stored, so a leaked database
does not leak usable tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from congvan import audit
from congvan.api.errors import ERROR_CODES, ErrorOut
from congvan.directory.models import ApiToken, Person
from congvan.errors import Forbidden, ServiceError

router = Router(tags=["auth"])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class BearerAuth(HttpBearer):
    """Resolves ``Authorization: Bearer <token>`` to the acting Person (``request.auth``)."""

    def authenticate(self, request, token: str) -> Person | None:
        if not token:
            return None
        found = (ApiToken.objects
                 .filter(key_hash=hash_token(token), expires_at__gt=timezone.now(), person__user__is_active=True)
                 .select_related("person__agency", "person__unit", "person__user")
                 .first())
        if found is None:
            return None
        request.api_token = found
        return found.person


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: datetime


class BadCredentials(ServiceError):
    code = "invalid_credentials"
    http_status = 401
    default_message = _("Sai tên đăng nhập hoặc mật khẩu.")


@transaction.atomic
def issue_token(person: Person) -> tuple[str, datetime]:
    """A new random token; the person's expired tokens are dropped on the way."""
    now = timezone.now()
    person.api_tokens.filter(expires_at__lte=now).delete()
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=settings.API_TOKEN_HOURS)
    row = ApiToken.objects.create(person=person, key_hash=hash_token(token), expires_at=expires_at)
    audit.record("api.token", actor=person, obj=row, expires_at=expires_at)
    return token, expires_at


@router.post("/token", auth=None, response={200: TokenOut, ERROR_CODES: ErrorOut}, url_name="auth_token")
def create_token(request, credentials: Credentials):
    """Log in with a username and password; send the token as ``Authorization: Bearer <token>``."""
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        raise BadCredentials()
    person = Person.objects.filter(user=user).first()
    if person is None:
        raise Forbidden(_("Tài khoản này không gắn với cán bộ của cơ quan nào nên không dùng được API."),
                        code="no_person")
    token, expires_at = issue_token(person)
    return {"token": token, "expires_at": timezone.localtime(expires_at)}


@router.delete("/token", response={204: None, ERROR_CODES: ErrorOut}, url_name="auth_token_revoke")
def revoke_token(request):
    """Log out: the token used for this request stops working."""
    with transaction.atomic():
        request.api_token.delete()
        audit.record("api.token_revoke", actor=request.auth)
    return Status(204, None)
