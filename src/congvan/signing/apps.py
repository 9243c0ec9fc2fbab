from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "congvan.signing"
    label = "signing"
    verbose_name = "Chữ ký số"
