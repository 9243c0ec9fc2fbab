"""Real mail servers on loopback for the tests: Dovecot (IMAP + LDA) run entirely unprivileged (RECIPES §6),
reading the passwd-file the platform provisions, and `congvan smtpd` as a separate process."""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import database_url, require_tool
from tests.e2e.installations import free_port

LDA = "/usr/lib/dovecot/dovecot-lda"
EX_NOUSER = 67  # sysexits.h: "addressee unknown"


def wait_port(port: int, process: subprocess.Popen, what: str, log=lambda: "") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                raise AssertionError(f"{what} exited: {log()}")
            time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on {port}: {log()}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


@dataclass
class Dovecot:
    root: Path
    port: int
    conf: Path
    provision: Path
    user: str
    group: str

    def deliver(self, address: str, raw: bytes, sender: str = "vpcp@chinhphu.example", folder: str = "") -> None:
        """dovecot-lda, as Postfix's local delivery would run it (into ``folder``, created if need be, when
        given: as a Sieve rule filing mail would).

        Dovecot re-reads its passwd-file at most once a second: a mailbox provisioned by the test a moment
        after the previous test's lookup is still unknown (exit 67, EX_NOUSER) for up to a second, so that
        answer is retried for a few seconds (an MTA would retry a temporary failure the same way)."""
        into = ["-m", folder, "-o", "lda_mailbox_autocreate=yes"] if folder else []
        deadline = time.monotonic() + 5
        while True:
            result = subprocess.run([require_tool(LDA), "-c", str(self.conf), "-d", address, "-f", sender, *into],
                                    input=raw, capture_output=True, **self._as_user())
            if result.returncode != EX_NOUSER or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert result.returncode == 0, (f"dovecot-lda exited {result.returncode}: " + result.stdout.decode(errors="replace")
                                        + result.stderr.decode(errors="replace") + self.log())

    def _as_user(self) -> dict:
        return {"user": self.user, "group": self.group} if os.geteuid() == 0 else {}

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


CONF = """protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:{root}/mail/%d/%n/Maildir
passdb {{
  driver = passwd-file
  args = scheme=BLF-CRYPT {provision}/dovecot-users
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/mail/%d/%n
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  user = $default_internal_user
}}
service auth-worker {{
  user = $default_internal_user
}}
service stats {{
  user = $default_internal_user
}}
service imap {{
  user = $default_internal_user
}}
"""


@pytest.fixture(scope="session")
def dovecot():
    """A private Dovecot on a free port, as ``nobody`` when the tests run as root (as the current user otherwise)."""
    binary = require_tool("dovecot")
    require_tool(LDA)
    if os.geteuid() == 0:
        user, group = "nobody", "nogroup"
    else:
        user = pwd.getpwuid(os.geteuid()).pw_name
        group = subprocess.run(["id", "-gn"], capture_output=True, text=True).stdout.strip()
    root = Path(tempfile.mkdtemp(prefix="congvan-dovecot-"))
    os.chmod(root, 0o755)
    provision = root / "provision"
    for folder in ("run", "state", "mail", "provision"):
        (root / folder).mkdir()
    (provision / "dovecot-users").write_text("")
    port = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(CONF.format(root=root, user=user, group=group, provision=provision, port=port))
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", f"{user}:{group}", str(root)], check=True)
        subprocess.run(["chown", "root:" + group, str(provision)], check=True)
        os.chmod(provision, 0o750)
    server = Dovecot(root, port, conf, provision, user, group)
    process = subprocess.Popen([binary, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True, **server._as_user())
    try:
        wait_port(port, process, "dovecot", server.log)
        yield server
    finally:
        stop(process)
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Smtpd:
    process: subprocess.Popen
    smtp_port: int
    lmtp_port: int
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""


@pytest.fixture
def smtpd(transactional_db, settings, tmp_path):
    """`congvan smtpd` as its own process on free ports, on the test database and file store."""
    smtp_port, lmtp_port = free_port(), free_port()
    log_path = tmp_path / "smtpd.log"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CONGVAN_")},
           "CONGVAN_DATABASE_URL": database_url(), "CONGVAN_FILE_STORE": str(settings.MEDIA_ROOT),
           "CONGVAN_DATA_DIR": str(tmp_path / "smtpd"), "CONGVAN_MAIL_MAX_MESSAGE": str(settings.MAIL_MAX_MESSAGE),
           "CONGVAN_MAIL_DOMAINS": ",".join(settings.MAIL_DOMAINS), "CONGVAN_LOG_LEVEL": "WARNING"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "congvan.cli", "smtpd", "--smtp", f"127.0.0.1:{smtp_port}",
                                    "--lmtp", f"127.0.0.1:{lmtp_port}"], env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = Smtpd(process, smtp_port, lmtp_port, log_path)
    try:
        wait_port(smtp_port, process, "congvan smtpd", server.log)
        wait_port(lmtp_port, process, "congvan smtpd (LMTP)", server.log)
        yield server
    finally:
        stop(process)
