from django.contrib import admin

from groundswell.donations import models


@admin.register(models.Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["received_at", "amount_cents", "processor", "processor_id", "status", "person"]
    list_filter = ["processor", "status", "is_recurring"]
    search_fields = ["processor_id", "order_number", "donor_email", "donor_family_name"]
    raw_id_fields = ["person"]


@admin.register(models.WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["received_at", "source", "status", "error", "remote_addr"]
    list_filter = ["source", "status"]
    raw_id_fields = ["contributions"]
