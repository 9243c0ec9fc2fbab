"""Keeping the directory in step with the hub: publish the agencies this installation hosts, learn the
others (with their installations' certificates, pinned for verifying packages)."""

from django.db import transaction

from congvan.directory.models import Agency
from congvan.exchange import identity
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
        learnt += learn(upstream.directory())
    return {"pushed": pushed, "learnt": learnt}


def remote_agency(code: str, name: str, **fields) -> Agency:
    """An agency hosted on another installation, as this one records it (not local, a slug from its code)."""
    level = fields.pop("level", "")
    return Agency.objects.create(
        code=code, slug=("lt-" + code.lower().replace(".", "-"))[:40], name=(name or code)[:255],
        short_name=(fields.pop("short_name", "") or name or code)[:20], is_local=False,
        level=level if level in Agency.Level.values else Agency.Level.OTHER, **fields)


@transaction.atomic
def learn(listing: dict) -> int:
    """Remote agencies become selectable recipients; remote nodes' certificates are kept for pinning."""
    me = identity.self_node()
    me = me.name if me else None
    entries = [e for e in listing.get("agencies", []) if e.get("code") and e.get("node") != me]
    nodes = {n.name: n for n in Node.objects.filter(name__in=[e["name"] for e in listing.get("nodes", [])])}
    for entry in listing.get("nodes", []):
        name, certificate = entry["name"], entry.get("certificate", "")
        node = nodes.get(name)
        if name == me:
            continue
        if node is None:
            nodes[name] = Node.objects.create(name=name, kind=Node.Kind.REMOTE, title=entry.get("title", ""),
                                              certificate=certificate)
        elif node.kind == Node.Kind.REMOTE and node.certificate != certificate:
            node.certificate = certificate
            node.save(update_fields=["certificate"])
    codes = [e["code"] for e in entries]
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    routes = {r.agency_code: r for r in Route.objects.filter(agency_code__in=codes).select_related("node")}
    count = 0
    for entry in entries:
        code, node = entry["code"], nodes.get(entry.get("node"))
        agency = agencies.get(code)
        if agency is None:
            remote_agency(code, entry.get("name", ""), short_name=entry.get("short_name", ""),
                          level=entry.get("level", ""), email=entry.get("email", ""),
                          address=entry.get("address", "")[:255], place=entry.get("place", "")[:80])
            count += 1
        elif not agency.is_local and agency.name != entry.get("name", agency.name):
            agency.name = entry["name"]
            agency.save(update_fields=["name"])
        if node is None or node.name == me:
            continue
        route = routes.get(code)
        if route is None:
            Route.objects.create(agency_code=code, node=node, agency_name=entry.get("name", ""))
        elif route.node.kind == Node.Kind.REMOTE and route.node_id != node.pk:
            route.node = node
            route.save(update_fields=["node"])
    return count
