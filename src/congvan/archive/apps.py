from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "congvan.archive"
    label = "archive"
    verbose_name = "Số hóa"
