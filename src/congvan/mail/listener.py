"""`congvan smtpd`: the built-in SMTP and LMTP listener (aiosmtpd) for the agencies' official addresses.

An MTA (Postfix, with ``transport_maps``) or any SMTP client delivers to it; each accepted message becomes
an intake item (congvan.mail.intake). Recipients it does not handle are refused at RCPT (550), mail over
``CONGVAN_MAIL_MAX_MESSAGE`` at MAIL FROM (SIZE) or DATA (552): the sending server keeps it and tells its
sender — nothing is accepted and then lost. The database work runs in a thread pool, off the event loop.
Replies are ASCII (RFC 5321), Vietnamese without marks in parentheses.
"""

import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.db import close_old_connections

from congvan.mail import intake

log = logging.getLogger(__name__)


def _in_thread(function, *args, **kwargs):
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


class Handler:
    """aiosmtpd handler: RCPT checks the address, DATA stores the message as intake items."""

    def __init__(self, executor: ThreadPoolExecutor, lmtp: bool = False):
        self.executor, self.lmtp = executor, lmtp

    async def _run(self, function, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, partial(_in_thread, function, *args, **kwargs))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            accepted = await self._run(intake.accepts, address)
        except Exception:  # noqa: BLE001 - the database is down: let the sender retry later
            log.exception("smtpd: RCPT %s", address)
            return "451 4.3.0 Temporary failure, please retry (tam thoi khong kiem tra duoc dia chi)"
        if not accepted:
            return f"550 5.1.1 <{address}>: no such mailbox here (khong co hop thu co quan nay)"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        count = len(envelope.rcpt_tos) if self.lmtp else 1
        if len(raw) > settings.MAIL_MAX_MESSAGE:
            reply = (f"552 5.3.4 Message too large: over {settings.MAIL_MAX_MESSAGE // (1024 * 1024)} MB "
                     "(thu qua lon)")
            return "\r\n".join([reply] * count)
        try:
            await self._run(intake.deliver, raw, source="smtp", envelope_from=envelope.mail_from or "",
                            recipients=list(envelope.rcpt_tos))
        except Exception:  # noqa: BLE001 - not stored: the sender keeps the message and retries
            log.exception("smtpd: message from %s could not be stored", envelope.mail_from)
            return "\r\n".join(["451 4.3.0 Temporary failure, please retry (loi tam thoi)"] * count)
        return "\r\n".join(["250 2.0.0 OK, accepted (da nhan)"] * count)


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


async def serve(smtp: str, lmtp: str, ready=None, stop: asyncio.Event | None = None) -> None:
    """Listen until SIGTERM/SIGINT (or ``stop``); ``ready(list of (kind, host, port))`` once listening."""
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="smtpd-db")
    options = {"hostname": settings.MAIL_HOSTNAME, "data_size_limit": settings.MAIL_MAX_MESSAGE,
               "enable_SMTPUTF8": True, "ident": "Congvan ESMTP"}
    servers, bound = [], []
    for kind, listen, protocol in (("smtp", smtp, SMTP), ("lmtp", lmtp, LMTP)):
        if not listen:
            continue
        host, port = _address(listen)
        handler = Handler(executor, lmtp=protocol is LMTP)
        server = await loop.create_server(partial(protocol, handler, loop=loop, **options), host, port)
        servers.append(server)
        bound.append((kind, host, server.sockets[0].getsockname()[1]))
    stop = stop or asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    if ready:
        ready(bound)
    try:
        await stop.wait()
    finally:
        for server in servers:
            server.close()
            await server.wait_closed()
        executor.shutdown(wait=True)
