"""The case page, and the actions on it that change the process (reassigning a task,
filing an appeal while the window is open, cancelling a corrective action and its task,
cancelling the case)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from remediation import forms as remediation_forms
from remediation.models import CorrectiveAction
from sanctions import forms as sanction_forms
from sanctions.models import SanctionStatus
from violations import forms, policy, selectors
from violations.models import Employee, Stage
from violations.views.cases import CaseActionView, visible_case_or_404

from .. import services
from ..selectors import ACTION_LABELS, open_case_tasks


class CaseDetailView(LoginRequiredMixin, TemplateView):
    template_name = "casework/case_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        visible_case_or_404(user, kwargs["reference"])
        case = selectors.case_page(kwargs["reference"])
        membership = case.team.all()
        mine = next((m for m in membership if m.user_id == user.pk and m.active), None)
        ctx.update(
            case=case,
            timeline=selectors.timeline(case, user, ACTION_LABELS),
            tasks=open_case_tasks(case),
            show_reporter=policy.can_see_reporter(user, case),
            membership=mine,
            can_collect=(case.stage == Stage.VERIFICATION and policy.has(user, "verify_case"))
            or (case.stage == Stage.INVESTIGATION and mine is not None and mine.cleared),
            can_investigate=case.stage == Stage.INVESTIGATION and mine is not None and mine.cleared,
            can_acknowledge=not case.acknowledged_at
            and policy.has(user, "verify_case")
            and case.stage != Stage.CLOSED,
            can_manage=policy.has(user, "manage_cases"),
            vault=selectors.vault_panel(case, user),
            appeal_closes_at=(
                services.appeal_window_closes_at(case)
                if case.process_id and not case.is_closed
                else None
            ),
            forms={
                "evidence": forms.EvidenceForm(),
                "supersede": forms.SupersedeForm(),
                "interview": forms.InterviewForm(),
                "record_review": forms.RecordReviewForm(),
                "declaration": forms.DeclarationForm(),
                "acknowledge": forms.AcknowledgeForm(),
                "reassign": forms.ReassignForm(),
                "cancel_case": forms.CaseCancelForm(),
                "unmask": forms.UnmaskRequestForm(),
            },
        )
        return ctx


class ReassignView(CaseActionView):
    form_class = forms.ReassignForm
    success_message = _("Task reassigned.")

    def perform(self, form):
        task = next(
            (t for t in open_case_tasks(self.case) if str(t.pk) == self.request.POST.get("task")),
            None,
        )
        if task is None:
            raise Http404(_("No such open task."))
        d = form.cleaned_data
        return services.task_reassign(
            task=task, actor=self.request.user, to_user=d["to_user"], reason=d["reason"]
        )


class AppealFileView(CaseActionView):
    """Record an appeal on behalf of a sanctioned person (POST from the record page)."""

    form_class = sanction_forms.AppealFileForm
    success_message = _("Appeal recorded.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["employees"] = Employee.objects.filter(
            sanctions__proposal__case=self.case, sanctions__status=SanctionStatus.EXECUTED
        ).distinct()
        return kwargs

    def perform(self, form):
        employee = Employee.objects.get(pk=form.cleaned_data["employee"])
        return services.appeal_file(
            case=self.case,
            actor=self.request.user,
            employee=employee,
            grounds=form.cleaned_data["grounds"],
        )


class ActionCancelView(CaseActionView):
    form_class = remediation_forms.CancelActionForm
    success_message = _("Corrective action cancelled.")

    def perform(self, form):
        action = CorrectiveAction.objects.filter(case=self.case, pk=self.kwargs["pk"]).first()
        if action is None:
            raise Http404(_("No such corrective action."))
        return services.action_cancel(
            action=action, actor=self.request.user, reason=form.cleaned_data["reason"]
        )


class CaseCancelView(CaseActionView):
    form_class = forms.CaseCancelForm
    success_message = _("Case cancelled.")

    def perform(self, form):
        return services.case_cancel(
            case=self.case, actor=self.request.user, reason=form.cleaned_data["reason"]
        )


class ProcessCancelRedirectView(LoginRequiredMixin, View):
    """Stands at the address of viewflow's own process-cancel page (which cancels without a
    reason or an audit event): it only leads to the case page, where cancelling is asked
    for with a reason through :func:`casework.services.case_cancel`."""

    http_method_names = ["get"]

    def get(self, request, *args, process_pk, **kwargs):
        case = policy.visible_cases(request.user).filter(process_id=process_pk).first()
        if case is None:
            raise Http404(_("No such case."))
        return redirect(f"{case.get_absolute_url()}#cancel-case")
