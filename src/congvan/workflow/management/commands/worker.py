"""`congvan worker`: the background worker (django-tasks database queue) and the daily scheduler."""

import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone


def schedule_daily(stop: threading.Event, interval: float = 60.0) -> None:
    """Enqueue the daily tasks once per calendar day (they are idempotent, so a restart is harmless)."""
    from congvan.reports.tasks import schedule as schedule_reports
    from congvan.workflow.tasks import remind_deadlines

    last_day = None
    while not stop.is_set():
        today = timezone.localdate()
        if today != last_day:
            remind_deadlines.enqueue()
        schedule_reports(new_day=today != last_day)  # usage reports: summary refresh, 1 December drafts
        last_day = today
        stop.wait(interval)


def exchange_loop(stop: threading.Event) -> None:
    """Send and receive edXML packages (issue 4) beside the task queue, in the same process."""
    from congvan.exchange.runner import Runner

    Runner().run(stop)


def mail_loop(stop: threading.Event) -> None:
    """Official e-mail (issue 5): provisioning, the mail outbox, IMAP polling."""
    from congvan.mail import runner

    runner.run(stop)


class Command(BaseCommand):
    help = ("Chạy tiến trình xử lý nền: hàng đợi tác vụ, liên thông văn bản, thư điện tử (gửi, lấy thư IMAP, "
            "cấp hộp thư) và nhắc hạn xử lý hằng ngày.")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="giây giữa hai lần kiểm tra hàng đợi")

    def handle(self, *args, **options):
        stop = threading.Event()
        scheduler = threading.Thread(target=schedule_daily, args=(stop,), daemon=True, name="scheduler")
        scheduler.start()
        threading.Thread(target=exchange_loop, args=(stop,), daemon=True, name="exchange").start()
        threading.Thread(target=mail_loop, args=(stop,), daemon=True, name="mail").start()
        try:
            call_command("db_worker", interval=options["interval"], reload=False, startup_delay=False)
        finally:
            stop.set()
            time.sleep(0)
