"""Remediation steps of the case process, and the pages around them.

Task views validate their form and call one service; case actions (cancel an action, extend
the complaint clock, record a training) are POSTs from the case page, refused as messages.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from violations.exceptions import ServiceError
from violations.views.cases import CaseActionView

from . import forms, selectors, services
from .models import TrainingAttendance
from .policy import may_read_training_register, may_record_training_completion

# --- case actions --------------------------------------------------------------------------------


class ComplaintExtendView(CaseActionView):
    form_class = forms.ComplaintExtendForm
    success_message = _("Complaint clock extended.")

    def perform(self, form):
        d = form.cleaned_data
        return services.complaint_clock_extend(
            case=self.case, actor=self.request.user, reason=d["reason"], limit_days=d["limit_days"]
        )


class CustomerInformationRequestView(CaseActionView):
    form_class = forms.CustomerInformationRequestForm
    success_message = _("The customer was asked; the complaint clock is paused.")

    def perform(self, form):
        d = form.cleaned_data
        return services.customer_information_request(
            case=self.case, actor=self.request.user, question=d["question"], channel=d["channel"]
        )


class CustomerInformationReceiveView(CaseActionView):
    form_class = forms.CustomerInformationAnswerForm
    success_message = _("The customer's answer is recorded; the complaint clock runs again.")

    def perform(self, form):
        request = self.case.customer_information_requests.filter(pk=self.kwargs["pk"]).first()
        if request is None:
            raise Http404
        return services.customer_information_receive(
            request=request, actor=self.request.user, answer=form.cleaned_data["answer"]
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
            due_date=d.get("due_date"),
        )


class OverdueActionsView(LoginRequiredMixin, TemplateView):
    """Overdue corrective actions across the cases the user may see (the case manager: all)."""

    template_name = "remediation/overdue.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["actions"] = selectors.overdue_actions(self.request.user)
        return ctx


# --- the training register ---------------------------------------------------------------------


class TrainingRegisterView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """Training sessions, their attendees and completion, filterable by department (with
    the departments below it), topic and overdue attendees."""

    template_name = "remediation/training_register.html"

    def test_func(self):
        return may_read_training_register(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = forms.TrainingRegisterFilter(self.request.GET or None)
        f = form.cleaned_data if form.is_valid() else {}
        department = f.get("department")
        sessions = selectors.training_register(
            department=department.pk if department else None,
            topic=f.get("topic") or "",
            overdue_only=bool(f.get("overdue")),
        )
        page_obj = Paginator(sessions, 25).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx.update(
            form=form,
            page_obj=page_obj,
            in_sight=selectors.cases_in_sight(self.request.user, page_obj.object_list),
            today=timezone.localdate(),
            query=query.urlencode(),
            may_record=may_record_training_completion(self.request.user),
        )
        return ctx


class TrainingCompletionView(LoginRequiredMixin, View):
    """POST from the register: record or withdraw one attendee's completion; refusals come
    back as messages on the register."""

    def post(self, request, pk):
        attendance = TrainingAttendance.objects.filter(pk=pk).first()
        if attendance is None or not may_read_training_register(request.user):
            raise Http404(_("No such attendee."))
        back = request.POST.get("back", "")
        target = "remediation:training_register"
        form = forms.TrainingCompletionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose completed or not completed."))
            return redirect(_register_url(target, back))
        try:
            services.training_completion_record(
                attendance=attendance,
                actor=request.user,
                completed=form.cleaned_data["completed"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Completion recorded."))
        return redirect(_register_url(target, back))


def _register_url(name: str, query: str) -> str:
    # Only the register's own filters travel back: never a URL of the visitor's choosing.
    kept = QueryDict(query).copy()
    allowed = {k: kept.getlist(k) for k in ("department", "topic", "overdue", "page") if k in kept}
    encoded = QueryDict(mutable=True)
    for key, values in allowed.items():
        encoded.setlist(key, values)
    return reverse(name) + (f"?{encoded.urlencode()}" if encoded else "")
