"""Bearer tokens: ``POST /auth/token`` trades a username and password for a token valid
``settings.API_TOKEN_HOURS`` hours (congvan.directory.tokens keeps only its SHA-256)."""

from datetime import datetime

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from congvan.api.errors import ERROR_CODES, ErrorOut
from congvan.directory import tokens
from congvan.directory.models import ApiToken, Person
from congvan.directory.tokens import hash_token, issue_token
from congvan.errors import Forbidden, ServiceError

router = Router(tags=["auth"])


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
    tokens.revoke_token(request.api_token)
    return Status(204, None)
