"""The supervision dashboard, its downloads and the regulator statistics' button.

Every page reads the filters from the query string (:class:`DashboardFilterForm`); a bad
value is a form error with status 400, never an exception."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from sanctions.views import may_read_records
from violations import policy
from violations.case_filters import CaseFilterForm

from .supervision import charts, conf, exports, figures, regulator
from .supervision.pdf import render_pdf


class SupervisorMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Aggregates are for compliance heads, senior management and internal audit."""

    def test_func(self):
        return policy.sees_all_cases(self.request.user)


class DashboardFilterForm(CaseFilterForm):
    """The case filters, with the period defaulted (the last twelve months; an open end is
    today; an open start twelve months before the end) and kept within the trend's ceiling."""

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and not self.errors:
            months = (end.year - start.year) * 12 + end.month - start.month + 1
            if months > conf.get("MAX_MONTHS"):
                self.add_error(
                    "from",
                    _("The period may cover at most %(n)d months.") % {"n": conf.get("MAX_MONTHS")},
                )
        return data

    def dashboard_filter(self):
        f = self.case_filter()
        today = timezone.localdate()
        end = f.reported_to or today
        start = f.reported_from or figures.default_filter(end).reported_from
        return f.with_(reported_from=start, reported_to=end)


def _dashboard(request):
    """The form and, when it is valid, the figures."""
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, figures.dashboard(form.dashboard_filter())


def _bad_request(request, form):
    return render(request, "reports/dashboard.html", {"form": form, "d": None}, status=400)


def may_generate_statistics(user) -> bool:
    return regulator.may_generate(user)


class DashboardView(SupervisorMixin, TemplateView):
    template_name = "reports/dashboard.html"

    def get(self, request, *args, **kwargs):
        form, d = _dashboard(request)
        if d is None:
            return _bad_request(request, form)
        user = request.user
        own = policy.employee_of(user)
        readable = may_read_records(user)
        ctx = self.get_context_data(
            form=form,
            d=d,
            main_fields=[form[name] for name in form.MAIN],
            charts=[(c, charts.svg(c)) for c in charts.trend_charts(d)],
            adherence=[
                (_("Deadline adherence per deadline"), d.adherence_by_deadline),
                (_("Deadline adherence per department"), d.adherence_by_department),
            ],
            record_links={
                o.staff_number
                for o in d.repeat_offenders
                if readable and (own is None or own.staff_number != o.staff_number)
            },
            table_keys=[t.key for t in exports.tables(d)],
            query=d.filters.query(),
            may_generate=may_generate_statistics(user),
            statistics_form=regulator.StatisticsForm(),
        )
        return self.render_to_response(ctx)


def _filename(stem: str, d, ext: str) -> str:
    return f"{stem}-{d.filters.reported_from}-{d.filters.reported_to}.{ext}"


class TableCSVView(SupervisorMixin, View):
    def get(self, request, key):
        form, d = _dashboard(request)
        if d is None:
            return _bad_request(request, form)
        table = next((t for t in exports.tables(d) if t.key == key), None)
        if table is None:
            raise Http404
        data = exports.table_csv(table)
        exports.export_record(actor=request.user, d=d, fmt="csv", keys=[table.key], data=data)
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_filename(key, d, "csv")}"'
        return response


def _subtitle(d) -> str:
    return _("Cases reported from %(start)s to %(end)s") % {
        "start": d.filters.reported_from,
        "end": d.filters.reported_to,
    }


class WorkbookView(SupervisorMixin, View):
    def get(self, request):
        form, d = _dashboard(request)
        if d is None:
            return _bad_request(request, form)
        tables = exports.tables(d)
        data = exports.workbook(tables, title=_("Supervision dashboard"), subtitle=_subtitle(d))
        exports.export_record(
            actor=request.user, d=d, fmt="xlsx", keys=[t.key for t in tables], data=data
        )
        response = HttpResponse(
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{_filename("supervision", d, "xlsx")}"'
        )
        return response


class PDFView(SupervisorMixin, View):
    def get(self, request):
        form, d = _dashboard(request)
        if d is None:
            return _bad_request(request, form)
        pdf = render_pdf(
            d,
            lang=get_language(),
            title=_("Supervision dashboard"),
            subtitle=_subtitle(d),
            institution=settings.ACCOUNTABILITY["INSTITUTION_NAME"],
        )
        exports.export_record(
            actor=request.user, d=d, fmt="pdf", keys=[t.key for t in exports.tables(d)], data=pdf
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{_filename("supervision", d, "pdf")}"'
        )
        return response


class StatisticsView(SupervisorMixin, View):
    """The regulator statistics for a month or quarter, signed: for case managers and
    internal auditors (those who export to the regulator)."""

    http_method_names = ["post"]

    def post(self, request):
        if not may_generate_statistics(request.user):
            raise Http404
        form = regulator.StatisticsForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "reports/statistics_error.html",
                {"form": form},
                status=400,
            )
        buf = io.BytesIO()
        result = regulator.statistics_export(
            period=form.cleaned_data["period"],
            lang=form.cleaned_data["language"],
            actor=request.user,
            dest=buf,
            recipient=form.cleaned_data["recipient"],
        )
        response = HttpResponse(buf.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        return response
