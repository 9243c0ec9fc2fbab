#!/usr/bin/env python
"""Exchange between installations: packages/s through a hub against bare HTTP, and issue → status 01 latency.

    .venv/bin/python bench/exchange.py --postgres [--quick]    # the private cluster of scripts/pg.sh
    CONGVAN_DATABASE_URL=postgres://postgres@127.0.0.1:55432/x .venv/bin/python bench/exchange.py  # that server
    .venv/bin/python bench/exchange.py                          # SQLite (as the first pass of make bench)

Each installation is a real process with its own data directory and, on PostgreSQL, a fresh database
(``bench_exchange_*``, dropped at the end). One JSON line per figure, with its target; progress on stderr.

1. Hub: ``migrate``, ``exchange init``, peers "sender" (hosts 000.00.00.H41) and "receiver" (000.00.00.G22),
   served by ``congvan serve --workers W --threads T`` for each of ``--combos``. One signed edXML package with
   a 100 KB PDF is sent N times, each with a fresh message id (and a trailing comment: distinct blobs), by
   ``--senders`` threads. The receiving side works as ``runner.receive`` does, in parallel: a lister lists
   what waits, ``--fetchers`` threads each take a share of the listing in one bundle request, and the lister
   acknowledges the whole listing in one call. Every thread has its own HttpHubClient. Figure: N / (first
   send → last acknowledgement), with the CPU seconds of this client, the server, PostgreSQL and the rest
   of the machine (other load skews the figure).
2. Bare HTTP (RECIPES §11): gunicorn, same workers/threads, a WSGI app that reads the body and answers 201;
   the same package POSTed N times by the same threads (the ratio the issue asks for); and "cycles": each
   thread POSTs the package, GETs it back and POSTs an ack, one request each.
3. Issue → 01: gialai (the hub) and vpcp from tests/e2e/installations.py, polling every ``--poll`` s and
   syncing the directory every 60 s (the product's defaults); documents drafted, approved and issued one by one through the REST API, timed from the
   issue call returning to the delivery showing "01".

Targets: ≥ 300 packages/s through the hub on PostgreSQL; issue → 01 p95 ≤ 1 s.
"""

# ruff: noqa: E402
from __future__ import annotations

import argparse
import io
import json
import os
import queue
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(ROOT / "src"), str(ROOT)) if p not in sys.path]
WORK = Path(tempfile.mkdtemp(prefix="congvan-bench-exchange-"))
os.environ.setdefault("CONGVAN_DATA_DIR", str(WORK / "client"))  # this process only runs HttpHubClient
os.environ["DJANGO_SETTINGS_MODULE"] = "congvan.settings"

import django

django.setup()

from congvan.exchange import edxml
from congvan.exchange.client import HttpHubClient
from tests.e2e.installations import VPCP, Installation, connect, free_port, wait_for

SENDER_CODE, PROVINCE_A = "000.00.00.H41", "000.00.00.H21"
THROUGHPUT_TARGET, LATENCY_TARGET_MS = 300.0, 1000.0
PG_MARKER = "created by bench/exchange.py; dropped when it ends"
TICK = os.sysconf("SC_CLK_TCK")
DB = "sqlite"
BARE_APP = """
PACKAGE, ANSWER = open("package.edxml", "rb").read(), b'{"ids": ["x"], "duplicate": false, "state": "done"}'


def app(environ, start_response):
    stream, left = environ["wsgi.input"], int(environ.get("CONTENT_LENGTH") or 0)
    while left > 0 and (chunk := stream.read(min(left, 1 << 20))):
        left -= len(chunk)
    body = PACKAGE if environ["REQUEST_METHOD"] == "GET" else ANSWER
    start_response("200 OK", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [body]
"""


def emit(metric: str, value, unit: str, target: str | None = None, **extra) -> None:
    line = {"bench": "exchange", "db": DB, "metric": metric, "value": value, "unit": unit, "target": target}
    if target is not None and isinstance(value, int | float):
        op, limit = target.split()
        line["ok"] = {"<": value < float(limit), "<=": value <= float(limit), ">=": value >= float(limit)}[op]
    print(json.dumps(line | extra, ensure_ascii=False), flush=True)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Databases:
    """Fresh PostgreSQL databases on the server of ``url``, marked as ours, dropped by ``drop_all``."""

    def __init__(self, url: str):
        self.url, self.created = url, []

    def _admin(self, *statements: str, name: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(urlsplit(self.url)._replace(path="/postgres").geturl(), autocommit=True) as admin:
            mark = admin.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                                 [name]).fetchone()
            if mark and mark[0] != PG_MARKER:
                sys.exit(f"database {name!r} was not created by this benchmark; not dropping it")
            for statement in statements:
                admin.execute(sql.SQL(statement).format(sql.Identifier(name), sql.Literal(PG_MARKER)))

    def fresh(self, name: str) -> str:
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", "CREATE DATABASE {}", "COMMENT ON DATABASE {} IS {}",
                    name=name)
        self.created.append(name)
        return urlsplit(self.url)._replace(path="/" + name).geturl()

    def drop_all(self) -> None:
        for name in self.created:
            self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name=name)


def tree_cpu(root: int | None = None) -> float:
    """CPU seconds (user + system, reaped children included) of ``root`` and its descendants, or of every
    PostgreSQL server on the machine when ``root`` is None."""
    table = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        rest = raw[raw.rindex(")") + 2:].split()
        table[int(pid)] = (raw[raw.index("(") + 1:raw.rindex(")")], int(rest[1]), sum(map(int, rest[11:15])) / TICK)
    todo = [root] if root else [p for p, (comm, ppid, _) in table.items()
                                if comm == "postgres" and table.get(ppid, ("",))[0] != "postgres"]
    found = set()
    while todo:
        found.add(pid := todo.pop())
        todo += [p for p, (_, ppid, _) in table.items() if ppid == pid]
    return sum(table[p][2] for p in found if p in table)


def machine_cpu() -> float:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / TICK  # all but idle and iowait


def pdf_of(size: int, seed: int = 7) -> bytes:
    """A real PDF of about ``size`` bytes: a line of text and an image of noise (it does not compress)."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    side = int((size / 3) ** 0.5)
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 760, "Cong van lien thong (benchmark)")
    noise = Image.frombytes("RGB", (side, side), random.Random(seed).randbytes(side * side * 3))
    page.drawImage(ImageReader(noise), 72, 400, width=300, height=300)
    page.save()
    return out.getvalue()


def build_package(signer: edxml.NodeSigner, pdf: bytes) -> bytes:
    doc_id = edxml.make_document_id(SENDER_CODE, date(2026, 11, 20), "123/UBND-VP")
    subject = "V/v kết nối, liên thông phần mềm quản lý văn bản"
    package = edxml.DocumentPackage(
        from_=edxml.Organization(organ_id=SENDER_CODE, organ_name="Ủy ban nhân dân tỉnh Nghệ An"),
        to=[edxml.Organization(organ_id=VPCP, organ_name="Văn phòng Chính phủ")], document_id=doc_id,
        code_number="123", code_notation="UBND-VP", place="Nghệ An", promulgation_date=date(2026, 11, 20),
        type=1, type_detail="0", type_name="Công văn", subject=subject, content=subject,
        signer_competence="TM. ỦY BAN NHÂN DÂN", signer_position="Chủ tịch", signer_full_name="Nguyễn Văn A",
        due_date=date(2026, 12, 15), to_places=["Như trên"], priority=1,
        business=edxml.Business(doc_type=edxml.BusinessDocType.NEW, document_id=doc_id),
        traces=[edxml.TraceHeader(organ_id=SENDER_CODE, timestamp=datetime(2026, 11, 20, 9, 0, 0))],
        attachments=[edxml.Attachment(content_id="1", name="123-UBND-VP.pdf", content_type="application/pdf",
                                      source=lambda: io.BytesIO(pdf), zip_on_write=True)])
    out = io.BytesIO()
    edxml.write_document(package, out, signer=signer, tmp_dir=WORK)
    return out.getvalue()


class _Sink(io.BytesIO):
    """Where a fetched package goes: kept in memory, its size remembered once closed."""

    size = 0

    def close(self) -> None:
        self.size = self.tell()
        super().close()


def pump(url: str, package: bytes, n: int, senders: int, send_token: str, fetchers: int = 0,
         receive_token: str = "", limit: int = 200, cycle: bool = False) -> dict:
    """``senders`` threads send ``n`` packages; with ``fetchers``, a lister thread and ``fetchers`` threads
    take them in; with ``cycle`` (bare HTTP), each send is followed by a fetch and an ack in the same thread.
    Returns the counts and the wall time from the first send to the last ack (or send)."""
    lock, done, errors, todo = threading.Lock(), threading.Event(), [], queue.Queue()
    counts = {"issued": 0, "sent": 0, "acked": 0, "lists": 0, "ack_calls": 0}

    def count(key: str) -> None:
        with lock:
            counts[key] += 1
            if counts[key] == n and key == ("acked" if fetchers else "sent"):
                done.set()

    def failed(exc: Exception) -> None:
        errors.append(repr(exc))
        done.set()

    def send(i: int) -> None:
        client, path = HttpHubClient(url, send_token), WORK / f"out-{i}.edxml"
        try:
            while not done.is_set():
                with lock:
                    if counts["issued"] >= n:
                        return
                    counts["issued"] += 1
                message_id = str(uuid.uuid4())
                path.write_bytes(package + f"<!-- {message_id} -->\n".encode())
                client.send(message_id=message_id, from_code=SENDER_CODE, to_codes=[VPCP], message_type="edoc",
                            path=str(path))
                if cycle:
                    client.fetch(message_id, io.BytesIO())
                    client.ack(message_id, "done")
                count("sent")
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            failed(exc)

    fetched: list[str] = []

    def lister() -> None:  # list, let the fetchers take the whole batch, acknowledge it in one call (as
        client = HttpHubClient(url, receive_token)  # runner.receive does), list again
        try:
            while not done.is_set():
                batch = client.pending(limit)
                count("lists")
                share = max(-(-len(batch) // fetchers), 20)  # a fetcher takes its share (20 or more) in a bundle
                for i in range(0, len(batch), share or 1):
                    todo.put(batch[i:i + share])
                todo.join()
                with lock:
                    taken, fetched[:] = list(fetched), []
                if taken:
                    client.ack_many([(hub_id, "done", "") for hub_id in taken])
                    count("ack_calls")
                    for _ in taken:
                        count("acked")
                if not batch:
                    time.sleep(0.005)
        except Exception as exc:  # noqa: BLE001
            failed(exc)

    def fetch() -> None:  # takes every item even after a failure: the lister waits for its batch
        client = HttpHubClient(url, receive_token)
        while (group := todo.get()) is not None:
            try:
                if not done.is_set():
                    sinks: dict[str, _Sink] = {}
                    client.fetch_many([m.id for m in group], lambda headers, sinks=sinks: sinks.setdefault(
                        headers["hub-id"], _Sink()))
                    for message in group:
                        if sinks[message.id].size != message.size:
                            raise AssertionError(f"fetched {sinks[message.id].size} bytes of {message.size}")
                    with lock:
                        fetched.extend(m.id for m in group)
            except Exception as exc:  # noqa: BLE001
                failed(exc)
            finally:
                todo.task_done()

    first = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
    first += [threading.Thread(target=lister)] if fetchers else []
    takers = [threading.Thread(target=fetch) for _ in range(fetchers)]
    t0 = time.perf_counter()
    for thread in first + takers:
        thread.start()
    done.wait(timeout=900)
    elapsed = time.perf_counter() - t0
    done.set()
    for thread in first:
        thread.join()
    for _ in takers:
        todo.put(None)
    for thread in takers:
        thread.join()
    if errors or (counts["acked"] if fetchers else counts["sent"]) < n:
        raise RuntimeError(f"pump failed: {counts} {errors[:3]}")
    return {"elapsed": elapsed, **counts}


def start(args: list[str], log: Path, port: int, env: dict | None = None) -> subprocess.Popen:
    process = subprocess.Popen(args, stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env, start_new_session=True)

    def listening() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return process.poll() is not None

    wait_for(f"port {port}", listening, timeout=60, interval=0.1)
    if process.poll() is not None:
        raise RuntimeError(f"server exited:\n{log.read_text()[-3000:]}")
    return process


def measured(label: str, server: subprocess.Popen, run, n: int) -> dict:
    """``run(n)`` with the CPU seconds of this client, the server, PostgreSQL and everything else."""
    def sample():
        own = os.times()
        return own.user + own.system, tree_cpu(server.pid), tree_cpu() if DB == "postgresql" else 0.0, machine_cpu()

    before, result, after = sample(), run(n), sample()
    cpu = dict(zip(("client", "server", "postgres", "others"), (b - a for a, b in zip(before, after, strict=True)),
                   strict=True))
    cpu["others"] -= cpu["client"] + cpu["server"] + cpu["postgres"]
    available = result["elapsed"] * os.cpu_count()
    cpu = {k: round(v, 2) for k, v in cpu.items()} | {"available": round(available, 2),
                                                      "others_share": round(cpu["others"] / available, 2)}
    say(f"{label}: {result} cpu_s={cpu}")
    return result | {"cpu_s": cpu, "server_cpu_ms_per_package": round(cpu["server"] * 1000 / n, 1)}


def bench_throughput(args, dbs: Databases | None) -> None:
    hub = Installation(WORK, "hub", "gialai")
    if dbs:
        hub.env["CONGVAN_DATABASE_URL"] = dbs.fresh("bench_exchange_hub")
    hub.cli("migrate", "--noinput")
    hub.cli("exchange", "init", "--node", "hub")
    tokens, signer = {}, None
    for name in ("sender", "receiver"):
        key_pem, cert_pem = edxml.generate_node_identity(name)
        (WORK / f"{name}.pem").write_bytes(cert_pem)
        tokens[name] = hub.cli("exchange", "peer", "add", name, "--cert", str(WORK / f"{name}.pem")).strip()
        signer = signer or edxml.NodeSigner(key_pem, cert_pem)
    package = build_package(signer, pdf_of(100_000))
    say(f"package: {len(package)} bytes (100 KB PDF, zipped and base64 in a signed edXML)")
    (WORK / "bare_app.py").write_text(BARE_APP)
    (WORK / "package.edxml").write_bytes(package)
    bare_port, best = free_port(), (0.0, "")
    for combo in args.combos.split(","):
        workers, threads = combo.split("x")
        shape = {"workers": int(workers), "threads": int(threads), "packages": args.packages, "senders": args.senders}
        warm_up = args.senders * int(workers) * int(threads) * 3
        log = hub.data_dir / f"web-{combo}.log"
        web = start([sys.executable, "-m", "congvan.cli", "serve", "--bind", f"127.0.0.1:{hub.port}", "--workers",
                     workers, "--threads", threads], log, hub.port, hub.env)
        try:
            for name, code in (("sender", SENDER_CODE), ("receiver", VPCP)):
                HttpHubClient(hub.url, tokens[name]).put_directory([{"code": code, "name": code}])
            run = partial(pump, hub.url, package, senders=args.senders, send_token=tokens["sender"],
                          fetchers=args.fetchers, receive_token=tokens["receiver"], limit=args.limit)
            run(warm_up)
            r = measured(f"hub {combo}", web, run, args.packages)
        except RuntimeError:
            say(log.read_text()[-6000:])
            raise
        finally:
            Installation._kill(web)
        requests = (r["sent"] + r["acked"] + r["ack_calls"] + r["lists"]) / args.packages
        rate = args.packages / r["elapsed"]
        emit("hub.packages_per_s", round(rate, 1), "packages/s", f">= {THROUGHPUT_TARGET:g}", **shape,
             fetchers=args.fetchers, limit=args.limit, package_bytes=len(package), seconds=round(r["elapsed"], 2),
             lists=r["lists"], requests_per_package=round(requests, 2), cpu_s=r["cpu_s"],
             server_cpu_ms_per_package=r["server_cpu_ms_per_package"])
        bare = start([sys.executable, "-m", "gunicorn", "bare_app:app", "--chdir", str(WORK), "--bind",
                      f"127.0.0.1:{bare_port}", "--workers", workers, "--threads", threads],
                     WORK / f"bare-{combo}.log", bare_port)
        try:
            run = partial(pump, f"http://127.0.0.1:{bare_port}", package, senders=args.senders, send_token="-")
            run(warm_up)
            b = measured(f"bare {combo}", bare, run, args.packages)
            run = partial(run, senders=args.senders + args.fetchers, cycle=True)
            c = measured(f"bare cycles {combo}", bare, run, args.packages)
        finally:
            Installation._kill(bare)
        posts, cycles = args.packages / b["elapsed"], args.packages / c["elapsed"]
        emit("bare.posts_per_s", round(posts, 1), "requests/s", None, **shape, cpu_s=b["cpu_s"],
             detail="gunicorn + a WSGI app reading the body; the same package and client threads")
        emit("hub_vs_bare", round(rate / posts, 3), "ratio", None, **shape,
             detail=f"hub packages/s ÷ bare POSTs/s; the hub serves {requests:.2f} requests per package")
        emit("bare.cycles_per_s", round(cycles, 1), "packages/s", None, **shape, cpu_s=c["cpu_s"],
             detail=f"{args.senders + args.fetchers} threads each POST the package, GET it back, POST an ack")
        emit("hub_vs_bare_cycles", round(rate / cycles, 3), "ratio", None, **shape)
        best = max(best, (rate, combo))
    emit("hub.packages_per_s.best", round(best[0], 1), "packages/s", f">= {THROUGHPUT_TARGET:g}", combo=best[1])


def issue(apis: dict, pdf: bytes, subject: str) -> tuple[dict, float]:
    officer = apis["chuyenvien"]
    draft = officer.post("/documents", {"type": "CV", "subject": subject, "recipients": [VPCP], "drafting_unit": "VP"})
    officer.upload(f"/documents/{draft['id']}/files", "cong-van.pdf", pdf)
    officer.post(f"/documents/{draft['id']}/submit")
    apis["lanhdao"].post(f"/documents/{draft['id']}/approve")
    t0 = time.perf_counter()
    return apis["vanthu"].post(f"/documents/{draft['id']}/issue"), time.perf_counter() - t0


def arrived(api, doc_id: int) -> bool:
    return any(t["status"] == "01" for d in api.get(f"/documents/{doc_id}/deliveries") for t in d["trail"])


def bench_latency(args, dbs: Databases | None) -> None:
    a, c = (Installation(WORK, node, node, poll=args.poll) for node in ("gialai", "vpcp"))
    for inst in (a, c):
        inst.env["CONGVAN_EXCHANGE_SYNC"] = "60"  # the product's default (the harness syncs every second)
        if dbs:
            inst.env["CONGVAN_DATABASE_URL"] = dbs.fresh(f"bench_exchange_{inst.node}")
    with ThreadPoolExecutor() as pool:  # migrate, demo, exchange init: both at once
        list(pool.map(Installation.setup, (a, c)))
    connect(a, c)
    latencies, issue_s = [], []
    try:
        for inst in (a, c):
            inst.start()
        for inst, clerk, code in ((a, "vanthu.ubndtinh", VPCP), (c, "vanthu.vpcp", PROVINCE_A)):
            api = inst.api(clerk)
            wait_for(f"the directory at {inst.node}", lambda inst=inst, api=api, code=code: inst.cli(
                "exchange", "sync") and code in {x["code"] for x in api.get("/agencies")}, interval=0.5,
                on_timeout=lambda inst=inst: inst.log("worker.log"))
        apis = {role: a.api(f"{role}.ubndtinh") for role in ("chuyenvien", "lanhdao", "vanthu")}
        pdf = pdf_of(100_000)
        for i in range(args.documents + 3):  # the first three warm both installations up
            doc, took = issue(apis, pdf, f"Về việc thử liên thông số {i + 1}")
            t0 = time.perf_counter()
            wait_for(f"status 01 of {doc['notation']}", lambda doc=doc: arrived(apis["vanthu"], doc["id"]),
                     timeout=60, interval=0.02, on_timeout=lambda: a.log("worker.log") + c.log("worker.log"))
            if i >= 3:
                latencies.append((time.perf_counter() - t0) * 1000)
                issue_s.append(took * 1000)
    finally:
        for inst in (a, c):
            inst.stop()
    extra = {"documents": len(latencies), "poll_s": args.poll}
    emit("issue_to_01.p50", round(percentile(latencies, 50), 1), "ms", None, **extra)
    emit("issue_to_01.p95", round(percentile(latencies, 95), 1), "ms", f"<= {LATENCY_TARGET_MS:g}", **extra)
    emit("issue_to_01.max", round(max(latencies), 1), "ms", None, **extra)
    emit("issue_call.p50", round(percentile(issue_s, 50), 1), "ms", None, **extra, detail="POST …/issue itself")


def main() -> None:
    global DB
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="600 packages, one combination, 15 documents")
    parser.add_argument("--postgres", action="store_true",
                        help="without CONGVAN_DATABASE_URL: use (and start if needed) the cluster of scripts/pg.sh")
    parser.add_argument("--packages", type=int, help="packages through the hub per combination (default 3000)")
    parser.add_argument("--combos", help="WORKERSxTHREADS of the servers, comma-separated (default 2x1,3x1,4x2)")
    parser.add_argument("--senders", type=int, default=4, help="sending threads")
    parser.add_argument("--fetchers", type=int, default=4, help="fetch-and-ack threads (one more thread lists)")
    parser.add_argument("--limit", type=int, default=200, help="limit of each list of pending messages")
    parser.add_argument("--documents", type=int, help="documents issued for the latency (default 60)")
    parser.add_argument("--poll", type=float, default=0.2, help="CONGVAN_EXCHANGE_POLL of both installations")
    parser.add_argument("--skip", choices=["throughput", "latency"], action="append", default=[])
    args = parser.parse_args()
    args.packages = args.packages or (600 if args.quick else 3000)
    args.documents = args.documents or (15 if args.quick else 60)
    args.combos = args.combos or ("3x1" if args.quick else "2x1,3x1,4x2")

    pg, url, started_pg = ["bash", str(ROOT / "scripts" / "pg.sh")], os.environ.get("CONGVAN_DATABASE_URL", ""), False
    if not url and args.postgres:
        started_pg = subprocess.run([*pg, "status"]).returncode != 0
        subprocess.run([*pg, "start"], check=True)
        url = subprocess.run([*pg, "url"], check=True, capture_output=True, text=True).stdout.strip()
    dbs = Databases(url) if url.startswith("postgres") else None
    DB = "postgresql" if dbs else "sqlite"
    say(f"bench/exchange.py on {DB}; work directory {WORK}")
    emit("load_average_1m", round(os.getloadavg()[0], 2), "", None, cpus=os.cpu_count())
    try:
        if "throughput" not in args.skip:
            bench_throughput(args, dbs)
        if "latency" not in args.skip:
            bench_latency(args, dbs)
        emit("load_average_1m.end", round(os.getloadavg()[0], 2), "", None, cpus=os.cpu_count())
    finally:
        if dbs:
            dbs.drop_all()
        if started_pg:
            subprocess.run([*pg, "stop"])
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
