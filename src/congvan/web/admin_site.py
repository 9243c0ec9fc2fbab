"""Django admin for the province operator (Person.is_operator) and superusers.

The operator manages the directory and the calendar through Django admin without being made a Django
superuser: ``OperatorAdmin`` grants them the model permissions, and the default site lets them in.
Every save and delete through the admin is written to the audit chain in the admin's own transaction;
documents, deliveries and the audit log are read-only here (they change only through the services).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from congvan import audit


def is_operator(user) -> bool:
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    return bool(person and person.is_operator)


def _site_permission(request) -> bool:
    user = request.user
    return user.is_active and (user.is_staff or is_operator(user))


admin.site.has_permission = _site_permission
admin.site.site_header = _("Congvan — quản trị hệ thống")
admin.site.site_title = "Congvan"
admin.site.index_title = _("Quản trị toàn tỉnh")


class OperatorAdmin(admin.ModelAdmin):
    """Model permissions for the operator; changes recorded in the audit chain."""

    def _operator(self, request) -> bool:
        return request.user.is_active and is_operator(request.user)

    def has_module_permission(self, request):
        return self._operator(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._operator(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._operator(request) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._operator(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._operator(request) or super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(f"admin.{'change' if change else 'add'}", actor=request.user, obj=obj,
                     fields=sorted(form.changed_data), text=str(obj)[:200])

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        parent = form.instance
        for obj in formset.new_objects:
            audit.record("admin.add", actor=request.user, obj=obj, parent=str(parent)[:200], text=str(obj)[:200])
        for obj, fields in formset.changed_objects:
            audit.record("admin.change", actor=request.user, obj=obj, fields=sorted(fields), text=str(obj)[:200])
        for obj in formset.deleted_objects:
            audit.record("admin.delete", actor=request.user, parent=str(parent)[:200],
                         object=obj._meta.model_name, text=str(obj)[:200])

    def delete_model(self, request, obj):
        audit.record("admin.delete", actor=request.user, obj=obj, text=str(obj)[:200])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record("admin.delete", actor=request.user, obj=obj, text=str(obj)[:200])
        super().delete_queryset(request, queryset)


class OperatorInline:
    """Inline rows follow the parent's permissions for the operator."""

    def _operator(self, request) -> bool:
        return request.user.is_active and is_operator(request.user)

    def has_view_permission(self, request, obj=None):
        return self._operator(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._operator(request) or super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._operator(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._operator(request) or super().has_delete_permission(request, obj)


class ReadOnlyAdmin(OperatorAdmin):
    """Shown for inspection only: these rows change through the services, never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
