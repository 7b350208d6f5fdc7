"""The auditor's desk: three read-only trails and the signed export."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import RedirectView, TemplateView

from ledger.signing import SigningKeyError

from . import selectors, services
from .forms import CasesExportForm, PeriodExportForm, TrailFilter


class AuditorMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Internal audit's pages: everyone else is refused (403)."""

    def test_func(self):
        return selectors.can_use_desk(self.request.user)


class DeskView(AuditorMixin, RedirectView):
    pattern_name = "auditor:config"


def _tabs(current: str) -> list[tuple[str, str, bool]]:
    return [(page, str(title), page == current) for page, title in selectors.TITLES.items()]


class TrailView(AuditorMixin, TemplateView):
    template_name = "reports/auditor/trail.html"
    page = selectors.CONFIG

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = TrailFilter(self.request.GET or None, page=self.page)
        filters = form.cleaned_data if form.is_valid() else {}
        qs = selectors.trail(
            self.page,
            start=filters.get("start"),
            end=filters.get("end"),
            action=filters.get("action") or "",
        )
        page_obj = Paginator(qs, selectors.PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx.update(
            form=form,
            page=self.page,
            title=selectors.TITLES[self.page],
            tabs=_tabs(self.page),
            page_obj=page_obj,
            entries=selectors.entries(self.page, list(page_obj.object_list)),
            query=query.urlencode(),
            time_zone=timezone.get_current_timezone_name(),
        )
        return ctx


class ExportView(AuditorMixin, View):
    template_name = "reports/auditor/export.html"

    def _page(self, request, period=None, cases=None, message="", status=200):
        return render(
            request,
            self.template_name,
            {
                "period_form": period or PeriodExportForm(prefix="period"),
                "cases_form": cases or CasesExportForm(prefix="cases"),
                "tabs": _tabs(""),
                "message": message,
            },
            status=status,
        )

    def get(self, request):
        return self._page(request)

    def post(self, request):
        kind = request.POST.get("kind")
        period = cases = None
        try:
            if kind == "period":
                period = PeriodExportForm(request.POST, prefix="period")
                if not period.is_valid():
                    return self._page(request, period=period, status=400)
                start, end = period.cleaned_data["start"], period.cleaned_data["end"]
                data = services.audit_trail_export(actor=request.user, start=start, end=end)
                name = f"audit-trail-{start.isoformat()}-{end.isoformat()}.json"
            elif kind == "cases":
                cases = CasesExportForm(request.POST, prefix="cases")
                if not cases.is_valid():
                    return self._page(request, cases=cases, status=400)
                chosen = services.cases_from_references(request.user, cases.cleaned_data["cases"])
                data = services.audit_cases_export(actor=request.user, cases=chosen)
                name = f"audit-cases-{timezone.localdate().isoformat()}.json"
            else:
                return self._page(request, message=_("Choose what to export."), status=400)
        except ValidationError as exc:
            form = period if kind == "period" else cases
            for field, errors in exc.message_dict.items():
                target = field if form is not None and field in form.fields else None
                for error in errors:
                    form.add_error(target, error)
            return self._page(request, period=period, cases=cases, status=400)
        except SigningKeyError:
            return self._page(
                request,
                period=period,
                cases=cases,
                message=_("The institution's signing key is not set up: nothing was exported."),
                status=503,
            )
        response = HttpResponse(data, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
