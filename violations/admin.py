"""Admin: read-only, need-to-know views of cases and of the audit trail; reference data with
its history.

The admin writes nothing itself: saves and deletes of reference data go through
``violations.services.reference`` so each lands on the system audit chain as a configuration
change, exactly as if made from a shell or the API.
"""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from deadlines.models import DeadlineRule, InstitutionDay, WorkingCalendar
from ledger.chain import SYSTEM_CHAIN
from ledger.models import AuditChain, AuditEvent

from . import audit, policy
from .models import Case, Department, Employee, Evidence, RetentionRule, ViolationCategory
from .services.reference import reference_delete, reference_save

# --- cases and evidence: read-only, need-to-know ----------------------------------------------
# The admin never changes a case (services do) and lists only what policy.visible_cases allows.
# The reporter identity vault is deliberately not registered.


class NeedToKnowReadOnlyAdmin(admin.ModelAdmin):
    case_path = "case"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        visible = policy.visible_cases(request.user)
        if self.case_path:
            return qs.filter(**{f"{self.case_path}__in": visible})
        return qs.filter(pk__in=visible.values("pk"))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if not (request.user.is_active and request.user.is_staff):
            return False
        if obj is None:
            return True
        case = obj if isinstance(obj, Case) else getattr(obj, "case", None)
        return case is not None and policy.can_view_case(request.user, case)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(NeedToKnowReadOnlyAdmin):
    case_path = ""
    list_display = ("reference", "title", "stage", "outcome", "severity", "reported_at")
    list_filter = ("stage", "outcome", "severity")
    search_fields = ("reference", "title")
    # Never the reporter: the admin is no way around policy.can_see_reporter.
    exclude = ("reported_by",)


@admin.register(Evidence)
class EvidenceAdmin(NeedToKnowReadOnlyAdmin):
    list_display = ("original_name", "case", "sha256", "collected_at", "download")
    search_fields = ("case__reference", "original_name", "sha256")
    # The stored file has no public URL; it leaves only through the audited download view.
    exclude = ("file",)
    readonly_fields = ("download",)

    @admin.display(description="file")
    def download(self, obj):
        url = reverse("violations:evidence_download", args=[obj.case.reference, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


# --- the audit trail: append-only, so read-only here too -------------------------------------


def may_read_system_chain(user) -> bool:
    """Configuration changes belong to no case: internal auditors and superusers read them."""
    return (
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.has_perm("violations.audit_cases"))
    )


@admin.register(AuditEvent)
class AuditEventAdmin(NeedToKnowReadOnlyAdmin):
    """A case's events are as confidential as the case: the same need-to-know rule applies."""

    case_path = ""
    list_display = ["occurred_at", "chain", "seq", "action", "actor_name"]
    list_filter = ["action"]
    search_fields = ["action", "actor_name", "chain__key"]
    list_select_related = ["chain"]
    fields = [
        "chain",
        "seq",
        "occurred_at",
        "actor",
        "actor_name",
        "action",
        "reason",
        "payload",
        "records",
        "prev_hash",
        "hash",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        shown = Q(chain__key__in=audit.chain_keys(policy.visible_cases(request.user)))
        if may_read_system_chain(request.user):
            shown |= Q(chain__key=SYSTEM_CHAIN)
        return qs.filter(shown)

    def has_view_permission(self, request, obj=None):
        if obj is None or not (request.user.is_active and request.user.is_staff):
            return super().has_view_permission(request, obj)
        return self.get_queryset(request).filter(pk=obj.pk).exists()


@admin.register(AuditChain)
class AuditChainAdmin(NeedToKnowReadOnlyAdmin):
    """Chain heads (what exports sign). Only for those who may read the whole trail."""

    case_path = ""
    list_display = ["key", "length", "head_hash"]
    search_fields = ["key"]
    fields = ["key", "length", "head_hash"]
    readonly_fields = fields

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request)

    def has_module_permission(self, request):
        return may_read_system_chain(request.user)

    def has_view_permission(self, request, obj=None):
        return may_read_system_chain(request.user)


# --- reference data: every change is a configuration-change event ----------------------------


class ConfigurationAdmin(SimpleHistoryAdmin):
    """Base for every reference-data admin (apps that add reference data use it too)."""

    def save_model(self, request, obj, form, change):
        reference_save(
            obj=obj,
            actor=request.user,
            changed_fields=list(form.changed_data) if form is not None else None,
        )

    def delete_model(self, request, obj):
        reference_delete(obj=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            reference_delete(obj=obj, actor=request.user)


# The name in each language (modeltranslation's admin: one field per language, each required);
# list and search show and find any of them.
NAME_IN_EVERY_LANGUAGE = ["name_en", "name_zh_hant", "name_zh_hans"]


@admin.register(Department)
class DepartmentAdmin(TranslationAdmin, ConfigurationAdmin):
    list_display = ["code", "name", "parent", "head"]
    search_fields = ["code", *NAME_IN_EVERY_LANGUAGE]
    list_select_related = ["parent", "head"]
    raw_id_fields = ["parent", "head"]


@admin.register(Employee)
class EmployeeAdmin(ConfigurationAdmin):
    list_display = ["staff_number", "name", "department", "position", "user"]
    list_filter = ["department"]
    search_fields = ["staff_number", "name", "user__username"]
    list_select_related = ["department", "user"]
    raw_id_fields = ["department", "line_manager", "user"]


@admin.register(ViolationCategory)
class ViolationCategoryAdmin(TranslationAdmin, ConfigurationAdmin):
    list_display = ["code", "name", "parent", "active"]
    list_filter = ["active"]
    search_fields = ["code", *NAME_IN_EVERY_LANGUAGE]
    raw_id_fields = ["parent"]


# --- deadlines and working-day calendars (reference data of the ``deadlines`` app) -------------


class InstitutionDayInline(admin.TabularInline):
    """Shown on its calendar; added, changed and deleted from its own page (audited)."""

    model = InstitutionDay
    fields = ["date", "kind", "name"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(ConfigurationAdmin):
    list_display = ["name", "country", "subdivision", "weekend", "is_default"]
    inlines = [InstitutionDayInline]


@admin.register(InstitutionDay)
class InstitutionDayAdmin(ConfigurationAdmin):
    list_display = ["date", "kind", "name", "calendar"]
    list_filter = ["kind", "calendar"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(ConfigurationAdmin):
    list_display = [
        "kind",
        "severity",
        "source",
        "amount",
        "basis",
        "calendar",
        "remind_before_hours",
        "manager_after_hours",
        "head_after_hours",
    ]
    list_filter = ["kind", "basis", "severity", "source"]
    list_select_related = ["calendar"]


# --- records after close: retention per category (reference data) ----------------------------


@admin.register(RetentionRule)
class RetentionRuleAdmin(ConfigurationAdmin):
    list_display = ["category", "years"]
    list_select_related = ["category"]
    raw_id_fields = ["category"]
