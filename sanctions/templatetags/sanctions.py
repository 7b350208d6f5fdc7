"""The appeal panel of the case page: record an appeal while the window is open."""

from django import template

from violations import policy
from violations.models import Employee

from .. import forms
from ..models import SanctionStatus

register = template.Library()


@register.inclusion_tag("sanctions/appeal_panel.html", takes_context=True)
def appeal_panel(context, case, window_closes_at):
    """``window_closes_at``: when the case's appeal window closes (None: not open)."""
    user = context["request"].user
    window = window_closes_at
    standing = policy.standing(user, case)
    allowed = (
        window is not None
        and user.has_perm("sanctions.file_appeal")
        and not standing.subject
        and not policy.is_reporter(user, case, standing)
    )
    employees = (
        Employee.objects.filter(
            sanctions__proposal__case=case, sanctions__status=SanctionStatus.EXECUTED
        ).distinct()
        if allowed
        else Employee.objects.none()
    )
    return {
        "case": case,
        "csrf_token": context.get("csrf_token"),
        "window": window,
        "form": forms.AppealFileForm(employees=employees) if allowed and employees else None,
    }


@register.inclusion_tag("sanctions/_params.html")
def sanction_params(item):
    """A sanction's parameters in words: "Amount: HK$20,000.00 · Pay period: 2026 bonus"."""
    from ..describe import describe_sanction

    return {"lines": describe_sanction(item)}
