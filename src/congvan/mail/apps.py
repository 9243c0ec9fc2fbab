from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "congvan.mail"
    label = "mail"
    verbose_name = "Thư điện tử công vụ"
    default_auto_field = "django.db.models.BigAutoField"
