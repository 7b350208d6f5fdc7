"""Task views: each validates its form, calls one service, and reports the outcome."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from viewflow.workflow.flow.views import AssignTaskView, UnassignTaskView

from .. import forms, services
from ..exceptions import Conflict, ServiceError
from ..models import Case


def apply_validation_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


class ServiceFormMixin:
    """Call ``perform`` with the valid form; turn refusals into messages, never a 500."""

    success_message = _("Done.")

    def form_valid(self, form):
        try:
            self.result = self.perform(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        except Conflict as error:
            messages.error(self.request, error.message)
            return redirect(self.get_refused_url())
        except ServiceError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def get_refused_url(self):
        return self.get_success_url()


class StepView(ServiceFormMixin, FormView):
    """A human step of the case process (request.activation is set by viewflow)."""

    template_name = "violations/step.html"
    success_message = _("Step completed.")

    def dispatch(self, request, *args, **kwargs):
        # Holding the task is not enough: a lead named by the flow declares first, and the
        # page shows the case, so it follows the need-to-know rule like the case page.
        from django.core.exceptions import PermissionDenied

        from .. import policy

        if not policy.can_view_case(request.user, self.case):
            if self.case.team.filter(user=request.user, active=True,
                                     declared_at__isnull=True).exists():
                messages.info(request, _("Declare whether you have a conflict of interest "
                                         "before working on this case."))
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

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(case=self.case, task=self.task, step_title=self.task.flow_task.task_title)
        return ctx

    def get_success_url(self):
        from .. import policy

        if policy.can_view_case(self.request.user, self.case):
            return self.case.get_absolute_url()
        return "/"


class ReportView(ServiceFormMixin, FormView):
    template_name = "violations/report.html"
    form_class = forms.ReportForm
    success_message = _("Your report was recorded. Thank you.")

    def perform(self, form):
        data = form.cleaned_data
        return services.case_report(
            actor=self.request.user,
            source=data["source"], category=data["category"], title=data["title"],
            description=data["description"], occurred_at=data["occurred_at"],
            department=data["department"], subjects=list(data["subjects"]),
            customer_involved=data["customer_involved"], customer_name=data["customer_name"],
            customer_reference=data["customer_reference"], customer_contact=data["customer_contact"],
            is_anonymous=data["is_anonymous"], attachments=data["attachments"],
        )

    def get_success_url(self):
        from django.urls import reverse

        return reverse("violations:my_reports")


class VerifyView(StepView):
    form_class = forms.VerifyForm

    def perform(self, form):
        d = form.cleaned_data
        return services.verification_complete(
            task=self.task, actor=self.request.user, outcome=d["outcome"], reason=d["reason"],
            first_evidence=d["first_evidence"], duplicate_of=d["duplicate_of"],
        )


class FormTeamView(StepView):
    form_class = forms.TeamForm

    def perform(self, form):
        d = form.cleaned_data
        return services.team_form(task=self.task, actor=self.request.user, lead=d["lead"],
                                  members=list(d["members"]), note=d["note"])


class InvestigateView(StepView):
    form_class = forms.InvestigationReportForm
    template_name = "violations/step_investigate.html"

    def perform(self, form):
        d = form.cleaned_data
        return services.investigation_submit(task=self.task, actor=self.request.user,
                                             summary=d["summary"], conclusion=d["conclusion"])


class FindFactsView(StepView):
    form_class = forms.FactsForm

    def perform(self, form):
        d = form.cleaned_data
        return services.facts_determine(
            task=self.task, actor=self.request.user, established=d["established"],
            category=d["category"], nature=d["nature"], severity=d["severity"],
            customer_loss=d["customer_loss"], legal_matter=d["legal_matter"],
            responsible=form.responsible(), facts_clear=d["facts_clear"],
            evidence_conclusive=d["evidence_conclusive"],
            characterization_accurate=d["characterization_accurate"],
            handling_appropriate=d["handling_appropriate"],
        )


class ClaimTaskView(AssignTaskView):
    """Viewflow's assign, through the audited claim service with segregation of duties.

    Viewflow opens this page to anyone whose role carries the task's permission; a subject,
    the reporter or a conflicted user must not even see which case it is.
    """

    def dispatch(self, request, *args, **kwargs):
        from django.core.exceptions import PermissionDenied

        from .. import policy

        case = Case.objects.filter(process_id=request.activation.task.process_id).first()
        if case is None or not policy.can_view_case(request.user, case):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, *args, **kwargs):
        try:
            services.task_claim(task=self.request.activation.task, actor=self.request.user)
        except ServiceError as error:
            messages.error(self.request, error.message)
            task = self.request.activation.task
            return redirect(task.flow_task.reverse("index", args=[task.process_id, task.pk]))
        messages.success(self.request, _("The task is yours."))
        task = self.request.activation.task
        return HttpResponseRedirect(task.flow_task.reverse("execute", args=[task.process_id, task.pk]))


class ReleaseTaskView(UnassignTaskView):
    def form_valid(self, *args, **kwargs):
        try:
            services.task_unassign(task=self.request.activation.task, actor=self.request.user)
        except ServiceError as error:
            messages.error(self.request, error.message)
        else:
            messages.success(self.request, _("The task is back in the queue."))
        return HttpResponseRedirect(self.get_success_url())
