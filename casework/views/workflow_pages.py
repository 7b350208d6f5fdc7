"""Viewflow's own process pages, limited to the cases the user may see.

Viewflow lists every process and task of a flow to anyone who may view the flow at all; these
classes narrow the process list and the dashboard to ``policy.visible_cases`` (the one
need-to-know rule), and the per-process chart answers like the process page. Inbox, queue,
archive and the task list are in ``violations.viewsets``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from viewflow.workflow.flow import views as flow_views

from violations import policy


def _visible_process_ids(user):
    return policy.visible_cases(user).filter(process__isnull=False).values("process_id")


class VisibleDashboardMixin:
    """For a ``DashboardView``: every kanban column and the finished row, narrowed to visible
    cases (viewflow fills them from every process of the flow)."""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        visible = _visible_process_ids(self.request.user)
        for column in ctx["columns"]:
            column["tasks"] = self._narrow(column["tasks"], visible)
        ctx["finished"] = self._narrow(ctx["finished"], visible)
        return ctx

    def _narrow(self, sliced, visible):
        # The parent sliced its querysets already; rebuild the same query without the slice.
        qs = sliced._chain()
        qs.query.clear_limits()
        return qs.filter(process_id__in=visible)[: self.MAX_ROWS]


class CaseProcessListView(flow_views.DashboardProcessListView):
    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(pk__in=_visible_process_ids(self.request.user))
            .order_by("-created")
        )


class CaseChartView(flow_views.FlowChartView):
    """The bare flow chart is public to users of the flow; a process's chart shows how far the
    case got, so it needs sight of that case."""

    def dispatch(self, request, *args, **kwargs):
        process_pk = kwargs.get("process_pk")
        if (
            process_pk is not None
            and not policy.visible_cases(request.user).filter(process_id=process_pk).exists()
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
