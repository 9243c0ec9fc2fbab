"""`congvan pki demo`, `congvan demo` (which loads the demo PKI once), and `congvan sign verify FILE.pdf`."""

import io

import pytest
from django.core.management import call_command

from congvan.signing.models import SigningCertificate, TrustAnchor
from tests.conftest import make_pdf
from tests.signing import flow_helpers
from tests.signing.flow_helpers import PASSPHRASE, submitted, tamper

fast_demo_pki = flow_helpers.fast_demo_pki  # fixtures

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_pki_demo_loads_the_trust_store_and_certificates(demo, fast_demo_pki):
    code, out, _ = run("pki", "demo")
    assert code == 0
    assert "Mật khẩu mọi tệp khóa thử nghiệm: congvan" in out
    assert "lanhdao.ubndtinh" in out and "Phạm Anh Tuấn" in out
    assert TrustAnchor.objects.filter(is_demo=True).count() == 2
    leaders = SigningCertificate.objects.filter(person__user__username__startswith="lanhdao.")
    assert leaders.count() == 9
    assert SigningCertificate.objects.filter(agency__isnull=False).count() == 9
    # Again: nothing new.
    code, out, _ = run("pki", "demo")
    assert code == 0 and "đã có" in out
    assert SigningCertificate.objects.count() == 18
    code, out, _ = run("pki", "list")
    assert "Chứng thư gốc" in out and "Phạm Anh Tuấn" in out


def test_the_demo_command_signs_at_once_and_only_once(db, fast_demo_pki):
    code, out, _ = run("demo")
    assert code == 0 and "mật khẩu tệp khóa: congvan" in out
    assert TrustAnchor.objects.count() == 2 and SigningCertificate.objects.count() == 18
    run("demo")  # idempotent: the existing trust store is kept
    assert TrustAnchor.objects.count() == 2 and SigningCertificate.objects.count() == 18


def _signed_and_sealed(person) -> bytes:
    from congvan.documents import storage
    from congvan.workflow import outgoing

    doc = submitted(person)
    outgoing.approve(person("lanhdao.ubndtinh"), doc, passphrase=PASSPHRASE)
    doc = outgoing.issue(person("vanthu.ubndtinh"), doc, passphrase=PASSPHRASE)
    return storage.read_verified(doc.main_file.blob)


def test_sign_verify_on_a_signed_and_on_a_tampered_pdf(person, fast_demo_pki, tmp_path):
    run("pki", "demo")
    good = tmp_path / "van-ban.pdf"
    good.write_bytes(_signed_and_sealed(person))
    code, out, _ = run("sign", "verify", str(good))
    assert code == 0, out
    assert "2 chữ ký số — TẤT CẢ HỢP LỆ" in out
    assert "Hợp lệ — ký bởi Phạm Anh Tuấn" in out and "Hợp lệ — ký bởi Ủy ban nhân dân tỉnh Gia Lai" in out

    bad = tmp_path / "bi-sua.pdf"
    bad.write_bytes(tamper(good.read_bytes()))
    code, out, _ = run("sign", "verify", str(bad))
    assert code == 1
    assert "Không hợp lệ: nội dung đã bị thay đổi sau khi ký" in out

    code, out, _ = run("sign", "verify", "--json", str(good))
    assert code == 0 and '"ok": true' in out


def test_sign_verify_without_signatures_and_on_unreadable_files(db, tmp_path):
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(make_pdf())
    code, out, _ = run("sign", "verify", str(plain))
    assert code == 1 and "không có chữ ký số" in out

    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"PK\x03\x04 this is a zip file")
    code, out, _ = run("sign", "verify", str(fake))
    assert code == 2 and "không phải là PDF" in out

    truncated = tmp_path / "cut.pdf"
    truncated.write_bytes(make_pdf()[:400])
    code, out, _ = run("sign", "verify", str(truncated))
    assert code == 2

    code, _, err = run("sign", "verify", str(tmp_path / "missing.pdf"))
    assert code == 2 and "Không đọc được tệp" in err


def test_pki_trust_adds_a_root(db, tmp_path, demo_pki):
    root = tmp_path / "root.pem"
    root.write_bytes(demo_pki.root_pem)
    code, out, _ = run("pki", "trust", str(root), "--name", "Gốc thử")
    assert code == 0 and TrustAnchor.objects.get().name == "Gốc thử"
    with pytest.raises(Exception) as error:
        call_command("pki", "trust", str(tmp_path / "none.pem"))
    assert "Không đọc được tệp" in str(error.value)
