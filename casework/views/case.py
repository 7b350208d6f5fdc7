"""The case page, and the actions on it that change the process (reassigning a task,
filing an appeal while the window is open, cancelling a corrective action and its task,
cancelling the case)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View
from viewflow.workflow.models import Task

from remediation import forms as remediation_forms
from remediation.models import CorrectiveAction
from sanctions import forms as sanction_forms
from sanctions.models import SanctionStatus
from violations import forms, policy, selectors
from violations import services as violations_services
from violations.models import Case, Employee, Stage
from violations.services import mailbox
from violations.services.retention import case_retention
from violations.views.base import ServiceFormMixin
from violations.views.cases import CaseActionView, visible_case_or_404

from .. import forms as work_forms
from .. import services
from ..as_of import case_as_of
from ..selectors import ACTION_LABELS, case_managers, deeds, open_case_tasks, waiting
from .steps import people_by_name

# The people the case page names, each with the staff record that gives name and position.
PEOPLE_ON_THE_PAGE = [
    f"{relation}__employee"
    for relation in (
        "evidence__collected_by",
        "interviews__interviewer",
        "record_reviews__reviewed_by",
        "investigation_reports__submitted_by",
        "findings__found_by",
        "sanction_proposals__decisions__approver",
        "sanction_proposals__proposed_by",
        "corrective_actions__owner",
        "effectiveness_reviews__reviewer",
    )
]


class CaseDetailView(LoginRequiredMixin, TemplateView):
    template_name = "casework/case_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        visible_case_or_404(user, kwargs["reference"])
        case = selectors.case_page(kwargs["reference"])
        # The page names each person by their staff record (the case file does not).
        prefetch_related_objects([case], *PEOPLE_ON_THE_PAGE)
        membership = case.team.all()
        mine = next((m for m in membership if m.user_id == user.pk and m.active), None)
        tasks = open_case_tasks(case)
        for task in tasks:
            task.my_action = _action_on(task, user)
        waits = waiting(case, tasks)
        # The case page's read has the receipt: no query to know whether a mailbox exists.
        reachable = hasattr(case, "reporter_receipt")
        ctx.update(
            case=case,
            timeline=selectors.timeline(case, user, ACTION_LABELS),
            clocks=selectors.case_clocks(case),
            tasks=tasks,
            waits=waits,
            ask=case_managers() if not case.is_closed and (waits or not tasks) else [],
            show_reporter=policy.can_see_reporter(user, case),
            membership=mine,
            can_collect=(case.stage == Stage.VERIFICATION and policy.has(user, "verify_case"))
            or (case.stage == Stage.INVESTIGATION and mine is not None and mine.cleared),
            can_investigate=case.stage == Stage.INVESTIGATION and mine is not None and mine.cleared,
            can_acknowledge=not case.acknowledged_at
            and policy.has(user, "verify_case")
            and case.stage != Stage.CLOSED,
            can_manage=policy.has(user, "manage_cases"),
            can_change_team=policy.has(user, "form_team")
            and not case.is_closed
            and any(m.active for m in membership),
            vault=selectors.vault_panel(case, user),
            retention=case_retention(case),
            # Only a case with a receipt code has a mailbox, and messages.
            reporter_messages=list(mailbox.mailbox_messages(case)) if reachable else [],
            reporter_reachable=reachable,
            can_write_reporter=reachable and mailbox.may_write_to_reporter(user, case),
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
                "reassign": people_by_name(forms.ReassignForm()),
                "cancel_case": forms.CaseCancelForm(),
                "unmask": forms.UnmaskRequestForm(),
                "reporter_message": forms.ReporterMessageForm(),
                "as_of": work_forms.AsOfForm(),
                "legal_hold": work_forms.LegalHoldForm(),
                "legal_hold_lift": work_forms.LegalHoldLiftForm(),
            },
        )
        return ctx


class CaseAsOfView(LoginRequiredMixin, TemplateView):
    """The case as it was at a chosen moment, read only, for those who may see the case."""

    template_name = "casework/case_as_of.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        case = visible_case_or_404(self.request.user, kwargs["reference"])
        form = work_forms.AsOfForm(self.request.GET or None)
        past = None
        if form.is_valid():
            at = form.cleaned_data["at"]
            if at > timezone.now():
                form.add_error("at", _("Choose a moment in the past."))
            else:
                if not (at.second or at.microsecond):
                    # A minute from the picker: the state at its end, what was done in it
                    # included (the case reported "at 10:05" exists at 10:05).
                    at = min(at + dt.timedelta(minutes=1, microseconds=-1), timezone.now())
                past = case_as_of(case, at)
                if past is None:
                    form.add_error(
                        "at",
                        _("The case did not exist yet: it was reported on %(when)s.")
                        % {
                            "when": date_format(
                                timezone.localtime(case.reported_at), "DATETIME_FORMAT"
                            )
                        },
                    )
        ctx.update(case=case, form=form, past=past)
        return ctx


def _action_on(task: Task, user) -> str:
    """What the case page offers ``user`` on an open task, as the inbox does: "open" the
    form of a task they hold, "claim" one waiting that they may take, else nothing."""
    if task.owner_id == user.pk:
        return "open"
    if task.owner_id is None and not policy.read_only(user) and services.task_eligible(user, task):
        return "claim"
    return ""


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


class ReporterMessageView(CaseActionView):
    """The case team writes to the reporter's mailbox (a question, feedback)."""

    form_class = forms.ReporterMessageForm
    success_message = _("Your message is in the reporter's mailbox.")

    def perform(self, form):
        d = form.cleaned_data
        return violations_services.reporter_message_send(
            case=self.case, actor=self.request.user, kind=d["kind"], text=d["text"]
        )

    def get_success_url(self):
        return self.case.get_absolute_url() + "#reporter-messages"


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


class TeamChangeView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """The case manager replaces the lead or a member, with a reason; newcomers declare
    before they see anything (the service and the visibility rule see to it)."""

    form_class = work_forms.TeamChangeForm
    template_name = "casework/team_change.html"
    success_message = _("The team is changed; newcomers are asked to declare first.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case = visible_case_or_404(request.user, kwargs["reference"])
        if not policy.has(request.user, "form_team"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["case"] = self.case
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["case"] = self.case
        ctx["team"] = self.case.team.select_related("user__employee").order_by("pk")
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        return services.team_change(
            case=self.case,
            actor=self.request.user,
            reason=d["reason"],
            remove=list(d["remove"]),
            add=list(d["add"]),
            new_lead=d["new_lead"],
        )

    def get_success_url(self):
        return self.case.get_absolute_url()


class DeclareView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """A team member's conflict-of-interest declaration. Members declare before they may
    see the case, so the only check here is membership."""

    http_method_names = ["post"]
    form_class = forms.DeclarationForm
    success_message = _("Your declaration is recorded.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case = Case.objects.filter(reference=kwargs["reference"]).first()
        if self.case is None or not self.case.team.filter(user=request.user, active=True).exists():
            raise Http404(_("No such case."))
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        d = form.cleaned_data
        return services.team_declare(
            case=self.case,
            actor=self.request.user,
            has_conflict=d["has_conflict"],
            statement=d["statement"],
        )

    def form_invalid(self, form):
        messages.error(self.request, _("Choose whether you have a conflict of interest."))
        return redirect("violations:my_declarations")

    def get_success_url(self):
        if policy.can_view_case(self.request.user, self.case):
            return self.case.get_absolute_url()
        messages.info(
            self.request,
            _("You are no longer on this case; the case manager names someone else."),
        )
        return reverse("violations:my_declarations")


class DoneTaskView(LoginRequiredMixin, TemplateView):
    """A task the user finished ("Done by me"): what they did, and the case only while they
    may still see it."""

    template_name = "casework/done_task.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        task = (
            Task.objects.filter(pk=kwargs["pk"], owner=user, finished__isnull=False)
            .select_related("process")
            .first()
        )
        case = Case.objects.filter(process_id=task.process_id).first() if task else None
        if case is None:
            raise Http404(_("No such task of yours."))
        ctx.update(
            task=task,
            step_title=task.flow_task.task_title,
            reference=case.reference,
            visible=policy.can_view_case(user, case),
            deeds=deeds(task, user),
        )
        return ctx
