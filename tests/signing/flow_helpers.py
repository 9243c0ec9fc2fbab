"""Helpers and fixtures of the Django side of signing (services, views, commands).

The demo PKI's RSA key generation is done once per test process (``fast_demo_pki``); its rows (trust
store, certificates, PKCS#12 blobs) are written per test through the real service. Import the fixtures
in a test module: ``from tests.signing.flow_helpers import signing_demo  # noqa: F401``."""

import io

import pytest

from tests.signing.conftest import make_decree30_pdf

PASSPHRASE = "congvan"
SENDER, RECIPIENT = "ubndtinh", "000.05.00.H21"

_CACHE: dict = {}


@pytest.fixture
def fast_demo_pki(monkeypatch):
    """congvan.signing.pki with its key generation memoised for the test process (same certificates)."""
    from congvan.signing import pki

    real_make, real_person, real_seal = pki.make_demo_pki, pki.issue_person_certificate, pki.issue_seal_certificate

    def make(province="Gia Lai", **kwargs):
        key = ("pki", province)
        if key not in _CACHE:
            _CACHE[key] = real_make(province, **kwargs)
        return _CACHE[key]

    def person(demo, full_name, agency_name, uid, passphrase, **kwargs):
        key = ("person", id(demo), full_name, agency_name, uid, passphrase)
        if key not in _CACHE:
            _CACHE[key] = real_person(demo, full_name, agency_name, uid, passphrase, **kwargs)
        return _CACHE[key]

    def seal(demo, agency_name, agency_code, passphrase, **kwargs):
        key = ("seal", id(demo), agency_name, agency_code, passphrase)
        if key not in _CACHE:
            _CACHE[key] = real_seal(demo, agency_name, agency_code, passphrase, **kwargs)
        return _CACHE[key]

    monkeypatch.setattr(pki, "make_demo_pki", make)
    monkeypatch.setattr(pki, "issue_person_certificate", person)
    monkeypatch.setattr(pki, "issue_seal_certificate", seal)
    return pki


@pytest.fixture
def signing_demo(demo, fast_demo_pki):
    """The demo province with its demo PKI loaded (trust store, leaders' and agencies' certificates)."""
    from congvan.signing.services import load_demo_pki

    return load_demo_pki(PASSPHRASE)


def leader_pdf(leader, pages: int = 1) -> bytes:
    """A Decree 30 document whose signature block ends with the leader's printed name."""
    return make_decree30_pdf(leader.full_name, pages=pages).data


def submitted(person, *, sender=SENDER, recipients=(RECIPIENT,), pdf: bytes | None = None,
              annex: bytes | None = None, subject="Về việc ban hành Quy chế quản lý văn bản điện tử", **fields):
    """A draft with its main PDF (by default signed-block-shaped for the sender's leader), submitted."""
    from congvan.documents import services as documents
    from congvan.workflow import outgoing

    officer, leader = person(f"chuyenvien.{sender}"), person(f"lanhdao.{sender}")
    doc = documents.create_draft(officer, doc_type="CV", recipients=list(recipients), subject=subject, **fields)
    if doc.form != "paper":
        documents.add_file(officer, doc, "quyet-dinh.pdf", io.BytesIO(pdf or leader_pdf(leader)))
    if annex is not None:
        documents.add_file(officer, doc, "phu-luc.pdf", io.BytesIO(annex), role="annex")
    outgoing.submit(officer, doc)
    doc.refresh_from_db()
    return doc


def tamper(data: bytes) -> bytes:
    """One byte changed inside the signed range (in the page content), after signing."""
    marker = data.find(b"stream\n") + 20
    assert marker > 20
    changed = bytearray(data)
    changed[marker] = (changed[marker] + 1) % 256
    return bytes(changed)
