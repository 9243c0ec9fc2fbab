"""`congvan sign verify FILE.pdf`: the validation report of any PDF against this installation's trust store.

Exit code: 0 every signature valid, 1 not valid (or no signature), 2 the file could not be read."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


class Command(BaseCommand):
    help = "Kiểm tra chữ ký số trên tệp PDF (dùng kho chứng thư tin cậy của hệ thống)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="In kết quả kiểm tra chữ ký số của một tệp PDF.")
        verify.add_argument("file")
        verify.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, **options):
        sys.exit(self.verify(options["file"], as_json=options["json"]))

    def verify(self, name: str, *, as_json: bool = False) -> int:
        import json

        from congvan.signing import services, verify

        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            self.stderr.write(f"Không đọc được tệp {name}: {exc.strerror}")
            return EXIT_UNREADABLE
        try:
            report = services.validate_bytes(data)
        except Exception as exc:  # a hostile file gets a message, not a traceback
            self.stderr.write(f"Không đọc được tệp {name} như một tệp PDF: {exc}")
            return EXIT_UNREADABLE
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
        else:
            self.stdout.write(verify.format_report(report, name=Path(name).name))
        if report.error:  # not a PDF, broken, truncated, encrypted, too large
            return EXIT_UNREADABLE
        return EXIT_VALID if report.ok else EXIT_INVALID
