"""Admin: licence types are edited here; licences, keys and usage are read-only (every
change to them goes through the services, which seal and audit)."""

from django.contrib import admin

from .models import Licence, LicenceAnnotation, LicenceShare, LicenceType, LicenceUsage, SigningKey
from .services import masked_holder_code


@admin.register(LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "holder_kind", "validity_months", "is_active"]
    list_filter = ["holder_kind", "is_active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["issuers"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ["name", "number", "holder_name", "masked_holder_code", "issuer_name",
                    "issue_date", "valid_until", "status"]
    list_filter = ["status", "origin", "type_code"]
    search_fields = ["identifier", "number"]
    exclude = ["holder_code"]
    show_full_result_count = False

    @admin.display(description="持证主体代码")
    def masked_holder_code(self, obj):
        return masked_holder_code(obj.holder_code_type, obj.holder_code)


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["kid", "organisation", "algorithm", "created_at", "retired_at"]
    list_filter = ["algorithm"]
    exclude = ["private_key_sealed"]


@admin.register(LicenceAnnotation)
class LicenceAnnotationAdmin(ReadOnlyAdmin):
    list_display = ["licence", "seq", "text", "annotation_date"]


@admin.register(LicenceShare)
class LicenceShareAdmin(ReadOnlyAdmin):
    list_display = ["licence", "purpose", "created_at", "expires_at", "revoked_at", "view_count"]
    exclude = ["token_hash"]


@admin.register(LicenceUsage)
class LicenceUsageAdmin(ReadOnlyAdmin):
    list_display = ["licence", "kind", "used_at", "user_label", "purpose"]
    list_filter = ["kind"]
    show_full_result_count = False
