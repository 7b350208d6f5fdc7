from django.contrib import admin

from .models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """What the scheduler last did; read-only."""

    list_display = ["name", "last_started_at", "last_finished_at", "last_ok", "next_run_at", "runs"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
