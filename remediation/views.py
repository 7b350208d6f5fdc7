"""Remediation steps of the case process, and the pages around them.

Task views validate their form and call one service; case actions (cancel an action, extend
the complaint clock, record a training) are POSTs from the case page, refused as messages.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from violations.views.cases import CaseActionView

from . import forms, selectors, services

# --- case actions --------------------------------------------------------------------------------


class ComplaintExtendView(CaseActionView):
    form_class = forms.ComplaintExtendForm
    success_message = _("Complaint clock extended.")

    def perform(self, form):
        d = form.cleaned_data
        return services.complaint_clock_extend(
            case=self.case, actor=self.request.user, reason=d["reason"], limit_days=d["limit_days"]
        )


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
            actor=self.request.user,
            topic=d["topic"],
            held_on=d["held_on"],
            trainer=d["trainer"],
            attendees=list(d["attendees"]),
            cases=[self.case],
            root_causes=list(d["root_causes"]),
            notes=d["notes"],
        )


class OverdueActionsView(LoginRequiredMixin, TemplateView):
    """Overdue corrective actions across the cases the user may see (the case manager: all)."""

    template_name = "remediation/overdue.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["actions"] = selectors.overdue_actions(self.request.user)
        return ctx
