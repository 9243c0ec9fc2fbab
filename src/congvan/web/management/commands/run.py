"""`congvan run`: everything on one machine (what `make run` starts): migrate, demo on first start,
then the web, worker and mail listener processes under one supervisor that stops them all on Ctrl+C."""

import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from congvan.directory.models import Agency


class Command(BaseCommand):
    help = "Chạy toàn bộ nền tảng trên một máy (web + xử lý nền), nạp tỉnh mẫu lần đầu."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_demo"] and not Agency.objects.exists():
            call_command("demo", "--documents")  # first start: the province, its people and a few documents
        elif not options["no_demo"]:
            call_command("demo")  # idempotent: prints the accounts again
        from congvan.exchange import identity

        if identity.self_node() is None:  # this installation's node on the exchange (its own hub until joined)
            from django.conf import settings
            from django.utils.text import slugify

            from congvan.text import fold

            call_command("exchange", "init", "--node", slugify(fold(settings.PROVINCE_NAME)) or "congvan")
        command = [sys.executable, "-m", "congvan.cli"]
        processes = [
            subprocess.Popen([*command, "serve", "--bind", options["bind"]]),
            subprocess.Popen([*command, "worker"]),
        ]
        from django.conf import settings

        if settings.MAIL_SMTP_LISTEN or settings.MAIL_LMTP_LISTEN:  # the agencies' mail (issue 5)
            processes.append(subprocess.Popen([*command, "smtpd"]))
        self.stdout.write(self.style.SUCCESS(f"Congvan đang chạy tại http://{options['bind']}/ (Ctrl+C để dừng)"))

        def stop(*_):
            for process in processes:
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for process in processes:
                process.wait(timeout=20)
