"""Several installations of Congvan as real processes on loopback, each with its own database, file
store and port, connected through one of them acting as the hub (issue 4)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

PASSWORD = "congvan"
B_PROVINCE, B_HOME_AFFAIRS, VPCP = "000.00.00.H41", "000.05.00.H41", "000.00.00.G22"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    """A tiny JSON client for /api/v1/ of one installation, logged in as one account."""

    def __init__(self, base: str, username: str):
        self.base = base + "/api/v1"
        self.token = self._call("POST", "/auth/token", {"username": username, "password": PASSWORD})["token"]

    def _call(self, method: str, path: str, body=None, raw: bytes | None = None, headers: dict | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "Content-Type": "application/json", **(headers or {}),
            **({"Authorization": f"Bearer {self.token}"} if getattr(self, "token", None) else {})})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{method} {path} → {exc.code}: {exc.read()[:500]!r}") from None

    def get(self, path: str):
        return self._call("GET", path)

    def post(self, path: str, body=None):
        return self._call("POST", path, body if body is not None else {})

    def upload(self, path: str, name: str, content: bytes):
        boundary = uuid.uuid4().hex
        raw = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
               f"Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        return self._call("POST", path, raw=raw, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


class Installation:
    def __init__(self, root: Path, node: str, profile: str, *, poll: float = 0.1):
        self.node, self.profile = node, profile
        self.data_dir = root / node
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVAN_")}
        self.env.update({"CONGVAN_DATA_DIR": str(self.data_dir), "CONGVAN_SIGNING_REQUIRED": "0",
                         "CONGVAN_EXCHANGE_POLL": str(poll), "CONGVAN_EXCHANGE_SYNC": "1",
                         "CONGVAN_SECRET_KEY": f"test-{node}", "CONGVAN_LOG_LEVEL": "WARNING",
                         "CONGVAN_EXCHANGE_BACKOFF": "1,2,5"})  # the product's 30 s, 2 min… are too slow here
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def cli(self, *args: str, check: bool = True) -> str:
        result = subprocess.run([sys.executable, "-m", "congvan.cli", *args], env=self.env, capture_output=True,
                                text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"{self.node}: congvan {' '.join(args)} → {result.returncode}\n"
                                 f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
        return result.stdout

    def setup(self) -> None:
        self.cli("migrate", "--noinput")
        self.cli("demo", "--profile", self.profile)
        self.cli("exchange", "init", "--node", self.node)
        self.certificate = self.data_dir / "node.pem"
        self.certificate.write_text(self.cli("exchange", "certificate"))

    def register(self, other: "Installation", *flags: str) -> str:
        """On this hub: register ``other`` and return its token."""
        return self.cli("exchange", "peer", "add", other.node, "--cert", str(other.certificate), *flags).strip()

    def join(self, hub: "Installation", token: str) -> None:
        self.cli("exchange", "join", hub.url, "--token", token)

    def _spawn(self, *args: str, log: str) -> subprocess.Popen:
        handle = open(self.data_dir / log, "ab")
        return subprocess.Popen([sys.executable, "-m", "congvan.cli", *args], env=self.env, stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def start_web(self) -> None:
        self.web = self._spawn("serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "4",
                               log="web.log")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.web.poll() is not None:
                    raise AssertionError(f"{self.node}: web exited\n{self.log('web.log')}")
                time.sleep(0.2)
        raise AssertionError(f"{self.node}: web did not start")

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", "--interval", "0.5", log="worker.log")

    def start(self) -> None:
        self.start_web()
        self.start_worker()

    @staticmethod
    def _kill(process: subprocess.Popen | None, sig=signal.SIGTERM) -> None:
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    def kill_web(self, sig=signal.SIGKILL) -> None:
        self._kill(self.web, sig)

    def kill_worker(self, sig=signal.SIGKILL) -> None:
        self._kill(self.worker, sig)

    def stop(self) -> None:
        self._kill(self.worker)
        self._kill(self.web)

    def log(self, name: str) -> str:
        path = self.data_dir / name
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def page(self, username: str, path: str) -> str:
        """A page of the web UI as a logged-in user sees it (Vietnamese), through the real login form."""
        import html
        import http.cookiejar
        import re
        import urllib.parse

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        opener.addheaders = [("Accept-Language", "vi")]
        form = opener.open(self.url + "/dang-nhap/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrfmiddlewaretoken": token}).encode()
        opener.open(urllib.request.Request(self.url + "/dang-nhap/", data=data,
                                           headers={"Referer": self.url + "/dang-nhap/"}), timeout=30).read()
        body = opener.open(self.url + path, timeout=30).read().decode()
        assert "/dang-nhap/" not in opener.open(self.url + path, timeout=30).geturl(), "login failed"
        return html.unescape(re.sub(r"<[^>]+>", " ", body))

    def api(self, username: str) -> Api:
        return Api(self.url, username)


def wait_for(what: str, probe, timeout: float = 60.0, interval: float = 0.2, on_timeout=None):
    """Poll ``probe()`` until it returns something truthy; fail with ``what`` (and diagnostics) otherwise."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    extra = on_timeout() if on_timeout else ""
    raise AssertionError(f"timed out waiting for {what}; last={last!r}\n{extra}")


def sql(inst: Installation, query: str, *params):
    """Read an installation's SQLite database directly (the test is another process, like an auditor)."""
    import sqlite3

    with sqlite3.connect(f"file:{inst.data_dir / 'congvan.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
        return db.execute(query, params).fetchall()


def connect(hub: Installation, *nodes: Installation) -> None:
    """Register every node at the hub and point it there."""
    for node in nodes:
        node.join(hub, hub.register(node))


@pytest.fixture(scope="session")
def three_installations(tmp_path_factory):
    """Province A (Gia Lai, also the hub), province B (Nghệ An), Văn phòng Chính phủ: three processes
    pairs (web + worker), each with its own SQLite database and file store, started once per session."""
    root = tmp_path_factory.mktemp("installations")
    a, b, c = (Installation(root, "gialai", "gialai"), Installation(root, "nghean", "nghean"),
               Installation(root, "vpcp", "vpcp"))
    for inst in (a, b, c):
        inst.setup()
    connect(a, b, c)
    try:
        for inst in (a, b, c):
            inst.start()
        everyone = {"000.00.00.H21", B_PROVINCE, B_HOME_AFFAIRS, VPCP}
        for inst, clerk in ((a, "vanthu.ubndtinh"), (b, "vanthu.ubndtinh"), (c, "vanthu.vpcp")):
            api = inst.api(clerk)
            wait_for(f"the hub's directory to reach {inst.node}",
                     lambda api=api: everyone <= {x["code"] for x in api.get("/agencies")},
                     on_timeout=lambda inst=inst: inst.log("worker.log"))
        yield a, b, c
    finally:
        for inst in (a, b, c):
            inst.stop()
