"""Remediation steps of the case process, and the pages around them.

Task views validate their form and call one service; case actions (cancel an action, extend
the complaint clock, record a training) are POSTs from the case page, refused as messages.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from violations.views import StepView
from violations.views.cases import CaseActionView

from . import forms, selectors, services
from .models import CorrectiveAction
from .policy import action_of_task


class PlanView(StepView):
    form_class = forms.PlanForm
    success_message = _("Remediation plan recorded; each owner has a task.")

    def perform(self, form):
        causes, actions, errors = form.plan()
        if errors:
            raise ValidationError(errors)
        return services.remediation_plan(task=self.task, actor=self.request.user, causes=causes,
                                         actions=actions)


class CompleteActionView(StepView):
    form_class = forms.CompleteActionForm
    template_name = "remediation/complete_action.html"
    success_message = _("Corrective action completed.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["action"] = action_of_task(self.task)
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        return services.action_complete(task=self.task, actor=self.request.user,
                                        completion_note=d["completion_note"], proof_upload=d["proof"],
                                        proof_link=d["proof_link"])


class CustomerFeedbackView(StepView):
    form_class = forms.CustomerFeedbackForm
    template_name = "remediation/customer_feedback.html"
    success_message = _("Customer feedback recorded.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["clock"] = selectors.complaint_clock(self.case)
        return ctx

    def perform(self, form):
        return services.customer_feedback_record(task=self.task, actor=self.request.user,
                                                 **form.cleaned_data)


class RegulatorNotificationView(StepView):
    form_class = forms.RegulatorForm
    template_name = "remediation/notify_regulator.html"
    success_message = _("Regulator notification recorded.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["deadline"] = selectors.regulator_deadline(self.case)
        return ctx

    def perform(self, form):
        return services.regulator_notify(task=self.task, actor=self.request.user, **form.cleaned_data)


class ReviewView(StepView):
    form_class = forms.ReviewForm
    template_name = "remediation/review.html"
    success_message = _("Effectiveness review recorded.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["evidence"] = selectors.review_evidence(self.case)
        ctx["clock"] = selectors.complaint_clock(self.case)
        return ctx

    def perform(self, form):
        return services.effectiveness_review(task=self.task, actor=self.request.user, **form.cleaned_data)


# --- case actions --------------------------------------------------------------------------------


class ActionCancelView(CaseActionView):
    form_class = forms.CancelActionForm
    success_message = _("Corrective action cancelled.")

    def perform(self, form):
        action = CorrectiveAction.objects.filter(case=self.case, pk=self.kwargs["pk"]).first()
        if action is None:
            raise Http404(_("No such corrective action."))
        return services.action_cancel(action=action, actor=self.request.user,
                                      reason=form.cleaned_data["reason"])


class ComplaintExtendView(CaseActionView):
    form_class = forms.ComplaintExtendForm
    success_message = _("Complaint clock extended.")

    def perform(self, form):
        d = form.cleaned_data
        return services.complaint_clock_extend(case=self.case, actor=self.request.user,
                                               reason=d["reason"], limit_days=d["limit_days"])


class TrainingAddView(CaseActionView):
    form_class = forms.TrainingForm
    success_message = _("Training recorded.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["case"] = self.case
        return kwargs

    def perform(self, form):
        d = form.cleaned_data
        return services.training_record(
            actor=self.request.user, topic=d["topic"], held_on=d["held_on"], trainer=d["trainer"],
            attendees=list(d["attendees"]), cases=[self.case], root_causes=list(d["root_causes"]),
            notes=d["notes"],
        )


class OverdueActionsView(LoginRequiredMixin, TemplateView):
    """Overdue corrective actions across the cases the user may see (the case manager: all)."""

    template_name = "remediation/overdue.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["actions"] = selectors.overdue_actions(self.request.user)
        return ctx
