"""The hub (trục liên thông): authenticates nodes, routes by agency code, stores and forwards.

Shaped like the national axis (VDXP): a node *sends* a message with a small header (``from``,
``messagetype``, ``to``, ``message-id``), *lists* what waits for it, *fetches* each message and
*acknowledges* it (``done``/``fail``). The hub never opens packages: routing uses the header, and the
receiving node verifies the package and its signature.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from congvan import audit
from congvan.directory.tokens import hash_token, new_token
from congvan.documents import storage
from congvan.exchange import identity
from congvan.exchange.models import HubMessage, Node, Route
from congvan.exchange.services import alert_operators

MESSAGE_TYPES = ("edoc", "status")
SEEN_PRECISION = timedelta(minutes=1)


class HubError(Exception):
    """A refusal the caller can act on; ``permanent`` ones are not worth retrying as they are."""

    def __init__(self, code: str, message: str, http_status: int = 400, permanent: bool = True):
        super().__init__(message)
        self.code, self.message, self.http_status, self.permanent = code, message, http_status, permanent


def authenticate(token: str) -> Node:
    if token:
        node = Node.objects.filter(kind__in=[Node.Kind.PEER, Node.Kind.SELF], token_hash=hash_token(token),
                                   is_active=True).first()
        if node is not None:
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
    return token


def route(codes: list[str]) -> dict[str, Node]:
    """Which node receives each code: the routing table, else the upstream hub, else an error."""
    upstream = identity.hub_node()
    routes = {r.agency_code: r.node for r in Route.objects.filter(agency_code__in=codes).select_related("node")
              if r.node.kind != Node.Kind.REMOTE}  # agencies learnt from the upstream hub go back up
    unknown = [c for c in codes if c not in routes]
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
    """Store a message once per destination node; the same message sent again is not stored twice."""
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
    existing = list(HubMessage.objects.filter(sender=sender, message_id=message_uuid))
    if existing:
        return Accepted([str(m.id) for m in existing], True)
    if sender.kind != Node.Kind.HUB:  # an upstream hub relays for others; a node speaks for its own agencies
        own = Route.objects.filter(agency_code=from_code).values_list("node_id", flat=True).first()
        if own != sender.pk:
            raise HubError("forbidden_sender", f"Cơ quan gửi {from_code} không thuộc hệ thống {sender.name}.", 403)
    targets = route(to_codes)
    try:
        blob = storage.store_stream(stream, max_size=settings.EXCHANGE_MAX_PACKAGE)
    except storage.FileTooLarge as exc:
        raise HubError("too_large", str(exc), 413)
    if length is not None and blob.size != length:
        raise HubError("truncated", "Gói tin nhận được không đủ độ dài đã khai báo.", 400, permanent=False)
    by_node: dict[int, tuple[Node, list[str]]] = {}
    for code, node in targets.items():
        by_node.setdefault(node.pk, (node, []))[1].append(code)
    try:
        with transaction.atomic():
            rows = [HubMessage.objects.create(message_id=message_uuid, sender=sender, recipient=node,
                                              message_type=message_type, from_code=from_code, to_codes=codes,
                                              blob=blob, next_attempt_at=timezone.now())
                    for node, codes in by_node.values()]
    except IntegrityError:  # the same message raced in through another connection
        return Accepted([str(m.id) for m in HubMessage.objects.filter(sender=sender, message_id=message_uuid)],
                        True)
    _seen(sender)
    return Accepted([str(m.id) for m in rows], False)


def pending(node: Node, limit: int = 100) -> list[HubMessage]:
    return list(HubMessage.objects.filter(recipient=node, state=HubMessage.State.PENDING)
                .select_related("sender", "blob").order_by("created_at")[:limit])


def get(node: Node, hub_id: str) -> HubMessage:
    try:
        return HubMessage.objects.select_related("sender", "blob").get(pk=uuid.UUID(str(hub_id)), recipient=node)
    except (HubMessage.DoesNotExist, ValueError):
        raise HubError("not_found", "Không có gói tin này.", 404)


def ack(node: Node, hub_id: str, status: str, reason: str = "") -> HubMessage:
    """Transport acknowledgement: ``done`` (taken) or ``fail`` (refused by the receiving node, with why)."""
    if status not in ("done", "fail"):
        raise HubError("bad_ack", "Trạng thái xác nhận phải là done hoặc fail.")
    message = get(node, hub_id)
    if message.state != HubMessage.State.PENDING:
        return message
    state = HubMessage.State.DONE if status == "done" else HubMessage.State.FAILED
    with transaction.atomic():
        HubMessage.objects.filter(pk=message.pk).update(state=state, acked_at=timezone.now(), reason=reason[:4000])
        if state == HubMessage.State.FAILED:
            audit.record("exchange.refused_by_node", node=node.name, message=str(message.id), reason=reason)
            alert_operators(f"Hệ thống {node.name} từ chối gói tin từ {message.from_code}: {reason[:120]}")
    _seen(node)
    message.state = state
    return message


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
    return {"accepted": len(codes) - len(taken), "conflicts": taken}


def directory() -> dict:
    """Every agency the hub can route to, with the nodes' certificates (receivers pin them)."""
    nodes = Node.objects.filter(kind__in=[Node.Kind.PEER, Node.Kind.SELF, Node.Kind.REMOTE], is_active=True)
    return {
        "nodes": [{"name": n.name, "title": n.title, "certificate": n.certificate} for n in nodes],
        "agencies": [{"code": r.agency_code, "name": r.agency_name, "node": r.node.name, **r.details}
                     for r in Route.objects.select_related("node")],
    }
