#!/usr/bin/env python
"""Mail in: messages/s through a real `congvan smtpd` process into intake items.

    CONGVAN_DATA_DIR=/tmp/b .venv/bin/python bench/mail.py [--messages 400] [--clients 4]
    CONGVAN_DATA_DIR=/tmp/b CONGVAN_DATABASE_URL=postgres://postgres@127.0.0.1:55432/mail_db \\
        .venv/bin/python bench/mail.py

1. A fresh database (the same rules as bench/documents.py: only one this benchmark created is dropped),
   ``migrate`` and the demo province with its agencies' official mailboxes.
2. `congvan smtpd` starts as its own process on a free loopback port, on that database and file store.
3. ``--messages`` distinct messages, each with two attachments of 200 KB (a PDF, which the listener has
   validated by the signing capability, and a spreadsheet), Vietnamese subject, addressed to one of the
   demo agencies, are sent by ``--clients`` SMTP clients in parallel, each on one connection (as an MTA
   delivers). The listener answers 250 only once the message is stored and its intake item committed.

Figures (JSON lines): ``messages_per_s`` (first MAIL FROM → last 250), the per-message latency as the
client sees it (p50, p95), MB/s of message data, the CPU seconds of the listener process, and a check
that the database holds exactly one intake item per message.

Target: ≥ 10 messages/s for one listener process, i.e. 36 000 messages an hour — over ten times a province's
busiest hour of official mail (a few thousand messages). One process is bound by Python's CPU (MIME
parsing, hashing, the PDF validation); several `congvan smtpd` processes share a larger load (one per
group of agencies in Postfix's transport table), and the per-message CPU figure tells how many it needs.
"""

# ruff: noqa: E402
from __future__ import annotations

import argparse
import io
import json
import os
import smtplib
import socket
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(ROOT / "src"), str(ROOT)) if p not in sys.path]
os.environ["DJANGO_SETTINGS_MODULE"] = "congvan.settings"

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from bench.documents import percentile, reset_database
from tests.conftest import database_url
from tests.e2e.installations import free_port

DB = "postgresql" if connection.vendor == "postgresql" else connection.vendor
TARGET_PER_S = 10.0
ATTACHMENT = 200 * 1024


def emit(metric: str, value, unit: str, target: str | None = None, **extra) -> None:
    line = {"bench": "mail", "db": DB, "metric": metric, "value": value, "unit": unit, "target": target}
    if target is not None and isinstance(value, int | float):
        line["ok"] = value >= float(target.split()[1])
    line.update(extra)
    print(json.dumps(line, ensure_ascii=False), flush=True)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def pdf_of_size(size: int) -> bytes:
    """A one-page PDF of about ``size`` bytes: a text line and a photo-like (incompressible) image, as a
    scanned or illustrated document is."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    side = int((size / 3) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 760, "Cong van so 2031/VPCP-KSTT")
    page.drawImage(ImageReader(image), 72, 300, width=400, height=400)
    page.showPage()
    page.save()
    return buffer.getvalue()


def build_messages(count: int, recipients: list[str]) -> list[tuple[str, bytes]]:
    from congvan.mail.outbox import encode_words

    pdf, sheet = pdf_of_size(ATTACHMENT), os.urandom(ATTACHMENT)
    messages = []
    for i in range(count):
        msg = EmailMessage()
        msg["From"] = "vanthu@vpcp.example"
        msg["To"] = recipients[i % len(recipients)]
        msg.set_raw("Subject", encode_words(f"Công văn số {i + 1}/VPCP-KSTT về việc kết nối hộp thư công vụ"))
        msg["Message-ID"] = f"<bench-{i}-{os.getpid()}@vpcp.example>"
        msg.set_content(f"Kính gửi: Ủy ban nhân dân tỉnh.\nThư thứ {i + 1}.")
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"cong-van-{i + 1}.pdf")
        msg.add_attachment(sheet[:-8] + i.to_bytes(8, "big"), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           filename=f"phu-luc-{i + 1}.xlsx")
        messages.append((recipients[i % len(recipients)], msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))))
    return messages


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--force-drop", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    reset_database(args.force_drop)
    call_command("migrate", interactive=False, verbosity=0)
    from congvan.directory.demo import load_demo

    load_demo()
    from congvan.mail.models import IntakeItem, Mailbox

    recipients = list(Mailbox.objects.filter(person__isnull=True, state="active").values_list("address", flat=True))
    emit("setup_seconds", round(time.perf_counter() - started, 2), "s", detail="fresh database, migrate, demo")
    connection.close()

    port = free_port()
    env = {**os.environ, "CONGVAN_DATABASE_URL": database_url(), "CONGVAN_LOG_LEVEL": "WARNING",
           "CONGVAN_FILE_STORE": str(settings.MEDIA_ROOT)}
    listener = subprocess.Popen([sys.executable, "-m", "congvan.cli", "smtpd", "--smtp", f"127.0.0.1:{port}",
                                 "--lmtp", ""], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if listener.poll() is not None or time.monotonic() > deadline:
                    sys.exit("congvan smtpd did not start: " + listener.stderr.read().decode(errors="replace"))
                time.sleep(0.1)
        messages = build_messages(args.messages, recipients)
        total_bytes = sum(len(raw) for _to, raw in messages)
        log(f"{len(messages)} messages ({total_bytes / 1e6:.1f} MB) to {len(recipients)} agencies, "
            f"{args.clients} clients, {DB}")
        latencies, errors, lock = [], [], threading.Lock()
        shares = [messages[i::args.clients] for i in range(args.clients)]

        def client(share):
            with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
                for to, raw in share:
                    t0 = time.perf_counter()
                    try:
                        smtp.sendmail("vanthu@vpcp.example", [to], raw)
                    except smtplib.SMTPException as exc:
                        with lock:
                            errors.append(str(exc))
                        continue
                    with lock:
                        latencies.append(time.perf_counter() - t0)

        cpu_before = cpu_seconds(listener.pid)
        threads = [threading.Thread(target=client, args=(share,)) for share in shares]
        t0 = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - t0
        cpu = cpu_seconds(listener.pid) - cpu_before
    finally:
        listener.terminate()
        listener.wait(timeout=30)
    stored = IntakeItem.objects.count()
    emit("messages_per_s", round(len(latencies) / elapsed, 1), "messages/s", f">= {TARGET_PER_S:g}",
         messages=len(messages), clients=args.clients, attachments="2 × 200 KB (PDF validated, xlsx)",
         errors=len(errors))
    emit("latency.p50", round(percentile([x * 1000 for x in latencies], 50), 1), "ms")
    emit("latency.p95", round(percentile([x * 1000 for x in latencies], 95), 1), "ms")
    emit("throughput", round(total_bytes / 1e6 / elapsed, 1), "MB/s")
    emit("listener_cpu_per_message", round(cpu / max(len(latencies), 1) * 1000, 1), "ms CPU",
         detail="user+system CPU of the congvan smtpd process (its database threads included)")
    emit("intake_items_stored", stored, "items", detail="one per message, committed before the 250 reply",
         ok=stored == len(messages) and not errors)
    if errors:
        log("errors: " + "; ".join(errors[:5]))


if __name__ == "__main__":
    main()
