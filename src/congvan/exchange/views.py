"""HTTP endpoints of the hub (``/exchange/v1/``): send, list, fetch, acknowledge, directory.

Authentication is a bearer token issued when the node was registered (``congvan exchange peer add``).
TLS is terminated by the reverse proxy in front of ``congvan serve`` (docs/exchange.md)."""

import json

from django.conf import settings
from django.http import FileResponse, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from congvan.documents import storage
from congvan.exchange import bundles, hub

MAX_BATCH = 500


def _error(exc: hub.HubError) -> JsonResponse:
    return JsonResponse({"error": {"code": exc.code, "message": exc.message}}, status=exc.http_status)


def _node(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    return hub.authenticate(token)


def endpoint(view):
    """Authenticate, run, and turn refusals into the JSON error shape of the REST API."""
    @csrf_exempt
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, _node(request), *args, **kwargs)
        except hub.HubError as exc:
            return _error(exc)
    wrapped.__name__ = view.__name__
    return wrapped


def _length(request: HttpRequest) -> int | None:
    try:
        return int(request.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


@endpoint
def messages(request: HttpRequest, node):
    if request.method == "POST":
        length = _length(request)
        if not length:
            raise hub.HubError("length_required", "Gói tin phải có tiêu đề Content-Length.", 411)
        if length > settings.EXCHANGE_MAX_PACKAGE:  # refused before reading a byte
            raise hub.HubError("too_large", f"Gói tin vượt quá {settings.EXCHANGE_MAX_PACKAGE // 2**20} MB.", 413)
        accepted = hub.accept(
            node, message_id=request.headers.get("message-id", ""), from_code=request.headers.get("from", ""),
            to_codes=request.headers.get("to", "").split(","), message_type=request.headers.get("messagetype", ""),
            stream=request, length=length)
        return JsonResponse({"ids": accepted.ids, "duplicate": accepted.duplicate},
                            status=200 if accepted.duplicate else 201)
    if request.method != "GET":
        raise hub.HubError("method", "Phương thức không hỗ trợ.", 405)
    try:
        limit = max(1, min(int(request.GET.get("limit", 100)), 500))
    except ValueError:
        limit = 100
    return JsonResponse({"messages": hub.pending(node, limit)})


@endpoint
def message(request: HttpRequest, node, hub_id):
    found = hub.get(node, hub_id)
    response = FileResponse(open(storage.blob_path(found.blob_id), "rb"), content_type="application/xml")
    response["messagetype"], response["from"] = found.message_type, found.from_code
    response["message-id"], response["from-node"] = found.message_id, found.from_node
    return response


@endpoint
def bundle(request: HttpRequest, node):
    """``POST /messages/bundle`` with ``{"ids": [...]}``: several packages in one answer (multipart/mixed,
    each part with its transport headers and Content-Length), so a node takes a batch in one request."""
    if request.method != "POST":
        raise hub.HubError("method", "Phương thức không hỗ trợ.", 405)
    try:
        ids = [str(i) for i in json.loads(request.body or b"{}")["ids"]]
    except (ValueError, KeyError, TypeError):
        raise hub.HubError("bad_json", "Nội dung yêu cầu phải có dạng {\"ids\": [...]}.")
    if len(ids) > MAX_BATCH:
        raise hub.HubError("too_many", f"Mỗi lần tải tối đa {MAX_BATCH} gói tin.")
    found = hub.get_many(node, ids)
    if sum(m.size for m in found) > settings.EXCHANGE_MAX_PACKAGE:
        raise hub.HubError("too_large", "Tổng dung lượng các gói tin vượt quá giới hạn: hãy tải ít gói tin hơn.", 413)
    return bundles.response(found)


@endpoint
def acknowledge(request: HttpRequest, node, hub_id):
    if request.method != "POST":
        raise hub.HubError("method", "Phương thức không hỗ trợ.", 405)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise hub.HubError("bad_json", "Nội dung xác nhận không phải JSON.")
    state = hub.ack(node, hub_id, str(body.get("status", "")), str(body.get("reason", "")))
    return JsonResponse({"id": str(hub_id), "state": state})


@endpoint
def acknowledge_many(request: HttpRequest, node):
    """``POST /messages/ack`` with ``{"acks": [{"id", "status", "reason"}]}``: one call for a whole batch."""
    if request.method != "POST":
        raise hub.HubError("method", "Phương thức không hỗ trợ.", 405)
    try:
        acks = [(str(a["id"]), str(a.get("status", "")), str(a.get("reason", "")))
                for a in json.loads(request.body or b"{}")["acks"]]
    except (ValueError, KeyError, TypeError):
        raise hub.HubError("bad_json", "Nội dung xác nhận phải có dạng {\"acks\": [{\"id\", \"status\"}]}.")
    if len(acks) > MAX_BATCH:
        raise hub.HubError("bad_ack", f"Mỗi lần xác nhận tối đa {MAX_BATCH} gói tin.")
    states = hub.ack_many(node, acks)
    return JsonResponse({"results": [{"id": hub_id, "state": state} for (hub_id, _, _), state in zip(
        acks, states, strict=True)]})


@endpoint
def directory(request: HttpRequest, node):
    if request.method == "PUT":
        try:
            agencies = json.loads(request.body)["agencies"]
        except (ValueError, KeyError, TypeError):
            raise hub.HubError("bad_json", "Danh bạ gửi lên phải có dạng {\"agencies\": [...]}.")
        return JsonResponse(hub.put_directory(node, agencies))
    return JsonResponse(hub.directory())
