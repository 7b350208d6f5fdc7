"""The remediation panel of the case page, so the case page needs one include and no imports."""

from django import template

from violations import policy

from .. import forms, selectors
from ..policy import (
    may_cancel_actions,
    may_extend_complaint_clock,
    may_record_training,
    may_wait_for_customer,
)

register = template.Library()


@register.inclusion_tag("remediation/case_panel.html", takes_context=True)
def remediation_panel(context, case):
    user = context["request"].user
    standing = policy.standing(user, case)
    clock = selectors.complaint_clock(case)
    open_actions = selectors.open_actions_of_round(case) if not case.is_closed else []
    clock_runs = clock is not None and clock.answered_on is None and not case.is_closed
    # Once the customer is answered or the case closed, the clock has stopped: no pause shown.
    waiting = selectors.open_information_request(case) if clock_runs else None
    may_wait = clock_runs and may_wait_for_customer(user, case, standing)
    return {
        "case": case,
        "csrf_token": context.get("csrf_token"),
        "clock": clock,
        "deadline": selectors.regulator_deadline(case),
        "open_actions": open_actions,
        "cancelled_actions": selectors.cancelled_actions(case),
        "overdue_count": sum(1 for a in open_actions if a.overdue),
        "trainings": selectors.trainings_for_case(case),
        "can_cancel": bool(open_actions)
        and may_cancel_actions(user)
        and not standing.subject
        and not policy.is_reporter(user, case, standing),
        "can_extend": clock is not None
        and clock.can_extend_to is not None
        and not case.is_closed
        and may_extend_complaint_clock(user),
        "information_request": waiting,
        "can_ask_customer": may_wait and waiting is None,
        "can_record_answer": may_wait and waiting is not None,
        "ask_form": forms.CustomerInformationRequestForm(),
        "answer_form": forms.CustomerInformationAnswerForm(),
        "can_train": may_record_training(user) and not case.is_closed,
        "cancel_form": forms.CancelActionForm(),
        "extend_form": forms.ComplaintExtendForm(
            initial={"limit_days": clock.can_extend_to if clock else None}
        ),
        "training_form": forms.TrainingForm(case=case) if may_record_training(user) else None,
    }
