#!/usr/bin/env python
"""Documents at scale: fill 100 000 issued documents, then measure issuing and the inbox list.

    CONGVAN_DATA_DIR=/tmp/b .venv/bin/python bench/documents.py [--documents 100000]
    CONGVAN_DATA_DIR=/tmp/b CONGVAN_DATABASE_URL=postgres://postgres@127.0.0.1:55432/congvan_bench \\
        .venv/bin/python bench/documents.py

Steps (each figure is one JSON line on stdout; progress and plans go to stderr):

1. A fresh database: the SQLite file is deleted, the PostgreSQL database dropped and re-created through a
   maintenance connection to ``postgres``; then ``migrate`` and the demo province (``load_demo()``).
   Only a database this script created (a marker file next to the SQLite file, a comment on the
   PostgreSQL database) or an empty one is dropped; ``--force-drop`` overrides.
2. Fill: ``--documents`` issued documents spread over the demo agencies, with recipients, main files,
   deliveries and their status trails, incoming items in realistic states (arrived → registered →
   assigned → in progress → done, a few refused), distributions, leaders' notes and the notifications
   of the incoming side (read, except the latest), written with ``bulk_create`` in batches. Numbers and
   notations follow each register: sequential from 1 per agency, direction, calendar year and secrecy,
   in the order of issue (arrival numbers in the order of registration), and every register's
   ``last_number`` is its count, so real issuing continues the series.
   Most documents go to a few recipients: the provincial People's Committee holds tens of thousands.
3. Issue throughput: ``--issue`` documents through the real services (create_draft, add_file with one
   small PDF, submit, approve, issue); the issue step alone and the whole chain are reported separately.
4. Inbox latency for the clerk, the leader and an officer of the busiest recipient: the first page the way
   the web UI builds it (``selectors.inbox(person)``, ``Paginator(…, 25).page(1)``, rows materialised,
   the count for the pagination), the dashboard's ``selectors.my_tasks`` counts, and the inbox page over
   HTTP through ``django.test.Client`` when the URL ``incoming-list`` exists. Each is repeated
   ``--repeat`` times, or stops after ``--budget`` seconds (at least 20 samples) when it is very slow.
   ``--explain`` prints the inbox query plans on stderr.

Targets: inbox first page p95 < 200 ms at 100k documents; issuing ≥ 20 documents/s.
"""

# ruff: noqa: E402  (Django must be set up before the models are imported)
from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))
os.environ["DJANGO_SETTINGS_MODULE"] = "congvan.settings"

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count, Max
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from congvan.directory.models import Agency, Person
from congvan.documents import notation as notation_rules
from congvan.documents.models import (
    Blob,
    Direction,
    Document,
    DocumentFile,
    DocumentType,
    Form,
    Register,
    Secrecy,
    Urgency,
)
from congvan.workflow.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Distribution,
    IncomingItem,
    LeaderNote,
    Notification,
    Status,
)

err = Console(stderr=True)
DB = "postgresql" if connection.vendor == "postgresql" else connection.vendor
TZ = ZoneInfo(settings.TIME_ZONE)
INBOX_TARGET_MS = 200.0
ISSUE_TARGET_PER_S = 20.0
PAGE_SIZE = 25
MARKER_SUFFIX = ".bench"  # next to a SQLite file this script created: safe to delete on the next run
PG_MARKER = "created by bench/documents.py; dropped on its next run"


def emit(metric: str, value, unit: str, target: str | None = None, **extra) -> None:
    """One figure as a JSON line; ``target`` is a comparison ("< 200", ">= 20") and ``ok`` its outcome."""
    line = {"bench": "documents", "db": DB, "metric": metric, "value": value, "unit": unit, "target": target}
    if target is not None and isinstance(value, int | float):
        op, limit = target.split()
        line["ok"] = value < float(limit) if op == "<" else value >= float(limit)
    line.update(extra)
    print(json.dumps(line, ensure_ascii=False), flush=True)


def progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def latency(metric: str, samples_s: list[float], target: str | None = None, **extra) -> None:
    ms = [s * 1000 for s in samples_s]
    extra["samples"] = len(ms)
    emit(f"{metric}.p50", round(percentile(ms, 50), 2), "ms", None, **extra)
    emit(f"{metric}.p95", round(percentile(ms, 95), 2), "ms", target, **extra)
    emit(f"{metric}.max", round(max(ms), 2), "ms", None, **extra)


# 1. A fresh database -------------------------------------------------------------------------------------------

def reset_database(force: bool) -> None:
    db = settings.DATABASES["default"]
    connection.close()
    if connection.vendor == "sqlite":
        path = Path(db["NAME"])
        marker = path.with_name(path.name + MARKER_SUFFIX)
        if path.exists() and not marker.exists() and not force:
            sys.exit(f"{path} was not created by this benchmark; refusing to delete it (--force-drop to override)")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        marker.write_text("created by bench/documents.py; deleted on its next run\n")
    elif connection.vendor == "postgresql":
        import psycopg
        from psycopg import sql

        name = db["NAME"]
        params = {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None,
                  "password": db["PASSWORD"] or None}
        params = {k: v for k, v in params.items() if v}
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as maintenance:
            found = maintenance.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                        "WHERE datname = %s", [name]).fetchone()
            if found and found[0] != PG_MARKER and not force:
                with psycopg.connect(dbname=name, **params) as target:
                    tables = target.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                                            ).fetchone()[0]
                if tables:
                    sys.exit(f"database {name!r} was not created by this benchmark; refusing to drop it "
                             "(--force-drop to override)")
            maintenance.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            maintenance.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name),
                                                                              sql.Literal(PG_MARKER)))
    else:
        sys.exit(f"unsupported database vendor {connection.vendor}")


def prepare(force: bool) -> None:
    t0 = time.perf_counter()
    reset_database(force)
    call_command("migrate", interactive=False, verbosity=0)
    from congvan.directory.demo import load_demo

    load_demo()
    emit("setup_seconds", round(time.perf_counter() - t0, 2), "s", None, detail="fresh database, migrate, demo")


# 2. Fill ------------------------------------------------------------------------------------------------------

ACTIONS = ["triển khai", "tăng cường", "hướng dẫn thực hiện", "báo cáo kết quả", "tổ chức", "đề nghị góp ý",
           "rà soát", "kiểm tra", "đẩy mạnh", "chấn chỉnh", "phê duyệt", "giao chỉ tiêu"]
TOPICS = ["sử dụng văn bản điện tử", "chuyển đổi số", "cải cách hành chính", "phòng, chống thiên tai",
          "công tác cán bộ", "dự toán ngân sách năm 2026", "tiêm chủng mở rộng", "an toàn thông tin mạng",
          "giải ngân vốn đầu tư công", "xây dựng nông thôn mới", "dịch vụ công trực tuyến",
          "quản lý đất đai", "phòng cháy, chữa cháy", "bảo vệ rừng", "sắp xếp đơn vị hành chính",
          "thu ngân sách nhà nước", "y tế cơ sở", "chữ ký số chuyên dùng"]
WHERE = ["trên địa bàn tỉnh", "tại các xã, phường", "trong các cơ quan nhà nước", "quý IV", "năm 2026",
         "6 tháng đầu năm", "giai đoạn 2026-2030", ""]
# (code, weight): mostly công văn, as in any agency's register
TYPE_WEIGHTS = [("CV", 55), ("TB", 8), ("QĐ", 9), ("KH", 6), ("BC", 8), ("GM", 8), ("TTr", 3), ("CT", 1),
                ("HD", 1), ("QĐ-QPPL", 1)]
SENDER_WEIGHT = {"province": 16, "department": 10, "commune": 12}
SECRET_SHARE, PAPER_SHARE, HYBRID_SHARE = 0.01, 0.04, 0.06
URGENCY = [(Urgency.NONE, 85), (Urgency.KHAN, 10), (Urgency.THUONG_KHAN, 4), (Urgency.HOA_TOC, 1)]
# A recipient's processing: mean delays of each step, and where an item stops for good.
MEAN_REGISTER_H, MEAN_ASSIGN_H, MEAN_START_H, MEAN_DONE_H = 5, 20, 24, 96
STALL = [("refused", 0.02), ("registered", 0.01), ("assigned", 0.015), ("in_progress", 0.03)]
STEPS = ["arrived", "registered", "assigned", "in_progress", "done"]
STEP_STATUS = {"arrived": Status.ARRIVED, "refused": Status.REFUSED, "registered": Status.ACCEPTED,
               "assigned": Status.ASSIGNED, "in_progress": Status.IN_PROGRESS, "done": Status.DONE}
BATCH_MODELS = [Document, Document.recipients.through, DocumentFile, Delivery, DeliveryStatus, IncomingItem,
                Distribution, LeaderNote, Notification]
MEAN_READ_H = 6  # a notification is read within hours; the last ones are still unread


def small_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Công văn (benchmark)"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@contextmanager
def explicit_timestamps(models):
    """Let bulk_create keep our created_at/updated_at (auto_now fields would stamp 'now' on every row)."""
    saved = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class Cast:
    """The demo agencies and their people, as the fill needs them."""

    def __init__(self) -> None:
        people = {p.user.username: p for p in Person.objects.select_related("user", "unit", "agency")}
        self.local = list(Agency.objects.filter(is_local=True, is_active=True).order_by("code"))
        self.remote = list(Agency.objects.filter(is_local=False, is_active=True).order_by("code"))
        self.province = next((a for a in self.local if a.level == Agency.Level.PROVINCE), self.local[0])
        self.staff = {}
        for agency in self.local:
            self.staff[agency.pk] = {role: people[f"{role}.{agency.slug}"]
                                     for role in ("lanhdao", "vanthu", "chuyenvien", "chuyenvien2")}
        self.types = {t.code: t for t in DocumentType.objects.filter(agency__isnull=True)}


def local_time(rng: random.Random, start: datetime, days: int, now: datetime) -> datetime:
    """A working moment (Monday–Friday, 07:30–17:00 local) in the ``days`` before ``now``."""
    while True:
        day = start + timedelta(days=rng.randrange(days))
        if day.weekday() >= 5:
            continue
        moment = day.replace(hour=7, minute=30) + timedelta(seconds=rng.uniform(0, 9.5 * 3600))
        if moment < now:
            return moment


def pick(rng: random.Random, weighted):
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights)[0]


def recipients_for(rng: random.Random, cast: Cast, sender: Agency) -> list[Agency]:
    others = [a for a in cast.local if a.pk != sender.pk]
    if sender.pk == cast.province.pk:
        chosen = others if rng.random() < 0.15 else rng.sample(others, rng.randint(1, 3))  # 15 %: to everyone
    else:
        chosen = []
        if rng.random() < 0.75:
            chosen.append(cast.province)
        if not chosen or rng.random() < 0.4:
            rest = [a for a in others if a.pk != cast.province.pk]
            chosen += rng.sample(rest, 1 if chosen else rng.randint(1, 2))
    if cast.remote and rng.random() < 0.05:
        chosen.append(rng.choice(cast.remote))
    return chosen


def processing(rng: random.Random, arrived: datetime, now: datetime) -> list[tuple[str, datetime]]:
    """The steps a recipient has taken by ``now``: [("arrived", t), ("registered", t) …]."""
    stall, roll = None, rng.random()
    for state, share in STALL:
        if roll < share:
            stall = state
            break
        roll -= share
    means = {"registered": MEAN_REGISTER_H, "assigned": MEAN_ASSIGN_H, "in_progress": MEAN_START_H,
             "done": MEAN_DONE_H}
    steps, at = [("arrived", arrived)], arrived
    for state in STEPS[1:]:
        if stall == "refused":
            at += timedelta(hours=rng.expovariate(1 / MEAN_REGISTER_H)) + timedelta(minutes=2)
            if at < now:
                steps.append(("refused", at))
            break
        at += timedelta(hours=rng.expovariate(1 / means[state])) + timedelta(minutes=2)
        if at >= now:
            break
        steps.append((state, at))
        if state == stall:
            break
    return steps


def fill(n_documents: int, days: int, batch: int, seed: int, pdf: bytes) -> None:
    from congvan.documents import storage

    rng = random.Random(seed)
    cast = Cast()
    now = timezone.now()
    local_now = timezone.localtime(now, TZ)
    start = (local_now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    t0, cpu0 = time.perf_counter(), time.process_time()

    # Plan everything in memory first: numbers depend on the order of issue and of registration.
    senders = [a for a in cast.local]
    sender_weights = [SENDER_WEIGHT.get(a.level, 10) for a in senders]
    moments = sorted(local_time(rng, start, days, local_now) for _ in range(n_documents))
    docs, items = [], []
    outgoing_count: Counter = Counter()
    for moment in moments:
        sender = rng.choices(senders, sender_weights)[0]
        staff = cast.staff[sender.pk]
        secret = rng.random() < SECRET_SHARE
        form = Form.PAPER if secret or rng.random() < PAPER_SHARE else (
            Form.HYBRID if rng.random() < HYBRID_SHARE else Form.ELECTRONIC)
        doc_type = cast.types[pick(rng, TYPE_WEIGHTS)]
        drafter = staff[rng.choice(["chuyenvien", "chuyenvien2"])]
        year = moment.year
        outgoing_count[(sender.pk, year, secret)] += 1
        number = outgoing_count[(sender.pk, year, secret)]
        unit = drafter.unit.short_name if (drafter.unit and not doc_type.abbreviation) else None
        notation = notation_rules.build(number, sender.short_name, doc_type.abbreviation or None, unit,
                                        year if doc_type.is_normative else None)
        issued_at = moment.astimezone(ZoneInfo("UTC"))
        created_at = issued_at - timedelta(hours=rng.uniform(2, 120))
        doc = {
            "agency": sender, "doc_type": doc_type, "drafter": drafter, "secret": secret, "form": form,
            "year": year, "number": number, "notation": notation, "issued_at": issued_at,
            "created_at": created_at, "submitted_at": created_at + (issued_at - created_at) * 0.3,
            "approved_at": created_at + (issued_at - created_at) * 0.8,
            "subject": f"Về việc {rng.choice(ACTIONS)} {rng.choice(TOPICS)} {rng.choice(WHERE)}".strip(),
            "urgency": pick(rng, URGENCY),
            "due_date": (moment + timedelta(days=rng.randint(5, 20))).date() if rng.random() < 0.15 else None,
            "recipients": recipients_for(rng, cast, sender), "deliveries": [],
        }
        for recipient in doc["recipients"]:
            channel = (Channel.PAPER if form == Form.PAPER else
                       Channel.INTERNAL if recipient.is_local else Channel.EXCHANGE)
            arrived = issued_at + timedelta(seconds=rng.uniform(0.05, 2))
            steps = [] if channel == Channel.PAPER else processing(rng, arrived, now)
            delivery = {"recipient": recipient, "channel": channel, "steps": steps, "item": None}
            if channel == Channel.INTERNAL:
                item = {"delivery": delivery, "doc": doc, "register_key": None, "arrival_number": None}
                registered = dict(steps).get("registered")
                if registered is not None:
                    item["register_key"] = (recipient.pk, timezone.localtime(registered, TZ).year)
                    items.append((registered, item))
                delivery["item"] = item
            doc["deliveries"].append(delivery)
        docs.append(doc)

    # Arrival numbers: per recipient register and year, in the order of registration.
    items.sort(key=lambda pair: pair[0])
    incoming_count: Counter = Counter()
    for _, item in items:
        incoming_count[item["register_key"]] += 1
        item["arrival_number"] = incoming_count[item["register_key"]]

    # Registers, each with last_number = its count so that real issuing continues the series.
    registers = {}
    names = {(Direction.OUTGOING, False): "Sổ văn bản đi", (Direction.OUTGOING, True): "Sổ văn bản đi mật",
             (Direction.INCOMING, False): "Sổ văn bản đến"}
    for (agency_id, year, secret), count in outgoing_count.items():
        registers[("out", agency_id, year, secret)] = Register.objects.create(
            agency_id=agency_id, direction=Direction.OUTGOING, year=year, is_secret=secret,
            name=names[(Direction.OUTGOING, secret)], last_number=count)
    for (agency_id, year), count in incoming_count.items():
        registers[("in", agency_id, year)] = Register.objects.create(
            agency_id=agency_id, direction=Direction.INCOMING, year=year, is_secret=False,
            name=names[(Direction.INCOMING, False)], last_number=count)
    blob = storage.store_bytes(pdf)

    next_id = {model: (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for model in BATCH_MODELS}
    rows: Counter = Counter()
    with explicit_timestamps(BATCH_MODELS), progress() as bar:
        task = bar.add_task(f"fill {DB}", total=n_documents)
        for offset in range(0, n_documents, batch):
            chunk = docs[offset:offset + batch]
            out = defaultdict(list)
            for doc in chunk:
                add_document(doc, out, next_id, registers, blob, rng, cast.staff, now)
            with transaction.atomic():
                for model in BATCH_MODELS:
                    if out[model]:
                        model.objects.bulk_create(out[model], batch_size=2000)
                        rows[model._meta.db_table] += len(out[model])
            bar.advance(task, len(chunk))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), BATCH_MODELS):
                cursor.execute(statement)
    elapsed = time.perf_counter() - t0
    total_rows = sum(rows.values())
    emit("fill_seconds", round(elapsed, 2), "s", None, documents=n_documents,
         cpu_seconds=round(time.process_time() - cpu0, 2))
    emit("fill_documents_per_s", round(n_documents / elapsed, 1), "documents/s")
    emit("fill_rows", total_rows, "rows", None, tables=dict(rows))
    emit("fill_rows_per_s", round(total_rows / elapsed, 1), "rows/s")
    t1 = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum reaches shortly after a bulk load
        emit("vacuum_analyze_seconds", round(time.perf_counter() - t1, 2), "s")


def add_document(doc: dict, out: dict, next_id: dict, registers: dict, blob: Blob, rng: random.Random,
                 staff: dict, now: datetime) -> None:
    agency = doc["agency"]
    leader, clerk = staff[agency.pk]["lanhdao"], staff[agency.pk]["vanthu"]
    doc_id = take(next_id, Document)
    out[Document].append(Document(
        id=doc_id, agency=agency, doc_type=doc["doc_type"], subject=doc["subject"],
        drafting_unit_id=doc["drafter"].unit_id, state=Document.State.ISSUED,
        secrecy=Secrecy.MAT if doc["secret"] else Secrecy.NONE, urgency=doc["urgency"], form=doc["form"],
        due_date=doc["due_date"], recipients_note="- Như trên;\n- Lưu: VT.", created_by=doc["drafter"],
        created_at=doc["created_at"], submitted_at=doc["submitted_at"], approved_by=leader,
        approved_at=doc["approved_at"], signer_name=leader.full_name, signer_position=leader.position,
        register=registers[("out", agency.pk, doc["year"], doc["secret"])], number=doc["number"],
        notation=doc["notation"], issued_at=doc["issued_at"], issued_by=clerk, place=agency.place,
        page_amount=rng.randint(1, 6), copies=len(doc["recipients"]) + 1))
    through = Document.recipients.through
    for recipient in doc["recipients"]:
        out[through].append(through(id=take(next_id, through), document_id=doc_id, agency_id=recipient.pk))
    if doc["form"] != Form.PAPER:
        out[DocumentFile].append(DocumentFile(
            id=take(next_id, DocumentFile), document_id=doc_id, blob=blob, name="van-ban.pdf",
            content_type="application/pdf", role=DocumentFile.Role.MAIN, added_by=doc["drafter"],
            added_at=doc["created_at"]))
    for delivery in doc["deliveries"]:
        add_delivery(doc, doc_id, delivery, out, next_id, registers, rng, staff.get(delivery["recipient"].pk), now)


def take(next_id: dict, model) -> int:
    value = next_id[model]
    next_id[model] = value + 1
    return value


def add_delivery(doc, doc_id, delivery, out, next_id, registers, rng, staff, now) -> None:
    recipient, steps = delivery["recipient"], delivery["steps"]
    delivery_id = take(next_id, Delivery)
    last_at = steps[-1][1] if steps else doc["issued_at"]
    status = STEP_STATUS[steps[-1][0]] if steps else ""
    out[Delivery].append(Delivery(id=delivery_id, document_id=doc_id, recipient=recipient,
                                  channel=delivery["channel"], status=status, created_at=doc["issued_at"],
                                  updated_at=last_at))
    item = delivery["item"]
    when = dict(steps)
    lead = staff[rng.choice(["chuyenvien", "chuyenvien2"])] if staff else None
    for state, at in steps:
        note, by = "", ""
        if state == "registered" and item is not None:
            note, by = f"Số đến {item['arrival_number']}", staff["vanthu"].full_name
        elif state == "refused":
            note, by = "Gửi nhầm, không thuộc thẩm quyền giải quyết.", staff["vanthu"].full_name if staff else ""
        elif state == "assigned" and lead is not None:
            note, by = f"Xử lý chính: {lead.full_name}", staff["lanhdao"].full_name
        elif state in ("in_progress", "done") and lead is not None:
            by = lead.full_name
        out[DeliveryStatus].append(DeliveryStatus(id=take(next_id, DeliveryStatus), delivery_id=delivery_id,
                                                  code=STEP_STATUS[state], at=at, note=note, by_name=by))
    if item is None:
        return
    state = steps[-1][0]
    item_id = take(next_id, IncomingItem)
    registered = when.get("registered")
    due = None
    if registered is not None:
        due = doc["due_date"] or ((timezone.localtime(registered, TZ) + timedelta(days=rng.randint(10, 20))).date()
                                  if rng.random() < 0.5 else None)
    out[IncomingItem].append(IncomingItem(
        id=item_id, delivery_id=delivery_id, agency=recipient, document_id=doc_id, state=state,
        arrived_at=when["arrived"],
        register=registers[("in",) + item["register_key"]] if item["register_key"] else None,
        arrival_number=item["arrival_number"], registered_at=registered,
        registered_by=staff["vanthu"] if registered else None, due_date=due,
        refusal_reason="Gửi nhầm, không thuộc thẩm quyền giải quyết." if state == "refused" else "",
        completed_at=when.get("done"), completion_note="Đã xử lý xong." if state == "done" else ""))
    # The bell: clerks hear of the arrival, leaders of the registration, the lead of the assignment.
    url = reverse("incoming-detail", args=[item_id])
    subject = doc["subject"][:140]
    told = [(staff["vanthu"], f"Văn bản đến từ {doc['agency'].short_name}: {subject}", when["arrived"])]
    if registered is not None:
        told.append((staff["lanhdao"], f"Văn bản đến chờ phân công: {subject}", registered))
    if "assigned" in when:
        told.append((lead, f"Bạn được giao xử lý chính: {subject}", when["assigned"]))
    for person, text, at in told:
        read = at + timedelta(hours=rng.expovariate(1 / MEAN_READ_H))
        out[Notification].append(Notification(id=take(next_id, Notification), person=person, text=text, url=url,
                                              created_at=at, read_at=read if read < now else None))
    assigned = when.get("assigned")
    if assigned is None:
        return
    started = when.get("in_progress")
    other = staff["chuyenvien2"] if lead.pk == staff["chuyenvien"].pk else staff["chuyenvien"]
    note = f"Giao {lead.full_name} chủ trì xử lý, báo cáo kết quả." if rng.random() < 0.25 else ""
    opened = started or (assigned + timedelta(hours=rng.uniform(0.1, 8)) if rng.random() < 0.5 else None)
    rows = [(lead, Distribution.Role.LEAD, opened)]
    if rng.random() < 0.35:
        rows.append((other, Distribution.Role.SUPPORT, opened))
    elif rng.random() < 0.2:
        rows.append((other, Distribution.Role.INFO, None))
    for person, role, opened_at in rows:
        out[Distribution].append(Distribution(
            id=take(next_id, Distribution), item_id=item_id, person=person, role=role, by=staff["lanhdao"],
            at=assigned, note=note, opened_at=opened_at if opened_at and opened_at < now else None))
    if note:
        out[LeaderNote].append(LeaderNote(id=take(next_id, LeaderNote), item_id=item_id, author=staff["lanhdao"],
                                          text=note, at=assigned))


def check_numbering() -> None:
    """Every register holds 1..last_number exactly once (fill and real issuing together)."""
    bad = 0
    out = Document.objects.filter(register__isnull=False).values("register").annotate(n=Count("id"), top=Max("number"))
    inc = IncomingItem.objects.filter(register__isnull=False).values("register").annotate(
        n=Count("id"), top=Max("arrival_number"))
    last = dict(Register.objects.values_list("pk", "last_number"))
    for row in list(out) + list(inc):
        if not (row["n"] == row["top"] == last[row["register"]]):
            bad += 1
    emit("registers_inconsistent", bad, "registers", None, registers=len(last))


# 3. Issue throughput ------------------------------------------------------------------------------------------

def bench_issue(n: int, pdf: bytes, cast: Cast, busiest: Agency, seed: int) -> None:
    from congvan.documents import services as documents
    from congvan.workflow import outgoing

    rng = random.Random(seed + 1)
    senders = [a for a in cast.local if a.pk != busiest.pk] + [busiest]
    issue_s, chain_s = [], []
    codes = ["CV", "CV", "CV", "TB", "QĐ", "KH", "BC", "GM"]
    with progress() as bar:
        task = bar.add_task(f"issue {DB}", total=n)
        for i in range(n):
            sender = senders[i % len(senders)]
            officer, leader, clerk = (Person.objects.select_related("agency", "unit", "user").get(
                user__username=f"{role}.{sender.slug}") for role in ("chuyenvien", "lanhdao", "vanthu"))
            others = [a for a in cast.local if a.pk not in (sender.pk, busiest.pk)]
            recipients = [busiest] if sender.pk != busiest.pk else []
            recipients += rng.sample(others, 1 if recipients else 2)
            t0 = time.perf_counter()
            doc = documents.create_draft(officer, doc_type=rng.choice(codes),
                                         subject=f"Về việc {rng.choice(ACTIONS)} {rng.choice(TOPICS)}",
                                         recipients=[a.code for a in recipients])
            documents.add_file(officer, doc, "van-ban.pdf", io.BytesIO(pdf))
            outgoing.submit(officer, doc)
            outgoing.approve(leader, doc)
            t1 = time.perf_counter()
            outgoing.issue(clerk, doc)
            t2 = time.perf_counter()
            issue_s.append(t2 - t1)
            chain_s.append(t2 - t0)
            bar.advance(task)
    target = f">= {ISSUE_TARGET_PER_S:g}"
    emit("issue_per_s", round(n / sum(issue_s), 1), "documents/s", target, documents=n,
         detail="outgoing.issue only (number, notation, deliveries, incoming items, audit, notifications)")
    latency("issue_latency", issue_s)
    emit("issue_chain_per_s", round(n / sum(chain_s), 1), "documents/s", None, documents=n,
         detail="create_draft + add_file + submit + approve + issue")


# 4. Inbox latency ---------------------------------------------------------------------------------------------

def first_page(person: Person):
    """The inbox's first page as the web UI builds it: count for the paginator, 25 rows with their joins."""
    from congvan.workflow import selectors

    qs = selectors.inbox(person)
    page = Paginator(qs, PAGE_SIZE).page(1)  # runs count()
    rows = list(page.object_list)
    shown = [(item.document.notation, item.document.subject, item.document.agency.short_name,
              item.document.doc_type.name, item.delivery.status, item.state, item.arrived_at, item.due_date)
             for item in rows]  # what the list template prints
    return page.paginator.count, shown


BUDGET_S = 120.0  # per measurement: a slow query stops after this long (with at least MIN_SAMPLES)
MIN_SAMPLES = 20


def timed(fn, repeat: int, budget: float = BUDGET_S, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    samples, started = [], time.perf_counter()
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
        if len(samples) >= MIN_SAMPLES and time.perf_counter() - started > budget:
            break
    return samples


def explain(person: Person) -> None:
    from congvan.workflow import selectors

    qs = selectors.inbox(person)
    options = {"analyze": True, "buffers": True} if connection.vendor == "postgresql" else {}
    err.rule(f"EXPLAIN inbox rows ({person.user.username}, {DB})")
    err.print(qs[:PAGE_SIZE].explain(**options), markup=False, highlight=False)
    err.rule(f"EXPLAIN inbox count ({person.user.username}, {DB})")
    with CaptureQueriesContext(connection) as captured:
        qs.count()
    count_sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        cursor.execute(prefix + count_sql)
        err.print("\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall()), markup=False,
                  highlight=False)
    err.print(f"-- count SQL: {count_sql}", markup=False, highlight=False)


def bench_inbox(busiest: Agency, repeat: int, budget: float, show_plans: bool) -> None:
    from congvan.workflow import selectors

    inbox_size = IncomingItem.objects.filter(agency=busiest).count()
    emit("inbox_items", inbox_size, "items", None, agency=busiest.code)
    target = f"< {INBOX_TARGET_MS:g}"
    for role, username in (("clerk", f"vanthu.{busiest.slug}"), ("leader", f"lanhdao.{busiest.slug}"),
                           ("officer", f"chuyenvien.{busiest.slug}")):
        person = Person.objects.select_related("agency", "unit", "user").get(user__username=username)
        with CaptureQueriesContext(connection) as captured:
            total, _ = first_page(person)
        emit("inbox_first_page.queries", len(captured.captured_queries), "queries", None, role=role, items=total)
        samples = timed(lambda p=person: first_page(p), repeat, budget)
        latency("inbox_first_page", samples, target, role=role, items=total)
        counts = lambda p=person: {k: qs.count() for k, qs in selectors.my_tasks(p).items()}  # noqa: E731
        emit("my_tasks.counts", counts(), "items", None, role=role)
        latency("my_tasks_counts", timed(counts, repeat, budget), None, role=role)
        if show_plans and role in ("clerk", "officer"):
            explain(person)
    bench_http(busiest, repeat, budget, target)


def bench_http(busiest: Agency, repeat: int, budget: float, target: str) -> None:
    from django.test import Client

    try:
        url = reverse("incoming-list")
    except NoReverseMatch:
        emit("inbox_http.p95", None, "ms", target, skipped="URL 'incoming-list' is not defined yet")
        return
    person = Person.objects.select_related("user").get(user__username=f"vanthu.{busiest.slug}")
    client = Client()
    client.force_login(person.user)
    response = client.get(url)
    if response.status_code != 200:
        emit("inbox_http.p95", None, "ms", target, skipped=f"GET {url} answered {response.status_code}")
        return

    def get():
        reply = client.get(url)
        if reply.status_code != 200:
            raise RuntimeError(f"GET {url} answered {reply.status_code}")
        return reply

    latency("inbox_http", timed(get, repeat, budget), target, role="clerk", url=url)


# ------------------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000, help="documents to fill (default 100000)")
    parser.add_argument("--issue", type=int, default=500, help="documents issued through the services")
    parser.add_argument("--repeat", type=int, default=200, help="repetitions of each latency measurement")
    parser.add_argument("--days", type=int, default=730, help="issue dates spread over this many days")
    parser.add_argument("--batch", type=int, default=5000, help="documents per bulk_create transaction")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--budget", type=float, default=BUDGET_S,
                        help="seconds after which a latency measurement stops early (at least 20 samples)")
    parser.add_argument("--explain", action="store_true", help="print the inbox query plans on stderr")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database filled by an earlier run (skip reset and fill)")
    parser.add_argument("--force-drop", action="store_true",
                        help="drop the database even if it does not look like a bench database")
    args = parser.parse_args()

    err.print(f"[bold]bench/documents.py[/] on {DB}: {connection.settings_dict['NAME']}")
    pdf = small_pdf()
    if not args.reuse:
        prepare(args.force_drop)
    if not args.reuse:
        fill(args.documents, args.days, args.batch, args.seed, pdf)
    cast = Cast()
    busiest_id = (IncomingItem.objects.values("agency").annotate(n=Count("id")).order_by("-n")
                  .values_list("agency", flat=True).first())
    busiest = Agency.objects.get(pk=busiest_id) if busiest_id else cast.province
    # Other work on the machine skews the timings: say how busy it was.
    emit("load_average_1m", round(os.getloadavg()[0], 2), "", None, cpus=os.cpu_count())
    if args.issue:
        bench_issue(args.issue, pdf, cast, busiest, args.seed)
    check_numbering()
    bench_inbox(busiest, args.repeat, args.budget, args.explain)


if __name__ == "__main__":
    main()
