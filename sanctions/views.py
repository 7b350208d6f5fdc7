"""Sanction steps and pages. Each view validates its form and calls one service."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from violations import policy
from violations.models import Employee
from violations.views.base import ServiceFormMixin

from . import forms, selectors, services
from .models import SanctionKind


def may_read_records(user) -> bool:
    """Case managers, HR and internal auditors read disciplinary records."""
    return (
        policy.has(user, "manage_cases")
        or policy.has(user, "execute_sanction")
        or policy.has(user, "audit_cases")
    )


def proposal_context(case):
    finding = case.findings.order_by("-round").first()
    ctx = {"finding": finding, "kinds": {k.code: k for k in SanctionKind.objects.all()}}
    if finding and finding.established:
        ctx["ranges"] = [
            selectors.assess(finding, rp) for rp in finding.responsible.select_related("employee")
        ]
        ctx["precedents"] = selectors.precedents(
            case, category=finding.category, severity=finding.severity
        )
    return ctx


class EndSanctionView(LoginRequiredMixin, ServiceFormMixin, FormView):
    form_class = forms.EndSanctionForm
    template_name = "sanctions/end_sanction.html"
    success_message = _("The sanction was ended.")

    def dispatch(self, request, *args, **kwargs):
        from .models import ProposedSanction

        self.sanction = get_object_or_404(
            ProposedSanction.objects.select_related("employee", "proposal__case"), pk=kwargs["pk"]
        )
        if not (request.user.is_authenticated and may_read_records(request.user)):
            raise Http404
        # Not one's own sanction, nor one of a case one is kept from (a co-subject, a
        # declared conflict): the same answer as for a sanction that does not exist.
        if policy.employee_of(request.user) == self.sanction.employee or policy.kept_from(
            request.user, self.sanction.proposal.case
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sanction": self.sanction}

    def perform(self, form):
        fn = (
            services.sanction_lift
            if form.cleaned_data["action"] == "lift"
            else services.sanction_revoke
        )
        return fn(
            sanction=self.sanction, actor=self.request.user, reason=form.cleaned_data["reason"]
        )

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
        return {
            **super().get_context_data(**kwargs),
            "record": selectors.disciplinary_record(employee, reader=self.request.user),
            "appeal_form": forms.AppealFileForm(),
        }
