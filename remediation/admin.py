"""Remediation records in the admin: read-only and need-to-know, like the case itself.

Every write goes through ``remediation.services`` (the case page and the task views), so the
admin can never skip a permission, a segregation-of-duties rule or the audit trail.
"""

from django.contrib import admin

from violations import policy
from violations.admin import NeedToKnowReadOnlyAdmin

from .models import (
    ComplaintExtension,
    CorrectiveAction,
    CustomerFeedback,
    EffectivenessReview,
    RegulatorNotification,
    RootCause,
    TrainingSession,
)


@admin.register(RootCause)
class RootCauseAdmin(NeedToKnowReadOnlyAdmin):
    list_display = ("case", "round", "category", "description")
    list_filter = ("category",)
    search_fields = ("case__reference", "description")


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(NeedToKnowReadOnlyAdmin):
    list_display = ("case", "round", "kind", "owner", "due_date", "status", "completed_at")
    list_filter = ("status", "kind")
    search_fields = ("case__reference", "description")


@admin.register(CustomerFeedback)
class CustomerFeedbackAdmin(NeedToKnowReadOnlyAdmin):
    list_display = ("case", "channel", "notified_at", "compensation", "satisfaction")


@admin.register(ComplaintExtension)
class ComplaintExtensionAdmin(NeedToKnowReadOnlyAdmin):
    list_display = ("case", "limit_days", "extended_by", "extended_at")


@admin.register(RegulatorNotification)
class RegulatorNotificationAdmin(NeedToKnowReadOnlyAdmin):
    list_display = ("case", "regulator", "reference_number", "notified_at")


@admin.register(EffectivenessReview)
class EffectivenessReviewAdmin(NeedToKnowReadOnlyAdmin):
    list_display = ("case", "round", "verdict", "reviewer", "reviewed_at")
    list_filter = ("verdict",)


@admin.register(TrainingSession)
class TrainingSessionAdmin(NeedToKnowReadOnlyAdmin):
    """A session may answer several cases; it is shown if any of them may be seen."""

    case_path = "cases"
    list_display = ("held_on", "topic", "trainer")
    search_fields = ("topic", "trainer", "cases__reference")

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    def has_view_permission(self, request, obj=None):
        if not (request.user.is_active and request.user.is_staff):
            return False
        if obj is None:
            return True
        return policy.visible_cases(request.user).filter(training_sessions=obj).exists()
