"""`congvan search …`: the search index.

    congvan search reindex [--full] [--batch 500]   rebuild every document's entry, batch by batch
    congvan search query TEXT --user USERNAME       search as a person (what the web page would show)
"""

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Chỉ mục tìm kiếm văn bản: dựng lại chỉ mục, tìm thử với quyền của một người dùng."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reindex = sub.add_parser("reindex", help="dựng lại chỉ mục của mọi văn bản (từng lô, bộ nhớ giới hạn)")
        reindex.add_argument("--full", action="store_true",
                             help="xóa hết chỉ mục trước khi dựng lại (tìm kiếm thiếu kết quả trong lúc chạy)")
        reindex.add_argument("--batch", type=int, default=500)
        reindex.add_argument("--no-progress", action="store_true")
        query = sub.add_parser("query", help="tìm với quyền của một người dùng")
        query.add_argument("text")
        query.add_argument("--user", required=True)
        query.add_argument("--limit", type=int, default=10)

    def handle(self, *args, action, **options):
        getattr(self, "do_" + action)(**options)

    def do_reindex(self, full, batch, no_progress, **_):
        from congvan.search import reindex

        stats = reindex.run(full=full, batch=max(batch, 1), progress=not no_progress)
        self.stdout.write(json.dumps(stats, ensure_ascii=False))

    def do_query(self, text, user, limit, **_):
        from congvan.directory.models import Person
        from congvan.search.service import search

        person = Person.objects.filter(user__username=user).first()
        if person is None:
            raise CommandError(f"Không có người dùng {user}.")
        results = search(person, text, per_page=limit)
        self.stdout.write(json.dumps({"total": results.total, "results": [
            {"document_id": h.document.pk, "notation": h.document.notation, "subject": h.document.subject,
             "score": h.score} for h in results.hits]}, ensure_ascii=False, indent=1))
