"""Django admin of the directory for the province operator: agencies (with former codes and units),
people (with their roles) and delegations."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from congvan.directory.models import Agency, AgencyHistory, ApiToken, Delegation, Person, RoleGrant, Unit
from congvan.web.admin_site import OperatorAdmin, OperatorInline, ReadOnlyAdmin


class AgencyHistoryInline(OperatorInline, admin.TabularInline):
    model = AgencyHistory
    extra = 0


class UnitInline(OperatorInline, admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Agency)
class AgencyAdmin(OperatorAdmin):
    list_display = ["code", "name", "short_name", "level", "parent", "is_local", "is_active"]
    list_filter = ["level", "is_local", "is_active"]
    search_fields = ["code", "name", "short_name", "slug", "history__code"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [AgencyHistoryInline, UnitInline]


@admin.register(Unit)
class UnitAdmin(OperatorAdmin):
    list_display = ["name", "short_name", "agency"]
    list_filter = ["agency"]
    search_fields = ["name", "short_name", "agency__name"]
    autocomplete_fields = ["agency"]


class RoleGrantInline(OperatorInline, admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(Person)
class PersonAdmin(OperatorAdmin):
    list_display = ["full_name", "user", "agency", "unit", "position", "roles_text", "is_operator"]
    list_filter = ["is_operator", "role_grants__role", "agency"]
    search_fields = ["full_name", "user__username", "email", "agency__name"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["user"]
    list_select_related = ["agency", "unit", "user"]
    inlines = [RoleGrantInline]

    @admin.display(description=_("quyền"))
    def roles_text(self, obj):
        return ", ".join(sorted(g.get_role_display() for g in obj.role_grants.all()))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_grants")


@admin.register(Delegation)
class DelegationAdmin(OperatorAdmin):
    list_display = ["from_person", "to_person", "role", "starts_at", "ends_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["from_person__full_name", "to_person__full_name"]
    autocomplete_fields = ["from_person", "to_person"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["person", "created_at", "expires_at"]
    exclude = ["key_hash"]
    search_fields = ["person__full_name"]

    def has_delete_permission(self, request, obj=None):  # revoking a token is allowed
        return self._operator(request) or request.user.is_superuser
