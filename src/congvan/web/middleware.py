"""NFC at the door (TCVN 6909:2001): every text a browser or an API client sends is normalised before any
view or service sees it — form fields, query strings, JSON bodies and the names of uploaded files. macOS
and some editors send NFD ("Quyết định" as 13 code points instead of 10), which would otherwise be stored
as is, compare unequal and escape searches. Services also ``clean()`` what they store; this covers every
other path (the admin, filters, future endpoints)."""

import json
import unicodedata

from django.http import QueryDict


def _nfc_querydict(data: QueryDict) -> QueryDict:
    if all(unicodedata.is_normalized("NFC", k) and all(unicodedata.is_normalized("NFC", v) for v in data.getlist(k))
           for k in data):
        return data
    normalised = QueryDict(mutable=True, encoding=data.encoding)
    for key in data:
        normalised.setlist(unicodedata.normalize("NFC", key),
                           [unicodedata.normalize("NFC", v) for v in data.getlist(key)])
    normalised._mutable = False
    return normalised


class NfcMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _nfc_querydict(request.GET)
        content_type = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
                request.POST = _nfc_querydict(request.POST)
                for uploaded in request.FILES.values():
                    uploaded.name = unicodedata.normalize("NFC", uploaded.name or "")
            elif content_type == "application/json":
                self._json(request)
        return self.get_response(request)

    @staticmethod
    def _json(request) -> None:
        try:
            body = request.body
        except Exception:  # too large: Django raises when the view reads it, with its own error
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return
        if unicodedata.is_normalized("NFC", text) and "\\u" not in text:
            return
        try:  # escaped characters (\\u0301) are normalised too, by a parse and a re-dump
            value = json.loads(text)
        except ValueError:
            request._body = unicodedata.normalize("NFC", text).encode("utf-8")
            return
        request._body = json.dumps(_nfc(value), ensure_ascii=False).encode("utf-8")


def _nfc(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    return value
