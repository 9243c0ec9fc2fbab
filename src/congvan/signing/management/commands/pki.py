"""`congvan pki …`: the trust store and the demo PKI.

    congvan pki demo [--force]          root → province CA → a certificate per demo leader and agency
    congvan pki trust FILE.pem [--intermediate] [--name NAME]
    congvan pki crl FILE.crl
    congvan pki list
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from congvan.errors import ServiceError
from congvan.signing import services
from congvan.signing.models import CrlFile, SigningCertificate, TrustAnchor


class Command(BaseCommand):
    help = "Kho chứng thư tin cậy và hạ tầng khóa công khai thử nghiệm (demo)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        demo = sub.add_parser("demo", help="Tạo hạ tầng thử nghiệm và cấp chứng thư cho lãnh đạo, cơ quan mẫu.")
        demo.add_argument("--force", action="store_true", help="Tạo lại dù kho chứng thư đã có.")
        demo.add_argument("--passphrase", default=services.DEMO_PASSPHRASE)
        trust = sub.add_parser("trust", help="Thêm chứng thư gốc hoặc trung gian vào kho tin cậy.")
        trust.add_argument("file")
        trust.add_argument("--intermediate", action="store_true")
        trust.add_argument("--name", default="")
        crl = sub.add_parser("crl", help="Nạp danh sách thu hồi chứng thư (CRL).")
        crl.add_argument("file")
        sub.add_parser("list", help="Liệt kê kho tin cậy và chứng thư đã đăng ký.")

    def handle(self, *args, **options):
        try:
            getattr(self, "do_" + options["action"])(options)
        except ServiceError as exc:
            raise CommandError(str(exc.message))

    def _read(self, name: str) -> bytes:
        try:
            return Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {name}: {exc.strerror}")

    def do_demo(self, options):
        result = services.load_demo_pki(options["passphrase"], force=options["force"])
        if result is None:
            self.stdout.write("Kho chứng thư tin cậy đã có; không tạo lại (dùng --force để tạo hạ tầng mới).")
            return
        self.stdout.write(self.style.SUCCESS("Đã tạo hạ tầng khóa công khai thử nghiệm."))
        self.stdout.write(f"  Gốc:      {result['root'].name} ({result['root'].fingerprint_sha256[:16]}…)")
        self.stdout.write(f"  Trung gian: {result['ca'].name}")
        for username, name, fingerprint in result["people"]:
            self.stdout.write(f"  {username:<24} {name} ({fingerprint[:16]}…)")
        for code, name, fingerprint in result["agencies"]:
            self.stdout.write(f"  {code:<24} {name} — chữ ký số cơ quan, văn thư dùng ({fingerprint[:16]}…)")
        self.stdout.write(self.style.WARNING(
            f"Mật khẩu mọi tệp khóa thử nghiệm: {result['passphrase']} — chỉ để thử, không dùng cho văn bản thật."))

    def do_trust(self, options):
        kind = TrustAnchor.Kind.INTERMEDIATE if options["intermediate"] else TrustAnchor.Kind.ROOT
        anchor = services.add_trust_anchor(None, self._read(options["file"]), name=options["name"], kind=kind)
        self.stdout.write(self.style.SUCCESS(f"Đã thêm vào kho tin cậy: {anchor.name} ({anchor.fingerprint_sha256})"))

    def do_crl(self, options):
        row = services.add_crl(None, self._read(options["file"]), name=Path(options["file"]).name)
        self.stdout.write(self.style.SUCCESS(f"Đã nạp CRL của {row.issuer}, cập nhật tiếp: {row.next_update}"))

    def do_list(self, options):
        self.stdout.write("Kho chứng thư tin cậy:")
        for anchor in TrustAnchor.objects.all():
            state = "" if anchor.is_active else " (không dùng)"
            self.stdout.write(f"  [{anchor.get_kind_display()}] {anchor.name}{state} — {anchor.fingerprint_sha256}")
        for crl in CrlFile.objects.all():
            self.stdout.write(f"  [CRL] {crl.issuer} — cập nhật tiếp {crl.next_update}")
        self.stdout.write("Chứng thư số đã đăng ký:")
        for cert in SigningCertificate.objects.select_related("person", "agency").filter(is_active=True):
            owner = f"cán bộ {cert.person}" if cert.person_id else f"cơ quan {cert.agency}"
            self.stdout.write(f"  {cert.common_name} — {owner}, {cert.get_key_source_display()}, "
                              f"hết hạn {cert.not_after:%d/%m/%Y}")
