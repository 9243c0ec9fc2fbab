"""Keeping the directory in step with the hub: publish the agencies this installation hosts, learn the
others (with their installations' certificates, pinned for verifying packages)."""

from django.db import transaction

from congvan.directory.models import Agency
from congvan.exchange.models import Node, Route


def local_agencies() -> list[dict]:
    return [{"code": a.code, "name": a.name, "short_name": a.short_name, "level": a.level, "email": a.email,
             "address": a.address, "phone": a.phone, "website": a.website, "place": a.place}
            for a in Agency.objects.filter(is_local=True, is_active=True)]


def sync(client, upstream=None) -> dict:
    pushed = client.put_directory(local_agencies())
    learnt = learn(client.directory())
    if upstream is not None:  # a hub publishes everything it routes to, and learns what is above it
        upstream.put_directory(local_agencies() + [
            {"code": r.agency_code, "name": r.agency_name, **r.details}
            for r in Route.objects.exclude(node__kind__in=[Node.Kind.REMOTE, Node.Kind.SELF])])
        learnt += learn(upstream.directory(), via_upstream=True)
    return {"pushed": pushed, "learnt": learnt}


@transaction.atomic
def learn(listing: dict, via_upstream: bool = False) -> int:
    """Remote agencies become selectable recipients; remote nodes' certificates are kept for pinning."""
    me = Node.objects.filter(kind=Node.Kind.SELF).values_list("name", flat=True).first()
    nodes = {}
    for entry in listing.get("nodes", []):
        if entry["name"] == me:
            continue
        node = Node.objects.filter(name=entry["name"]).first()
        if node is None:
            node = Node.objects.create(name=entry["name"], kind=Node.Kind.REMOTE, title=entry.get("title", ""),
                                       certificate=entry.get("certificate", ""))
        elif node.kind == Node.Kind.REMOTE and node.certificate != entry.get("certificate", ""):
            node.certificate = entry.get("certificate", "")
            node.save(update_fields=["certificate"])
        nodes[node.name] = node
    count = 0
    for entry in listing.get("agencies", []):
        code, node = entry.get("code"), nodes.get(entry.get("node"))
        if not code or entry.get("node") == me:
            continue
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            Agency.objects.create(
                code=code, slug=("lt-" + code.lower().replace(".", "-"))[:40], name=entry.get("name") or code,
                short_name=(entry.get("short_name") or code)[:20], is_local=False,
                level=entry.get("level") if entry.get("level") in Agency.Level.values else Agency.Level.OTHER,
                email=entry.get("email", ""), address=entry.get("address", "")[:255], place=entry.get("place", "")[:80])
            count += 1
        elif not agency.is_local and agency.name != entry.get("name", agency.name):
            agency.name = entry["name"]
            agency.save(update_fields=["name"])
        if node is not None:
            route = Route.objects.filter(agency_code=code).select_related("node").first()
            if route is None:
                Route.objects.create(agency_code=code, node=node, agency_name=entry.get("name", ""))
            elif route.node.kind == Node.Kind.REMOTE and route.node_id != node.pk:
                route.node = node
                route.save(update_fields=["node"])
    return count
