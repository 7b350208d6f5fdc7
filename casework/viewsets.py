"""The case process in viewflow's Material frontend: inbox, queue, archive, dashboard.

Viewflow's own list views load each row's process, case and owner with one query per row,
and offer every task whose permission a user holds, whoever they are on the case. These
subclasses fix both: every list is a fixed number of queries whatever its length, and the
queue offers a task only to a user whom :func:`casework.eligibility.require_task_eligible`
would let claim it (the claim service still checks; the queue only stops offering what
would be refused).
"""

from __future__ import annotations

from functools import cached_property

from django.db import models
from django.db.models import Q, Value, When
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters import ChoiceFilter, DateRangeFilter, FilterSet
from viewflow.utils import viewprop
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow import FlowAppViewset
from viewflow.workflow.flow.views import (
    DashboardTaskListView,
    DashboardView,
    FlowArchiveListView,
    FlowInboxListView,
    FlowQueueListView,
)
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from violations import policy
from violations.models import ClockState

from .deadlines import clock_of_task, open_clocks_by_case
from .eligibility import eligible_queue
from .views.case import ProcessCancelRedirectView
from .views.workflow_pages import VisibleDashboardMixin

# What a task row shows: its process, the case, and who holds it, in the row's own query.
ROW_RELATED = ("process", "process__case", "owner")


# --- the lists ---------------------------------------------------------------------------------


def _human_task_choices(flow_class):
    return [
        (get_task_ref(node), str(node.task_title or node.name))
        for node in flow_class.instance.nodes()
        if node.task_type == "HUMAN"
    ]


class _TaskFilter(FilterSet):
    """Viewflow's filter without its process drop-down (one option per case in the list)
    and with the step choices taken from the flow instead of a DISTINCT over the list."""

    flow_task = ChoiceFilter(label=_("Step"))
    created = DateRangeFilter(label=_("Created"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .flows import CaseFlow  # the flow imports the task pages

        self.filters["flow_task"].field.choices = _human_task_choices(CaseFlow)

    class Meta:
        model = Task
        fields = ("flow_task", "created")


class _ArchiveFilter(_TaskFilter):
    finished = DateRangeFilter(label=_("Finished"))

    class Meta:
        model = Task
        fields = ("flow_task", "created", "finished")


class CaseColumnsMixin:
    """Case reference, title and stage beside each task, from the row's own query."""

    def case_reference(self, task):
        case = getattr(task.process, "case", None)
        return case.reference if case else ""

    case_reference.short_description = _("Case")

    def case_title(self, task):
        case = getattr(task.process, "case", None)
        return case.title if case else ""

    case_title.short_description = _("Title")

    def case_stage(self, task):
        case = getattr(task.process, "case", None)
        return case.get_stage_display() if case else ""

    case_stage.short_description = _("Stage")

    def task_title(self, task):
        return task.title

    @cached_property
    def _open_clocks(self):
        # One query for the whole list (the tasks' cases), not one per row.
        case_ids = self.queryset.filter(process__case__isnull=False).values_list(
            "process__case", flat=True
        )
        return open_clocks_by_case(case_ids)

    def task_due(self, task):
        case = getattr(task.process, "case", None)
        clock = clock_of_task(task, case, self._open_clocks.get(case.pk, [])) if case else None
        if clock is None:
            return "—"
        if clock.state == ClockState.PAUSED:
            return format_html('<span class="badge">{}</span>', _("Paused"))
        return render_to_string("violations/_due_cell.html", {"due": clock.due_at})

    task_due.short_description = _("Due")

    task_title.short_description = _("Task")

    def task_id(self, task):
        url = task.flow_task.reverse("index", args=[task.process_id, task.pk])
        return format_html('<a href="{}">#{}/{}</a>', url, task.process_id, task.pk)

    task_id.short_description = _("#")


class SightMixin:
    """A task list shows a case's title and stage only where ``policy.visible_cases`` lets
    the user see the case (a lead still to declare holds a task of a case they may not see
    yet; "Done by me" keeps tasks of cases that moved out of sight), asked once for the
    rows of the page."""

    _seen: set[int] = set()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = ctx.get("page_obj") or ctx.get("object_list") or []
        self._seen = policy.visible_among(
            self.request.user,
            [getattr(t.process, "case", None) and t.process.case.pk for t in rows],
        )
        return ctx

    def sees(self, task) -> bool:
        case = getattr(task.process, "case", None)
        return case is not None and case.pk in self._seen

    def case_title(self, task):
        return super().case_title(task) if self.sees(task) else "—"

    case_title.short_description = _("Title")

    def case_stage(self, task):
        return super().case_stage(task) if self.sees(task) else "—"

    case_stage.short_description = _("Stage")


class TaskActionMixin:
    """Each row's way in, in one click: "Open" for a task the user holds (its form), "Claim
    and open" for one waiting in the queue (a POST that claims it through the audited claim
    service and opens its form). A lead still to declare is sent to declare first."""

    def action(self, task):
        step = task.flow_task.name
        if task.owner_id == self.request.user.pk:
            if self.sees(task):
                url = task.flow_task.reverse("execute", args=[task.process_id, task.pk])
                label = pgettext_lazy("button", "Open")
            else:
                url = reverse("violations:my_declarations")
                label = _("Declare first")
            return format_html(
                '<a class="mdc-button mdc-button--outlined" data-step="{}" href="{}">'
                '<span class="mdc-button__label">{}</span></a>',
                step,
                url,
                label,
            )
        return format_html(
            '<form method="post" action="{}" style="margin:0">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="mdc-button mdc-button--unelevated" type="submit" data-step="{}">'
            '<span class="mdc-button__label">{}</span></button></form>',
            reverse("casework:claim_and_open", args=[task.pk]),
            get_token(self.request),
            step,
            _("Claim and open"),
        )

    action.short_description = _("Action")


class CaseInboxView(TaskActionMixin, SightMixin, CaseColumnsMixin, FlowInboxListView):
    """ "My tasks": the tasks the user holds, then the ones waiting in the queue that they
    may claim (``eligible_queue``), each with its action. Tasks of a case the user declared
    a conflict on are not theirs to do (the case manager's "replace the lead" step moves
    them): they are left out."""

    columns = (
        "task_id",
        "case_reference",
        "case_title",
        "case_stage",
        "task_title",
        "task_due",
        "created",
        "action",
    )
    filterset_class = _TaskFilter

    @viewprop
    def queryset(self):
        user = self.request.user
        held = Q(owner=user, status=STATUS.ASSIGNED)
        # One set of ids, the held ones and the claimable ones: "held OR id IN (queue)" is a
        # condition PostgreSQL can only test row by row, so it read every task ever made
        # (2,000,000 at a million cases, 10 s); a union of two index reads is a few hundred.
        mine = (
            Task.objects.filter(held)
            .order_by()
            .values("pk")
            .union(eligible_queue(self.flow_class, user).order_by().values("pk"))
        )
        return (
            Task.objects.filter(process__flow_class=self.flow_class)
            .filter(pk__in=mine)
            .exclude(process__case__in=policy.declared_conflicts(user))
            .annotate(waiting=models.Case(When(held, then=Value(0)), default=Value(1)))
            .select_related(*ROW_RELATED)
            .order_by("waiting", "-created")
        )


class CaseQueueView(TaskActionMixin, SightMixin, CaseColumnsMixin, FlowQueueListView):
    columns = (
        "task_id",
        "case_reference",
        "case_title",
        "case_stage",
        "task_title",
        "task_due",
        "created",
        "action",
    )
    filterset_class = _TaskFilter

    @viewprop
    def queryset(self):
        return (
            eligible_queue(self.flow_class, self.request.user)
            .select_related(*ROW_RELATED)
            .order_by("-created")
        )


class CaseArchiveView(SightMixin, CaseColumnsMixin, FlowArchiveListView):
    """ "Done by me": each row opens what the user did; the case's title shows only while
    the user may still see the case (``SightMixin``)."""

    columns = ("task_id", "case_reference", "case_title", "task_title", "created", "finished")
    filterset_class = _ArchiveFilter

    @viewprop
    def queryset(self):
        return super().queryset.select_related(*ROW_RELATED)

    def task_id(self, task):
        url = reverse("casework:done_task", args=[task.pk])
        return format_html('<a href="{}">#{}/{}</a>', url, task.process_id, task.pk)

    task_id.short_description = _("#")


class CaseTaskListView(CaseColumnsMixin, DashboardTaskListView):
    """Every task of the cases the user may read (viewflow lists every task to everyone)."""

    columns = ("task_id", "case_reference", "case_stage", "task_title", "created", "owner")

    @viewprop
    def queryset(self):
        return (
            super()
            .queryset.filter(process__case__in=policy.visible_cases(self.request.user))
            .select_related(*ROW_RELATED)
        )


class CaseDashboardView(VisibleDashboardMixin, DashboardView):
    """The kanban: one query per step column (fixed), never one per card; only the cases the
    user may see (``VisibleDashboardMixin``)."""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for column in ctx["columns"]:
            column["tasks"] = column["tasks"].select_related(*ROW_RELATED)
        ctx["finished"] = ctx["finished"].select_related(*ROW_RELATED)
        return ctx


# --- no side doors ---------------------------------------------------------------------------
# Viewflow's own pages to undo, cancel or revive a task, to cancel a process and to take or
# drop tasks in bulk change a case's course with no service, no reason and no audit event. The
# case process offers none of them: a task is claimed, released and reassigned through
# ``casework.services`` (``CaseView``'s claim pages and the case page), and a case is cancelled
# with a reason on the case page (``casework.services.case_cancel``).
UNAUDITED_NODE_PAGES = ("undo_view_class", "cancel_view_class", "revive_view_class")


def _close_side_doors(flow_class) -> None:
    for node in flow_class.instance.nodes():
        for page in UNAUDITED_NODE_PAGES:
            if getattr(node, page, None) is not None:
                setattr(node, page, None)


class CaseAppViewset(FlowAppViewset):
    inbox_view_class = CaseInboxView
    queue_view_class = CaseQueueView
    archive_view_class = CaseArchiveView
    task_list_view_class = CaseTaskListView
    dashboard_view_class = CaseDashboardView
    # viewflow's process page links here while a process runs: it leads to the case page.
    process_cancel_view_class = ProcessCancelRedirectView
    tasks_assign_path = None
    tasks_unassign_path = None

    def get_process_cancel_view_kwargs(self, **kwargs):
        return {}  # not one of viewflow's views: it takes no flow or viewset

    def _get_urls(self):
        _close_side_doors(self._flow_class)
        return super()._get_urls()

    def get_context_data(self, request):
        # The menu's counters: the queue counts only what the queue page offers.
        ctx = super().get_context_data(request)
        ctx["user_queue"] = eligible_queue(self._flow_class, request.user)
        return ctx
