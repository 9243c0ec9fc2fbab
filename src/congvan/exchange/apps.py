from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "congvan.exchange"
    verbose_name = "Liên thông văn bản"
    default_auto_field = "django.db.models.BigAutoField"
