"""viewflow's processes and tasks in the admin: read-only and need-to-know.

viewflow registers both with change and delete pages; a task's status, owner or data edited
there would change a case's course with no service and no audit event. The process moves
only through ``casework.services``; here it is only read, and only for cases the user may see.
"""

from django.contrib import admin
from viewflow.workflow.admin import ProcessAdmin, TaskAdmin
from viewflow.workflow.models import Process, Task

from violations import policy


def _visible_process_ids(request):
    return policy.visible_cases(request.user).filter(process__isnull=False).values("process_id")


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseProcessAdmin(_ReadOnly, ProcessAdmin):
    inlines = []  # the task inline would offer its own edits

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=_visible_process_ids(request))


class CaseTaskAdmin(_ReadOnly, TaskAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).filter(process_id__in=_visible_process_ids(request))


admin.site.unregister(Process)
admin.site.register(Process, CaseProcessAdmin)
admin.site.unregister(Task)
admin.site.register(Task, CaseTaskAdmin)
