"""The audit chain in Django admin: read-only, for the operator to look entries up."""

from django.contrib import admin

from congvan.audit.models import AuditEntry
from congvan.web.admin_site import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor", "agency_code", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor", "agency_code", "action", "object_id"]
    date_hierarchy = "at"
    ordering = ["-seq"]

    def save_model(self, request, obj, form, change):  # never reached: no add/change permission
        raise RuntimeError("audit entries are append-only")
