"""Case pages: the list, the case file on screen with its timeline, and case actions."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import audit, case_filters, forms, policy, selectors, services
from ..models import Case, Evidence, Stage
from .base import ServiceFormMixin


def visible_case_or_404(user, reference: str) -> Case:
    case = Case.objects.filter(reference=reference).first()
    if case is None or not policy.can_view_case(user, case):
        # Same answer whether the case exists or not: no probing for references.
        raise Http404(_("No such case."))
    return case


DUE_CHOICES = [
    ("overdue", _("Overdue")),
    ("1", _("Due within 1 day")),
    ("3", _("Due within 3 days")),
    ("7", _("Due within 7 days")),
    ("14", _("Due within 14 days")),
    ("30", _("Due within 30 days")),
]


class CaseListView(LoginRequiredMixin, TemplateView):
    """The cases the reader may see, narrowed by the search box, the stage and deadline
    selects and the dashboard's filters (:mod:`violations.case_filters`: a figure's link
    lands here with its own query string); ``?format=csv`` gives the same cases as CSV."""

    template_name = "violations/case_list.html"

    def get(self, request, *args, **kwargs):
        self.filter_form = case_filters.CaseFilterForm(request.GET)
        self.filter_form.is_valid()
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def _arguments(self):
        q = (self.request.GET.get("q") or "").strip() or None
        try:
            due = selectors.parse_due(self.request.GET.get("due"))
            due_error = ""
        except ValueError:
            due = None
            due_error = _("“Due within” takes a number of days from 1 to 366, or “overdue”.")
        return q, due, due_error, self.filter_form.case_filter()

    def csv(self):
        q, due, _due_error, filters = self._arguments()
        rows = selectors.case_list(self.request.user, q=q, due=due, filters=filters)
        return csv_response(
            "cases.csv",
            [
                _("Reference"),
                _("Title"),
                _("Category"),
                _("Department"),
                _("Severity"),
                _("Stage"),
                _("Reported"),
                _("Closed"),
            ],
            (
                (
                    c.reference,
                    c.title,
                    c.category.name,
                    c.department.name,
                    c.get_severity_display(),
                    c.get_stage_display(),
                    timezone.localtime(c.reported_at).date().isoformat(),
                    timezone.localtime(c.closed_at).date().isoformat() if c.closed_at else "",
                )
                for c in rows.iterator(chunk_size=500)
            ),
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        q, due, due_error, filters = self._arguments()
        user = self.request.user
        page = selectors.CountedPaginator(
            selectors.case_list(user, q=q, due=due, filters=filters),
            25,
            count=selectors.case_list_count(user, q=q, due=due, filters=filters),
        ).get_page(self.request.GET.get("page"))
        kept = self.request.GET.copy()
        kept.pop("page", None)
        kept.pop("format", None)
        ctx.update(
            page=page,
            stages=Stage.choices,
            stage=filters.stage or None,
            q=q or "",
            due="" if due is None else str(due),
            due_choices=DUE_CHOICES
            if due is None or str(due) in dict(DUE_CHOICES)
            else [*DUE_CHOICES, (str(due), _("Due within %(n)d days") % {"n": due})],
            due_error=due_error,
            filter_form=self.filter_form,
            drilled=[
                self.filter_form[name]
                for name in self.filter_form.fields
                if name != "stage" and self.filter_form.data.get(name)
            ],
            query=kept.urlencode(),
        )
        return ctx


def csv_response(filename: str, header, rows) -> StreamingHttpResponse:
    """A CSV download streamed row by row (UTF-8 with a byte-order mark, so spreadsheet
    programs read Chinese names right)."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow([str(h) for h in header])
        for row in rows:
            yield writer.writerow([str(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class MyReportsView(LoginRequiredMixin, TemplateView):
    """A reporter sees only the status and outcome of their own reports."""

    template_name = "violations/my_reports.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["reports"] = selectors.my_reports(self.request.user)
        return ctx


class CaseActionView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """POST-only action from the case page; errors come back as messages on the case page."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        self.case = (
            visible_case_or_404(request.user, kwargs["reference"])
            if request.user.is_authenticated
            else None
        )
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(self.request, f"{label}: {error}" if label else error)
        return redirect(self.get_success_url())

    def get_success_url(self):
        return self.case.get_absolute_url()


class AcknowledgeView(CaseActionView):
    form_class = forms.AcknowledgeForm
    success_message = _("The report is acknowledged.")

    def perform(self, form):
        return services.case_acknowledge(
            case=self.case, actor=self.request.user, message=form.cleaned_data["message"]
        )


class EvidenceAddView(CaseActionView):
    form_class = forms.EvidenceForm
    success_message = _("Evidence stored with its SHA-256.")

    def perform(self, form):
        d = form.cleaned_data
        return services.evidence_add(
            case=self.case,
            actor=self.request.user,
            upload=d["file"],
            kind=d["kind"],
            description=d["description"],
        )


class EvidenceSupersedeView(CaseActionView):
    """Replace an evidence item with a corrected file; the old one stays, marked superseded."""

    form_class = forms.SupersedeForm
    success_message = _("Evidence superseded; the earlier file is kept with the reason.")

    def perform(self, form):
        evidence = self.case.evidence.filter(pk=self.kwargs["pk"]).first()
        if evidence is None:
            raise Http404(_("No such evidence item."))
        return services.evidence_supersede(
            evidence=evidence,
            actor=self.request.user,
            upload=form.cleaned_data["file"],
            reason=form.cleaned_data["reason"],
        )


class InterviewAddView(CaseActionView):
    form_class = forms.InterviewForm
    success_message = _("Interview recorded.")

    def perform(self, form):
        d = form.cleaned_data
        return services.interview_record(
            case=self.case,
            actor=self.request.user,
            interviewee=d["interviewee"],
            held_at=d["held_at"],
            summary=d["summary"],
        )


class RecordReviewAddView(CaseActionView):
    form_class = forms.RecordReviewForm
    success_message = _("Record review added.")

    def perform(self, form):
        d = form.cleaned_data
        return services.record_review_add(
            case=self.case, actor=self.request.user, record=d["record"], findings=d["findings"]
        )


class DeclarationsView(LoginRequiredMixin, TemplateView):
    """Cases the user was named to and must declare on before seeing any detail."""

    template_name = "violations/declarations.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["pending"] = (
            self.request.user.case_memberships.filter(active=True, declared_at__isnull=True)
            .select_related("case")
            .order_by("appointed_at")
        )
        ctx["form"] = forms.DeclarationForm()
        return ctx


class EvidenceDownloadView(LoginRequiredMixin, View):
    """Evidence leaves only through here: visibility checked, every download audited."""

    def get(self, request, reference, pk):
        from django.db import transaction

        case = visible_case_or_404(request.user, reference)
        item = Evidence.objects.filter(case=case, pk=pk).first()
        if item is None:
            raise Http404(_("No such evidence."))
        if not item.file.name and hasattr(case, "erasure"):
            return render(
                request,
                "accountability/refused.html",
                {
                    "title": _("Evidence file erased"),
                    "message": _(
                        "This evidence file was erased with the case's personal data when its "
                        "retention ended. The register keeps its size and SHA-256."
                    ),
                    "case": case,
                },
                status=404,
            )
        try:
            handle = item.file.open("rb")
        except (FileNotFoundError, ValueError):  # ValueError: the row names no file
            return render(
                request,
                "accountability/refused.html",
                {
                    "title": _("Evidence file missing"),
                    "message": _(
                        "The file of evidence item %(name)s is missing from storage. "
                        "Tell the administrator: manage.py verify_audit names it."
                    )
                    % {"name": item.original_name},
                    "case": case,
                },
                status=404,
            )
        with transaction.atomic():
            audit.record(
                action="evidence.downloaded",
                actor=request.user,
                case=case,
                payload={"evidence": item.pk, "sha256": item.sha256},
            )
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=item.original_name,
            content_type=item.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
