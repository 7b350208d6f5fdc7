"""The appeal panel of the case page: record an appeal while the window is open."""

from django import template

from violations import policy
from violations.models import Employee

from .. import forms
from ..models import SanctionStatus
from ..services.appeal import appeal_window_task

register = template.Library()


@register.inclusion_tag("sanctions/appeal_panel.html", takes_context=True)
def appeal_panel(context, case):
    user = context["request"].user
    window = appeal_window_task(case) if case.process_id and not case.is_closed else None
    allowed = (window is not None and user.has_perm("sanctions.file_appeal")
               and not policy.is_subject(user, case) and not policy.is_reporter(user, case))
    employees = (Employee.objects.filter(sanctions__proposal__case=case,
                                         sanctions__status=SanctionStatus.EXECUTED).distinct()
                 if allowed else Employee.objects.none())
    return {
        "case": case,
        "csrf_token": context.get("csrf_token"),
        "window": window,
        "form": forms.AppealFileForm(employees=employees) if allowed and employees else None,
    }
