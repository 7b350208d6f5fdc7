"""Sanction steps and pages. Each view validates its form and calls one service."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from violations import policy
from violations.models import Employee
from violations.views import StepView
from violations.views.cases import CaseActionView
from violations.views.steps import ServiceFormMixin

from . import forms, selectors, services
from .models import SanctionKind, SanctionStatus
from .policy import pending_proposal


def may_read_records(user) -> bool:
    """Case managers, HR and internal auditors read disciplinary records."""
    return (policy.has(user, "manage_cases") or policy.has(user, "execute_sanction")
            or policy.has(user, "audit_cases"))


def proposal_context(case):
    finding = case.findings.order_by("-round").first()
    ctx = {"finding": finding, "kinds": {k.code: k for k in SanctionKind.objects.all()}}
    if finding and finding.established:
        ctx["ranges"] = [selectors.assess(finding, rp) for rp in finding.responsible.select_related("employee")]
        ctx["precedents"] = selectors.precedents(case, category=finding.category, severity=finding.severity)
    return ctx


class ProposeView(StepView):
    form_class = forms.ProposalForm
    template_name = "sanctions/propose.html"
    success_message = _("Sanctions proposed; the persons concerned are notified and may answer.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(proposal_context(self.case))
        return ctx

    def perform(self, form):
        return services.sanction_propose(task=self.task, actor=self.request.user, items=form.items(),
                                         justification=form.cleaned_data["justification"],
                                         factors=form.factors())


class DefenceView(StepView):
    form_class = forms.DefenceForm
    template_name = "sanctions/defence.html"
    success_message = _("Answers recorded; the proposal goes to approval.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["proposal"] = pending_proposal(self.case)
        return ctx

    def perform(self, form):
        return services.defence_record(task=self.task, actor=self.request.user, responses=form.responses())


class ApproveView(StepView):
    form_class = forms.DecisionForm
    template_name = "sanctions/approve.html"
    success_message = _("Decision recorded.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        proposal = pending_proposal(self.case)
        ctx["proposal"] = proposal
        ctx.update(proposal_context(self.case))
        if proposal:
            ctx["flagged"] = [i for i in proposal.items.select_related("employee") if i.outside_range]
            ctx["assessments"] = list(proposal.assessments.select_related("employee"))
            ctx["defences"] = list(proposal.defences.select_related("employee"))
            ctx["earlier"] = list(proposal.decisions.select_related("approver"))
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        return services.sanction_decide(task=self.task, actor=self.request.user,
                                        decision=d["decision"], reason=d["reason"])


class ExecuteView(StepView):
    form_class = forms.ExecutionForm
    success_message = _("Execution recorded.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["step"] = self.task.flow_task.name
        return kwargs

    def perform(self, form):
        return services.sanction_execute(task=self.task, actor=self.request.user,
                                         executions=form.executions())


class DecideAppealView(StepView):
    form_class = forms.AppealDecisionForm
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
        return services.appeal_decide(task=self.task, actor=self.request.user, appeal=form.appeal,
                                      outcome=d["outcome"], reason=d["reason"], items=form.items())


class AppealFileView(CaseActionView):
    """Record an appeal on behalf of a sanctioned person (POST from the record page)."""

    form_class = forms.AppealFileForm
    success_message = _("Appeal recorded.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["employees"] = Employee.objects.filter(
            sanctions__proposal__case=self.case, sanctions__status=SanctionStatus.EXECUTED).distinct()
        return kwargs

    def perform(self, form):
        employee = Employee.objects.get(pk=form.cleaned_data["employee"])
        return services.appeal_file(case=self.case, actor=self.request.user, employee=employee,
                                    grounds=form.cleaned_data["grounds"])


class EndSanctionView(LoginRequiredMixin, ServiceFormMixin, FormView):
    form_class = forms.EndSanctionForm
    template_name = "sanctions/end_sanction.html"
    success_message = _("The sanction was ended.")

    def dispatch(self, request, *args, **kwargs):
        from .models import ProposedSanction

        self.sanction = get_object_or_404(ProposedSanction.objects.select_related("employee", "proposal__case"),
                                          pk=kwargs["pk"])
        if not (request.user.is_authenticated and may_read_records(request.user)):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sanction": self.sanction}

    def perform(self, form):
        fn = services.sanction_lift if form.cleaned_data["action"] == "lift" else services.sanction_revoke
        return fn(sanction=self.sanction, actor=self.request.user, reason=form.cleaned_data["reason"])

    def get_success_url(self):
        from django.urls import reverse

        return reverse("sanctions:record", args=[self.sanction.employee.staff_number])


class RecordView(LoginRequiredMixin, TemplateView):
    """An employee's disciplinary record: active and past sanctions, cases, appeals."""

    template_name = "sanctions/record.html"

    def get_context_data(self, **kwargs):
        if not may_read_records(self.request.user):
            raise Http404
        employee = get_object_or_404(Employee, staff_number=kwargs["staff_number"])
        if policy.employee_of(self.request.user) == employee:
            raise Http404
        return {**super().get_context_data(**kwargs), "record": selectors.disciplinary_record(employee),
                "appeal_form": forms.AppealFileForm()}
