from django.contrib import admin

from .models import Notification, OutboxMessage, Preference


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: delivery is the dispatcher's record."""

    list_display = ["pk", "address", "created_at", "attempts", "sent_at", "failed_at"]
    list_filter = ["sent_at", "failed_at"]
    search_fields = ["address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["pk", "recipient", "kind", "case_reference", "created_at", "read_at", "email"]
    list_filter = ["kind", "email"]
    search_fields = ["case_reference", "recipient__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    """Read-only: a person sets their own on the preferences page."""

    list_display = ["user", "language"]
    search_fields = ["user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
