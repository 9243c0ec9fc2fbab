"""Use cases of the exchange that are neither sending nor receiving: operator alerts and node settings."""

from django.db import transaction
from django.urls import reverse

from congvan import audit
from congvan.exchange.models import Node
from congvan.workflow.notify import notify, operators


def alert_operators(text: str) -> None:
    """Something on the exchange needs a person: a dead letter, a package refused by a node."""
    notify(operators(), text, reverse("admin-exchange"))


@transaction.atomic
def set_accept_unsigned(node: Node, value: bool, person=None) -> None:
    """Allow (or stop allowing) a node's unsigned packages: older SDKs cannot sign. Audited."""
    Node.objects.filter(pk=node.pk).update(accept_unsigned=value)
    audit.record("exchange.node_unsigned", actor=person, node=node.name, value=value)
