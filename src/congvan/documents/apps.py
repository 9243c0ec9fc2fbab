from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "congvan.documents"
    label = "documents"
    verbose_name = "Văn bản"
