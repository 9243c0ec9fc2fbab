"""Signing with a key on a PKCS#11 token: a SoftHSM2 token in a temporary directory, the demo leader's
key and certificate imported with pkcs11-tool (RECIPES §3)."""

import os
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from congvan.signing.errors import SigningError
from congvan.signing.keys import open_pkcs11
from congvan.signing.pdfsign import VIETNAM_TZ, seal_issue, sign_approval
from congvan.signing.verify import validate_pdf
from tests.conftest import require_tool

from .conftest import AGENCY, LEADER, NOTATION

TOKEN = "VGCA-TOKEN"
PIN = "123456"
SO_PIN = "12345678"
MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
           "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so")


def _module() -> str:
    for path in MODULES:
        if os.path.exists(path):
            return path
    return require_tool(MODULES[0])


@pytest.fixture(scope="module")
def token(tmp_path_factory, leader_identity, demo_pki):
    """A SoftHSM2 token holding the leader's key (label "lanhdao") and certificate, and the CA certificate.

    SOFTHSM2_CONF must be set before the module is first loaded in this process and stay the same: the
    library reads it once, so the token directory lives for the whole test module."""
    softhsm = require_tool("softhsm2-util")
    tool = require_tool("pkcs11-tool")
    module = _module()
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    env = dict(os.environ)

    def run(*args):
        subprocess.run(args, check=True, capture_output=True, env=env, timeout=60)

    run(softhsm, "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN)
    key, cert, _ = pkcs12.load_key_and_certificates(leader_identity.pkcs12, leader_identity.passphrase.encode())
    (folder / "key.der").write_bytes(key.private_bytes(serialization.Encoding.DER,
                                                       serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    (folder / "cert.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
    (folder / "ca.der").write_bytes(x509.load_pem_x509_certificate(demo_pki.ca_pem).public_bytes(
        serialization.Encoding.DER))
    login = ("--module", module, "--token-label", TOKEN, "--login", "--pin", PIN)
    run(tool, *login, "--write-object", str(folder / "key.der"), "--type", "privkey", "--id", "01",
        "--label", "lanhdao")
    run(tool, *login, "--write-object", str(folder / "cert.der"), "--type", "cert", "--id", "01",
        "--label", "lanhdao")
    run(tool, *login, "--write-object", str(folder / "ca.der"), "--type", "cert", "--id", "02", "--label", "ca")
    os.remove(folder / "key.der")
    try:
        yield module
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous


def test_sign_with_token_then_seal(token, sample_pdf, seal_key, demo_pki, leader_identity):
    from datetime import datetime

    with open_pkcs11(token, TOKEN, PIN, key_label="lanhdao") as key:
        assert key.subject_name == LEADER
        assert key.fingerprint_sha256 == leader_identity.fingerprint_sha256
        approved = sign_approval(sample_pdf.data, key, signer_name=LEADER)
        again = sign_approval(sample_pdf.data, key, signer_name=LEADER)  # the CMS template path, twice
    sealed = seal_issue(approved, seal_key, agency_name=AGENCY, notation=NOTATION,
                        signed_at=datetime.now(VIETNAM_TZ))
    report = validate_pdf(sealed, [demo_pki.root_pem])
    assert report.ok, report.summary
    assert [s.signer_name for s in report.signatures] == [LEADER, AGENCY]
    assert report.signatures[0].certificate_fingerprint == leader_identity.fingerprint_sha256
    assert validate_pdf(again, [demo_pki.root_pem]).ok


def test_wrong_pin(token):
    with pytest.raises(SigningError) as caught, open_pkcs11(token, TOKEN, "000000", key_label="lanhdao"):
        pass
    assert caught.value.code == "wrong_pin"
    assert caught.value.message == "Sai mã PIN của thiết bị ký số."


def test_unknown_token_and_key(token):
    with pytest.raises(SigningError) as caught, open_pkcs11(token, "KHONG-CO", PIN, key_label="lanhdao"):
        pass
    assert caught.value.code == "no_token"
    with pytest.raises(SigningError) as caught, open_pkcs11(token, TOKEN, PIN, key_label="khong-co"):
        pass
    assert caught.value.code == "no_key"


def test_missing_module():
    with pytest.raises(SigningError) as caught, open_pkcs11("/nonexistent/libpkcs11.so", TOKEN, PIN,
                                                          key_label="lanhdao"):
        pass
    assert caught.value.code in {"pkcs11_module", "pkcs11_error"}
