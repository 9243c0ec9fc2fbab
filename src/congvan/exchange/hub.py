"""The hub (trục liên thông): authenticates nodes, routes by agency code, stores and forwards.

Shaped like the national axis (VDXP): a node *sends* a message with a small header (``from``,
``messagetype``, ``to``, ``message-id``), *lists* what waits for it, *fetches* each message and
*acknowledges* it (``done``/``fail``). The hub never opens packages: routing uses the header, and the
receiving node verifies the package and its signature.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from congvan import audit
from congvan.directory.tokens import hash_token, new_token
from congvan.documents import storage
from congvan.exchange import hub_sql, identity
from congvan.exchange.models import HubMessage, Node, Route
from congvan.exchange.services import alert_operators

MESSAGE_TYPES = ("edoc", "status")
SEEN_PRECISION = timedelta(minutes=1)
# Credentials and routes are read on every call; each web process keeps what it read for this long.
# A change made in another process (a node deactivated, an agency moved) applies within this delay;
# a code not found is always looked up again, so a directory just synced is used at once.
CACHE_SECONDS = 10.0
_tokens: dict[str, tuple[float, Node]] = {}
_routes: dict[str, tuple[float, Node]] = {}
_upstream: list = []  # [expires, node or None]


def forget_cache() -> None:
    """Drop what this process remembers of credentials and routes (after a change made here)."""
    _tokens.clear()
    _routes.clear()
    _upstream.clear()


class HubError(Exception):
    """A refusal the caller can act on; ``permanent`` ones are not worth retrying as they are."""

    def __init__(self, code: str, message: str, http_status: int = 400, permanent: bool = True):
        super().__init__(message)
        self.code, self.message, self.http_status, self.permanent = code, message, http_status, permanent


def authenticate(token: str) -> Node:
    if token:
        key, now = hash_token(token), time.monotonic()
        known = _tokens.get(key)
        if known and known[0] > now:
            return known[1]
        node = Node.objects.filter(kind__in=[Node.Kind.PEER, Node.Kind.SELF], token_hash=key,
                                   is_active=True).first()
        if node is not None:
            _tokens[key] = (now + CACHE_SECONDS, node)
            return node
    raise HubError("unauthorized", "Thông tin xác thực của hệ thống không hợp lệ.", 401)


@transaction.atomic
def register_peer(name: str, certificate: str, title: str = "", accept_unsigned: bool = False) -> str:
    """Đăng ký một hệ thống vào trục: returns its secret token (shown once; only its hash is kept)."""
    token = new_token()
    node, _ = Node.objects.update_or_create(
        name=name, defaults={"kind": Node.Kind.PEER, "title": title or name, "certificate": certificate,
                             "accept_unsigned": accept_unsigned, "token_hash": hash_token(token),
                             "is_active": True})
    audit.record("exchange.peer_register", node=name)
    forget_cache()
    return token


def _upstream_hub() -> Node | None:
    now = time.monotonic()
    if not _upstream or _upstream[0] < now:
        _upstream[:] = [now + CACHE_SECONDS, identity.hub_node()]
    return _upstream[1]


def routed(codes: list[str]) -> dict[str, Node]:
    """The node hosting each code that the routing table knows (remembered for CACHE_SECONDS).

    Agencies learnt from the upstream hub (nodes of kind REMOTE) are left out: they go back up."""
    now, found = time.monotonic(), {}
    for code in codes:
        known = _routes.get(code)
        if known and known[0] > now:
            found[code] = known[1]
    missing = [c for c in codes if c not in found]
    if missing:
        for r in Route.objects.filter(agency_code__in=missing).select_related("node"):
            if r.node.kind != Node.Kind.REMOTE:
                found[r.agency_code] = r.node
                _routes[r.agency_code] = (now + CACHE_SECONDS, r.node)
    return found


def route(codes: list[str]) -> dict[str, Node]:
    """Which node receives each code: the routing table, else the upstream hub, else an error."""
    routes = routed(codes)
    unknown = [c for c in codes if c not in routes]
    upstream = _upstream_hub() if unknown else None
    if unknown and upstream is None:
        raise HubError("unknown_recipient", "Trục không biết hệ thống nào quản lý cơ quan nhận: "
                       + ", ".join(unknown) + ".", 422, permanent=False)
    return {c: routes.get(c, upstream) for c in codes}


@dataclass
class Accepted:
    ids: list[str]
    duplicate: bool


def accept(sender: Node, *, message_id: str, from_code: str, to_codes: list[str], message_type: str,
           stream, length: int | None) -> Accepted:
    """Store a message once per destination node; the same message sent again is not stored twice.

    The hot path of the hub: credentials and routes come from memory, the package is hashed while it
    is written, and the rows go in with one INSERT; a resend is recognised by the unique constraint."""
    if message_type not in MESSAGE_TYPES:
        raise HubError("bad_header", "Tiêu đề messagetype phải là edoc hoặc status.")
    try:
        message_uuid = uuid.UUID(message_id)
    except (ValueError, TypeError):
        raise HubError("bad_header", "Tiêu đề message-id phải là một UUID.")
    to_codes = [c.strip() for c in to_codes if c.strip()]
    if not to_codes or not from_code:
        raise HubError("bad_header", "Thiếu tiêu đề from hoặc to.")
    if length is not None and length > settings.EXCHANGE_MAX_PACKAGE:
        raise HubError("too_large", f"Gói tin vượt quá {settings.EXCHANGE_MAX_PACKAGE // 2**20} MB.", 413)
    try:
        if sender.kind != Node.Kind.HUB:  # an upstream hub relays for others; a node speaks for its own agencies
            own = routed([from_code]).get(from_code)
            if own is None or own.pk != sender.pk:
                raise HubError("forbidden_sender", f"Cơ quan gửi {from_code} không thuộc hệ thống {sender.name}.",
                               403)
        targets = route(to_codes)
    except HubError:
        if ids := _stored(sender, message_uuid):  # accepted earlier, before the directory changed
            return Accepted(ids, True)
        raise
    try:
        blob = storage.store_stream(stream, max_size=settings.EXCHANGE_MAX_PACKAGE, save=False)
    except storage.FileTooLarge as exc:
        raise HubError("too_large", str(exc), 413)
    if length is not None and blob.size != length:
        raise HubError("truncated", "Gói tin nhận được không đủ độ dài đã khai báo.", 400, permanent=False)
    by_node: dict[int, list[str]] = {}
    for code, node in targets.items():
        by_node.setdefault(node.pk, []).append(code)
    rows = [{"message_id": message_uuid, "sender": sender.pk, "recipient": node_id, "message_type": message_type,
             "from_code": from_code, "to_codes": codes} for node_id, codes in by_node.items()]
    try:
        ids = hub_sql.insert_messages(blob, rows)
    except IntegrityError:  # sent before (a retry after a lost answer), or raced in through another connection
        return Accepted(_stored(sender, message_uuid), True)
    _seen(sender)
    return Accepted(ids, False)


def _stored(sender: Node, message_uuid: uuid.UUID) -> list[str]:
    return [str(pk) for pk in HubMessage.objects.filter(sender=sender, message_id=message_uuid)
            .values_list("id", flat=True)]


PENDING_FIELDS = {"id": "id", "message_id": "message_id", "messagetype": "message_type", "from": "from_code",
                  "from_node": "sender__name", "to": "to_codes", "size": "blob__size", "created_at": "created_at"}


def pending(node: Node, limit: int = 100) -> list[dict]:
    """What waits for ``node``, oldest first, as the listing shows it (``PENDING_FIELDS``' keys)."""
    rows = (HubMessage.objects.filter(recipient=node, state=HubMessage.State.PENDING)
            .order_by("created_at").values_list(*PENDING_FIELDS.values())[:limit])
    return [dict(zip(PENDING_FIELDS, row, strict=True)) for row in rows]


def get(node: Node, hub_id: str) -> hub_sql.Stored:
    return get_many(node, [hub_id])[0]


def get_many(node: Node, hub_ids: list[str]) -> list[hub_sql.Stored]:
    """The messages asked for, each addressed to ``node``; one unknown id refuses the whole request."""
    try:
        wanted = [uuid.UUID(str(hub_id)) for hub_id in hub_ids]
    except ValueError:
        wanted = None
    found = hub_sql.stored_for(node, wanted) if wanted else []
    if not wanted or len(found) != len(wanted):
        raise HubError("not_found", "Không có gói tin này.", 404)
    return found


def ack(node: Node, hub_id: str, status: str, reason: str = "") -> str:
    """Transport acknowledgement: ``done`` (taken) or ``fail`` (refused by the receiving node, with why).

    Returns the message's state; acknowledging again changes nothing."""
    return ack_many(node, [(hub_id, status, reason)])[0]


def ack_many(node: Node, acks: list[tuple[str, str, str]]) -> list[str]:
    """Several acknowledgements in one call: one UPDATE for all the ``done`` ones."""
    parsed = []
    for hub_id, status, reason in acks:
        if status not in ("done", "fail"):
            raise HubError("bad_ack", "Trạng thái xác nhận phải là done hoặc fail.")
        try:
            parsed.append((uuid.UUID(str(hub_id)), status, reason))
        except ValueError:
            raise HubError("not_found", "Không có gói tin này.", 404)
    if hub_sql.mark_done(node, [pk for pk, status, _ in parsed if status == "done"]) == len(parsed):
        _seen(node)
        return [HubMessage.State.DONE] * len(parsed)  # the usual case: every one taken, first time
    waiting, now = HubMessage.objects.filter(recipient=node, state=HubMessage.State.PENDING), timezone.now()
    for pk, status, reason in parsed:
        if status == "fail":
            with transaction.atomic():
                if waiting.filter(pk=pk).update(state=HubMessage.State.FAILED, acked_at=now, reason=reason[:4000]):
                    from_code = HubMessage.objects.filter(pk=pk).values_list("from_code", flat=True).first()
                    audit.record("exchange.refused_by_node", node=node.name, message=str(pk), reason=reason)
                    alert_operators(f"Hệ thống {node.name} từ chối gói tin từ {from_code}: {reason[:120]}")
    states = dict(HubMessage.objects.filter(recipient=node, pk__in=[pk for pk, _, _ in parsed])
                  .values_list("id", "state"))
    missing = [pk for pk, _, _ in parsed if pk not in states]
    if missing:
        raise HubError("not_found", "Không có gói tin này.", 404)
    _seen(node)
    return [states[pk] for pk, _, _ in parsed]


def _seen(node: Node) -> None:
    """When a node last called (shown to the operator): a minute's precision spares a write per message."""
    now = timezone.now()
    if node.last_seen_at is None or now - node.last_seen_at > SEEN_PRECISION:
        Node.objects.filter(pk=node.pk).update(last_seen_at=now)
        node.last_seen_at = now


@transaction.atomic
def put_directory(node: Node, agencies: list[dict]) -> dict:
    """A node declares the agencies it hosts; a code already routed to another node is refused."""
    codes = {a["code"] for a in agencies if a.get("code")}
    taken = list(Route.objects.filter(agency_code__in=codes).exclude(node=node)
                 .exclude(node__kind=Node.Kind.REMOTE).values_list("agency_code", flat=True))
    Route.objects.filter(node=node).exclude(agency_code__in=codes).delete()
    for agency in agencies:
        code = agency.get("code")
        if not code or code in taken:
            continue
        Route.objects.update_or_create(agency_code=code, defaults={
            "node": node, "agency_name": agency.get("name", ""),
            "details": {k: agency.get(k, "") for k in ("short_name", "level", "email", "address", "phone",
                                                         "website", "place")}})
    forget_cache()
    return {"accepted": len(codes) - len(taken), "conflicts": taken}


def directory() -> dict:
    """Every agency the hub can route to, with the nodes' certificates (receivers pin them)."""
    nodes = Node.objects.filter(kind__in=[Node.Kind.PEER, Node.Kind.SELF, Node.Kind.REMOTE], is_active=True)
    return {
        "nodes": [{"name": n.name, "title": n.title, "certificate": n.certificate} for n in nodes],
        "agencies": [{"code": r.agency_code, "name": r.agency_name, "node": r.node.name, **r.details}
                     for r in Route.objects.select_related("node")],
    }
