from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from . import policy
from .models import Case, Evidence

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
