from django.conf import settings
from django.core.management.base import BaseCommand

from congvan.directory.demo import PASSWORD, PROFILES, load_demo


class Command(BaseCommand):
    help = "Nạp tỉnh mẫu (Gia Lai) với các tài khoản thử nghiệm. Chạy lại không tạo trùng."

    def add_arguments(self, parser):
        parser.add_argument("--profile", choices=PROFILES, default="gialai",
                            help="dữ liệu mẫu của hệ thống khác (để thử liên thông): nghean, vpcp")
        parser.add_argument("--documents", action="store_true",
                            help="thêm văn bản mẫu đã ký số, phát hành và xử lý (khi chưa có văn bản nào)")

    def handle(self, *args, profile="gialai", documents=False, **options):
        accounts = load_demo(pki=True, profile=profile)
        from congvan.directory.demo import OTHER_PROFILES
        from congvan.mail.demo import ensure_dkim

        dkim_key = ensure_dkim(OTHER_PROFILES.get(profile, {}).get("domain", ""))
        self.stdout.write(self.style.SUCCESS(f"Đã nạp tỉnh mẫu. Mật khẩu mọi tài khoản: {PASSWORD}"))
        for username, name, what in accounts:
            self.stdout.write(f"  {username:<24} {name} ({what})")
        from congvan.signing.models import TrustAnchor
        from congvan.signing.services import DEMO_PASSPHRASE

        if TrustAnchor.objects.filter(is_demo=True, is_active=True).exists():
            self.stdout.write(f"Chữ ký số thử nghiệm: lãnh đạo ký, văn thư đóng dấu bằng chứng thư thử nghiệm; "
                              f"mật khẩu tệp khóa: {DEMO_PASSPHRASE}")
        if documents and profile == "gialai":
            from congvan.workflow.demo import load_documents

            issued = load_documents()
            if issued:
                self.stdout.write(f"Đã thêm {issued} văn bản mẫu (đã ký số, phát hành và đang xử lý).")
        if dkim_key is not None:
            self.stdout.write(f"Thư điện tử công vụ: địa chỉ trên miền {dkim_key.domain} (dành riêng cho thử nghiệm, "
                              f"RFC 2606); thư giữa các cơ quan mẫu nhận tại cổng {settings.MAIL_SMTP_LISTEN}.")
