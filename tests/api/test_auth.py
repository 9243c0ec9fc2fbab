"""Bearer tokens: issued for a username and password, stored as SHA-256 only, limited in time."""

import hashlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from congvan.directory.models import ApiToken
from tests.api.conftest import ApiClient, error_of, obtain_token


def test_token_is_issued_and_only_its_hash_is_stored(demo, settings):
    settings.API_TOKEN_HOURS = 3
    before = timezone.now()
    response = ApiClient().post("/auth/token", {"username": "vanthu.sonoivu", "password": "congvan"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"} and len(body["token"]) >= 32
    expires_at = parse_datetime(body["expires_at"])
    assert timedelta(hours=3) <= expires_at - before < timedelta(hours=3, minutes=1)
    row = ApiToken.objects.get()
    assert row.person.user.username == "vanthu.sonoivu"
    assert row.key_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=body["token"]).exists()
    me = ApiClient(body["token"]).get("/people").json()
    assert "vanthu.sonoivu" in [p["username"] for p in me]


def test_wrong_password_is_401(demo):
    for credentials in ({"username": "vanthu.sonoivu", "password": "sai"},
                        {"username": "khongco", "password": "congvan"}):
        error = error_of(ApiClient().post("/auth/token", credentials), 401)
        assert error["code"] == "invalid_credentials"
        assert "mật khẩu" in error["message"]
    assert not ApiToken.objects.exists()


def test_user_without_a_person_is_403(demo):
    get_user_model().objects.create_user("kythuat", password="matkhau-manh-2026")
    error = error_of(ApiClient().post("/auth/token", {"username": "kythuat", "password": "matkhau-manh-2026"}),
                     403)
    assert error["code"] == "no_person"
    assert not ApiToken.objects.exists()


def test_expired_revoked_and_deactivated_tokens_stop_working(demo):
    token = obtain_token("chuyenvien.ubndtinh")
    client = ApiClient(token)
    assert client.get("/documents").status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert error_of(client.get("/documents"), 401)["code"] == "unauthorized"

    client = ApiClient(obtain_token("chuyenvien.ubndtinh"))
    assert ApiToken.objects.count() == 1, "the expired token is dropped when a new one is issued"
    assert client.delete("/auth/token").status_code == 204
    assert error_of(client.get("/documents"), 401)["code"] == "unauthorized"

    client = ApiClient(obtain_token("chuyenvien.ubndtinh"))
    get_user_model().objects.filter(username="chuyenvien.ubndtinh").update(is_active=False)
    assert error_of(client.get("/documents"), 401)["code"] == "unauthorized"


def test_the_token_acts_as_its_person(demo):
    mine = ApiClient(obtain_token("chuyenvien.ubndtinh"))
    created = mine.post("/documents", {"type": "CV", "subject": "Của tôi", "recipients": []}).json()
    people = {p["username"]: p["id"] for p in mine.get("/people").json()}
    assert created["created_by"] == people["chuyenvien.ubndtinh"]
    assert created["agency_code"] == "000.00.00.H21"
    other = ApiClient(obtain_token("chuyenvien2.ubndtinh"))
    assert error_of(other.get(f"/documents/{created['id']}"), 404)["code"] == "not_found"


def test_api_needs_no_csrf_token(demo):
    """Integrators are not browsers: the bearer token is the only credential, CSRF does not apply."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/auth/token", {"username": "chuyenvien.ubndtinh", "password": "congvan"},
                           content_type="application/json")
    assert response.status_code == 200
    created = client.post("/api/v1/documents", {"type": "CV", "subject": "Không cần CSRF"},
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert created.status_code == 201, created.content
