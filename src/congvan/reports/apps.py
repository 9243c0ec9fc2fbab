from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "congvan.reports"
    verbose_name = "Báo cáo sử dụng văn bản điện tử"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congvan.reports import signals

        signals.connect()
