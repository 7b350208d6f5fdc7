"""The one BPMN process that carries a reported violation from report to close.

Only wiring lives here: nodes, titles, permissions, assignments and gateway conditions that
read what services recorded. Every rule and every write is in a service.
"""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.exceptions import FlowRuntimeError

from remediation import views as remediation_views
from remediation.models import ActionStatus, Verdict
from remediation.selectors import current_round
from sanctions import conf as sanction_conf
from sanctions import selectors as sanction_selectors
from sanctions import views as sanction_views
from sanctions.models import LEVEL_PERMISSION, ProposalStatus
from sanctions.policy import pending_proposal

from . import nodes, services, views
from .models import CaseProcess, Severity, Stage, TeamRole, VerificationOutcome
from .nodes import SplitOnce
from .workflow import CaseLock, held_case, locked_case, recall


class ForEachSplitActivation(SplitOnce):
    def settle(self):
        for node, cond, items in self.flow_task._branches:
            if cond and not cond(self):
                continue
            if items is None:
                self.next_tasks.append((node, None))
            else:
                self.next_tasks.extend((node, item) for item in items(self))
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class ForEachSplit(nodes.Split):
    """Parallel split that starts one task per item, each with the item as its ``task.data``."""

    activation_class = ForEachSplitActivation

    def Each(self, node, items):
        self._activate_next.append((node, None, items))
        return self


class CaseView(flow.View):
    """A human step whose claim and release go through audited services."""

    assign_view_class = views.ClaimTaskView
    unassign_view_class = views.ReleaseTaskView


def _case(activation):
    pk = activation.process.pk
    return held_case(pk) or locked_case(pk) or activation.process.case


def _approval_permission(activation):
    proposal = pending_proposal(_case(activation))
    level = proposal.required_level if proposal else "senior"
    return f"violations.{LEVEL_PERMISSION[level]}"


# Which stage a case is in while a step is open.
STAGE_OF = {
    "verify": Stage.VERIFICATION,
    "form_team": Stage.TEAM,
    "investigate": Stage.INVESTIGATION,
    "find_facts": Stage.FACT_FINDING,
    "propose": Stage.SANCTION_PROPOSAL,
    "approve": Stage.APPROVAL,
    "execute_sanctions": Stage.POST_APPROVAL,
    "customer_feedback": Stage.POST_APPROVAL,
    "notify_regulator": Stage.POST_APPROVAL,
    "plan_remediation": Stage.POST_APPROVAL,
    "review": Stage.EFFECTIVENESS_REVIEW,
}


class CaseFlow(flow.Flow):
    process_class = CaseProcess
    # viewflow's select_for_update lock on the process row, waiting instead of NOWAIT, and
    # taken with the case row in the same statement (see CaseLock).
    lock_impl = CaseLock()
    process_title = _("Violation case")
    process_description = _("From report to close: verification, investigation, fact "
                            "finding, graded sanctions, remediation and review.")

    report = (
        flow.Start(views.ReportView.as_view())
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
        CaseView(views.VerifyView.as_view())
        .Annotation(title=_("Preliminary verification"))
        .Permission("violations.verify_case")
        .onCreate(this.enter_stage)
        .Next(this.verified)
    )
    verified = (
        nodes.If(lambda a: _case(a).verification.outcome == VerificationOutcome.PROCEED)
        .Annotation(title=_("Proceed?"))
        .Then(this.form_team)
        .Else(this.notify_outcome)
    )
    form_team = (
        CaseView(views.FormTeamView.as_view())
        .Annotation(title=_("Set up the investigation team"))
        .Permission("violations.form_team")
        .onCreate(this.enter_stage)
        .Next(this.investigate)
    )
    investigate = (
        CaseView(views.InvestigateView.as_view())
        .Annotation(title=_("Detailed investigation"))
        .Permission("violations.investigate_case")
        .Assign(this.lead_investigator)
        .onCreate(this.enter_stage)
        .Next(this.find_facts)
    )
    find_facts = (
        CaseView(views.FindFactsView.as_view())
        .Annotation(title=_("Fact determination"))
        .Permission("violations.find_facts")
        .Assign(this.lead_investigator)
        .onCreate(this.enter_stage)
        .Next(this.established)
    )
    established = (
        nodes.If(lambda a: _latest(a, "finding", "findings").established)
        .Annotation(title=_("Established?"))
        .Then(this.propose)
        .Else(this.notify_outcome)
    )
    propose = (
        CaseView(sanction_views.ProposeView.as_view())
        .Annotation(title=_("Propose sanctions"))
        .Permission("violations.propose_sanction")
        .onCreate(this.enter_stage)
        .Next(this.defence)
    )
    defence = (
        CaseView(sanction_views.DefenceView.as_view())
        .Annotation(title=_("Hear the persons concerned"))
        .Permission("violations.propose_sanction")
        .Next(this.approve)
    )
    approve = (
        CaseView(sanction_views.ApproveView.as_view())
        .Annotation(title=_("Approve sanctions"))
        .Permission(_approval_permission)
        .onCreate(this.enter_stage)
        .Next(this.decided)
    )
    decided = (
        nodes.Switch()
        .Annotation(title=_("Decision"))
        .Case(this.post_approval, lambda a: _latest_status(a) == ProposalStatus.APPROVED)
        .Case(this.propose, lambda a: _latest_status(a) == ProposalStatus.REJECTED)
        .Case(this.approve, lambda a: _latest_status(a) == ProposalStatus.PENDING)
        .Default(this.investigate)
    )
    post_approval = (
        nodes.Split()
        .Annotation(title=_("After approval"))
        .Always(this.execute_sanctions)
        .Next(this.customer_feedback, case=lambda a: a.process.case.customer_involved)
        .Next(this.notify_regulator, case=lambda a: a.process.case.severity == Severity.MAJOR)
        .Always(this.plan_remediation)
    )
    execute_sanctions = (
        CaseView(sanction_views.ExecuteView.as_view())
        .Annotation(title=_("Record sanction execution"))
        .Permission("violations.execute_sanction")
        .onCreate(this.enter_stage)
        .Next(this.appeal_window)
    )
    appeal_window = (
        flow.Timer(lambda a: sanction_conf.appeal_window())
        .Annotation(title=_("Appeal window"))
        .Next(this.appealed)
    )
    appealed = (
        nodes.If(lambda a: sanction_selectors.open_appeals(_case(a)).exists())
        .Annotation(title=_("Appeal filed?"))
        .Then(this.decide_appeal)
        .Else(this.finished)
    )
    decide_appeal = (
        CaseView(sanction_views.DecideAppealView.as_view())
        .Annotation(title=_("Decide the appeal"))
        .Permission("sanctions.decide_appeal")
        .Next(this.appeal_decided)
    )
    appeal_decided = (
        nodes.Switch()
        .Annotation(title=_("More appeals or new sanctions?"))
        .Case(this.decide_appeal, lambda a: sanction_selectors.open_appeals(_case(a)).exists())
        .Case(this.execute_revised, lambda a: sanction_selectors.revised_to_execute(_case(a)).exists())
        .Default(this.finished)
    )
    execute_revised = (
        CaseView(sanction_views.ExecuteView.as_view())
        .Annotation(title=_("Record execution of sanctions set on appeal"))
        .Permission("violations.execute_sanction")
        .Next(this.finished)
    )
    customer_feedback = (
        CaseView(remediation_views.CustomerFeedbackView.as_view())
        .Annotation(title=_("Customer feedback"))
        .Permission("violations.record_customer_feedback")
        .onCreate(this.enter_stage)
        .Next(this.finished)
    )
    notify_regulator = (
        CaseView(remediation_views.RegulatorNotificationView.as_view())
        .Annotation(title=_("Notify the regulator"))
        .Permission("violations.notify_regulator")
        .onCreate(this.enter_stage)
        .Next(this.finished)
    )
    plan_remediation = (
        CaseView(remediation_views.PlanView.as_view())
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
        CaseView(remediation_views.CompleteActionView.as_view())
        .Annotation(title=_("Complete corrective action"))
        .Permission("violations.complete_action")
        .Assign(this.action_owner)
        .Next(this.actions_done)
    )
    actions_done = nodes.Join().Annotation(title=_("All actions done")).Next(this.wait_review)
    wait_review = (
        flow.Timer(this.review_delay)
        .Annotation(title=_("Wait before judging effectiveness"))
        .Next(this.review)
    )
    review = (
        CaseView(remediation_views.ReviewView.as_view())
        .Annotation(title=_("Effectiveness review"))
        .Permission("violations.review_effectiveness")
        .onCreate(this.enter_stage)
        .Next(this.effective)
    )
    effective = (
        nodes.If(lambda a: _latest(a, "review", "effectiveness_reviews").verdict
                == Verdict.EFFECTIVE)
        .Annotation(title=_("Effective?"))
        .Then(this.finished)
        .Else(this.plan_remediation)
    )
    finished = nodes.Join().Annotation(title=_("All work done")).Next(this.close)
    close = nodes.Function(this.close_case).Annotation(title=_("Close and archive")).Next(this.end)
    notify_outcome = (
        nodes.Function(this.send_outcome_notice)
        .Annotation(title=_("Outcome notice"))
        .Next(this.end)
    )
    end = nodes.End().Annotation(title=_("Closed"))

    # --- callbacks: each hands over to a service --------------------------------------------

    def start_case(self, activation, case):
        activation.process.save()
        services.case_attach_process(case=case, process=activation.process)
        return activation.process

    def enter_stage(self, activation):
        services.case_enter_stage(case=_case(activation), stage=STAGE_OF[activation.flow_task.name])

    def lead_investigator(self, activation):
        lead = (_case(activation).team.filter(role=TeamRole.LEAD, active=True)
                .select_related("user").first())
        return lead.user if lead else None

    def open_actions(self, activation):
        case = _case(activation)
        return [
            {"action": pk}
            for pk in case.corrective_actions.filter(
                round=current_round(case), status=ActionStatus.OPEN
            ).values_list("pk", flat=True)
        ]

    def action_owner(self, activation):
        from remediation.models import CorrectiveAction

        return (CorrectiveAction.objects.select_related("owner")
                .get(pk=activation.task.data["action"]).owner)

    def review_delay(self, activation) -> timedelta:
        return settings.ACCOUNTABILITY["EFFECTIVENESS_REVIEW_DELAY"]

    def close_case(self, activation):
        case = _case(activation)
        services.case_close(case=case)
        services.outcome_notice_send(case=case)

    def send_outcome_notice(self, activation):
        case = _case(activation)
        services.outcome_notice_send(case=case)
        services.case_close(case=case)

    def has_view_permission(self, user, obj=None):
        from . import policy

        if obj is not None and getattr(obj, "pk", None):
            case = getattr(obj, "case", None)
            return case is not None and policy.can_view_case(user, case)
        return user.is_authenticated

    def has_manage_permission(self, user, obj=None):
        return user.is_superuser


def _latest(activation, name, related):
    """The case's latest record of a kind (by round): the one the step's service just wrote
    and remembered, or else read."""
    case = _case(activation)
    found = recall(case, name)
    if found is None:
        found = getattr(case, related).order_by("-round").first()
    return found


def _latest_status(activation):
    """The latest proposal's status, found once per gateway (its branches each ask)."""
    if not hasattr(activation, "_latest_proposal_status"):
        proposal = _latest(activation, "proposal", "sanction_proposals")
        activation._latest_proposal_status = proposal.status if proposal else None
    return activation._latest_proposal_status
