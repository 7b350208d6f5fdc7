"""The case process in viewflow's Material frontend: inbox, queue, archive, dashboard.

Viewflow's own list views load each row's process, case and owner with one query per row,
and offer every task whose permission a user holds, whoever they are on the case. These
subclasses fix both: every list is a fixed number of queries whatever its length, and the
queue offers a task only to a user whom ``violations.policy.require_task_eligible`` would let
claim it (the claim service still checks; the queue only stops offering what would be
refused).

Like ``flows.py`` this module is wiring that knows every stage, so it may name the records of
later stages; only ``config/urls.py`` imports it.
"""

from __future__ import annotations

from django.db.models import BigIntegerField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
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

from remediation.models import CorrectiveAction
from sanctions.models import LEVEL_PERMISSION, ApprovalLevel, ProposalStatus

from . import policy
from .models import Case, ReporterIdentity, TeamMember
from .views.workflow_pages import VisibleDashboardMixin

# What a task row shows: its process, the case, and who holds it, in the row's own query.
ROW_RELATED = ("process", "process__case", "owner")


def _node(flow_class, name):
    return getattr(flow_class, name)


# --- who may be offered a task ---------------------------------------------------------------
#
# SQL mirrors of the eligibility rules, so the queue is filtered before it is paginated and
# counted. Each mirror must say no exactly where its rule in ``policy`` / ``sanctions.policy``
# / ``remediation.policy`` raises; tests/test_query_counts.py checks the queue against
# ``services.task_eligible`` for every role.


def _party_exclusion(user) -> Q:
    """``policy.require_not_party``: subjects, the reporter, declared conflicts."""
    q = Q(case_pk__isnull=True) | Q(process__case__reported_by_id=user.pk)
    q |= Exists(ReporterIdentity.objects.filter(case_id=OuterRef("case_pk"), user_id=user.pk))
    q |= Exists(TeamMember.objects.filter(case_id=OuterRef("case_pk"), user_id=user.pk,
                                          has_conflict=True))
    emp = policy.employee_of(user)
    if emp is not None:
        q |= Exists(Case.subjects.through.objects.filter(case_id=OuterRef("case_pk"),
                                                         employee_id=emp.pk))
    return q


def _approve_exclusion(user) -> Q:
    """``sanctions.policy.approval_task_rule``."""
    pending = Case.objects.filter(pk=OuterRef("case_pk"),
                                  sanction_proposals__status=ProposalStatus.PENDING)
    q = ~Exists(pending)
    q |= Exists(pending.filter(sanction_proposals__proposed_by_id=user.pk))
    q |= Exists(TeamMember.objects.filter(case_id=OuterRef("case_pk"), user_id=user.pk))
    emp = policy.employee_of(user)
    if emp is not None:
        q |= Exists(Case.objects.filter(pk=OuterRef("case_pk"),
                                        findings__responsible__employee_id=emp.pk))
    # The department level also needs the head of a subject's department, unless the user
    # holds a higher level. (A higher level alone does not list a department-level task:
    # the task's own permission is checked first, as in require_task_eligible.)
    higher = any(policy.has(user, LEVEL_PERMISSION[lvl])
                 for lvl in (ApprovalLevel.COMPLIANCE, ApprovalLevel.SENIOR))
    if not higher:
        dept_level = Q(owner_permission=f"violations.{LEVEL_PERMISSION[ApprovalLevel.DEPARTMENT]}")
        if emp is None:
            q |= dept_level
        else:
            heads = Case.subjects.through.objects.filter(
                case_id=OuterRef("case_pk"), employee__department__head_id=emp.pk)
            q |= dept_level & ~Exists(heads)
    return q


def _complete_action_exclusion(user) -> Q:
    """``remediation.policy.action_task_rule``: only the action's owner."""
    return ~Exists(CorrectiveAction.objects.filter(pk=OuterRef("action_pk"), owner_id=user.pk))


def _review_exclusion(user) -> Q:
    """``remediation.policy.review_task_rule``: no owner of an action of the case."""
    return Exists(CorrectiveAction.objects.filter(case_id=OuterRef("case_pk"), owner_id=user.pk))


STEP_EXCLUSIONS = {
    "approve": _approve_exclusion,
    "complete_action": _complete_action_exclusion,
    "review": _review_exclusion,
}


def eligible_queue(flow_class, user) -> QuerySet[Task]:
    """Unassigned tasks of the flow that ``user`` may claim, in one query."""
    qs = (
        Task.objects.user_queue(user, flow_class=flow_class)
        .filter(status=STATUS.NEW)
        .annotate(
            case_pk=F("process__case__id"),
            action_pk=Cast(KeyTextTransform("action", "data"), BigIntegerField()),
        )
    )
    excluded = _party_exclusion(user)
    for name, exclusion in STEP_EXCLUSIONS.items():
        excluded |= Q(flow_task=_node(flow_class, name)) & exclusion(user)
    return qs.exclude(excluded)


def unmirrored_rule_steps() -> set[str]:
    """Steps with a registered rule that has no SQL mirror here (checked row by row)."""
    return set(getattr(policy, "_task_rules", {})) - set(STEP_EXCLUSIONS)


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
        from .workflow import case_flow

        self.filters["flow_task"].field.choices = _human_task_choices(case_flow())

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

    task_title.short_description = _("Task")

    def task_id(self, task):
        url = task.flow_task.reverse("index", args=[task.process_id, task.pk])
        return format_html('<a href="{}">#{}/{}</a>', url, task.process_id, task.pk)

    task_id.short_description = _("#")


class CaseInboxView(CaseColumnsMixin, FlowInboxListView):
    columns = ("task_id", "case_reference", "case_title", "case_stage", "task_title", "created")
    filterset_class = _TaskFilter

    @viewprop
    def queryset(self):
        return super().queryset.select_related(*ROW_RELATED)


class CaseQueueView(CaseColumnsMixin, FlowQueueListView):
    columns = ("task_id", "case_reference", "case_title", "case_stage", "task_title", "created")
    filterset_class = _TaskFilter

    @viewprop
    def queryset(self):
        return (
            eligible_queue(self.flow_class, self.request.user)
            .select_related(*ROW_RELATED)
            .order_by("-created")
        )

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        steps = unmirrored_rule_steps()
        if steps:
            # A rule without a SQL mirror is checked on this page's rows only; add its mirror
            # to STEP_EXCLUSIONS to keep counts and pages exact.
            from .services import task_eligible

            user = self.request.user
            rows = [t for t in page.object_list
                    if t.flow_task.name not in steps or task_eligible(user, t)]
            page.object_list = object_list = rows
        return paginator, page, object_list, is_paginated


class CaseArchiveView(CaseColumnsMixin, FlowArchiveListView):
    columns = ("task_id", "case_reference", "case_title", "task_title", "created", "finished")
    filterset_class = _ArchiveFilter

    @viewprop
    def queryset(self):
        return super().queryset.select_related(*ROW_RELATED)


class CaseTaskListView(CaseColumnsMixin, DashboardTaskListView):
    """Every task of the cases the user may read (viewflow lists every task to everyone)."""

    columns = ("task_id", "case_reference", "case_stage", "task_title", "created", "owner")

    @viewprop
    def queryset(self):
        return (
            super().queryset.filter(process__case__in=policy.visible_cases(self.request.user))
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


class CaseAppViewset(FlowAppViewset):
    inbox_view_class = CaseInboxView
    queue_view_class = CaseQueueView
    archive_view_class = CaseArchiveView
    task_list_view_class = CaseTaskListView
    dashboard_view_class = CaseDashboardView

    def get_context_data(self, request):
        # The menu's counters: the queue counts only what the queue page offers.
        ctx = super().get_context_data(request)
        ctx["user_queue"] = eligible_queue(self._flow_class, request.user)
        return ctx
