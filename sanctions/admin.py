"""Reference data in the admin: catalogue, severity grades, matrix and violation categories.

Saves go through ``reference_save`` (history with user and reason, and an audit event);
nothing is deleted: rows are deactivated or changed, so old cases keep their meaning.
"""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import MatrixRule, SanctionKind, SeverityGrade


class ReferenceAdmin(SimpleHistoryAdmin):
    def save_model(self, request, obj, form, change):
        services.reference_save(
            obj=obj,
            actor=request.user,
            changed_fields=list(form.changed_data),
            reason=f"admin: {'change' if change else 'add'}",
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SanctionKind)
class SanctionKindAdmin(TranslationAdmin, ReferenceAdmin):
    list_display = [
        "grade",
        "code",
        "name",
        "record_months",
        "executing_department",
        "approval_level",
        "approvers_required",
        "active",
    ]
    list_editable = []
    ordering = ["grade"]


@admin.register(SeverityGrade)
class SeverityGradeAdmin(TranslationAdmin, ReferenceAdmin):
    list_display = [
        "rank",
        "code",
        "name",
        "default_lightest",
        "default_gravest",
        "default_recommended",
    ]


@admin.register(MatrixRule)
class MatrixRuleAdmin(ReferenceAdmin):
    list_display = ["category", "severity", "lightest", "recommended", "gravest"]
    list_filter = ["severity", "category"]
