"""Talking to the hub: over HTTP to another installation, or in-process when this installation is the hub."""

import http.client
import json
import os
import shutil
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from congvan.documents import storage
from congvan.exchange import bundles, hub, identity
from congvan.exchange.models import Node

CHUNK = 1024 * 1024


class ClientError(Exception):
    def __init__(self, message: str, *, code: str = "", permanent: bool = False):
        super().__init__(message)
        self.message, self.code, self.permanent = message, code, permanent


@dataclass
class Pending:
    id: str
    message_id: str
    message_type: str
    from_code: str
    from_node: str
    to_codes: list[str]
    size: int


class HttpHubClient:
    """The node side of the protocol (docs/exchange.md); TLS is the reverse proxy's job in production."""

    def __init__(self, url: str, token: str, timeout: float = 60.0):
        parts = urlsplit(url.rstrip("/"))
        self.scheme, self.netloc, self.base = parts.scheme, parts.netloc, parts.path + "/exchange/v1"
        self.token, self.timeout = token, timeout
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            self._conn = cls(self.netloc, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _request(self, method: str, path: str, body=None, headers: dict | None = None,
                 consume=None) -> tuple[int, dict, bytes]:
        """One call; a 200 answer's body goes to ``consume(response)`` when given, else it is returned."""
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        for attempt in (1, 2):  # a kept-alive connection the server closed is retried once, fresh
            conn = self._connection()
            try:
                if hasattr(body, "seek"):
                    body.seek(0)
                conn.request(method, self.base + path, body=body, headers=headers)
                response = conn.getresponse()
                break
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                self.close()
                if attempt == 2 or isinstance(exc, TimeoutError):
                    raise ClientError(f"Không kết nối được trục {self.netloc}: {exc}", code="unreachable")
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
        try:
            if consume is not None and response.status == 200:
                consume(response, answer_headers)
                return response.status, answer_headers, b""
            return response.status, answer_headers, response.read()
        except (ConnectionError, http.client.HTTPException, OSError, bundles.BundleError) as exc:
            self.close()  # the answer was cut: nothing of it can be trusted, the caller tries again later
            raise ClientError(f"Trục {self.netloc} ngắt kết nối giữa chừng: {exc}", code="unreachable")

    @staticmethod
    def _raise(status: int, data: bytes) -> None:
        try:
            error = json.loads(data)["error"]
        except (ValueError, KeyError, TypeError):
            error = {"code": "http_" + str(status), "message": data[:300].decode("utf-8", "replace")}
        permanent = 400 <= status < 500 and status not in (401, 408, 409, 422, 429)
        raise ClientError(f"Trục trả lời {status}: {error.get('message')}", code=error.get("code", ""),
                          permanent=permanent)

    def send(self, *, message_id: str, from_code: str, to_codes: list[str], message_type: str, path: str) -> dict:
        with open(path, "rb") as body:
            status, _, data = self._request("POST", "/messages", body, {
                "from": from_code, "to": ",".join(to_codes), "messagetype": message_type, "servicetype": "eDoc",
                "message-id": message_id, "Content-Type": "application/xml",
                "Content-Length": str(os.fstat(body.fileno()).st_size)})
        if status not in (200, 201):
            self._raise(status, data)
        return json.loads(data)

    def pending(self, limit: int = 100) -> list[Pending]:
        status, _, data = self._request("GET", f"/messages?limit={limit}")
        if status != 200:
            self._raise(status, data)
        return [Pending(m["id"], m["message_id"], m["messagetype"], m["from"], m["from_node"], m["to"], m["size"])
                for m in json.loads(data)["messages"]]

    def fetch(self, hub_id: str, dest) -> None:
        status, _, data = self._request("GET", f"/messages/{hub_id}",
                                        consume=lambda response, _: shutil.copyfileobj(response, dest, CHUNK))
        if status != 200:
            self._raise(status, data)

    def fetch_many(self, hub_ids: list[str], open_dest) -> None:
        """Several messages in one request; each goes to the file ``open_dest(headers)`` returns."""
        def consume(response, headers):
            boundary = headers.get("content-type", "").partition("boundary=")[2]
            if not boundary:
                raise bundles.BundleError("bundle: no boundary in the answer")
            bundles.read(response, boundary, open_dest, settings.EXCHANGE_MAX_PACKAGE)

        status, _, data = self._request("POST", "/messages/bundle", json.dumps({"ids": hub_ids}).encode(),
                                        {"Content-Type": "application/json"}, consume=consume)
        if status != 200:
            self._raise(status, data)

    def ack(self, hub_id: str, status_: str, reason: str = "") -> None:
        status, _, data = self._request("POST", f"/messages/{hub_id}/ack",
                                        json.dumps({"status": status_, "reason": reason}).encode(),
                                        {"Content-Type": "application/json"})
        if status != 200:
            self._raise(status, data)

    def ack_many(self, acks: list[tuple[str, str, str]]) -> None:
        """Acknowledge a batch in one request: ``[(hub id, "done"|"fail", reason)]``."""
        body = json.dumps({"acks": [{"id": i, "status": s, "reason": r} for i, s, r in acks]}).encode()
        status, _, data = self._request("POST", "/messages/ack", body, {"Content-Type": "application/json"})
        if status != 200:
            self._raise(status, data)

    def put_directory(self, agencies: list[dict]) -> dict:
        status, _, data = self._request("PUT", "/directory", json.dumps({"agencies": agencies}).encode(),
                                        {"Content-Type": "application/json"})
        if status != 200:
            self._raise(status, data)
        return json.loads(data)

    def directory(self) -> dict:
        status, _, data = self._request("GET", "/directory")
        if status != 200:
            self._raise(status, data)
        return json.loads(data)


class LocalHubClient:
    """The hub installation's own node talks to its hub store directly, through the same services."""

    def __init__(self, node: Node):
        self.node = node

    def close(self) -> None:
        pass

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except hub.HubError as exc:
            raise ClientError(exc.message, code=exc.code, permanent=exc.permanent)

    def send(self, *, message_id, from_code, to_codes, message_type, path) -> dict:
        with open(path, "rb") as body:
            accepted = self._call(hub.accept, self.node, message_id=message_id, from_code=from_code,
                                  to_codes=to_codes, message_type=message_type, stream=body, length=None)
        return {"ids": accepted.ids, "duplicate": accepted.duplicate}

    def pending(self, limit: int = 100) -> list[Pending]:
        return [Pending(str(m["id"]), str(m["message_id"]), m["messagetype"], m["from"], m["from_node"], m["to"],
                        m["size"]) for m in hub.pending(self.node, limit)]

    def fetch(self, hub_id: str, dest) -> None:
        message = self._call(hub.get, self.node, hub_id)
        with open(storage.blob_path(message.blob_id), "rb") as source:
            shutil.copyfileobj(source, dest, CHUNK)

    def fetch_many(self, hub_ids: list[str], open_dest) -> None:
        for message in self._call(hub.get_many, self.node, hub_ids):
            with open(storage.blob_path(message.blob_id), "rb") as source, \
                    open_dest({"hub-id": message.id, "message-id": message.message_id}) as dest:
                shutil.copyfileobj(source, dest, CHUNK)

    def ack(self, hub_id: str, status: str, reason: str = "") -> None:
        self._call(hub.ack, self.node, hub_id, status, reason)

    def ack_many(self, acks: list[tuple[str, str, str]]) -> None:
        self._call(hub.ack_many, self.node, acks)

    def put_directory(self, agencies: list[dict]) -> dict:
        return self._call(hub.put_directory, self.node, agencies)

    def directory(self) -> dict:
        return hub.directory()


def for_this_node():
    """The client this installation uses: HTTP to its hub, or in-process if it is the hub itself."""
    upstream = identity.hub_node()
    if upstream is not None and not identity.is_hub():
        return HttpHubClient(upstream.url, upstream.token)
    me = identity.self_node()
    return LocalHubClient(me) if me else None


def upstream_client():
    """A hub's connection to its own upstream hub, if it has one."""
    upstream = identity.hub_node()
    return HttpHubClient(upstream.url, upstream.token) if upstream and identity.is_hub() else None
