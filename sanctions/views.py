from django.utils.translation import gettext_lazy as _

from violations.views import StepView

from . import forms, services
from .policy import pending_proposal


class ProposeView(StepView):
    form_class = forms.ProposalForm
    template_name = "sanctions/propose.html"
    success_message = _("Sanctions proposed and sent for approval.")

    def perform(self, form):
        return services.sanction_propose(task=self.task, actor=self.request.user, items=form.items(),
                                         justification=form.cleaned_data["justification"])


class ApproveView(StepView):
    form_class = forms.DecisionForm
    template_name = "sanctions/approve.html"
    success_message = _("Decision recorded.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["proposal"] = pending_proposal(self.case)
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        return services.sanction_decide(task=self.task, actor=self.request.user,
                                        decision=d["decision"], reason=d["reason"])


class ExecuteView(StepView):
    form_class = forms.ExecutionForm
    success_message = _("Execution recorded.")

    def perform(self, form):
        return services.sanction_execute(task=self.task, actor=self.request.user,
                                         executions=form.executions())
