"""Django admin of documents for the province operator: types and registers are editable (numbers are
not), documents and files are read-only (they change only through the workflow services)."""

from django.contrib import admin

from congvan.documents.models import Blob, Document, DocumentFile, DocumentType, Register
from congvan.web.admin_site import OperatorAdmin, ReadOnlyAdmin


@admin.register(DocumentType)
class DocumentTypeAdmin(OperatorAdmin):
    list_display = ["code", "name", "abbreviation", "agency", "is_normative", "is_active"]
    list_filter = ["is_normative", "is_active", ("agency", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "agency__name"]
    autocomplete_fields = ["agency"]


@admin.register(Register)
class RegisterAdmin(OperatorAdmin):
    list_display = ["name", "agency", "direction", "year", "is_secret", "last_number", "is_active"]
    list_filter = ["direction", "year", "is_secret", "is_active"]
    search_fields = ["name", "agency__name", "agency__code"]
    autocomplete_fields = ["agency"]
    filter_horizontal = ["document_types"]
    readonly_fields = ["last_number"]

    def get_readonly_fields(self, request, obj=None):
        # Once numbers were taken, the register's agency, direction and year are part of them.
        return ["last_number", "agency", "direction", "year"] if obj and obj.last_number else ["last_number"]


class DocumentFileInline(admin.TabularInline):
    model = DocumentFile
    extra = 0
    fields = ["name", "role", "content_type", "blob", "added_by", "added_at"]
    readonly_fields = fields
    can_delete = False

    def has_view_permission(self, request, obj=None):
        from congvan.web.admin_site import is_operator

        return is_operator(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["notation", "subject", "agency", "doc_type", "state", "secrecy", "issued_at"]
    list_filter = ["state", "secrecy", "urgency", "form", "doc_type"]
    search_fields = ["notation", "subject", "agency__name", "agency__code"]
    date_hierarchy = "created_at"
    list_select_related = ["agency", "doc_type"]
    inlines = [DocumentFileInline]


@admin.register(Blob)
class BlobAdmin(ReadOnlyAdmin):
    list_display = ["sha256", "size", "created_at"]
    search_fields = ["sha256"]
