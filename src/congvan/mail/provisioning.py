"""Provisioning the mail server from the platform (the source of truth), the way Modoboa drives Dovecot
and Postfix: every change of a mailbox or alias raises the provisioning generation in its own transaction
(the queue); the worker then writes the whole configuration again (idempotent: the same data give the same
files) and runs the operator's hook (``postmap``, reload). Files, in ``CONGVAN_MAIL_PROVISION_DIR``:

- ``dovecot-users``: Dovecot passwd-file (passdb) — ``address:{BLF-CRYPT}hash::::::userdb_quota_rule=…``
  for every active mailbox whose owner set a password;
- ``postfix-virtual-domains``, ``postfix-virtual-mailboxes``, ``postfix-virtual-aliases``: Postfix's
  ``virtual_mailbox_domains``, ``virtual_mailbox_maps`` and ``virtual_alias_maps`` (hash: tables);
- ``postfix-transport``: ``transport_maps`` sending the agencies' mailboxes and the bounce addresses to the
  platform's LMTP listener (their mail becomes intake items).

Each file is written to a temporary name, synced and renamed over the old one: a reader (Dovecot
re-reads the passwd-file when it changes) never sees half a file. docs/mail.md shows the server side.
"""

import grp
import hashlib
import logging
import os
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from congvan.mail import addresses
from congvan.mail.models import MailAlias, Mailbox, ProvisioningState

log = logging.getLogger(__name__)


def changed() -> None:
    """Call in the transaction of any change to mailboxes or aliases: the worker provisions after commit."""
    ProvisioningState.current()
    ProvisioningState.objects.filter(pk=1).update(generation=F("generation") + 1)


def domains() -> list[str]:
    found = {addresses.domain_of(a) for a in Mailbox.objects.filter(state=Mailbox.State.ACTIVE)
             .values_list("address", flat=True)}
    return sorted(found | set(settings.MAIL_DOMAINS))


def _lmtp_target() -> str:
    listen = settings.MAIL_LMTP_LISTEN or "127.0.0.1:2424"
    host, _, port = listen.rpartition(":")
    return f"lmtp:inet:[{host or '127.0.0.1'}]:{port}"


def render() -> dict[str, str]:
    """Every file's content from the database, sorted (so an unchanged directory gives unchanged files)."""
    mailboxes = list(Mailbox.objects.filter(state=Mailbox.State.ACTIVE).order_by("address"))
    aliases = list(MailAlias.objects.filter(mailbox__state=Mailbox.State.ACTIVE).select_related("mailbox")
                   .order_by("address"))
    header = "# Written by Congvan (congvan mail provision): do not edit, changes are overwritten.\n"
    users = [f"{m.address}:{m.password_hash}::::::userdb_quota_rule=*:storage={m.quota_mb}M"
             for m in mailboxes if m.password_hash]
    vmailbox = [f"{m.address} {addresses.domain_of(m.address)}/{addresses.local_part_of(m.address)}/"
                for m in mailboxes]
    valias = [f"{a.address} {a.mailbox.address}" for a in aliases]
    lmtp = _lmtp_target()
    transport = [f"{m.address} {lmtp}" for m in mailboxes if m.is_agency_mailbox]
    transport += [f"{settings.MAIL_BOUNCE_LOCALPART}@{d} {lmtp}" for d in domains()]
    return {
        "dovecot-users": header + "".join(line + "\n" for line in users),
        "postfix-virtual-domains": header + "".join(f"{d} OK\n" for d in domains()),
        "postfix-virtual-mailboxes": header + "".join(line + "\n" for line in vmailbox),
        "postfix-virtual-aliases": header + "".join(line + "\n" for line in valias),
        "postfix-transport": header + "".join(line + "\n" for line in sorted(transport)),
    }


def _write(folder: Path, name: str, content: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o640)
        if settings.MAIL_PROVISION_GROUP:
            os.chown(tmp, -1, grp.getgrnam(settings.MAIL_PROVISION_GROUP).gr_gid)
        os.replace(tmp, folder / name)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def provision(force: bool = False) -> bool:
    """Write what changed since the last run and run the hook; returns whether anything was written.

    Raises on a failure (the state keeps the error; the next run tries again)."""
    state = ProvisioningState.current()
    generation = state.generation
    if not force and generation == state.provisioned_generation and state.files:
        return False
    folder = Path(settings.MAIL_PROVISION_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    files = render()
    digests = {name: hashlib.sha256(content.encode()).hexdigest() for name, content in files.items()}
    written = [name for name, content in files.items()
               if force or state.files.get(name) != digests[name] or not (folder / name).exists()]
    try:
        for name in written:
            _write(folder, name, files[name])
        if written and settings.MAIL_PROVISION_HOOK:
            result = subprocess.run(settings.MAIL_PROVISION_HOOK, shell=True, cwd=folder, capture_output=True,
                                    text=True, timeout=120)
            if result.returncode != 0:
                raise RuntimeError(f"{settings.MAIL_PROVISION_HOOK!r} → {result.returncode}: "
                                   f"{(result.stderr or result.stdout).strip()[-500:]}")
    except Exception as exc:
        ProvisioningState.objects.filter(pk=1).update(last_error=str(exc)[:2000])
        log.warning("mail provisioning failed: %s", exc)
        raise
    with transaction.atomic():
        ProvisioningState.objects.filter(pk=1).update(provisioned_generation=generation, provisioned_at=timezone.now(),
                                                      last_error="", files=digests)
    if written:
        log.info("mail provisioning: wrote %s (generation %d)", ", ".join(written), generation)
    return bool(written)


def pending() -> bool:
    state = ProvisioningState.current()
    return state.generation != state.provisioned_generation or not state.files
