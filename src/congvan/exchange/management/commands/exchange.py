"""`congvan exchange …`: set up this installation on the exchange and work with edXML packages.

    congvan exchange init --node NAME [--title T]          this installation's node name, key and certificate
    congvan exchange peer add NAME --cert FILE [--accept-unsigned] [--title T]   (on the hub) prints the token
    congvan exchange peer list
    congvan exchange join URL --token TOKEN [--name NAME]   connect to a hub (or, for a hub, to its upstream)
    congvan exchange certificate                           print this node's certificate (PEM)
    congvan exchange sync                                  publish and learn the directory now
    congvan exchange run [--once]                          the exchange loop alone (``congvan worker`` runs it too)
    congvan exchange status                                outbox, inbox and hub counts (JSON)
    congvan exchange pack DOCUMENT_ID [--recipient CODE] -o FILE.edxml
    congvan exchange unpack FILE.edxml                     validate a package, print its fields as JSON
"""

import json
import sys
import tempfile
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Liên thông văn bản: cấu hình nút, đăng ký hệ thống vào trục, đóng gói và kiểm tra gói tin edXML."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="tạo tên nút, khóa và chứng thư của hệ thống này")
        init.add_argument("--node", required=True)
        init.add_argument("--title", default="")
        peer = sub.add_parser("peer", help="(trên trục) quản lý các hệ thống kết nối vào")
        peer.add_argument("peer_action", choices=["add", "list", "unsigned"])
        peer.add_argument("name", nargs="?")
        peer.add_argument("--cert", help="tệp chứng thư PEM của hệ thống đó")
        peer.add_argument("--title", default="")
        peer.add_argument("--accept-unsigned", action="store_true")
        join = sub.add_parser("join", help="kết nối tới trục (hoặc trục cấp trên)")
        join.add_argument("url")
        join.add_argument("--token", required=True)
        join.add_argument("--name", default="hub")
        sub.add_parser("certificate")
        sub.add_parser("sync")
        run = sub.add_parser("run")
        run.add_argument("--once", action="store_true")
        sub.add_parser("status")
        pack = sub.add_parser("pack")
        pack.add_argument("document_id", type=int)
        pack.add_argument("--recipient", action="append", default=[])
        pack.add_argument("-o", "--output", required=True)
        unpack = sub.add_parser("unpack")
        unpack.add_argument("file")

    def handle(self, *args, action, **options):
        getattr(self, "do_" + action)(**options)

    def do_init(self, node, title, **_):
        from congvan.exchange import identity

        with transaction.atomic():
            me = identity.init_self(node, title)
        self.stdout.write(f"Nút {me.name}; chứng thư: congvan exchange certificate")

    def do_certificate(self, **_):
        from congvan.exchange import identity

        me = identity.self_node()
        if me is None:
            raise CommandError("Chưa khởi tạo nút: congvan exchange init --node TÊN")
        self.stdout.write(me.certificate)

    def do_peer(self, peer_action, name, cert, title, accept_unsigned, **_):
        from congvan.exchange import hub
        from congvan.exchange.models import Node

        if peer_action == "list":
            for node in Node.objects.exclude(kind=Node.Kind.SELF):
                self.stdout.write(f"{node.name}\t{node.kind}\t{node.title}\t"
                                  f"{'nhận gói không ký' if node.accept_unsigned else ''}")
            return
        if not name:
            raise CommandError("Cần tên nút.")
        if peer_action == "unsigned":
            from congvan.exchange.services import set_accept_unsigned

            node = Node.objects.exclude(kind=Node.Kind.SELF).filter(name=name).first()
            if node is None:
                raise CommandError(f"Không có nút {name}.")
            set_accept_unsigned(node, True)
            return
        if not cert:
            raise CommandError("Cần --cert TỆP.pem (chứng thư của hệ thống đăng ký).")
        with open(cert, encoding="ascii") as handle:
            pem = handle.read()
        with transaction.atomic():
            token = hub.register_peer(name, pem, title, accept_unsigned)
        self.stdout.write(token)

    def do_join(self, url, token, name, **_):
        from congvan.exchange.models import Node

        Node.objects.update_or_create(name=name, defaults={"kind": Node.Kind.HUB, "url": url, "token": token,
                                                           "is_active": True, "title": url})
        self.stdout.write(f"Đã cấu hình trục {url}.")

    def do_sync(self, **_):
        from congvan.exchange import client, directory

        hub_client = client.for_this_node()
        if hub_client is None:
            raise CommandError("Chưa cấu hình liên thông (congvan exchange init / join).")
        self.stdout.write(json.dumps(directory.sync(hub_client, client.upstream_client()), ensure_ascii=False))

    def do_run(self, once, **_):
        from congvan.exchange.runner import Runner

        runner = Runner()
        if once:
            self.stdout.write(str(runner.once()))
            return
        stop = threading.Event()
        try:
            runner.run(stop)
        except KeyboardInterrupt:
            stop.set()

    def do_status(self, **_):
        from congvan.exchange import selectors

        self.stdout.write(json.dumps(selectors.summary(), ensure_ascii=False, indent=2, default=str))

    def do_pack(self, document_id, recipient, output, **_):
        from congvan.directory.models import Agency
        from congvan.documents.models import Document
        from congvan.exchange import edxml, identity, packages

        document = Document.objects.select_related("agency", "doc_type").filter(pk=document_id).first()
        if document is None or not document.issued_at:
            raise CommandError(f"Không có văn bản đã phát hành số {document_id}.")
        if document.is_secret:
            raise CommandError("Văn bản mật không được gửi qua trục liên thông.")
        recipients = list(Agency.objects.filter(code__in=recipient)) if recipient else \
            list(document.recipients.filter(is_local=False)) or list(document.recipients.all())
        if recipient and len(recipients) != len(set(recipient)):
            raise CommandError("Mã định danh nơi nhận không có trong danh bạ: " + ", ".join(
                sorted(set(recipient) - {a.code for a in recipients})))
        with transaction.atomic(), open(output, "wb") as out:
            edxml.write_document(packages.document_package(document, recipients), out, signer=identity.signer())
        self.stdout.write(output)

    def do_unpack(self, file, **_):
        from congvan.exchange import edxml
        from congvan.exchange.fields import package_fields

        with tempfile.TemporaryDirectory() as spool:
            try:
                package = edxml.read_package(file, spool_dir=spool)
            except edxml.PackageError as exc:
                self.stderr.write(json.dumps({"error": {"code": exc.code, "message": exc.message}},
                                             ensure_ascii=False))
                sys.exit(1)
            self.stdout.write(json.dumps(package_fields(package), ensure_ascii=False, indent=2))
