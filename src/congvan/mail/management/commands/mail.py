"""`congvan mail …`: the operator's side of official e-mail (docs/mail.md).

    congvan mail dkim create DOMAIN [--selector S] [--bits 2048]   a DKIM key; prints the DNS TXT record
    congvan mail dkim list                                         keys and their DNS records
    congvan mail provision [--force]                               write Dovecot/Postfix files now (+ hook)
    congvan mail imap add AGENCY --host H [--port 993] [--security ssl|starttls|none] --user U
                          [--password-env VAR] [--folder INBOX]    poll an existing mailbox for AGENCY
    congvan mail imap list
    congvan mail poll                                              poll every IMAP mailbox now
    congvan mail send                                              send what waits in the mail outbox now
    congvan mail status                                            counts (JSON)
"""

import json
import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from congvan.errors import ServiceError


class Command(BaseCommand):
    help = "Thư điện tử công vụ: khóa DKIM, cấp hộp thư cho máy chủ thư, hộp thư IMAP, gửi và lấy thư ngay."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        dkim = sub.add_parser("dkim", help="khóa DKIM của tên miền")
        dkim.add_argument("dkim_action", choices=["create", "list"])
        dkim.add_argument("domain", nargs="?")
        dkim.add_argument("--selector", default="")
        dkim.add_argument("--bits", type=int, default=2048)
        provision = sub.add_parser("provision", help="ghi tệp cấu hình hộp thư cho Dovecot, Postfix")
        provision.add_argument("--force", action="store_true")
        imap = sub.add_parser("imap", help="hộp thư IMAP lấy thư cho cơ quan")
        imap.add_argument("imap_action", choices=["add", "list"])
        imap.add_argument("agency", nargs="?", help="mã định danh hoặc tên ngắn của cơ quan")
        imap.add_argument("--host")
        imap.add_argument("--port", type=int, default=993)
        imap.add_argument("--security", choices=["ssl", "starttls", "none"], default="ssl")
        imap.add_argument("--user")
        imap.add_argument("--password-env", default="CONGVAN_IMAP_PASSWORD",
                          help="biến môi trường chứa mật khẩu (không ghi mật khẩu trên dòng lệnh)")
        imap.add_argument("--folder", default="INBOX")
        sub.add_parser("poll")
        sub.add_parser("send")
        sub.add_parser("status")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "do_" + action)(**options)
        except ServiceError as exc:
            raise CommandError(str(exc.message))

    def do_dkim(self, dkim_action, domain, selector, bits, **_):
        from congvan.mail import dkim
        from congvan.mail.models import DkimKey

        if dkim_action == "create":
            if not domain:
                raise CommandError("Cần tên miền: congvan mail dkim create gialai.gov.vn")
            key = dkim.create_key(domain, selector, bits)
            self.stdout.write(f"; Thêm bản ghi sau vào vùng DNS của {key.domain}:")
            self.stdout.write(dkim.dns_record(key))
            return
        for key in DkimKey.objects.all():
            self.stdout.write(f"; {key.domain} selector {key.selector} {'(đang dùng)' if key.is_active else ''}")
            self.stdout.write(dkim.dns_record(key))

    def do_provision(self, force, **_):
        from congvan.mail import provisioning
        from congvan.mail.models import ProvisioningState

        try:
            written = provisioning.provision(force=force)
        except Exception as exc:  # noqa: BLE001
            raise CommandError(f"Cấp hộp thư không thành công: {exc}")
        state = ProvisioningState.current()
        self.stdout.write(f"{'Đã ghi' if written else 'Không có thay đổi'}: thế hệ {state.provisioned_generation}, "
                          f"thư mục {provisioning.settings.MAIL_PROVISION_DIR}")

    def do_imap(self, imap_action, agency, host, port, security, user, password_env, folder, **_):
        from congvan.directory.models import Agency
        from congvan.mail import selectors, services
        from congvan.mail.models import ImapAccount

        if imap_action == "list":
            for account in selectors.imap_accounts():
                self.stdout.write(f"{account.pk}\t{account.agency.code}\t{account}\tUIDVALIDITY={account.uidvalidity}"
                                  f"\tUID={account.last_uid}\t{account.last_error}")
            return
        target = Agency.objects.filter(Q(code=(agency or "").upper()) | Q(slug=agency or ""), is_local=True).first()
        if target is None or not host or not user:
            raise CommandError("Cần cơ quan (mã hoặc tên ngắn), --host và --user.")
        password = os.environ.get(password_env, "")
        if not password:
            raise CommandError(f"Đặt mật khẩu trong biến môi trường {password_env}.")
        operator = _operator()
        existing = ImapAccount.objects.filter(agency=target, host=host, username=user, folder=folder).first()
        account = services.save_imap_account(operator, target, host=host, port=port, security=security,
                                             username=user, password=password, folder=folder, account=existing)
        self.stdout.write(f"Hộp thư IMAP {account} lấy thư cho {target.name} (số {account.pk}).")

    def do_poll(self, **_):
        from congvan.mail import imap

        self.stdout.write(f"Đã lấy {imap.poll_due(now=_far_future())} thư.")

    def do_send(self, **_):
        from congvan.mail import outbox, transport

        self.stdout.write(f"Đã gửi {outbox.drain(transport.transport(), limit=1000)} thư.")

    def do_status(self, **_):
        from congvan.mail import selectors

        summary = selectors.summary()
        state = summary.pop("provisioning")
        summary["provisioning"] = {"generation": state.generation, "provisioned": state.provisioned_generation,
                                   "error": state.last_error}
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=2, default=str)
        self.stdout.write("")


def _operator():
    """The CLI acts as the province operator (the first one), like the web page would."""
    from congvan.directory.models import Person

    operator = Person.objects.filter(is_operator=True).first()
    if operator is None:
        raise CommandError("Chưa có quản trị toàn tỉnh (Person.is_operator).")
    return operator


def _far_future():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(days=36500)
