"""`congvan smtpd`: the SMTP/LMTP listener for the agencies' official addresses (docs/mail.md)."""

import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Nhận thư điện tử gửi tới địa chỉ công vụ của các cơ quan (SMTP và LMTP), đưa vào hộp thư đến."

    def add_arguments(self, parser):
        parser.add_argument("--smtp", default=settings.MAIL_SMTP_LISTEN,
                            help="địa chỉ:cổng nghe SMTP (rỗng: không nghe SMTP)")
        parser.add_argument("--lmtp", default=settings.MAIL_LMTP_LISTEN,
                            help="địa chỉ:cổng nghe LMTP cho Postfix (rỗng: không nghe LMTP)")

    def handle(self, *args, smtp, lmtp, **options):
        from congvan.mail import listener

        if not smtp and not lmtp:
            self.stderr.write("Cần ít nhất một trong --smtp, --lmtp.")
            raise SystemExit(2)

        def ready(bound):
            for kind, host, port in bound:
                self.stdout.write(f"{kind.upper()} đang nghe tại {host}:{port}")
            self.stdout.flush()

        asyncio.run(listener.serve(smtp, lmtp, ready=ready))
