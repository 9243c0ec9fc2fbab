"""Addresses and mailboxes: the request → approval → provisioning flow, mail passwords in the scheme
Dovecot verifies, the files written for Dovecot and Postfix, and the public address book and its exports."""

import csv
import io
import subprocess

import pytest
from django.test import Client

from congvan.directory.models import Agency
from congvan.errors import Forbidden, ServiceError
from congvan.mail import passwords, provisioning, services
from congvan.mail.models import MailAlias, Mailbox, MailboxRequest, ProvisioningState
from tests.conftest import require_tool

pytestmark = pytest.mark.django_db


def files(settings) -> dict[str, str]:
    return {p.name: p.read_text() for p in settings.MAIL_PROVISION_DIR.iterdir() if not p.name.startswith(".")}


def test_demo_agencies_and_people_have_official_addresses(demo):
    assert Agency.objects.get(slug="ubndtinh").email == "ubndtinh@gialai.example"
    box = Mailbox.objects.get(address="ubndtinh@gialai.example")
    assert box.is_agency_mailbox and box.is_active
    assert Mailbox.objects.get(address="lanhdao.sonoivu@gialai.example").person.full_name == "Hồ Văn Điền"
    assert MailAlias.objects.get(address="vanthu@gialai.example").mailbox == box


def test_password_is_hashed_for_dovecot_and_only_the_owner_sets_it(demo, person):
    doveadm = require_tool("doveadm")
    officer = person("chuyenvien.sonoivu")
    box = Mailbox.objects.get(person=officer)
    services.set_password(officer, box, "Mật-khẩu-thư-2026", "Mật-khẩu-thư-2026")
    box.refresh_from_db()
    assert box.password_hash.startswith("{BLF-CRYPT}$2b$") and "Mật" not in box.password_hash
    assert passwords.verify("Mật-khẩu-thư-2026", box.password_hash)
    checked = subprocess.run([doveadm, "pw", "-t", box.password_hash, "-p", "Mật-khẩu-thư-2026"],
                             capture_output=True, text=True)
    assert checked.returncode == 0 and "(verified)" in checked.stdout
    with pytest.raises(Forbidden):
        services.set_password(person("vanthu.sonoivu"), box, "Mật-khẩu-khác-2026", "Mật-khẩu-khác-2026")
    with pytest.raises(ServiceError, match="ít nhất 10"):
        services.set_password(officer, box, "ngan", "ngan")
    with pytest.raises(ServiceError, match="không khớp"):
        services.set_password(officer, box, "Mật-khẩu-thư-2027", "Mật-khẩu-thư-2028")
    agency_box = Mailbox.objects.get(address="sonoivu@gialai.example")
    services.set_password(person("vanthu.sonoivu"), agency_box, "Hộp-thư-cơ-quan", "Hộp-thư-cơ-quan")  # its clerk
    with pytest.raises(Forbidden):
        services.set_password(officer, agency_box, "Hộp-thư-cơ-quan", "Hộp-thư-cơ-quan")


def test_provisioning_writes_dovecot_and_postfix_files_idempotently(demo, person, settings):
    officer = person("chuyenvien.sonoivu")
    services.set_password(officer, Mailbox.objects.get(person=officer), "Mật-khẩu-thư-2026", "Mật-khẩu-thư-2026")
    assert provisioning.pending() and provisioning.provision()
    written = files(settings)
    [line] = [x for x in written["dovecot-users"].splitlines() if not x.startswith("#")]
    address, hashed, *rest = line.split(":", 7)
    assert address == "chuyenvien.sonoivu@gialai.example" and hashed.startswith("{BLF-CRYPT}$2b$")
    assert rest[-1] == "userdb_quota_rule=*:storage=2048M"
    assert "gialai.example OK" in written["postfix-virtual-domains"]
    assert "ubndtinh@gialai.example gialai.example/ubndtinh/" in written["postfix-virtual-mailboxes"]
    assert "vanthu@gialai.example ubndtinh@gialai.example" in written["postfix-virtual-aliases"]
    assert "ubndtinh@gialai.example lmtp:inet:[127.0.0.1]:2424" in written["postfix-transport"]
    assert "bounces@gialai.example lmtp:inet:[127.0.0.1]:2424" in written["postfix-transport"]
    assert "vanthu.ubndtinh@gialai.example" not in written["postfix-transport"]  # persons: Dovecot only
    assert oct(settings.MAIL_PROVISION_DIR.joinpath("dovecot-users").stat().st_mode)[-3:] == "640"
    before = {p.name: p.stat().st_mtime_ns for p in settings.MAIL_PROVISION_DIR.iterdir()}
    assert not provisioning.pending() and not provisioning.provision()  # nothing changed: nothing written
    assert {p.name: p.stat().st_mtime_ns for p in settings.MAIL_PROVISION_DIR.iterdir()} == before
    assert provisioning.provision(force=True) and files(settings) == written  # same data, same files


def test_a_failing_hook_keeps_the_work_queued(demo, settings, tmp_path):
    settings.MAIL_PROVISION_HOOK = "echo postmap: fatal: open database >&2; exit 1"
    with pytest.raises(RuntimeError, match="postmap: fatal"):
        provisioning.provision()
    assert provisioning.pending() and "postmap" in ProvisioningState.current().last_error
    settings.MAIL_PROVISION_HOOK = f"touch {tmp_path}/reloaded"
    provisioning.provision(force=True)
    assert (tmp_path / "reloaded").exists() and not provisioning.pending()


def test_request_approval_then_provisioning_of_a_new_mailbox(demo, person, settings):
    clerk, operator = person("vanthu.soyte"), person("quantri")
    officer = person("chuyenvien2.soyte")
    Mailbox.objects.filter(person=officer).delete()
    request = services.request_mailbox(clerk, "new", person=officer, address="trinh.thi.yen@gialai.example",
                                       aliases="yen.tt@gialai.example", reason="Cán bộ mới")
    assert request.state == "pending"
    with pytest.raises(Forbidden):
        services.decide_request(clerk, request, True)
    with pytest.raises(ServiceError, match="đang chờ"):
        services.request_mailbox(clerk, "new", person=officer, address="yen2@gialai.example")
    services.decide_request(operator, request, True)
    box = Mailbox.objects.get(address="trinh.thi.yen@gialai.example")
    assert box.person == officer and box.aliases.get().address == "yen.tt@gialai.example"
    officer.refresh_from_db()
    assert officer.email == "trinh.thi.yen@gialai.example"
    provisioning.provision()
    assert "yen.tt@gialai.example trinh.thi.yen@gialai.example" in files(settings)["postfix-virtual-aliases"]


def test_change_keeps_the_old_address_as_alias_and_close_stops_it(demo, person, settings):
    clerk, operator = person("vanthu.soyte"), person("quantri")
    box = Mailbox.objects.get(address="soyte@gialai.example")
    services.decide_request(operator, services.request_mailbox(clerk, "change", mailbox=box,
                                                               address="syt@gialai.example"), True)
    box.refresh_from_db()
    assert box.address == "syt@gialai.example" and Agency.objects.get(slug="soyte").email == "syt@gialai.example"
    assert MailAlias.objects.get(address="soyte@gialai.example").mailbox == box
    services.decide_request(operator, services.request_mailbox(clerk, "close", mailbox=box, reason="Sáp nhập"), True)
    box.refresh_from_db()
    assert box.state == "closed"
    provisioning.provision()
    assert "syt@gialai.example" not in files(settings)["postfix-virtual-mailboxes"]
    assert "soyte@gialai.example" not in files(settings)["postfix-virtual-aliases"]


def test_requests_are_checked(demo, person):
    clerk = person("vanthu.soyte")
    with pytest.raises(ServiceError, match="Đã có hộp thư"):
        services.request_mailbox(clerk, "new", person=person("chuyenvien.soyte"))
    Mailbox.objects.filter(person=person("chuyenvien.soyte")).delete()
    with pytest.raises(ServiceError, match="tên miền"):
        services.request_mailbox(clerk, "new", person=person("chuyenvien.soyte"), address="x@gmail.com")
    with pytest.raises(ServiceError, match="đã được dùng"):
        services.request_mailbox(clerk, "new", person=person("chuyenvien.soyte"), address="ubndtinh@gialai.example")
    with pytest.raises(Forbidden):
        services.request_mailbox(person("chuyenvien.soyte"), "new", address="a@gialai.example")
    rejected = services.request_mailbox(clerk, "new", person=person("chuyenvien.soyte"))
    assert rejected.address == "chuyenvien.soyte@gialai.example"  # the suggested address
    with pytest.raises(ServiceError, match="lý do"):
        services.decide_request(person("quantri"), rejected, False)
    services.decide_request(person("quantri"), rejected, False, "Chưa có quyết định tuyển dụng")
    assert MailboxRequest.objects.get(pk=rejected.pk).state == "rejected"


def test_address_book_is_public_and_exports_csv_vcard_ldif(demo):
    page = Client().get("/so-dia-chi/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "ubndtinh@gialai.example" in html and "lanhdao.ubndtinh@gialai.example" in html  # a published leader
    assert "vanthu.ubndtinh@gialai.example" not in html  # not published by the agency
    assert "vanthu@gialai.example" in html  # the alias of the province's mailbox

    csv_file = Client().get("/so-dia-chi/?dinh-dang=csv")
    assert csv_file["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Loại", "Tên"]
    assert ["cơ quan", "Ủy ban nhân dân tỉnh Gia Lai"] == rows[[r[5] for r in rows].index("ubndtinh@gialai.example")][:2]

    vcard = Client().get("/so-dia-chi/?dinh-dang=vcf").content.decode()
    assert vcard.count("BEGIN:VCARD") == vcard.count("END:VCARD") > 9
    assert "FN:Hồ Văn Điền" in vcard and "EMAIL;TYPE=INTERNET,PREF:lanhdao.sonoivu@gialai.example" in vcard
    assert all(len(line.encode()) <= 75 for line in vcard.split("\r\n"))

    ldif = Client().get("/so-dia-chi/?dinh-dang=ldif").content.decode()
    assert ldif.startswith("version: 1\n")
    assert "dn: mail=ubndtinh@gialai.example,ou=sodiachi,dc=gialai,dc=example" in ldif
    import base64

    assert "cn:: " + base64.b64encode("Ủy ban nhân dân tỉnh Gia Lai".encode()).decode() in ldif

    searched = Client().get("/so-dia-chi/?q=noi+vu").content.decode()
    assert "sonoivu@gialai.example" in searched and "soyte@gialai.example" not in searched
