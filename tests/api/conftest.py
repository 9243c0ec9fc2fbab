"""An API client per demo account: logs in through ``POST /auth/token`` and sends the bearer token."""

import pytest
from django.test import Client

BASE = "/api/v1"


class ApiClient:
    """django.test.Client with the base path, JSON bodies and the bearer token filled in."""

    def __init__(self, token: str | None = None, language: str | None = None):
        self.client = Client()
        self.token = token
        self.language = language

    def _headers(self, extra: dict) -> dict:
        headers = {}
        if self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        if self.language:
            headers["HTTP_ACCEPT_LANGUAGE"] = self.language
        headers.update(extra)
        return headers

    def get(self, path: str, params: dict | None = None, **extra):
        return self.client.get(BASE + path, params or {}, **self._headers(extra))

    def post(self, path: str, data=None, **extra):
        return self.client.post(BASE + path, data if data is not None else {}, content_type="application/json",
                                **self._headers(extra))

    def patch(self, path: str, data=None, **extra):
        return self.client.patch(BASE + path, data or {}, content_type="application/json", **self._headers(extra))

    def upload(self, path: str, name: str, content: bytes, **fields):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {"file": SimpleUploadedFile(name, content), **fields}
        return self.client.post(BASE + path, data, **self._headers({}))

    def delete(self, path: str, **extra):
        return self.client.delete(BASE + path, **self._headers(extra))


def obtain_token(username: str, password: str = "congvan") -> str:
    response = Client().post(f"{BASE}/auth/token", {"username": username, "password": password},
                             content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def api(demo):
    """``api("vanthu.sonoivu")`` → an ApiClient logged in as that demo account."""
    cache: dict[str, ApiClient] = {}

    def get(username: str) -> ApiClient:
        if username not in cache:
            cache[username] = ApiClient(obtain_token(username))
        return cache[username]

    return get


def error_of(response, status: int) -> dict:
    """The ``error`` object of a 4xx response, after checking the status and the envelope."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "detail"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["detail"], dict)
    return body["error"]
