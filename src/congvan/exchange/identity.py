"""This installation's identity on the exchange: its node name, key and certificate (chứng thư của nút)."""

import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from congvan.exchange.models import Node


def key_dir() -> Path:
    return Path(settings.DATA_DIR) / "exchange"


def self_node() -> Node | None:
    return Node.objects.filter(kind=Node.Kind.SELF).first()


def hub_node() -> Node | None:
    """The hub this installation sends to (absent on a hub without an upstream)."""
    return Node.objects.filter(kind=Node.Kind.HUB, is_active=True).first()


def is_hub() -> bool:
    """An installation is a hub as soon as another one is registered with it."""
    return Node.objects.filter(kind=Node.Kind.PEER).exists()


def spool_dir() -> str:
    """Where packages being written or read wait on disk (never in memory)."""
    folder = key_dir() / "spool"
    os.makedirs(folder, exist_ok=True)
    return str(folder)


def init_self(name: str, title: str = "") -> Node:
    """Create this node's key pair and self-signed certificate once; the hub pins the certificate."""
    from congvan.exchange.edxml import generate_node_identity

    node = self_node()
    if node is not None:
        return node
    key_pem, cert_pem = generate_node_identity(name)
    folder = key_dir()
    folder.mkdir(parents=True, exist_ok=True)
    key_path = folder / "node-key.pem"
    key_path.write_bytes(key_pem)
    key_path.chmod(0o600)
    return Node.objects.create(name=name, kind=Node.Kind.SELF, title=title or name, certificate=cert_pem.decode())


@lru_cache(maxsize=4)
def _signer(name: str, certificate: str):
    from congvan.exchange.edxml import NodeSigner

    return NodeSigner((key_dir() / "node-key.pem").read_bytes(), certificate.encode())


def signer():
    node = self_node()
    return _signer(node.name, node.certificate) if node else None
