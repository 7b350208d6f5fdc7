from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from violations.views import StepView

from . import forms, services
from .policy import action_of_task
from .selectors import review_evidence


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
    success_message = _("Customer feedback recorded.")

    def perform(self, form):
        return services.customer_feedback_record(task=self.task, actor=self.request.user,
                                                 **form.cleaned_data)


class RegulatorNotificationView(StepView):
    form_class = forms.RegulatorForm
    success_message = _("Regulator notification recorded.")

    def perform(self, form):
        return services.regulator_notify(task=self.task, actor=self.request.user, **form.cleaned_data)


class ReviewView(StepView):
    form_class = forms.ReviewForm
    template_name = "remediation/review.html"
    success_message = _("Effectiveness review recorded.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["evidence"] = review_evidence(self.case)
        return ctx

    def perform(self, form):
        return services.effectiveness_review(task=self.task, actor=self.request.user, **form.cleaned_data)
