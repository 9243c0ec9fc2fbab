"""Fixtures of the mail tests: settings in a temporary folder, a signed PDF trusted by the installation,
messages built like real mail clients build them, and an SMTP server on loopback standing for the relay."""

import email.policy
from email.message import EmailMessage

import pytest

from tests.e2e.installations import free_port
from tests.signing import conftest as signing_fixtures

# The signing tests' session fixtures (demo PKI, the leader's key), shared here.
demo_pki, leader_identity, leader_key = (signing_fixtures.demo_pki, signing_fixtures.leader_identity,
                                         signing_fixtures.leader_key)

PROVINCE = "ubndtinh@gialai.example"
HOME_AFFAIRS = "sonoivu@gialai.example"


@pytest.fixture(autouse=True)
def _mail_settings(settings, tmp_path):
    settings.MAIL_DOMAINS = ["gialai.example"]
    settings.MAIL_PROVISION_DIR = tmp_path / "provision"
    settings.MAIL_RELAY_HOST = ""
    settings.MAIL_BACKOFF = [1.0]
    settings.MAIL_BCRYPT_ROUNDS = 4
    settings.MAIL_PROVISION_HOOK = ""
    settings.MAIL_PROVISION_GROUP = ""


@pytest.fixture(scope="session")
def signed_pdf(leader_key) -> bytes:
    """A Decree 30 document signed by the demo leader (PAdES), made once per session."""
    from congvan.signing.pdfsign import sign_approval
    from tests.signing.conftest import LEADER, make_decree30_pdf

    return sign_approval(make_decree30_pdf().data, leader_key, signer_name=LEADER, location="Gia Lai")


@pytest.fixture
def trusted(db, demo_pki):
    """The demo PKI's root and province CA in the installation's trust store."""
    from congvan.signing.models import TrustAnchor
    from congvan.signing.services import add_trust_anchor

    add_trust_anchor(None, demo_pki.root_pem, kind=TrustAnchor.Kind.ROOT)
    add_trust_anchor(None, demo_pki.ca_pem, kind=TrustAnchor.Kind.INTERMEDIATE)


def message(*, subject="Công văn số 1468/UBND-VHXH về việc sử dụng hộp thư điện tử công vụ", sender=(
        "Văn phòng Chính phủ", "vpcp@chinhphu.example"), to=PROVINCE, body="Kính gửi Ủy ban nhân dân tỉnh.",
            attachments=(), message_id=None) -> bytes:
    """A message as a mail client writes it: UTF-8 subject (RFC 2047), attachments base64 with UTF-8 names."""
    from congvan.mail.outbox import encode_words  # Python 3.11's folding loses spaces between encoded words

    msg = EmailMessage()
    msg.set_raw("From", f"{encode_words(sender[0])} <{sender[1]}>" if sender[0] else sender[1])
    msg["To"] = to
    msg.set_raw("Subject", encode_words(subject))
    msg["Date"] = "Fri, 04 Dec 2026 08:30:00 +0700"
    msg["Message-ID"] = message_id or f"<{abs(hash((subject, body, len(attachments))))}@chinhphu.example>"
    msg.set_content(body)
    for name, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=email.policy.SMTP)


class SmtpSink:
    """An SMTP server on loopback (aiosmtpd) standing for the province's relay: keeps what it accepts,
    refuses the addresses in ``refuse`` with 550 and answers 451 to everything while ``down``."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received, self.refuse, self.down = [], set(), False
        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, options):
                if sink.down:
                    return "451 4.3.0 try again later"
                if address.lower() in sink.refuse:
                    return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                sink.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
                return "250 2.0.0 Ok: queued as 4F7D2F24C8"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()


@pytest.fixture
def relay(settings):
    sink = SmtpSink()
    settings.MAIL_RELAY_HOST, settings.MAIL_RELAY_PORT, settings.MAIL_RELAY_SECURITY = "127.0.0.1", sink.port, "none"
    yield sink
    sink.stop()


def _server_fixtures():
    from tests.mail import servers

    return servers.dovecot, servers.smtpd


dovecot, smtpd = _server_fixtures()  # Dovecot and `congvan smtpd` on loopback (tests/mail/servers.py)
