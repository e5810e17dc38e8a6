from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from groundswell.accounts.models import AuditEvent, User


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ("username", "email", "role", "is_active", "last_login")
    fieldsets = (*UserAdmin.fieldsets, ("Role", {"fields": ("role",)}))
    # Roles and access change on the Staff page, whose services audit every change and keep
    # the campaign from losing its last admin; here they are shown, not edited.
    readonly_fields = ("is_staff", "is_superuser", "role", "is_active")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "actor", "action", "summary")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
