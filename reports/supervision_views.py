import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from violations import policy

from . import supervision


class SupervisorMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Aggregates are for compliance heads, senior management and internal audit."""

    def test_func(self):
        return policy.sees_all_cases(self.request.user)


def _since(request, default_days):
    try:
        return dt.date.fromisoformat(request.GET.get("since", ""))
    except ValueError:
        return timezone.localdate() - dt.timedelta(days=default_days)


class DashboardView(SupervisorMixin, TemplateView):
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["d"] = d = supervision.dashboard(since=_since(self.request, 365))
        ctx["adherence"] = [
            (_("Deadline adherence per deadline"), d.adherence_by_deadline),
            (_("Deadline adherence per department"), d.adherence_by_department),
        ]
        return ctx
