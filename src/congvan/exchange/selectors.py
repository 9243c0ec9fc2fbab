"""What the operator page and ``congvan exchange status`` show: messages in flight, dead letters, traffic."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from congvan.exchange import identity
from congvan.exchange.models import HubMessage, InboxMessage, Node, OutboxMessage


def summary() -> dict:
    since = timezone.now() - timedelta(days=1)
    return {
        "node": getattr(identity.self_node(), "name", None),
        "hub": getattr(identity.hub_node(), "url", None),
        "outbox": dict(OutboxMessage.objects.values_list("state").annotate(n=Count("id"))),
        "inbox": dict(InboxMessage.objects.values_list("state").annotate(n=Count("id"))),
        "hub_store": dict(HubMessage.objects.values_list("state").annotate(n=Count("id"))),
        "last_24h": {"sent": OutboxMessage.objects.filter(sent_at__gte=since).count(),
                     "received": InboxMessage.objects.filter(received_at__gte=since).count()},
    }


def reachable(code: str) -> bool:
    """Whether documents to the agency ``code`` can travel through the exchange: the hub's directory gave a
    route to it, or it already sent us a package through the exchange (we can answer the same way)."""
    from congvan.exchange.models import Route

    return Route.objects.filter(agency_code=code).exists() or InboxMessage.objects.filter(
        from_code=code, state=InboxMessage.State.PROCESSED).exists()


def outbox_in_flight(limit: int = 200):
    return OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).select_related(
        "document").order_by("created_at")[:limit]


def dead_letters(limit: int = 200):
    return OutboxMessage.objects.filter(state=OutboxMessage.State.DEAD).select_related(
        "document").order_by("-created_at")[:limit]


def refused_inbox(limit: int = 100):
    return InboxMessage.objects.filter(state=InboxMessage.State.REFUSED).order_by("-received_at")[:limit]


def hub_traffic(days: int = 7) -> list[dict]:
    """Per installation: messages it sent and received through this hub, waiting and failed."""
    since = timezone.now() - timedelta(days=days)
    recent = Q(created_at__gte=since)
    sent = dict(HubMessage.objects.filter(recent).values_list("sender__name").annotate(n=Count("id")))
    rows = HubMessage.objects.values("recipient__name").annotate(
        received=Count("id", filter=recent & Q(state=HubMessage.State.DONE)),
        waiting=Count("id", filter=Q(state=HubMessage.State.PENDING)),
        failed=Count("id", filter=Q(state__in=[HubMessage.State.FAILED, HubMessage.State.DEAD])))
    by_node = {r["recipient__name"]: r for r in rows}
    nodes = Node.objects.exclude(kind=Node.Kind.REMOTE).order_by("name")
    return [{"node": n, "sent": sent.get(n.name, 0), "received": by_node.get(n.name, {}).get("received", 0),
             "waiting": by_node.get(n.name, {}).get("waiting", 0),
             "failed": by_node.get(n.name, {}).get("failed", 0)} for n in nodes]


def hub_problems(limit: int = 100):
    return HubMessage.objects.filter(state__in=[HubMessage.State.FAILED, HubMessage.State.DEAD]).select_related(
        "sender", "recipient").order_by("-created_at")[:limit]


# --- the operator page (quan-tri/lien-thong/) -------------------------------------------------------------

def certificate_fingerprint(pem: str) -> str:
    """SHA-256 over the DER certificate, as the operator compares it by telephone: ``AB:CD:…``."""
    if not pem:
        return ""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        digest = x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256())
    except ValueError:
        return ""
    return ":".join(f"{b:02X}" for b in digest)


def this_installation() -> dict:
    """This node and its certificate, the hub it sends to, and whether it is itself a hub (it has peers)."""
    me = identity.self_node()
    return {"node": me, "fingerprint": certificate_fingerprint(me.certificate) if me else "",
            "upstream": identity.hub_node(), "is_hub": identity.is_hub()}


def known_nodes() -> list[dict]:
    """Every other installation this one knows, with how many agencies route to it and its pinned certificate."""
    nodes = Node.objects.exclude(kind=Node.Kind.SELF).annotate(agencies=Count("routes")).order_by("kind", "name")
    return [{"node": n, "fingerprint": certificate_fingerprint(n.certificate)} for n in nodes]


def outbox_message(pk, state: str | None = None) -> OutboxMessage | None:
    """One outbox message by id (None for an unknown or malformed id), optionally only in ``state``."""
    import uuid

    try:
        key = uuid.UUID(str(pk))
    except ValueError:
        return None
    found = OutboxMessage.objects.filter(pk=key)
    return (found.filter(state=state) if state else found).first()
