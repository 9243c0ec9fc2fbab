"""`congvan serve`: the web process (gunicorn, static files by WhiteNoise)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy máy chủ web (giao diện, API, cổng công khai)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, **options):
        from gunicorn.app.wsgiapp import WSGIApplication

        argv = ["gunicorn", "congvan.wsgi:application", "--bind", options["bind"], "--workers",
                str(options["workers"]), "--threads", str(options["threads"]), "--access-logfile", "-",
                "--timeout", "120"]

        class App(WSGIApplication):
            def __init__(self):
                import sys

                sys.argv = argv
                super().__init__("%(prog)s [OPTIONS] [APP_MODULE]")

        App().run()
