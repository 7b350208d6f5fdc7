"""Task pages: each validates its form, calls the service that completes its step, and
reports the outcome."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from viewflow.workflow.flow.views import AssignTaskView, UnassignTaskView
from viewflow.workflow.models import Task

from remediation import forms as remediation_forms
from remediation import selectors as remediation_selectors
from sanctions import forms as sanction_forms
from sanctions.policy import pending_proposal
from sanctions.views import proposal_context
from violations import forms, policy
from violations.exceptions import ServiceError
from violations.models import Case
from violations.services.mailbox import format_code
from violations.views.base import ServiceFormMixin

from .. import forms as work_forms
from .. import services
from ..engine import OPEN_STATUSES
from ..forms import person_label
from ..selectors import next_steps
from ..steps import Step


class StepView(ServiceFormMixin, FormView):
    """A human step of the case process (request.activation is set by viewflow)."""

    template_name = "casework/step.html"
    success_message = _("Step completed.")

    def dispatch(self, request, *args, **kwargs):
        # Holding the task is not enough: a lead named by the flow declares first, and the
        # page shows the case, so it follows the need-to-know rule like the case page.
        if not policy.can_view_case(request.user, self.case):
            if self.case.team.filter(
                user=request.user, active=True, declared_at__isnull=True
            ).exists():
                messages.info(
                    request,
                    _(
                        "Declare whether you have a conflict of interest "
                        "before working on this case."
                    ),
                )
                return redirect("violations:my_declarations")
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def task(self):
        return self.request.activation.task

    @property
    def case(self) -> Case:
        if not hasattr(self, "_case"):
            self._case = Case.objects.select_related("category", "department").get(
                process_id=self.task.process_id
            )
        return self._case

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["case"] = self.case
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        people_by_name(form)
        return form

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(case=self.case, task=self.task, step_title=self.task.flow_task.task_title)
        return ctx

    def get_success_url(self):
        if policy.can_view_case(self.request.user, self.case):
            return self.case.get_absolute_url()
        messages.info(self.request, moved_on(self.case))
        return reverse("work:case:inbox")


def people_by_name(form):
    """Every drop-down of logins in ``form`` lists people by name and position (the domain
    forms list logins; the staff record that names a person is one join away)."""
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and queryset.model is get_user_model():
            field.queryset = queryset.select_related("employee")
            field.label_from_instance = person_label
    return form


def moved_on(case: Case) -> str:
    """The sentence for someone whose step moved the case out of their sight: where it
    went and to whom, and nothing else of the case."""
    steps = next_steps(case)
    if not steps:
        return str(
            _("%(reference)s moved on; nobody has a step on it now.")
            % {"reference": case.reference}
        )
    parts = [
        _("%(step)s (%(holder)s)")
        % {
            "step": s.title,
            "holder": person_label(s.holder) if s.holder else _("in the queue"),
        }
        for s in steps
    ]
    return str(
        _("%(reference)s moved on to: %(steps)s. You no longer see this case.")
        % {"reference": case.reference, "steps": "; ".join(str(p) for p in parts)}
    )


class ReportView(ServiceFormMixin, FormView):
    template_name = "casework/report.html"
    form_class = forms.ReportForm
    success_message = _("Your report was recorded. Thank you.")

    def perform(self, form):
        data = form.cleaned_data
        case, code = services.case_report_at_desk(
            actor=self.request.user,
            give_receipt=data["give_receipt"],
            source=data["source"],
            category=data["category"],
            title=data["title"],
            description=data["description"],
            occurred_at=data["occurred_at"],
            department=data["department"],
            subjects=list(data["subjects"]),
            customer_involved=data["customer_involved"],
            customer_name=data["customer_name"],
            customer_reference=data["customer_reference"],
            customer_contact=data["customer_contact"],
            is_anonymous=data["is_anonymous"],
            attachments=data["attachments"],
        )
        if code:
            # Shown once, by the next page, which takes it out of the session.
            self.request.session[DESK_RECEIPT_KEY] = [case.reference, code]
        return case

    def get_success_url(self):
        if DESK_RECEIPT_KEY in self.request.session:
            return reverse("casework:desk_receipt")
        return reverse("violations:my_reports")


DESK_RECEIPT_KEY = "desk_receipt"


class DeskReceiptView(LoginRequiredMixin, TemplateView):
    """The customer's receipt code, shown once to the member of staff who entered the
    complaint, to hand over."""

    template_name = "casework/desk_receipt.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        held = self.request.session.pop(DESK_RECEIPT_KEY, None)
        reference, code = held if isinstance(held, list) and len(held) == 2 else ("", "")
        ctx.update(reference=reference, code=format_code(code) if code else "")
        return ctx

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
        return response


class VerifyView(StepView):
    form_class = forms.VerifyForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def perform(self, form):
        d = form.cleaned_data
        return services.verification_complete(
            task=self.task,
            actor=self.request.user,
            outcome=d["outcome"],
            reason=d["reason"],
            first_evidence=d["first_evidence"],
            duplicate_of=d["duplicate_of"],
            subjects=list(d.get("subjects") or []) or None,
        )


class FormTeamView(StepView):
    form_class = forms.TeamForm

    def perform(self, form):
        d = form.cleaned_data
        return services.team_form(
            task=self.task,
            actor=self.request.user,
            lead=d["lead"],
            members=list(d["members"]),
            note=d["note"],
        )


class InvestigateView(StepView):
    form_class = forms.InvestigationReportForm
    template_name = "casework/step_investigate.html"

    def perform(self, form):
        d = form.cleaned_data
        return services.investigation_submit(
            task=self.task,
            actor=self.request.user,
            summary=d["summary"],
            conclusion=d["conclusion"],
        )


class FindFactsView(StepView):
    form_class = forms.FactsForm

    def perform(self, form):
        d = form.cleaned_data
        return services.facts_determine(
            task=self.task,
            actor=self.request.user,
            established=d["established"],
            category=d["category"],
            nature=d["nature"],
            severity=d["severity"],
            customer_loss=d["customer_loss"],
            legal_matter=d["legal_matter"],
            responsible=form.responsible(),
            facts_clear=d["facts_clear"],
            evidence_conclusive=d["evidence_conclusive"],
            characterization_accurate=d["characterization_accurate"],
            handling_appropriate=d["handling_appropriate"],
        )


class ReplaceLeadView(StepView):
    """The case manager names a new lead after the lead declared a conflict of interest."""

    form_class = work_forms.ReplaceLeadForm
    template_name = "casework/step_replace_lead.html"
    success_message = _("New lead named; the lead's open tasks are theirs once they declare.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["conflicted"] = (
            self.case.team.filter(has_conflict=True, role="lead")
            .select_related("user__employee")
            .order_by("-declared_at")
            .first()
        )
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        return services.lead_replace(
            task=self.task, actor=self.request.user, new_lead=d["new_lead"], reason=d["reason"]
        )


class ClaimTaskView(AssignTaskView):
    """Viewflow's assign, through the audited claim service with segregation of duties.

    Viewflow opens this page to anyone whose role carries the task's permission; a subject,
    the reporter or a conflicted user must not even see which case it is.
    """

    template_name = "casework/claim.html"

    def dispatch(self, request, *args, **kwargs):
        self.case = (
            Case.objects.select_related("category", "department")
            .filter(process_id=request.activation.task.process_id)
            .first()
        )
        if self.case is None or not policy.can_view_case(request.user, self.case):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        task = self.request.activation.task
        ctx.update(case=self.case, task=task, step_title=task.flow_task.task_title)
        return ctx

    def form_valid(self, *args, **kwargs):
        try:
            services.task_claim(task=self.request.activation.task, actor=self.request.user)
        except ServiceError as error:
            messages.error(self.request, error.message)
            task = self.request.activation.task
            return redirect(task.flow_task.reverse("index", args=[task.process_id, task.pk]))
        messages.success(self.request, _("The task is yours."))
        task = self.request.activation.task
        return HttpResponseRedirect(
            task.flow_task.reverse("execute", args=[task.process_id, task.pk])
        )


class ClaimAndOpenView(LoginRequiredMixin, View):
    """The inbox's "Claim and open": one POST claims a waiting task through the audited
    claim service (under the process lock, with every eligibility check) and opens its
    form. A task of a case the user may not see (taken by someone else meanwhile, say)
    gets the same sentence as one that does not exist; a refused claim of a case they see
    says why. Both land back in the inbox, nothing changed."""

    http_method_names = ["post"]

    def post(self, request, pk):
        from ..flows import CaseFlow  # the flow imports these pages

        task = (
            Task.objects.filter(pk=pk, process__flow_class=CaseFlow)
            .select_related("process")
            .first()
        )
        case = Case.objects.filter(process_id=task.process_id).first() if task else None
        if case is None or not policy.can_view_case(request.user, case):
            # Taken by someone else meanwhile, never theirs, or no such task: one answer.
            messages.error(request, _("This task is no longer waiting for you."))
            return redirect("work:case:inbox")
        if not (task.owner_id == request.user.pk and task.status in OPEN_STATUSES):
            try:
                task = services.task_claim(task=task, actor=request.user)
            except ServiceError as error:
                messages.error(request, error.message)
                return redirect("work:case:inbox")
            messages.success(request, _("The task is yours."))
        return redirect(task.flow_task.reverse("execute", args=[task.process_id, task.pk]))


class ReleaseTaskView(UnassignTaskView):
    def form_valid(self, *args, **kwargs):
        try:
            services.task_unassign(task=self.request.activation.task, actor=self.request.user)
        except ServiceError as error:
            messages.error(self.request, error.message)
        else:
            messages.success(self.request, _("The task is back in the queue."))
        return HttpResponseRedirect(self.get_success_url())


# --- sanctions ---------------------------------------------------------------------------


class ProposeView(StepView):
    form_class = sanction_forms.ProposalForm
    template_name = "sanctions/propose.html"
    success_message = _("Sanctions proposed; the persons concerned are notified and may answer.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(proposal_context(self.case))
        return ctx

    def perform(self, form):
        return services.sanction_propose(
            task=self.task,
            actor=self.request.user,
            items=form.items(),
            justification=form.cleaned_data["justification"],
            factors=form.factors(),
        )


class DefenceView(StepView):
    form_class = sanction_forms.DefenceForm
    template_name = "sanctions/defence.html"
    success_message = _("Answers recorded; the proposal goes to approval.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["proposal"] = pending_proposal(self.case)
        return ctx

    def perform(self, form):
        return services.defence_record(
            task=self.task, actor=self.request.user, responses=form.responses()
        )


class ApproveView(StepView):
    form_class = sanction_forms.DecisionForm
    template_name = "sanctions/approve.html"
    success_message = _("Decision recorded.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        proposal = pending_proposal(self.case)
        ctx["proposal"] = proposal
        ctx.update(proposal_context(self.case))
        if proposal:
            ctx["flagged"] = [
                i for i in proposal.items.select_related("employee") if i.outside_range
            ]
            ctx["assessments"] = list(proposal.assessments.select_related("employee"))
            ctx["defences"] = list(proposal.defences.select_related("employee"))
            ctx["earlier"] = list(proposal.decisions.select_related("approver"))
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        return services.sanction_decide(
            task=self.task, actor=self.request.user, decision=d["decision"], reason=d["reason"]
        )


class ExecuteView(StepView):
    form_class = sanction_forms.ExecutionForm
    success_message = _("Execution recorded.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["revised"] = self.task.flow_task.name == Step.EXECUTE_REVISED
        return kwargs

    def perform(self, form):
        return services.sanction_execute(
            task=self.task, actor=self.request.user, executions=form.executions()
        )


class DecideAppealView(StepView):
    form_class = sanction_forms.AppealDecisionForm
    template_name = "sanctions/decide_appeal.html"
    success_message = _("Appeal decided.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["appeal"] = ctx["form"].appeal
        if ctx["appeal"]:
            ctx["appealed"] = ctx["appeal"].proposal.items.filter(employee=ctx["appeal"].employee)
        return ctx

    def perform(self, form):
        if form.appeal is None:
            raise Http404
        d = form.cleaned_data
        return services.appeal_decide(
            task=self.task,
            actor=self.request.user,
            appeal=form.appeal,
            outcome=d["outcome"],
            reason=d["reason"],
            items=form.items(),
        )


# --- remediation -------------------------------------------------------------------------


class PlanView(StepView):
    form_class = remediation_forms.PlanForm
    success_message = _("Remediation plan recorded; each owner has a task.")

    def perform(self, form):
        causes, actions, errors = form.plan()
        if errors:
            raise ValidationError(errors)
        return services.remediation_plan(
            task=self.task, actor=self.request.user, causes=causes, actions=actions
        )


class CompleteActionView(StepView):
    form_class = remediation_forms.CompleteActionForm
    template_name = "remediation/complete_action.html"
    success_message = _("Corrective action completed.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["action"] = services.action_of_task(self.task)
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        return services.action_complete(
            task=self.task,
            actor=self.request.user,
            completion_note=d["completion_note"],
            proof_upload=d["proof"],
            proof_link=d["proof_link"],
        )


class CustomerFeedbackView(StepView):
    form_class = remediation_forms.CustomerFeedbackForm
    template_name = "remediation/customer_feedback.html"
    success_message = _("Customer feedback recorded.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["clock"] = remediation_selectors.complaint_clock(self.case)
        return ctx

    def perform(self, form):
        return services.customer_feedback_record(
            task=self.task, actor=self.request.user, **form.cleaned_data
        )


class RegulatorNotificationView(StepView):
    form_class = remediation_forms.RegulatorForm
    template_name = "remediation/notify_regulator.html"
    success_message = _("Regulator notification recorded.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["deadline"] = remediation_selectors.regulator_deadline(self.case)
        return ctx

    def perform(self, form):
        return services.regulator_notify(
            task=self.task, actor=self.request.user, **form.cleaned_data
        )


class ReviewView(StepView):
    form_class = remediation_forms.ReviewForm
    template_name = "remediation/review.html"
    success_message = _("Effectiveness review recorded.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["evidence"] = remediation_selectors.review_evidence(self.case)
        ctx["clock"] = remediation_selectors.complaint_clock(self.case)
        return ctx

    def perform(self, form):
        return services.effectiveness_review(
            task=self.task, actor=self.request.user, **form.cleaned_data
        )
