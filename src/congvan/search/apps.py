from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "congvan.search"
    label = "search"
    verbose_name = "Tìm kiếm"

    def ready(self):
        from django.db.backends.signals import connection_created

        from congvan.search import signals
        from congvan.search.backends import sqlite

        connection_created.connect(sqlite.register_functions)
        signals.connect()
