"""`congvan import-scans DIR --agency CODE`: import a folder of scanned archive files (docs/search.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Nhập một thư mục văn bản lưu trữ đã quét (PDF, PNG, JPEG, TIFF) thành văn bản giấy có bản quét; "
            "đọc metadata.csv bên cạnh nếu có; chạy lại để tiếp tục khi bị ngắt.")

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--agency", required=True, help="mã định danh của cơ quan lưu trữ")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, folder, agency, no_progress, **options):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from congvan.archive import importer
        from congvan.directory.models import Agency

        root = Path(folder)
        if not root.is_dir():
            raise CommandError(f"Không có thư mục {folder}.")
        owner = Agency.objects.filter(code=agency.strip().upper(), is_local=True).first()
        if owner is None:
            raise CommandError(f"Không có cơ quan mang mã định danh {agency} trên hệ thống này.")
        try:
            total = len(importer.files_in(root))
            importer.read_metadata(root)
        except importer.ImportError_ as exc:
            raise CommandError(str(exc))
        console = Console(stderr=True)
        columns = [TextColumn("[bold]Nhập bản quét"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   TextColumn("{task.fields[current]}")]
        with Progress(*columns, console=console, disable=no_progress) as bar:
            task = bar.add_task("import", total=total, current="")
            outcome, failures = importer.run(owner, root, progress=lambda name: bar.update(task, advance=1,
                                                                                            current=name[-40:]))
        for name, reason in failures:
            console.print(f"[red]Lỗi[/red] {name}: {reason}")
        self.stdout.write(f"Đã nhập {outcome.imported}, bỏ qua {outcome.skipped} (đã nhập trước), lỗi {outcome.failed}.")
        if outcome.failed:
            raise CommandError(f"{outcome.failed} tệp chưa nhập được; sửa rồi chạy lại lệnh để tiếp tục.",
                               returncode=2)
