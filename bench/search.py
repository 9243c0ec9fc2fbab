#!/usr/bin/env python
"""Search at scale: 1 000 000 synthetic Vietnamese administrative documents, query latency and reindex memory.

    CONGVAN_DATA_DIR=/tmp/bs .venv/bin/python bench/search.py [--documents 1000000] [--reuse]
    CONGVAN_DATA_DIR=/tmp/bs CONGVAN_DATABASE_URL=postgres://postgres@127.0.0.1:55432/search_db \\
        .venv/bin/python bench/search.py

Steps (each figure is one JSON line on stdout; progress goes to stderr):

1. A fresh database (as bench/documents.py: only one this script or that one created is dropped), migrate,
   the demo province.
2. Load ``--documents`` issued documents **in bulk** (executemany in transactions of ``--batch`` rows on
   SQLite, COPY on PostgreSQL), not through the services: subject 6–16 words and a summary of 40–90 words
   drawn from an administrative vocabulary, spread over the demo agencies and three years; a fifth of them
   delivered to another agency (delivery and incoming item), so the access tokens of both directions are
   exercised. 0.5 % mention Đắk Lắk.
3. ``congvan search reindex`` in a child process, as an operator would run it: its duration and its peak
   resident memory (the child's ``ru_maxrss``). This also builds the index the queries use.
4. Five kinds of query through ``congvan.search.service.search`` as the clerk of the busiest agency (what
   the page and the API run, access check and snippets included), ``--repeat`` times each: p50 and p95,
   beside the raw full-text query on the same data (the engine's own top-20 ranked by relevance, no access
   rule, no snippet: FTS5 ``ORDER BY rank`` in each shard, merged; PostgreSQL ``ts_rank``) and the ratio of
   the two p95.

``--reuse`` skips steps 1–3 when the database already holds the documents (the index is reused too).
Targets: two-word query p95 ≤ 50 ms and ≤ 1.5 × the raw query; reindex peak memory ≤ 1 GB.
"""

# ruff: noqa: E402  (Django must be set up before the models are imported)
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]
os.environ["DJANGO_SETTINGS_MODULE"] = "congvan.settings"

import django

django.setup()

from django.db import connection, transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from congvan.directory.models import Agency, Person
from congvan.documents.models import Document, DocumentType
from congvan.search import query as q
from congvan.search.backends import ddl, sqlite
from congvan.search.service import Filters, search
from congvan.workflow.models import Delivery, IncomingItem

err = Console(stderr=True)
DB = connection.vendor
TWO_WORD_TARGET_MS, RATIO_TARGET, REINDEX_MB_TARGET = 50.0, 1.5, 1024.0

ACTIONS = ["triển khai", "tăng cường", "hướng dẫn thực hiện", "báo cáo kết quả", "tổ chức", "đề nghị góp ý",
           "rà soát", "kiểm tra", "đẩy mạnh", "chấn chỉnh", "phê duyệt", "giao chỉ tiêu", "sơ kết", "tổng kết",
           "đôn đốc", "thành lập tổ công tác", "ban hành quy chế", "điều chỉnh kế hoạch"]
TOPICS = ["sử dụng văn bản điện tử", "chuyển đổi số", "cải cách hành chính", "phòng, chống thiên tai",
          "công tác cán bộ", "dự toán ngân sách", "tiêm chủng mở rộng", "an toàn thông tin mạng",
          "giải ngân vốn đầu tư công", "xây dựng nông thôn mới", "dịch vụ công trực tuyến", "quản lý đất đai",
          "phòng cháy, chữa cháy", "bảo vệ rừng", "sắp xếp đơn vị hành chính", "thu ngân sách nhà nước",
          "y tế cơ sở", "chữ ký số chuyên dùng", "hồ sơ công việc", "lưu trữ tài liệu", "quản lý thuế",
          "giáo dục phổ thông", "bảo hiểm xã hội", "môi trường và tài nguyên nước", "giao thông nông thôn",
          "phát triển du lịch", "kinh tế tập thể", "an ninh trật tự", "đào tạo, bồi dưỡng công chức"]
PLACES = ["trên địa bàn tỉnh", "tại các xã, phường", "trong các cơ quan nhà nước", "huyện Chư Sê",
          "thị xã An Khê", "phường Pleiku", "xã Đức Cơ", "phường Quy Nhơn", "khu kinh tế Nhơn Hội", ""]
FILLER = ("theo chỉ đạo của Ủy ban nhân dân tỉnh các cơ quan đơn vị khẩn trương thực hiện nghiêm túc nội dung "
          "văn bản này báo cáo kết quả về Sở Khoa học và Công nghệ trước ngày quy định để tổng hợp trình lãnh "
          "đạo xem xét quyết định giao trách nhiệm cụ thể cho từng phòng ban chuyên môn bảo đảm tiến độ chất "
          "lượng hiệu quả tiết kiệm công khai minh bạch đúng quy định của pháp luật hiện hành trong năm nay và "
          "các năm tiếp theo phối hợp chặt chẽ với các sở ngành địa phương liên quan").split()
WHEN = ["quý I", "quý II", "quý III", "quý IV", "6 tháng đầu năm", "năm 2024", "năm 2025", "năm 2026",
        "giai đoạn 2026-2030", ""]
TYPES = [("CV", 55), ("TB", 8), ("QĐ", 9), ("KH", 6), ("BC", 8), ("GM", 8), ("TTr", 3), ("HD", 3)]
SIGNERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Minh Đức", "Hồ Thị Hạnh", "Võ Quốc Khánh",
           "Đặng Thu Lan", "Bùi Đức Mạnh", "Huỳnh Ngọc Nam", "Ngô Thị Oanh"]
# (name, query, filters): the five kinds of query measured
QUERIES = [
    ("two_words", "chuyển đổi", {}),
    ("phrase", '"văn bản điện tử"', {}),
    ("no_accents_capitals", "DAK LAK", {}),
    ("words_with_filters", "kế hoạch ngân sách", {"doc_type": "KH", "date_from": -730, "date_to": 0}),
    ("prefix", "chuyen* so", {}),
]


def emit(metric: str, value, unit: str, target: str | None = None, **extra) -> None:
    line = {"bench": "search", "db": DB, "metric": metric, "value": value, "unit": unit, "target": target}
    if target is not None and isinstance(value, int | float):
        op, limit = target.split()
        line["ok"] = value <= float(limit) if op == "<=" else value >= float(limit)
    line.update(extra)
    print(json.dumps(line, ensure_ascii=False), flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True)


# 1–2. Database and bulk load ------------------------------------------------------------------------------------

def prepare(force: bool) -> None:
    import documents as bench_documents  # bench/documents.py: the same guarded drop-and-create
    from django.core.management import call_command

    bench_documents.reset_database(force)
    call_command("migrate", interactive=False, verbosity=0)
    from congvan.directory.demo import load_demo

    load_demo()


def sentence(rng: random.Random, words: int) -> str:
    start = rng.randrange(len(FILLER))
    return " ".join(FILLER[(start + i) % len(FILLER)] for i in range(words))


def make_document(rng: random.Random, agencies, people, types, now: datetime, pk: int) -> tuple[dict, int | None]:
    agency = rng.choice(agencies)
    code = rng.choices([t[0] for t in TYPES], [t[1] for t in TYPES])[0]
    subject = f"Về việc {rng.choice(ACTIONS)} {rng.choice(TOPICS)} {rng.choice(PLACES)} {rng.choice(WHEN)}"
    if rng.random() < 0.005:
        subject += " và hỗ trợ tỉnh Đắk Lắk"
    summary = " ".join([sentence(rng, rng.randint(20, 45)), rng.choice(ACTIONS), rng.choice(TOPICS),
                        sentence(rng, rng.randint(20, 45))])
    issued = now - timedelta(days=rng.uniform(0, 3 * 365))
    number = pk % 9999 + 1
    row = {
        "id": pk, "agency_id": agency.pk, "doc_type_id": types[code].pk, "subject": " ".join(subject.split()),
        "summary": summary, "state": "issued", "secrecy": "none", "urgency": "none", "form": "electronic",
        "created_by_id": people[agency.pk], "created_at": issued, "issued_at": issued, "number": number,
        "notation": f"{number:02d}/{code if code != 'CV' else ''}{'-' if code != 'CV' else ''}{agency.short_name}"
                    + ("-VP" if code == "CV" else ""),
        "signer_name": rng.choice(SIGNERS), "signer_position": "Giám đốc", "place": "Gia Lai",
        "recipients_note": "", "return_reason": "", "revocation_reason": "", "exchange_id": "",
        "signer_competence": "",
    }
    recipient = None
    if rng.random() < 0.2:
        recipient = rng.choice([a for a in agencies if a.pk != agency.pk]).pk
    return row, recipient


def load(n: int, batch: int, seed: int) -> None:
    rng = random.Random(seed)
    agencies = list(Agency.objects.filter(is_local=True).order_by("pk"))
    people = {a.pk: Person.objects.filter(agency=a, user__username__startswith="chuyenvien.").values_list(
        "pk", flat=True).first() for a in agencies}
    types = {t.code: t for t in DocumentType.objects.filter(agency__isnull=True)}
    columns = [f.column for f in Document._meta.concrete_fields]
    now = timezone.now()
    t0 = time.perf_counter()
    with progress() as bar:
        task = bar.add_task("documents", total=n)
        for start in range(1, n + 1, batch):
            rows, deliveries = [], []
            for pk in range(start, min(start + batch, n + 1)):
                row, recipient = make_document(rng, agencies, people, types, now, pk)
                rows.append(tuple(row.get(c, _default(c)) for c in columns))
                if recipient:
                    deliveries.append((pk, recipient, row["issued_at"]))
            _write(columns, rows, deliveries)
            bar.update(task, advance=len(rows))
    emit("load_seconds", round(time.perf_counter() - t0, 1), "s", None, documents=n,
         method="COPY" if DB == "postgresql" else "executemany")


def _default(column: str):
    field = next(f for f in Document._meta.concrete_fields if f.column == column)
    if field.null:
        return None
    return field.get_default()


def _write(columns: list[str], rows: list[tuple], deliveries: list[tuple]) -> None:
    delivery_columns = ["id", "document_id", "recipient_id", "channel", "status", "created_at", "updated_at"]
    item_columns = ["delivery_id", "agency_id", "document_id", "state", "arrived_at", "refusal_reason",
                    "completion_note", "revocation_pending", "revocation_reason"]
    delivery_rows = [(pk, pk, recipient, "internal", "03", at, at) for pk, recipient, at in deliveries]
    item_rows = [(pk, recipient, pk, "registered", at, "", "", False, "") for pk, recipient, at in deliveries]
    with transaction.atomic(), connection.cursor() as cursor:
        if DB == "postgresql":
            for table, cols, data in (("documents_document", columns, rows),
                                      ("workflow_delivery", delivery_columns, delivery_rows),
                                      ("workflow_incomingitem", item_columns, item_rows)):
                with cursor.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
        else:
            for table, cols, data in (("documents_document", columns, rows),
                                      ("workflow_delivery", delivery_columns, delivery_rows),
                                      ("workflow_incomingitem", item_columns, item_rows)):
                marks = ", ".join(["%s"] * len(cols))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", data)


def fix_sequences() -> None:
    if DB == "postgresql":
        with connection.cursor() as cursor:
            for table in ("documents_document", "workflow_delivery", "workflow_incomingitem"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT coalesce(max(id), 1) FROM {table}))")
            cursor.execute("ANALYZE")


# 3. Reindex in a child process ------------------------------------------------------------------------------------

def reindex() -> None:
    t0 = time.perf_counter()
    command = [sys.executable, "-m", "congvan.cli", "search", "reindex", "--batch", "1000"]
    done = subprocess.run(command, env=os.environ.copy(), stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"reindex failed ({done.returncode})")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    emit("reindex_seconds", round(time.perf_counter() - t0, 1), "s", None, documents=stats["documents"])
    emit("reindex_peak_rss", round(peak_mb, 1), "MB", f"<= {REINDEX_MB_TARGET:.0f}")


# 4. Queries ---------------------------------------------------------------------------------------------------------

def raw_query(text: str) -> None:
    """The engine's own top 20 by relevance for the same words: no access rule, no filter, no snippet."""
    parsed = q.parse(text)
    with connection.cursor() as cursor:
        if DB == "postgresql":
            cursor.execute("SELECT document_id FROM search_entry, to_tsquery('vietnamese', %s) query "
                           "WHERE tsv @@ query ORDER BY ts_rank(tsv, query) DESC LIMIT 20",
                           [q.tsquery_expression(parsed)])
        else:  # each shard's own top 20 (FTS5 ``rank``, its bm25), merged
            best = []
            for shard in sqlite.shards(cursor):
                table = ddl.sqlite_shard_table(shard)
                cursor.execute(f"SELECT rowid, rank FROM {table} WHERE {table} MATCH %s ORDER BY rank LIMIT 20",
                               [q.fts5_expression(parsed)])
                best += cursor.fetchall()
            sorted(best, key=lambda row: row[1])[:20]
            return
        cursor.fetchall()


def measure(fn, repeat: int) -> list[float]:
    fn()  # warm the caches once
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


def queries(repeat: int) -> None:
    busiest = (Document.objects.values("agency_id").order_by().annotate(n=django.db.models.Count("id"))
               .order_by("-n").first())
    clerk = Person.objects.get(agency_id=busiest["agency_id"], user__username__startswith="vanthu.")
    today = timezone.localdate()
    for name, text, extra in QUERIES:
        filters = Filters(doc_type=extra.get("doc_type", ""),
                          date_from=today + timedelta(days=extra["date_from"]) if "date_from" in extra else None,
                          date_to=today + timedelta(days=extra["date_to"]) if "date_to" in extra else None)
        results = search(clerk, text, filters)
        service = measure(lambda t=text, f=filters: search(clerk, t, f), repeat)
        raw = measure(lambda t=text: raw_query(t), repeat)
        p95, raw_p95 = percentile(service, 95) * 1000, percentile(raw, 95) * 1000
        target = f"<= {TWO_WORD_TARGET_MS:.0f}" if name == "two_words" else None
        emit(f"{name}.p50", round(percentile(service, 50) * 1000, 2), "ms", None, query=text, hits=results.total)
        emit(f"{name}.p95", round(p95, 2), "ms", target, query=text, hits=results.total)
        emit(f"{name}.raw_p50", round(percentile(raw, 50) * 1000, 2), "ms", None)
        emit(f"{name}.raw_p95", round(raw_p95, 2), "ms", None)
        emit(f"{name}.ratio_p95", round(p95 / raw_p95, 3), "x",
             f"<= {RATIO_TARGET}" if name == "two_words" else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20_000, help="rows per transaction of the bulk load")
    parser.add_argument("--repeat", type=int, default=60, help="repetitions of each query")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--reuse", action="store_true", help="keep a database already loaded by this script")
    parser.add_argument("--force-drop", action="store_true")
    args = parser.parse_args()
    loaded = False
    if args.reuse:
        try:
            loaded = Document.objects.count() >= args.documents and \
                IncomingItem.objects.exists() and Delivery.objects.exists()
        except Exception:  # no tables yet
            loaded = False
    if loaded:
        err.print(f"reusing the {Document.objects.count()} documents and the index already there")
    else:
        prepare(args.force_drop)
        load(args.documents, args.batch, args.seed)
        fix_sequences()
        connection.close()
        reindex()
    err.print(f"load average: {os.getloadavg()}")
    emit("load_average_1min", round(os.getloadavg()[0], 2), "", None, cores=os.cpu_count())
    queries(args.repeat)


if __name__ == "__main__":
    main()
