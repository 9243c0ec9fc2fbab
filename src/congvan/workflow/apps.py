from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "congvan.workflow"
    label = "workflow"
    verbose_name = "Xử lý văn bản"
