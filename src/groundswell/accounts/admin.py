from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from groundswell.accounts.models import AuditEvent, User


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ("username", "email", "role", "is_active", "last_login")
    fieldsets = (*UserAdmin.fieldsets, ("Role", {"fields": ("role",)}))
    readonly_fields = ("is_staff", "is_superuser")

    def save_model(self, request, obj, form, change):
        # Role changes made here are audited like those made in the staff UI.
        from groundswell.accounts.services import audit_record

        if change and "role" in form.changed_data:
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.ROLE_CHANGE,
                summary=f"{obj.username}: {form.initial.get('role')} → {obj.role}",
                target=obj,
                details={"from": form.initial.get("role"), "to": obj.role},
            )
        super().save_model(request, obj, form, change)


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
