"""Polling existing mailboxes over IMAP (an agency whose mail lives on another server).

The folder is opened read-only (EXAMINE: nothing is marked, moved or deleted there). The poller remembers
the folder's UIDVALIDITY and the last UID it took, and asks only for newer UIDs (``UID SEARCH UID n:*``):
the mailbox is never read again from the start — unless the server renumbers it (a new UIDVALIDITY),
when the same bytes are recognised and make no second item. A message over the size limit is not
downloaded: its headers make a quarantined item and the message stays in the mailbox.
"""

import base64
import imaplib
import logging
import re
import ssl
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from congvan.mail import intake, mime, outbox, sealed
from congvan.mail.models import ImapAccount

log = logging.getLogger(__name__)
SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapError(Exception):
    pass


def connect(account: ImapAccount) -> imaplib.IMAP4:
    timeout = settings.MAIL_TIMEOUT
    try:
        if account.security == ImapAccount.Security.SSL:
            client = imaplib.IMAP4_SSL(account.host, account.port, ssl_context=ssl.create_default_context(),
                                       timeout=timeout)
        else:
            client = imaplib.IMAP4(account.host, account.port, timeout=timeout)
            if account.security == ImapAccount.Security.STARTTLS:
                client.starttls(ssl.create_default_context())
        login(client, account.username, sealed.unseal(account.password))
    except imaplib.IMAP4.error as exc:
        raise ImapError(f"Máy chủ IMAP từ chối: {_text(exc)}") from exc
    except (OSError, ssl.SSLError) as exc:
        raise ImapError(f"Không kết nối được máy chủ IMAP {account.host}:{account.port}: {exc}") from exc
    return client


def login(client: imaplib.IMAP4, username: str, password: str) -> None:
    """LOGIN for ASCII credentials; AUTHENTICATE PLAIN (UTF-8) otherwise: LOGIN cannot carry "Mật khẩu"."""
    if username.isascii() and password.isascii():
        client.login(username, password)
    else:
        client.authenticate("PLAIN", lambda _challenge: f"\0{username}\0{password}".encode())


def _text(value) -> str:
    if isinstance(value, BaseException) and value.args:
        value = value.args[0]
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def folder_name(name: str) -> str:
    """A folder name in IMAP's *modified UTF-7* (RFC 3501 §5.1.3), as the protocol carries it: printable
    ASCII stays, ``&`` becomes ``&-``, every other run of characters is ``&`` + its UTF-16BE in base64 (``,``
    for ``/``, no padding) + ``-``. "Văn bản đến" → ``V&AQM-n b&HqM-n &AREevw-n``."""
    out, run = [], []

    def flush():
        if run:
            encoded = base64.b64encode("".join(run).encode("utf-16-be")).decode("ascii").rstrip("=")
            out.append("&" + encoded.replace("/", ",") + "-")
            run.clear()

    for ch in name:
        if " " <= ch <= "~":
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def _quote(folder: str) -> str:
    name = folder_name(folder)
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _literal(data) -> bytes:
    """The literal (message bytes) of a one-message FETCH response."""
    for part in data or []:
        if isinstance(part, tuple) and len(part) == 2:
            return part[1]
    return b""


def _size(data) -> int:
    for part in data or []:
        head = part[0] if isinstance(part, tuple) else part
        match = SIZE_RE.search(head or b"")
        if match:
            return int(match.group(1))
    return 0


def _check(response, what: str):
    typ, data = response
    if typ != "OK":
        raise ImapError(f"{what}: {_text(data[0] if data else typ)}")
    return data


def poll(account: ImapAccount, limit: int = 200) -> int:
    """Take what arrived since the last poll; returns how many messages were taken."""
    client = connect(account)
    taken = 0
    try:
        _check(client.select(_quote(account.folder), readonly=True), f"Không mở được thư mục {account.folder}")
        validity = int((client.response("UIDVALIDITY")[1] or [b"0"])[0] or 0)
        if account.uidvalidity != validity:
            if account.uidvalidity is not None:
                log.warning("imap %s: UIDVALIDITY changed (%s → %s), reading the folder again", account,
                            account.uidvalidity, validity)
            ImapAccount.objects.filter(pk=account.pk).update(uidvalidity=validity, last_uid=0)
            account.uidvalidity, account.last_uid = validity, 0
        found = _check(client.uid("SEARCH", None, f"UID {account.last_uid + 1}:*"), "UID SEARCH")
        uids = sorted(int(u) for u in (found[0] or b"").split() if int(u) > account.last_uid)[:limit]
        for uid in uids:
            size = _size(_check(client.uid("FETCH", str(uid), "(RFC822.SIZE)"), "FETCH RFC822.SIZE"))
            if size > settings.MAIL_MAX_MESSAGE:
                headers = _literal(_check(client.uid("FETCH", str(uid), "(BODY.PEEK[HEADER])"), "FETCH HEADER"))
                intake.receive_too_large(agency=account.agency, headers=headers, size=size, source="imap",
                                         imap_account=account, imap_uid=uid)
            else:
                raw = _literal(_check(client.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH BODY"))
                take(account, raw, uid)
            with transaction.atomic():
                ImapAccount.objects.filter(pk=account.pk).update(last_uid=uid)
            account.last_uid = uid
            taken += 1
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return taken


def take(account: ImapAccount, raw: bytes, uid: int) -> None:
    """A delivery status notification about a message the platform sent updates that message; anything
    else becomes an intake item of the account's agency."""
    parsed = mime.parse(raw)
    dsn = mime.parse_dsn(parsed.message)
    if dsn is not None and outbox.find_bounced(None, dsn) is not None:
        outbox.apply_bounce(raw, None)
        return
    intake.receive(raw, agencies=[account.agency], source="imap", imap_account=account, imap_uid=uid,
                   envelope_to=[account.username])


def poll_due(now=None) -> int:
    """Poll every enabled account whose interval has passed; errors are kept on the account."""
    now = now or timezone.now()
    due = ImapAccount.objects.filter(enabled=True).select_related("agency")
    taken = 0
    for account in due:
        if account.last_polled_at and account.last_polled_at > now - timedelta(seconds=settings.MAIL_IMAP_INTERVAL):
            continue
        try:
            taken += poll(account)
            ImapAccount.objects.filter(pk=account.pk).update(last_polled_at=timezone.now(), last_error="")
        except Exception as exc:  # noqa: BLE001 - one broken mailbox must not stop the others
            log.warning("imap %s: %s", account, exc)
            ImapAccount.objects.filter(pk=account.pk).update(last_polled_at=timezone.now(),
                                                             last_error=str(exc)[:2000])
    return taken
