#!/usr/bin/env python
"""Exchange between installations: packages/s through a hub, against bare HTTP, and issue → status 01 latency.

    .venv/bin/python bench/exchange.py --postgres [--quick]     # the private cluster (scripts/pg.sh)
    CONGVAN_DATABASE_URL=postgres://postgres@127.0.0.1:55432/exchange_db .venv/bin/python bench/exchange.py
    .venv/bin/python bench/exchange.py                           # SQLite (CONGVAN_DATABASE_URL unset)

Every installation is a real process with its own data directory and, on PostgreSQL, its own fresh database
(``bench_exchange_*`` on the server of CONGVAN_DATABASE_URL, dropped at the end). One JSON line per figure.

1. Hub throughput: a hub (``migrate``, ``exchange init``, two peers "sender" hosting 000.00.00.H41 and
   "receiver" hosting 000.00.00.G22) under ``congvan serve --workers W --threads T`` for each ``--combos``.
   One signed edXML package with a 100 KB PDF is built once; every send carries it with a fresh message id
   (and a trailing comment so each stored blob is distinct). ``--senders`` threads send, one thread lists
   (``--limit``) and ``--fetchers`` threads fetch and ack, each thread with its own HttpHubClient.
   Figure: packages / (first send → last ack). CPU seconds of this client, the server and PostgreSQL.
2. Bare HTTP: gunicorn with the same workers/threads serving bench/_baseline_app.py; the same package
   POSTed as often, by the same client and concurrency. The hub needs 3 requests per package plus lists.
3. Issue → 01: a hub province (gialai) and Văn phòng Chính phủ (vpcp) through tests/e2e/installations.py,
   workers polling every ``--poll`` s (the product's default). Documents are drafted, approved and issued
   through the REST API one by one; the time from the issue call returning to its delivery showing "01".

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
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT / "src"), str(ROOT)):
    if entry not in sys.path:
        sys.path.insert(0, entry)
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
DB = "sqlite"


def emit(metric: str, value, unit: str, target: str | None = None, **extra) -> None:
    line = {"bench": "exchange", "db": DB, "metric": metric, "value": value, "unit": unit, "target": target}
    if target is not None and isinstance(value, int | float):
        op, limit = target.split()
        line["ok"] = {"<": value < float(limit), "<=": value <= float(limit), ">=": value >= float(limit)}[op]
    line.update(extra)
    print(json.dumps(line, ensure_ascii=False), flush=True)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Databases:
    """Fresh PostgreSQL databases on the server of ``url``, marked, and dropped by ``drop_all``."""

    def __init__(self, url: str):
        self.url, self.created = url, []

    def _admin(self):
        import psycopg

        return psycopg.connect(urlsplit(self.url)._replace(path="/postgres").geturl(), autocommit=True)

    def fresh(self, name: str) -> str:
        from psycopg import sql

        with self._admin() as admin:
            found = admin.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                                  [name]).fetchone()
            if found and found[0] != PG_MARKER:
                sys.exit(f"database {name!r} exists and was not created by this benchmark; not dropping it")
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            admin.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(PG_MARKER)))
        self.created.append(name)
        return urlsplit(self.url)._replace(path="/" + name).geturl()

    def drop_all(self) -> None:
        from psycopg import sql

        with self._admin() as admin:
            for name in self.created:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# CPU accounting from /proc: a process tree's user+system time, children it reaped included -------------------

TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[str, int, float]]:
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                raw = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            comm, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
            table[int(entry)] = (comm, int(rest[1]), sum(int(x) for x in rest[11:15]) / TICK)
    return table


def tree_cpu(root: int | None = None) -> float:
    """CPU seconds of ``root`` and its descendants, or of every PostgreSQL server when ``root`` is None."""
    table = _processes()
    if root is None:
        roots = [p for p, (comm, ppid, _) in table.items()
                 if comm == "postgres" and table.get(ppid, ("",))[0] != "postgres"]
    else:
        roots = [root]
    found, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo += [p for p, (_, ppid, _) in table.items() if ppid == pid and p not in found]
    return sum(table[p][2] for p in found if p in table)


def own_cpu() -> float:
    t = os.times()
    return t.user + t.system


# The package ------------------------------------------------------------------------------------------------

def pdf_of(size: int, seed: int = 7) -> bytes:
    """A real PDF of about ``size`` bytes: a line of text and an image of noise (it does not compress)."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    side = int((size / 3) ** 0.5)
    noise = Image.frombytes("RGB", (side, side), random.Random(seed).randbytes(side * side * 3))
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 760, "Cong van lien thong (benchmark)")
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


# Driving a server with many clients ------------------------------------------------------------------------

class Sink:
    def __init__(self):
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)


def pump(url: str, package: bytes, n: int, senders: int, send_token: str, fetchers: int = 0,
         receive_token: str = "", limit: int = 200) -> dict:
    """``senders`` threads send ``n`` packages; with ``fetchers``, one thread lists and ``fetchers`` threads
    fetch and ack them. Returns the wall time from the first send to the last ack (or the last send)."""
    lock, done, errors = threading.Lock(), threading.Event(), []
    counts = {"issued": 0, "sent": 0, "acked": 0, "lists": 0}
    todo: queue.Queue = queue.Queue()

    def guarded(fn):
        def run(*args):
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(repr(exc))
                done.set()
        return run

    @guarded
    def send(i: int) -> None:
        client, path = HttpHubClient(url, send_token), WORK / f"out-{i}.edxml"
        while not done.is_set():
            with lock:
                if counts["issued"] >= n:
                    break
                counts["issued"] += 1
            message_id = str(uuid.uuid4())
            path.write_bytes(package + f"<!-- {message_id} -->\n".encode())
            client.send(message_id=message_id, from_code=SENDER_CODE, to_codes=[VPCP], message_type="edoc",
                        path=str(path))
            with lock:
                counts["sent"] += 1
                if not fetchers and counts["sent"] == n:
                    done.set()
        client.close()

    @guarded
    def lister() -> None:  # like runner.receive: list, take the whole batch (here in parallel), list again
        client = HttpHubClient(url, receive_token)
        while not done.is_set():
            batch = client.pending(limit)
            counts["lists"] += 1
            for m in batch:
                todo.put(m)
            todo.join()
            if not batch:
                time.sleep(0.005)
        client.close()

    def fetch() -> None:  # never dies with items left: the lister waits for the whole batch
        client = HttpHubClient(url, receive_token)
        while (m := todo.get()) is not None:
            try:
                if not done.is_set():
                    sink = Sink()
                    client.fetch(m.id, sink)
                    if sink.size != m.size:
                        raise AssertionError(f"fetched {sink.size} bytes of {m.size}")
                    client.ack(m.id, "done")
                    with lock:
                        counts["acked"] += 1
                        if counts["acked"] == n:
                            done.set()
            except Exception as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(repr(exc))
                done.set()
            finally:
                todo.task_done()
        client.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
    if fetchers:
        threads += [threading.Thread(target=lister)] + [threading.Thread(target=fetch) for _ in range(fetchers)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    done.wait(timeout=600)
    elapsed = time.perf_counter() - t0
    done.set()
    for _ in range(fetchers):
        todo.put(None)
    for thread in threads:
        thread.join()
    if errors or (counts["acked"] if fetchers else counts["sent"]) < n:
        raise RuntimeError(f"pump failed: {counts} {errors[:3]}")
    return {"elapsed": elapsed, **counts}


def wait_port(port: int, process: subprocess.Popen, log: Path) -> None:
    wait_for(f"port {port}", lambda: process.poll() is not None or _open(port), timeout=60, interval=0.1)
    if process.poll() is not None:
        raise RuntimeError(f"server exited:\n{log.read_text()[-3000:]}")


def _open(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def measured(label: str, server: subprocess.Popen, run, n: int) -> dict:
    """Run ``run(n)`` and add the CPU seconds it cost this client, the server tree and PostgreSQL."""
    before = (own_cpu(), tree_cpu(server.pid), tree_cpu() if DB == "postgresql" else 0.0)
    result = run(n)
    after = (own_cpu(), tree_cpu(server.pid), tree_cpu() if DB == "postgresql" else 0.0)
    cpu = {k: round(b - a, 2) for k, a, b in zip(("client", "server", "postgres"), before, after, strict=True)}
    say(f"{label}: {result} cpu_s={cpu}")
    return {**result, "cpu_s": cpu}


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
    bare_port, routed, best = free_port(), False, None
    for combo in args.combos.split(","):
        workers, threads = (int(x) for x in combo.split("x"))
        shape = {"workers": workers, "threads": threads, "packages": args.packages, "senders": args.senders}
        web = hub._spawn("serve", "--bind", f"127.0.0.1:{hub.port}", "--workers", str(workers), "--threads",
                         str(threads), log=f"web-{combo}.log")
        try:
            wait_port(hub.port, web, hub.data_dir / f"web-{combo}.log")
            if not routed:
                for name, code in (("sender", SENDER_CODE), ("receiver", VPCP)):
                    HttpHubClient(hub.url, tokens[name]).put_directory([{"code": code, "name": code}])
                routed = True
            hub_run = partial(pump, hub.url, package, senders=args.senders, send_token=tokens["sender"],
                              fetchers=args.fetchers, receive_token=tokens["receiver"], limit=args.limit)
            hub_run(args.senders * workers * threads * 3)  # warm up every worker
            r = measured(f"hub {combo}", web, hub_run, args.packages)
        except RuntimeError:
            say(hub.log(f"web-{combo}.log"))
            raise
        finally:
            Installation._kill(web)
        rate = args.packages / r["elapsed"]
        requests = (r["sent"] + 2 * r["acked"] + r["lists"]) / args.packages
        emit("hub.packages_per_s", round(rate, 1), "packages/s", f">= {THROUGHPUT_TARGET:g}", **shape,
             fetchers=args.fetchers, limit=args.limit, package_bytes=len(package), seconds=round(r["elapsed"], 2),
             lists=r["lists"], requests_per_package=round(requests, 2), cpu_s=r["cpu_s"])
        log = WORK / f"bare-{combo}.log"
        bare = subprocess.Popen([sys.executable, "-m", "gunicorn", "_baseline_app:app", "--chdir",
                                 str(ROOT / "bench"), "--bind", f"127.0.0.1:{bare_port}", "--workers",
                                 str(workers), "--threads", str(threads)], stdout=log.open("wb"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_port(bare_port, bare, log)
            bare_run = partial(pump, f"http://127.0.0.1:{bare_port}", package, senders=args.senders, send_token="x")
            bare_run(args.senders * workers * threads * 3)
            b = measured(f"bare {combo}", bare, bare_run, args.packages)
        finally:
            Installation._kill(bare)
        bare_rate = args.packages / b["elapsed"]
        emit("bare.posts_per_s", round(bare_rate, 1), "requests/s", None, **shape, cpu_s=b["cpu_s"],
             detail="gunicorn + trivial WSGI app reading the body, same package, same client threads")
        emit("hub_vs_bare", round(rate / bare_rate, 3), "ratio", None, **shape,
             detail=f"hub packages/s ÷ bare POSTs/s; the hub serves {requests:.2f} requests per package")
        best = max(best or (0, ""), (rate, combo))
    emit("hub.packages_per_s.best", round(best[0], 1), "packages/s", f">= {THROUGHPUT_TARGET:g}", combo=best[1])


def issue(apis: dict, pdf: bytes, subject: str) -> tuple[dict, float]:
    draft = apis["chuyenvien"].post("/documents", {"type": "CV", "subject": subject, "recipients": [VPCP],
                                                   "drafting_unit": "VP"})
    apis["chuyenvien"].upload(f"/documents/{draft['id']}/files", "cong-van.pdf", pdf)
    apis["chuyenvien"].post(f"/documents/{draft['id']}/submit")
    apis["lanhdao"].post(f"/documents/{draft['id']}/approve")
    t0 = time.perf_counter()
    issued = apis["vanthu"].post(f"/documents/{draft['id']}/issue")
    return issued, time.perf_counter() - t0


def arrived(api, doc_id: int) -> bool:
    return any(t["status"] == "01" for d in api.get(f"/documents/{doc_id}/deliveries") for t in d["trail"])


def bench_latency(args, dbs: Databases | None) -> None:
    a, c = Installation(WORK, "gialai", "gialai", poll=args.poll), Installation(WORK, "vpcp", "vpcp", poll=args.poll)
    for inst in (a, c):
        if dbs:
            inst.env["CONGVAN_DATABASE_URL"] = dbs.fresh(f"bench_exchange_{inst.node}")
        inst.setup()
    connect(a, c)
    try:
        for inst in (a, c):
            inst.start()
        for inst, clerk, code in ((a, "vanthu.ubndtinh", VPCP), (c, "vanthu.vpcp", PROVINCE_A)):
            api = inst.api(clerk)
            wait_for(f"the directory at {inst.node}", lambda api=api, code=code: code in {
                x["code"] for x in api.get("/agencies")}, on_timeout=lambda inst=inst: inst.log("worker.log"))
        apis = {role: a.api(f"{role}.ubndtinh") for role in ("chuyenvien", "lanhdao", "vanthu")}
        pdf, latencies, issue_s = pdf_of(100_000), [], []
        for i in range(args.documents + 3):  # the first three warm up both installations
            doc, took = issue(apis, pdf, f"Về việc thử liên thông số {i + 1}")
            t0 = time.perf_counter()
            wait_for(f"status 01 of {doc['notation']}", lambda doc=doc: arrived(apis["vanthu"], doc["id"]),
                     timeout=60, interval=0.02, on_timeout=lambda: a.log("worker.log") + c.log("worker.log"))
            if i >= 3:
                latencies.append(time.perf_counter() - t0)
                issue_s.append(took)
    finally:
        for inst in (a, c):
            inst.stop()
    ms = [s * 1000 for s in latencies]
    extra = {"documents": len(ms), "poll_s": args.poll}
    emit("issue_to_01.p50", round(percentile(ms, 50), 1), "ms", None, **extra)
    emit("issue_to_01.p95", round(percentile(ms, 95), 1), "ms", f"<= {LATENCY_TARGET_MS:g}", **extra)
    emit("issue_to_01.max", round(max(ms), 1), "ms", None, **extra)
    emit("issue_call.p50", round(percentile([s * 1000 for s in issue_s], 50), 1), "ms", None, **extra,
         detail="POST /documents/{id}/issue itself")


def main() -> None:
    global DB
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer packages and documents (about a minute)")
    parser.add_argument("--postgres", action="store_true",
                        help="without CONGVAN_DATABASE_URL: use (and start if needed) the cluster of scripts/pg.sh")
    parser.add_argument("--packages", type=int, help="packages through the hub per combination (default 3000)")
    parser.add_argument("--combos", help="WORKERSxTHREADS of the servers, comma-separated (default 3x1,4x2)")
    parser.add_argument("--senders", type=int, default=4, help="sending threads")
    parser.add_argument("--fetchers", type=int, default=4, help="fetch-and-ack threads (one more thread lists)")
    parser.add_argument("--limit", type=int, default=200, help="limit of each list of pending messages")
    parser.add_argument("--documents", type=int, help="documents issued for the latency (default 60)")
    parser.add_argument("--poll", type=float, default=0.2, help="CONGVAN_EXCHANGE_POLL of both installations")
    parser.add_argument("--skip", choices=["throughput", "latency"], action="append", default=[])
    args = parser.parse_args()
    args.packages = args.packages or (600 if args.quick else 3000)
    args.documents = args.documents or (15 if args.quick else 60)
    args.combos = args.combos or ("4x2" if args.quick else "3x1,4x2")

    url, started_pg = os.environ.get("CONGVAN_DATABASE_URL", ""), False
    if not url and args.postgres:
        pg = ["bash", str(ROOT / "scripts" / "pg.sh")]
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
    finally:
        if dbs:
            dbs.drop_all()
        if started_pg:
            subprocess.run(["bash", str(ROOT / "scripts" / "pg.sh"), "stop"])
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
