from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "congvan.audit"
    label = "audit"
    verbose_name = "Nhật ký"
