from django.core.management.base import BaseCommand, CommandError

from congvan.audit.services import verify


class Command(BaseCommand):
    help = "Nhật ký hệ thống: `congvan audit verify` kiểm tra chuỗi băm của toàn bộ nhật ký."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"Nhật ký toàn vẹn: đã kiểm tra {result.checked} mục."))
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(f"Nhật ký đã bị can thiệp: {len(result.problems)} lỗi trên {result.checked} mục.")
