from django.contrib import admin

from groundswell.people import models


class EmailInline(admin.TabularInline):
    model = models.EmailAddress
    extra = 0


class PhoneInline(admin.TabularInline):
    model = models.Phone
    extra = 0


class AddressInline(admin.StackedInline):
    model = models.PostalAddress
    extra = 0


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("id", "given_name", "family_name", "primary_email", "state", "created_at")
    search_fields = ("primary_email", "family_key")
    show_full_result_count = False
    inlines = [EmailInline, PhoneInline, AddressInline]
    raw_id_fields = ("merged_into",)


@admin.register(models.ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "original_name",
        "status",
        "processed_rows",
        "rejected_count",
        "created_at",
    )


admin.site.register(models.Tag)
admin.site.register(models.MergeRecord)
