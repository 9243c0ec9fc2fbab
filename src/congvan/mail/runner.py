"""The mail loop run by ``congvan worker``: provision the mail server when mailboxes changed, send the
mail outbox, poll the agencies' IMAP mailboxes. Errors are logged and retried on the next pass."""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from congvan.mail import imap, outbox, provisioning, transport

log = logging.getLogger(__name__)


def once() -> int:
    work = 0
    if provisioning.pending():
        try:
            provisioning.provision()
        except Exception:  # noqa: BLE001 - kept in ProvisioningState.last_error, tried again next pass
            pass
    work += outbox.drain(transport.transport())
    work += imap.poll_due()
    return work


def run(stop: threading.Event) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            work = once()
        except Exception:  # noqa: BLE001 - the loop must survive anything
            log.exception("mail: pass failed")
            work = 0
            stop.wait(1.0)
        if not work:
            stop.wait(settings.MAIL_POLL)
