"""The one BPMN process that carries a reported violation from report to close.

Only the graph lives here: nodes, titles, permissions, assignments, and gateways that ask
the named questions of :mod:`casework.routing`. Every rule and every write is in a service.
Each human step's node is named by its :class:`casework.steps.Step` value.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import SplitActivation

from deadlines.models import Kind as DeadlineKind
from remediation.models import ActionStatus, CorrectiveAction
from remediation.selectors import current_round
from sanctions.models import LEVEL_PERMISSION
from sanctions.policy import pending_proposal
from violations import services
from violations.models import Case, CaseProcess, TeamRole
from violations.services.clocks import length_from_now

from . import routing
from .engine import CaseLock
from .services.notices import task_announce
from .steps import STAGE_OF, Step
from .views import steps as pages


def on_case(question):
    """A gateway condition: ``question`` (from :mod:`casework.routing`) asked of the case."""

    def condition(activation) -> bool:
        return question(activation.process.case)

    condition.__name__ = question.__name__
    return condition


class ForEachSplitActivation(SplitActivation):
    @SplitActivation.status.super()
    def activate(self):
        for node, cond, items in self.flow_task._branches:
            if cond and not cond(self):
                continue
            if items is None:
                self.next_tasks.append((node, None))
            else:
                self.next_tasks.extend((node, item) for item in items(self))
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class ForEachSplit(flow.Split):
    """Parallel split that starts one task per item, each with the item as its ``task.data``
    (viewflow 2.4's Split documents a ``data_source`` for this but ignores it)."""

    activation_class = ForEachSplitActivation

    def Each(self, node, items):
        self._activate_next.append((node, None, items))
        return self


class CaseView(flow.View):
    """A human step whose claim and release go through audited services.

    Whoever declared a conflict of interest on the case does nothing on it, not even
    release a task the flow gave them (a lead's: the case manager's "replace the lead" step
    moves it): viewflow's own checks, which decide its task pages and the actions they
    offer, say no to them as the services do."""

    assign_view_class = pages.ClaimTaskView
    unassign_view_class = pages.ReleaseTaskView

    def _conflicted(self, user, task) -> bool:
        """Declared a conflict on the task's case. Read once per user object (a request's
        user, for every task a list or the kanban asks about)."""
        if user is None or not user.is_authenticated:
            return False
        from violations import policy

        if not hasattr(user, "_conflict_processes"):
            user._conflict_processes = policy.declared_conflict_processes(user)
        return task.process_id in user._conflict_processes

    def can_execute(self, user, task):
        return super().can_execute(user, task) and not self._conflicted(user, task)

    def can_unassign(self, user, task):
        return super().can_unassign(user, task) and not self._conflicted(user, task)

    def can_assign(self, user, task):
        return super().can_assign(user, task) and not self._conflicted(user, task)


def _approval_permission(activation) -> str:
    proposal = pending_proposal(activation.process.case)
    level = proposal.required_level if proposal else "senior"
    return f"violations.{LEVEL_PERMISSION[level]}"


class CaseFlow(flow.Flow):
    process_class = CaseProcess
    # A select-for-update lock that waits, taken on the case row and the process row
    # together (see CaseLock); viewflow's default takes none.
    lock_impl = CaseLock()
    process_title = _("Violation case")
    process_description = _(
        "From report to close: verification, investigation, fact "
        "finding, graded sanctions, remediation and review."
    )

    report = (
        flow.Start(pages.ReportView.as_view())
        .Annotation(title=_("Report a violation"))
        .Permission("violations.report_case")
        .Next(this.verify)
    )
    start_from_code = (
        flow.StartHandle(this.start_case)
        .Annotation(title=_("Violation reported"))
        .Next(this.verify)
    )

    verify = (
        CaseView(pages.VerifyView.as_view())
        .Annotation(title=_("Preliminary verification"))
        .Permission("violations.verify_case")
        .onCreate(this.enter_stage)
        .Next(this.verified)
    )
    verified = (
        flow.If(on_case(routing.verification_proceeds))
        .Annotation(title=_("Proceed?"))
        .Then(this.form_team)
        .Else(this.notify_outcome)
    )
    form_team = (
        CaseView(pages.FormTeamView.as_view())
        .Annotation(title=_("Set up the investigation team"))
        .Permission("violations.form_team")
        .onCreate(this.enter_stage)
        .Next(this.investigate)
    )
    investigate = (
        CaseView(pages.InvestigateView.as_view())
        .Annotation(title=_("Detailed investigation"))
        .Permission("violations.investigate_case")
        .Assign(this.lead_investigator)
        .onCreate(this.enter_stage)
        .Next(this.find_facts)
    )
    find_facts = (
        CaseView(pages.FindFactsView.as_view())
        .Annotation(title=_("Fact determination"))
        .Permission("violations.find_facts")
        .Assign(this.lead_investigator)
        .onCreate(this.enter_stage)
        .Next(this.established)
    )
    established = (
        flow.If(on_case(routing.finding_established))
        .Annotation(title=_("Established?"))
        .Then(this.propose)
        .Else(this.notify_outcome)
    )
    propose = (
        CaseView(pages.ProposeView.as_view())
        .Annotation(title=_("Propose sanctions"))
        .Permission("violations.propose_sanction")
        .onCreate(this.enter_stage)
        .Next(this.defence)
    )
    defence = (
        CaseView(pages.DefenceView.as_view())
        .Annotation(title=_("Hear the persons concerned"))
        .Permission("violations.propose_sanction")
        .onCreate(this.task_arrived)
        .Next(this.approve)
    )
    approve = (
        CaseView(pages.ApproveView.as_view())
        .Annotation(title=_("Approve sanctions"))
        .Permission(_approval_permission)
        .onCreate(this.enter_stage)
        .Next(this.decided)
    )
    decided = (
        flow.Switch()
        .Annotation(title=_("Decision"))
        .Case(this.post_approval, on_case(routing.proposal_approved))
        .Case(this.propose, on_case(routing.proposal_rejected))
        .Case(this.approve, on_case(routing.proposal_awaits_another_approver))
        .Default(this.investigate)
    )
    post_approval = (
        flow.Split()
        .Annotation(title=_("After approval"))
        .Always(this.execute_sanctions)
        .Next(this.customer_feedback, case=on_case(routing.needs_customer_feedback))
        .Next(this.notify_regulator, case=on_case(routing.needs_regulator_notice))
        .Always(this.plan_remediation)
    )
    execute_sanctions = (
        CaseView(pages.ExecuteView.as_view())
        .Annotation(title=_("Record sanction execution"))
        .Permission("violations.execute_sanction")
        .onCreate(this.enter_stage)
        .Next(this.appeal_window)
    )
    appeal_window = (
        flow.Timer(this.appeal_window_length)
        .Annotation(title=_("Appeal window"))
        .Next(this.appealed)
    )
    appealed = (
        flow.If(on_case(routing.appeal_open))
        .Annotation(title=_("Appeal filed?"))
        .Then(this.decide_appeal)
        .Else(this.finished)
    )
    decide_appeal = (
        CaseView(pages.DecideAppealView.as_view())
        .Annotation(title=_("Decide the appeal"))
        .Permission("sanctions.decide_appeal")
        .onCreate(this.task_arrived)
        .Next(this.appeal_decided)
    )
    appeal_decided = (
        flow.Switch()
        .Annotation(title=_("More appeals or new sanctions?"))
        .Case(this.decide_appeal, on_case(routing.appeal_open))
        .Case(this.execute_revised, on_case(routing.revised_sanctions_to_execute))
        .Default(this.finished)
    )
    execute_revised = (
        CaseView(pages.ExecuteView.as_view())
        .Annotation(title=_("Record execution of sanctions set on appeal"))
        .Permission("violations.execute_sanction")
        .onCreate(this.task_arrived)
        .Next(this.finished)
    )
    customer_feedback = (
        CaseView(pages.CustomerFeedbackView.as_view())
        .Annotation(title=_("Customer feedback"))
        .Permission("violations.record_customer_feedback")
        .onCreate(this.enter_stage)
        .Next(this.finished)
    )
    notify_regulator = (
        CaseView(pages.RegulatorNotificationView.as_view())
        .Annotation(title=_("Notify the regulator"))
        .Permission("violations.notify_regulator")
        .onCreate(this.enter_stage)
        .Next(this.finished)
    )
    plan_remediation = (
        CaseView(pages.PlanView.as_view())
        .Annotation(title=_("Remediation plan"))
        .Permission("violations.plan_remediation")
        .onCreate(this.enter_stage)
        .Next(this.each_action)
    )
    each_action = (
        ForEachSplit()
        .Annotation(title=_("One task per corrective action"))
        .Each(this.complete_action, items=this.open_actions)
    )
    complete_action = (
        CaseView(pages.CompleteActionView.as_view())
        .Annotation(title=_("Complete corrective action"))
        .Permission("violations.complete_action")
        .Assign(this.action_owner)
        .onCreate(this.task_arrived)
        .Next(this.actions_done)
    )
    actions_done = flow.Join().Annotation(title=_("All actions done")).Next(this.wait_review)
    wait_review = (
        flow.Timer(this.review_delay)
        .Annotation(title=_("Wait before judging effectiveness"))
        .Next(this.review)
    )
    review = (
        CaseView(pages.ReviewView.as_view())
        .Annotation(title=_("Effectiveness review"))
        .Permission("violations.review_effectiveness")
        .onCreate(this.enter_stage)
        .Next(this.effective)
    )
    effective = (
        flow.If(on_case(routing.remediation_effective))
        .Annotation(title=_("Effective?"))
        .Then(this.finished)
        .Else(this.plan_remediation)
    )
    # Opened by ``casework.services.team_declare`` when the lead declares a conflict of
    # interest: a branch beside the lead's frozen task, ending on its own (viewflow's End
    # finishes the process only when no other task is open).
    replace_lead = (
        CaseView(pages.ReplaceLeadView.as_view())
        .Annotation(title=_("Replace the lead investigator"))
        .Permission("violations.form_team")
        .onCreate(this.task_arrived)
        .Next(this.lead_replaced)
    )
    lead_replaced = flow.End().Annotation(title=_("Lead replaced"))
    finished = flow.Join().Annotation(title=_("All work done")).Next(this.close)
    close = flow.Function(this.close_case).Annotation(title=_("Close and archive")).Next(this.end)
    notify_outcome = (
        flow.Function(this.send_outcome_notice).Annotation(title=_("Outcome notice")).Next(this.end)
    )
    end = flow.End().Annotation(title=_("Closed"))

    # --- callbacks: each hands over to a service --------------------------------------------

    def start_case(self, activation, case: Case):
        activation.process.save()
        services.case_attach_process(case=case, process=activation.process)
        return activation.process

    def enter_stage(self, activation):
        services.case_enter_stage(
            case=activation.process.case, stage=STAGE_OF[Step(activation.flow_task.name)]
        )
        self.task_arrived(activation)

    def task_arrived(self, activation):
        task_announce(task=activation.task, case=activation.process.case)

    def lead_investigator(self, activation):
        lead = (
            activation.process.case.team.filter(role=TeamRole.LEAD, active=True)
            .select_related("user")
            .first()
        )
        return lead.user if lead else None

    def open_actions(self, activation):
        case = activation.process.case
        return [
            {"action": pk}
            for pk in case.corrective_actions.filter(
                round=current_round(case), status=ActionStatus.OPEN
            ).values_list("pk", flat=True)
        ]

    def action_owner(self, activation):
        return (
            CorrectiveAction.objects.select_related("owner")
            .get(pk=activation.task.data["action"])
            .owner
        )

    def appeal_window_length(self, activation) -> timedelta:
        return length_from_now(activation.process.case, DeadlineKind.APPEAL_FILING)

    def review_delay(self, activation) -> timedelta:
        return length_from_now(activation.process.case, DeadlineKind.REVIEW_DELAY)

    def close_case(self, activation):
        case = activation.process.case
        services.case_close(case=case)
        services.outcome_notice_send(case=case)

    def send_outcome_notice(self, activation):
        case = activation.process.case
        services.outcome_notice_send(case=case)
        services.case_close(case=case)

    def has_view_permission(self, user, obj=None):
        from violations import policy

        if obj is not None and getattr(obj, "pk", None):
            case = getattr(obj, "case", None)
            return case is not None and policy.can_view_case(user, case)
        return user.is_authenticated

    def has_manage_permission(self, user, obj=None):
        return user.is_superuser
