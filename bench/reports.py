#!/usr/bin/env python
"""Usage reports at scale: 1 000 000 documents of 200 agencies over 3 years, then the dashboard and the
yearly province report.

    CONGVAN_DATA_DIR=/tmp/b .venv/bin/python bench/reports.py [--documents 1000000] [--reuse]
    CONGVAN_DATA_DIR=/tmp/b CONGVAN_DATABASE_URL=postgres://postgres@127.0.0.1:55432/congvan_bench_reports \\
        .venv/bin/python bench/reports.py

Steps (each figure is one JSON line on stdout; progress goes to stderr):

1. A fresh database (the same rules as bench/documents.py: only a database a bench created is dropped),
   ``migrate``, the demo province, then agencies up to ``--agencies`` (departments and communes).
2. Bulk load, never through the services: documents with their main files, deliveries (internal, exchange,
   e-mail, paper) and incoming items in realistic states, written with COPY on PostgreSQL and
   ``executemany`` in large transactions on SQLite. Forms, origins, relations and delays are drawn so that
   every indicator has something to count.
3. ``summary.rebuild()``: the daily and monthly summary from scratch (what `congvan report rebuild` does).
4. Dashboard latency over HTTP (django.test.Client, the operator): the province, a group and one agency,
   over a year and a quarter — the p95 of all of them against the target.
5. The yearly province report: ``data.build`` + PDF (WeasyPrint), and the xlsx, timed.

Targets: dashboard p95 ≤ 300 ms; yearly province report ≤ 30 s.
"""

# ruff: noqa: E402  (Django must be set up before the models are imported)
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT / "src", ROOT / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))
os.environ["DJANGO_SETTINGS_MODULE"] = "congvan.settings"

from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from documents import percentile, reset_database, timed  # bench/documents.py: same database rules and timing
from rich.console import Console

from congvan.directory.models import Agency
from congvan.documents.models import Blob, Document, DocumentFile, DocumentType, FileOrigin, Form, Secrecy
from congvan.workflow.models import Channel, Delivery, IncomingItem

err = Console(stderr=True)
DB = "postgresql" if connection.vendor == "postgresql" else connection.vendor
TZ = ZoneInfo(settings.TIME_ZONE)
UTC = ZoneInfo("UTC")
DASHBOARD_TARGET_MS, REPORT_TARGET_S = 300.0, 30.0


def emit(metric: str, value, unit: str, target: str | None = None, **extra) -> None:
    line = {"bench": "reports", "db": DB, "metric": metric, "value": value, "unit": unit, "target": target}
    if target is not None and isinstance(value, int | float):
        op, limit = target.split()
        line["ok"] = {"<=": value <= float(limit), "<": value < float(limit), ">=": value >= float(limit)}[op]
    line.update(extra)
    print(json.dumps(line, ensure_ascii=False), flush=True)


# 1. Agencies ----------------------------------------------------------------------------------------------

def make_agencies(total: int) -> list[Agency]:
    """The demo's local agencies, then departments and communes until ``total`` local agencies exist."""
    province = Agency.objects.get(code="000.00.00.H21")
    local = list(Agency.objects.filter(is_local=True))
    new, n = [], len(local)
    taken = set(Agency.objects.values_list("code", flat=True))
    departments = max(0, total // 4 - sum(a.level == "department" for a in local))
    free = (c for c in (f"000.{k:02d}.00.H21" for k in range(11, 60)) if c not in taken)
    for k in range(departments):
        if n >= total:
            break
        code = next(free)
        new.append(Agency(code=code, slug=f"so-{k}", name=f"Sở số {k + 1} tỉnh Gia Lai", short_name=f"S{k + 1}",
                          level="department", parent=province, place="Gia Lai"))
        n += 1
    k = 0
    while n < total:
        code = f"000.{70 + k // 99:02d}.{k % 99 + 1:02d}.H21"
        new.append(Agency(code=code, slug=f"xa-{k}", name=f"Ủy ban nhân dân xã Thử Nghiệm {k + 1}",
                          short_name="UBND", level="commune", parent=province, place="Gia Lai"))
        n, k = n + 1, k + 1
    Agency.objects.bulk_create(new)
    Agency.objects.get_or_create(code="CTYBENCH", defaults={
        "slug": "cty-bench", "name": "Công ty TNHH Thử nghiệm", "short_name": "CTY", "level": "other",
        "is_local": False})
    return list(Agency.objects.filter(is_local=True).order_by("pk"))


# 2. Bulk load ---------------------------------------------------------------------------------------------

def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


class Loader:
    """Rows straight into a table: COPY on PostgreSQL, executemany on SQLite; every NOT NULL column
    that is not given gets the model field's default."""

    def __init__(self, model, given: list[str]):
        self.model, self.given = model, given
        fields = [f for f in model._meta.concrete_fields]
        self.fields = given + [f.name for f in fields if f.name not in given and f.attname not in given]
        self.defaults = []
        for name in self.fields[len(given):]:
            field = model._meta.get_field(name)
            self.defaults.append(None if field.null else field.get_default())
        self.columns = [model._meta.get_field(f).column for f in self.fields]
        self.rows = 0

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        tail = tuple(self.defaults)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + tail)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                                   [tuple(_sqlite_value(v) for v in row + tail) for row in rows])
        self.rows += len(rows)


def working_moment(rng: random.Random, start: date, days: int) -> datetime:
    while True:
        day = start + timedelta(days=rng.randrange(days))
        if day.weekday() < 5:
            return datetime(day.year, day.month, day.day, 7, 30, tzinfo=TZ) + timedelta(
                seconds=rng.uniform(0, 9.5 * 3600))


def fill(n_documents: int, agencies: list[Agency], days: int, batch: int, seed: int) -> None:
    rng = random.Random(seed)
    today = timezone.localdate()
    start = today - timedelta(days=days)
    now = timezone.now()
    province = next(a for a in agencies if a.level == "province")
    office = next(a for a in agencies if a.code == "000.01.00.H21")
    departments = [a for a in agencies if a.level == "department"]
    communes = [a for a in agencies if a.level == "commune"]
    vpcp = Agency.objects.get(code="000.00.00.G22")
    business = Agency.objects.get(code="CTYBENCH")
    senders = agencies
    weights = [40 if a.level == "province" else 8 if a.level == "department" else 3 for a in agencies]
    doc_type = DocumentType.objects.get(agency__isnull=True, code="CV")
    blob, _ = Blob.objects.get_or_create(sha256="be" * 32, defaults={"size": 20000})
    next_id = {m: (m.objects.aggregate(x=Max("pk"))["x"] or 0) + 1 for m in (Document, DocumentFile, Delivery,
                                                                             IncomingItem)}
    documents = Loader(Document, ["id", "agency_id", "doc_type_id", "subject", "state", "secrecy", "form",
                                  "created_at", "approved_at", "issued_at", "notation", "page_amount"])
    files = Loader(DocumentFile, ["id", "document_id", "blob_id", "name", "content_type", "role", "added_at",
                                  "origin"])
    deliveries = Loader(Delivery, ["id", "document_id", "recipient_id", "channel", "status", "created_at",
                                   "updated_at"])
    items = Loader(IncomingItem, ["id", "delivery_id", "agency_id", "document_id", "state", "arrived_at",
                                  "registered_at", "due_date", "completed_at"])
    origins = [FileOrigin.BORN_DIGITAL] * 60 + [FileOrigin.SCANNED_IMAGE] * 15 + [FileOrigin.SCANNED_TEXT] * 10 + \
        [FileOrigin.UNKNOWN] * 15
    t0 = time.perf_counter()
    done = 0
    while done < n_documents:
        out = {documents: [], files: [], deliveries: [], items: []}
        for _ in range(min(batch, n_documents - done)):
            doc_id = next_id[Document]
            next_id[Document] += 1
            remote = rng.random() < 0.02
            sender = vpcp if remote else rng.choices(senders, weights)[0]
            issued = working_moment(rng, start, days)
            secret = not remote and rng.random() < 0.01
            roll = rng.random()
            form = Form.PAPER if secret or roll < 0.15 else Form.HYBRID if roll < 0.40 else Form.ELECTRONIC
            lag = rng.random()
            approved = issued - timedelta(hours=rng.uniform(0.5, 6) if lag < 0.8 else
                                          rng.uniform(20, 30) if lag < 0.95 else rng.uniform(70, 200))
            out[documents].append((doc_id, sender.pk, doc_type.pk, "Về việc tăng cường sử dụng văn bản điện tử",
                                   Document.State.ISSUED, Secrecy.MAT if secret else Secrecy.NONE, form,
                                   approved - timedelta(hours=4), None if remote else approved, issued,
                                   f"{doc_id}/{sender.short_name}", rng.choice([1, 2, 2, 3, 4, 6, None])))
            if form != Form.PAPER:
                out[files].append((next_id[DocumentFile], doc_id, blob.pk, "van-ban.pdf", "application/pdf",
                                   DocumentFile.Role.MAIN, issued, rng.choice(origins)))
                next_id[DocumentFile] += 1
            for recipient, channel in recipients(rng, sender, form, remote, province, office, departments,
                                                 communes, vpcp, business):
                delivery_id = next_id[Delivery]
                next_id[Delivery] += 1
                arrived = issued + timedelta(seconds=rng.uniform(1, 600) if remote else 0.5)
                out[deliveries].append((delivery_id, doc_id, recipient.pk, channel, "", arrived, arrived))
                if channel in (Channel.INTERNAL, Channel.EXCHANGE) and recipient.is_local:
                    out[items].append(item_row(rng, next_id, delivery_id, recipient, doc_id, arrived, now))
        with transaction.atomic():
            for loader, rows in out.items():
                loader.write(rows)
        done += min(batch, n_documents - done)
        err.print(f"  {done:,} documents ({time.perf_counter() - t0:.0f} s)", highlight=False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Document, DocumentFile, Delivery,
                                                                            IncomingItem]):
                cursor.execute(statement)
            cursor.execute("VACUUM ANALYZE")
    elapsed = time.perf_counter() - t0
    emit("fill_seconds", round(elapsed, 1), "s", None, documents=n_documents, agencies=len(agencies),
         rows={loader.model._meta.db_table: loader.rows for loader in (documents, files, deliveries, items)})


def recipients(rng, sender, form, remote, province, office, departments, communes, vpcp, business):
    paper = form == Form.PAPER
    if remote:
        chosen = rng.sample(list(dict.fromkeys([province, office] + departments[:5])), 2)
        return [(a, Channel.PAPER if paper else Channel.EXCHANGE) for a in chosen]
    chosen = set()
    if sender.level == "province":
        pool = departments + communes
        chosen.update(rng.sample(pool, rng.randint(1, 4)))
    elif sender.level == "department":
        if rng.random() < 0.6:
            chosen.add(rng.choice([province, office]))
        if rng.random() < 0.5 or not chosen:
            chosen.add(rng.choice(departments + communes[:30]))
    else:
        chosen.add(rng.choice([province, province, office] + departments))
        if rng.random() < 0.2:
            chosen.add(rng.choice(communes))
    if rng.random() < 0.05:
        chosen.add(sender)
    chosen.discard(None)
    out = [(a, Channel.PAPER if paper else Channel.INTERNAL) for a in chosen]
    if rng.random() < 0.03:
        out.append((vpcp, Channel.PAPER if paper else Channel.EXCHANGE))
    if rng.random() < 0.02:
        out.append((business, Channel.PAPER if paper else Channel.EMAIL))
    return out


def item_row(rng, next_id, delivery_id, recipient, doc_id, arrived, now) -> tuple:
    item_id = next_id[IncomingItem]
    next_id[IncomingItem] += 1
    roll = rng.random()
    registered = arrived + timedelta(hours=rng.expovariate(1 / 5))
    due = (timezone.localtime(registered, TZ) + timedelta(days=rng.randint(5, 20))).date() \
        if rng.random() < 0.5 else None
    if roll < 0.02 or registered > now:
        return (item_id, delivery_id, recipient.pk, doc_id, "refused" if roll < 0.02 else "arrived", arrived,
                None, None, None)
    completed = registered + timedelta(hours=rng.expovariate(1 / 120))
    if roll < 0.08 or completed > now:
        return (item_id, delivery_id, recipient.pk, doc_id, "assigned", arrived, registered, due, None)
    return (item_id, delivery_id, recipient.pk, doc_id, "done", arrived, registered, due, completed)


# 3–5. Measurements ----------------------------------------------------------------------------------------

def latency(metric: str, samples_s: list[float], target: str | None = None, **extra) -> None:
    ms = [s * 1000 for s in samples_s]
    emit(f"{metric}.p50", round(percentile(ms, 50), 1), "ms", None, samples=len(ms), **extra)
    emit(f"{metric}.p95", round(percentile(ms, 95), 1), "ms", target, samples=len(ms), **extra)


def bench_dashboard(repeat: int) -> None:
    from django.test import Client

    from congvan.directory.models import Person

    operator = Person.objects.select_related("user").get(user__username="quantri")
    client = Client()
    client.force_login(operator.user)
    year = timezone.localdate().year - 1
    commune = Agency.objects.filter(is_local=True, level="commune").order_by("pk").first()
    pages = [("province.year", {"scope": "province", "year": year}),
             ("province.quarter", {"scope": "province", "year": year, "quarter": 2}),
             ("communes.year", {"scope": "group:commune", "year": year}),
             ("agency.year", {"scope": "agency:000.00.00.H21", "year": year}),
             ("commune.quarter", {"scope": f"agency:{commune.code}", "year": year, "quarter": 3}),
             ("province.range", {"scope": "province", "start": f"{year}-02-10", "end": f"{year}-05-20"})]
    everything = []
    for name, params in pages:
        def get(p=params):
            response = client.get("/bao-cao/", p)
            if response.status_code != 200:
                raise RuntimeError(f"/bao-cao/ {p} answered {response.status_code}")
        samples = timed(get, repeat, budget=60)
        everything += samples
        latency("dashboard", samples, f"<= {DASHBOARD_TARGET_MS:g}", page=name)
    latency("dashboard_all", everything, f"<= {DASHBOARD_TARGET_MS:g}", pages=len(pages))


def bench_report() -> None:
    from django.utils import translation

    from congvan.reports import data, exports, periods, selectors

    year = timezone.localdate().year - 1
    with translation.override("vi"):
        t0 = time.perf_counter()
        report = data.build(selectors.province_scope(), periods.year(year), chart_font=exports.PDF_FONT)
        t1 = time.perf_counter()
        pdf = exports.render_pdf(report)
        t2 = time.perf_counter()
        xlsx = exports.render_xlsx(report)
        t3 = time.perf_counter()
    emit("province_report_pdf_seconds", round(t2 - t0, 2), "s", f"<= {REPORT_TARGET_S:g}", year=year,
         figures_seconds=round(t1 - t0, 2), pdf_bytes=len(pdf), agencies=len(report.ranking))
    emit("province_report_xlsx_seconds", round(t3 - t2 + t1 - t0, 2), "s", f"<= {REPORT_TARGET_S:g}",
         xlsx_bytes=len(xlsx))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=200)
    parser.add_argument("--days", type=int, default=3 * 365, help="documents spread over this many days")
    parser.add_argument("--batch", type=int, default=20_000, help="documents per transaction")
    parser.add_argument("--repeat", type=int, default=40, help="requests per dashboard page")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run (no fill)")
    parser.add_argument("--force-drop", action="store_true")
    args = parser.parse_args()
    err.print(f"[bold]bench/reports.py[/] on {DB}: {connection.settings_dict['NAME']}")
    from congvan.reports import summary

    if not args.reuse:
        reset_database(args.force_drop)
        call_command("migrate", interactive=False, verbosity=0)
        from congvan.directory.demo import load_demo

        load_demo()
        agencies = make_agencies(args.agencies)
        fill(args.documents, agencies, args.days, args.batch, args.seed)
        t0 = time.perf_counter()
        rows = summary.rebuild(progress=lambda m: err.print(f"  summary {m:%m/%Y}", highlight=False))
        emit("summary_rebuild_seconds", round(time.perf_counter() - t0, 1), "s", None, rows=rows)
    emit("documents", Document.objects.count(), "documents", None,
         agencies=Agency.objects.filter(is_local=True).count())
    emit("load_average_1m", round(os.getloadavg()[0], 2), "", None, cpus=os.cpu_count())
    bench_dashboard(args.repeat)
    bench_report()


if __name__ == "__main__":
    main()
