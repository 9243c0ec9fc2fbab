from django.core.management.base import BaseCommand

from congvan.directory.demo import PASSWORD, load_demo


class Command(BaseCommand):
    help = "Nạp tỉnh mẫu (Gia Lai) với các tài khoản thử nghiệm. Chạy lại không tạo trùng."

    def handle(self, *args, **options):
        accounts = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Đã nạp tỉnh mẫu. Mật khẩu mọi tài khoản: {PASSWORD}"))
        for username, name, what in accounts:
            self.stdout.write(f"  {username:<24} {name} ({what})")
