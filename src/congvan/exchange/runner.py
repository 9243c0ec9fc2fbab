"""The exchange loop run by ``congvan worker``: send the outbox, take in what waits at the hub, keep the
directory in step; on a hub with an upstream, also relay to and from the upstream hub."""

import logging
import os
import tempfile
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from congvan.documents import storage
from congvan.exchange import client as clients
from congvan.exchange import directory, hub, identity, inbound, outbound
from congvan.exchange.models import HubMessage

log = logging.getLogger(__name__)


BUNDLE_MESSAGES, BUNDLE_BYTES = 50, 64 * 2**20


def in_bundles(messages: list) -> list[list]:
    """Consecutive groups of at most BUNDLE_MESSAGES and BUNDLE_BYTES (a larger message goes alone)."""
    groups, size = [], 0
    for message in messages:
        if not groups or len(groups[-1]) >= BUNDLE_MESSAGES or size + message.size > BUNDLE_BYTES:
            groups.append([])
            size = 0
        groups[-1].append(message)
        size += message.size
    return groups


def receive(client, limit: int = 100) -> int:
    """Fetch what waits for this node a bundle at a time, process it, then acknowledge the whole batch
    in one call. A crash before the acknowledgement means the hub offers the messages again, and the
    inbox recognises them."""
    acks = []
    try:
        for group in in_bundles(client.pending(limit)):
            paths = {}

            def open_dest(headers, paths=paths):
                fd, paths[headers["hub-id"]] = tempfile.mkstemp(prefix="in-", suffix=".edxml",
                                                                dir=identity.spool_dir())
                return os.fdopen(fd, "wb")

            try:
                client.fetch_many([m.id for m in group], open_dest)
                for message in group:
                    if message.id not in paths:
                        raise clients.ClientError(f"Trục không trả gói tin {message.id}.", code="incomplete")
                    inbox = inbound.process(paths[message.id], message_id=message.message_id, hub_id=message.id,
                                            from_node=message.from_node, to_codes=message.to_codes)
                    refused = inbox.state == inbox.State.REFUSED
                    acks.append((message.id, "fail" if refused else "done",
                                 f"{inbox.error_code}: {inbox.error}" if refused else ""))
            finally:
                for path in paths.values():
                    os.unlink(path)
    finally:  # what was processed is acknowledged even when a later fetch fails
        if acks:
            client.ack_many(acks)
    return len(acks)


def relay_up(upstream, limit: int = 50) -> int:
    """Hub with an upstream: forward what is addressed to codes the hub does not route itself."""
    sent = 0
    for message in HubMessage.objects.filter(recipient=identity.hub_node(), state=HubMessage.State.PENDING,
                                             next_attempt_at__lte=timezone.now())[:limit]:
        try:
            upstream.send(message_id=str(message.message_id), from_code=message.from_code,
                          to_codes=message.to_codes, message_type=message.message_type,
                          path=str(storage.blob_path(message.blob_id)))
        except clients.ClientError as exc:
            attempts = message.attempts + 1
            dead = exc.permanent or attempts >= settings.EXCHANGE_MAX_ATTEMPTS
            HubMessage.objects.filter(pk=message.pk).update(
                attempts=attempts, reason=exc.message[:2000], next_attempt_at=timezone.now() + outbound.backoff(attempts),
                state=HubMessage.State.DEAD if dead else HubMessage.State.PENDING)
            break
        HubMessage.objects.filter(pk=message.pk).update(state=HubMessage.State.DONE, acked_at=timezone.now())
        sent += 1
    return sent


def relay_down(upstream, limit: int = 100) -> int:
    """Hub with an upstream: take what the upstream holds for this hub into the local store for routing."""
    upstream_node = identity.hub_node()  # what comes down is stored as sent by the upstream hub
    count = 0
    for message in upstream.pending(limit):
        fd, path = tempfile.mkstemp(prefix="up-", dir=identity.spool_dir())
        try:
            with os.fdopen(fd, "wb") as dest:
                upstream.fetch(message.id, dest)
            with open(path, "rb") as body:
                hub.accept(upstream_node, message_id=message.message_id, from_code=message.from_code,
                           to_codes=message.to_codes, message_type=message.message_type, stream=body, length=None)
            upstream.ack(message.id, "done")
        except hub.HubError as exc:
            upstream.ack(message.id, "fail", exc.message)
        finally:
            os.unlink(path)
        count += 1
    return count


class Runner:
    """One pass = send due outbox messages, receive pending ones, relay for a hub; sync the directory
    every ``sync_every`` seconds. Errors are logged and retried on the next pass."""

    def __init__(self, poll: float | None = None, sync_every: float | None = None):
        self.poll = settings.EXCHANGE_POLL if poll is None else poll
        self.sync_every = settings.EXCHANGE_SYNC if sync_every is None else sync_every
        self._last_sync = 0.0
        self.client = None
        self.upstream = None

    def configured(self) -> bool:
        if self.client is None:
            self.client = clients.for_this_node()
            self.upstream = clients.upstream_client()
        return self.client is not None

    def once(self) -> int:
        if not self.configured():
            time.sleep(min(5.0, self.poll * 25))  # not set up yet: look again now and then
            return 0
        work = 0
        if time.monotonic() - self._last_sync > self.sync_every:
            try:
                directory.sync(self.client, self.upstream)
                self._last_sync = time.monotonic()
            except Exception as exc:  # noqa: BLE001
                log.warning("exchange: directory sync failed: %s", exc)
        for name, step in (("sent", lambda: outbound.drain(self.client)), ("received", lambda: receive(self.client))):
            started = time.monotonic()
            try:
                done = step()
                work += done
                if done:
                    log.debug("exchange: %s %d in %.0f ms", name, done, (time.monotonic() - started) * 1000)
            except clients.ClientError as exc:  # the hub is down: try again shortly, without hammering it
                log.warning("exchange: %s", exc.message)
                time.sleep(min(2.0, settings.EXCHANGE_BACKOFF[0]))
                break
        if self.upstream is not None:
            for step in (lambda: relay_up(self.upstream), lambda: relay_down(self.upstream)):
                try:
                    work += step()
                except clients.ClientError as exc:
                    log.warning("exchange upstream: %s", exc.message)
        return work

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            close_old_connections()
            try:
                work = self.once()
            except Exception:  # noqa: BLE001 - the loop must survive anything and retry
                log.exception("exchange: pass failed")
                self.client = None
                work = 0
                stop.wait(1.0)
            if not work:
                stop.wait(self.poll)

