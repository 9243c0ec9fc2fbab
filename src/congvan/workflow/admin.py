"""Django admin of the workflow for the province operator: the working calendar is editable; deliveries,
incoming items and their history are read-only (they change only through the services)."""

from django.contrib import admin

from congvan.web.admin_site import OperatorAdmin, ReadOnlyAdmin
from congvan.workflow.models import (
    CalendarDay,
    Delivery,
    DeliveryStatus,
    Distribution,
    IncomingItem,
    LeaderNote,
    Notification,
)


@admin.register(CalendarDay)
class CalendarDayAdmin(OperatorAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        from congvan.web.admin_site import is_operator

        return is_operator(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeliveryStatusInline(ReadOnlyInline):
    model = DeliveryStatus
    fields = ["code", "at", "by_name", "note"]
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["document", "recipient", "channel", "status", "updated_at"]
    list_filter = ["channel", "status"]
    search_fields = ["document__notation", "recipient__name", "recipient__code"]
    list_select_related = ["document", "recipient"]
    inlines = [DeliveryStatusInline]


class DistributionInline(ReadOnlyInline):
    model = Distribution
    fields = ["person", "role", "by", "at", "opened_at", "active", "note"]
    readonly_fields = fields


class LeaderNoteInline(ReadOnlyInline):
    model = LeaderNote
    fields = ["author", "at", "text"]
    readonly_fields = fields


@admin.register(IncomingItem)
class IncomingItemAdmin(ReadOnlyAdmin):
    list_display = ["document", "agency", "state", "arrival_number", "arrived_at", "due_date"]
    list_filter = ["state", "revocation_pending"]
    search_fields = ["document__notation", "document__subject", "agency__name"]
    list_select_related = ["document", "agency"]
    inlines = [DistributionInline, LeaderNoteInline]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["person", "text", "created_at", "read_at"]
    search_fields = ["person__full_name", "text"]
    list_select_related = ["person"]
