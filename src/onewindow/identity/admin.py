"""Django admin for system administrators: accounts, organisations, roles. Sensitive
fields are shown masked in lists; writes of people go through the services."""

from django.contrib import admin
from django.utils import timezone

from onewindow.common.redaction import mask_id_number, mask_phone

from . import services
from .models import (
    Account,
    AgentAuthorization,
    ApiToken,
    LegalPerson,
    NaturalPerson,
    Organisation,
    RoleAssignment,
    Window,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region_code", "level", "credit_code", "parent", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "credit_code", "region_code"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Keep the materialised path right when an organisation is created or moved here.
        prefix = obj.parent.path if obj.parent_id else "/"
        path = f"{prefix}{obj.pk}/"
        if obj.path != path:
            old = obj.path
            Organisation.objects.filter(pk=obj.pk).update(path=path)
            if old:
                for child in Organisation.objects.filter(path__startswith=old).exclude(pk=obj.pk):
                    Organisation.objects.filter(pk=child.pk).update(
                        path=path + child.path[len(old):]
                    )


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "centre", "domain", "is_active"]
    list_filter = ["centre", "is_active"]


@admin.register(NaturalPerson)
class NaturalPersonAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id_number", "masked_phone", "created_at"]
    search_fields = ["name", "=id_number", "=phone"]

    @admin.display(description="身份证号码")
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description="手机号码")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(LegalPerson)
class LegalPersonAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "kind", "legal_representative"]
    search_fields = ["name", "=credit_code"]


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["username", "kind", "display_name", "organisation", "is_active", "locked_until"]
    list_filter = ["kind", "is_active"]
    search_fields = ["username", "display_name"]
    exclude = ["password", "user_permissions", "groups", "last_login"]
    readonly_fields = ["failed_logins", "locked_until", "date_joined"]
    raw_id_fields = ["person"]
    inlines = [RoleInline]
    actions = ["unlock"]

    @admin.action(description="解除所选账户的登录锁定")
    def unlock(self, request, queryset):
        for account in queryset:
            services.account_unlock(actor=request.user, account=account, now=timezone.now())


@admin.register(AgentAuthorization)
class AgentAuthorizationAdmin(admin.ModelAdmin):
    list_display = ["account", "legal_person", "granted_at", "valid_until", "revoked_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["account", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["account", "key_hash", "prefix", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
