"""Customer redress with its complaint clock, and the regulator notice of a major violation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deadlines.models import Kind as DeadlineKind
from violations import audit, dates, policy
from violations.exceptions import InvalidState, NotAllowed
from violations.models import Case, Severity
from violations.services.clocks import clock_extend, clock_pause, clock_resume, clock_stop

from ..conf import setting
from ..models import (
    ComplaintExtension,
    CustomerFeedback,
    CustomerInformationRequest,
    RegulatorNotification,
)
from ..policy import may_extend_complaint_clock
from ..selectors import complaint_clock

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise


def customer_feedback_record(
    *,
    case: Case,
    task,
    actor: User,
    channel: str,
    notified_at: dt.datetime,
    notice_summary: str,
    apology: bool,
    compensation: Decimal = Decimal("0"),
    compensation_paid_on: dt.date | None = None,
    customer_response: str = "",
    satisfaction: int | None = None,
) -> CustomerFeedback:
    """Record the outcome notice to the customer, apology, compensation and their response.

    Preconditions: open customer_feedback task; actor may record feedback and is no party;
    the notice and any payment were made after the case was reported and not in the future.
    """
    policy.require(
        actor, "record_customer_feedback", _("Only compliance officers record customer feedback.")
    )
    policy.require_not_party(actor, case)
    errors: dict[str, list] = {}
    for name, value in (
        ("notified_at", notified_at),
        ("compensation_paid_on", compensation_paid_on),
    ):
        if problem := dates.done_since_report(value, case=case):
            errors[name] = [problem]
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        errors["satisfaction"] = [_("Satisfaction is a score from 1 to 5.")]
    if compensation and compensation < 0:
        errors["compensation"] = [_("Compensation cannot be negative.")]
    if compensation and compensation > 0 and not compensation_paid_on:
        errors["compensation_paid_on"] = [_("Give the date the compensation was paid.")]
    if not channel.strip() or not notice_summary.strip():
        errors["channel"] = [_("Give the channel and the content of the notice.")]
    if errors:
        raise ValidationError(errors)
    row = CustomerFeedback(
        case=case,
        channel=channel,
        notified_at=notified_at,
        notice_summary=notice_summary,
        apology=apology,
        compensation=compensation or Decimal("0"),
        compensation_paid_on=compensation_paid_on,
        customer_response=customer_response,
        satisfaction=satisfaction,
        recorded_by=actor,
    )
    audit.save(row, actor=actor, reason="customer feedback")
    clock_stop(case=case, kind=DeadlineKind.COMPLAINT, at=row.notified_at)
    clock = complaint_clock(case)
    audit.record(
        action="customer.feedback",
        actor=actor,
        case=case,
        payload={
            "apology": apology,
            "compensation": str(row.compensation),
            "satisfaction": satisfaction,
            "task": task.pk,
            "complaint_days": clock.days_elapsed if clock else None,
            "complaint_overdue": clock.overdue if clock else None,
        },
    )
    return row


def regulator_notify(
    *,
    case: Case,
    task,
    actor: User,
    regulator: str,
    notified_at: dt.datetime,
    reference_number: str,
    summary: str,
) -> RegulatorNotification:
    """Record the report of a major violation to the regulator.

    Preconditions: open notify_regulator task; actor may notify and is no party; the case
    is of major severity; the notice was sent after the case was reported and not in the
    future.
    """
    policy.require(
        actor, "notify_regulator", _("Only compliance officers record regulator notifications.")
    )
    policy.require_not_party(actor, case)
    if case.severity != Severity.MAJOR:
        raise ValidationError(_("Only major violations are reported to the regulator."))
    if not (regulator.strip() and reference_number.strip() and summary.strip()):
        raise ValidationError(_("Regulator, reference number and summary are all required."))
    if problem := dates.done_since_report(notified_at, case=case):
        raise ValidationError({"notified_at": [problem]})
    row = RegulatorNotification(
        case=case,
        regulator=regulator,
        notified_at=notified_at,
        reference_number=reference_number,
        summary=summary,
        recorded_by=actor,
    )
    audit.save(row, actor=actor, reason="regulator notified")
    clock_stop(case=case, kind=DeadlineKind.REGULATOR_NOTICE, at=row.notified_at)
    audit.record(
        action="regulator.notified",
        actor=actor,
        case=case,
        payload={"regulator": regulator, "reference": reference_number, "task": task.pk},
    )
    return row


def complaint_clock_extend(
    *, case: Case, actor: User, reason: str, limit_days: int | None = None
) -> ComplaintExtension:
    """Extend the complaint clock of a complex case, with a reason.

    Preconditions: actor records customer feedback or manages cases, and is no party; the case
    involves a customer, is open and the customer has not yet been answered; a reason is given;
    the new limit (default: the configured maximum) is longer than the current one and no
    longer than ``COMPLAINT_MAX_DAYS``.
    """
    limit = setting("COMPLAINT_MAX_DAYS") if limit_days is None else limit_days
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not may_extend_complaint_clock(actor):
            raise NotAllowed(
                _("Only compliance officers and the case manager extend the complaint clock.")
            )
        policy.require_not_party(actor, case)
        clock = complaint_clock(case)
        if clock is None or case.is_closed:
            raise InvalidState(_("This case has no running complaint clock."))
        if clock.answered_on is not None:
            raise InvalidState(_("The customer has already been answered; the clock has stopped."))
        errors: dict[str, list[StrOrPromise]] = {}
        if not reason.strip():
            errors["reason"] = [_("Say why this complaint is complex enough to need more time.")]
        if limit <= clock.limit_days or limit > setting("COMPLAINT_MAX_DAYS"):
            errors["limit_days"] = [
                _("The new limit must be longer than %(now)d days and at most %(max)d days.")
                % {"now": clock.limit_days, "max": setting("COMPLAINT_MAX_DAYS")}
            ]
        if errors:
            raise ValidationError(errors)
        row = ComplaintExtension(case=case, limit_days=limit, reason=reason, extended_by=actor)
        audit.save(row, actor=actor, reason="complaint clock extended")
        # Moved by the days added: time spent waiting for the customer stays credited.
        clock_extend(
            case=case,
            kind=DeadlineKind.COMPLAINT,
            by=dt.timedelta(days=limit - clock.limit_days),
        )
        audit.record(
            action="complaint.extended",
            actor=actor,
            case=case,
            reason=reason,
            payload={"from_days": clock.limit_days, "to_days": limit},
        )
    return row


def _require_may_wait_for_customer(actor: User, case: Case) -> None:
    if not may_extend_complaint_clock(actor):
        raise NotAllowed(
            _("Only compliance officers and the case manager record what the customer is asked.")
        )
    policy.require_not_party(actor, case)


def customer_information_request(
    *, case: Case, actor: User, question: str, channel: str
) -> CustomerInformationRequest:
    """Record that the customer was asked for information the answer to the complaint
    needs; the complaint clock stops counting until the answer is recorded.

    Preconditions: actor records customer feedback or manages cases, and is no party; the
    case involves a customer, is open, the customer has not been answered and no earlier
    request is still unanswered; the question and the channel are given.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require_may_wait_for_customer(actor, case)
        clock = complaint_clock(case)
        if clock is None or case.is_closed:
            raise InvalidState(_("This case has no running complaint clock."))
        if clock.answered_on is not None:
            raise InvalidState(_("The customer has already been answered; the clock has stopped."))
        if case.customer_information_requests.filter(answered_at__isnull=True).exists():
            raise InvalidState(_("The customer has not answered the last request yet."))
        errors: dict[str, list[StrOrPromise]] = {}
        if not question.strip():
            errors["question"] = [_("Say what the customer is asked for.")]
        if not channel.strip():
            errors["channel"] = [_("Say how the customer was asked.")]
        if errors:
            raise ValidationError(errors)
        row = CustomerInformationRequest(
            case=case, question=question.strip(), channel=channel.strip(), requested_by=actor
        )
        audit.save(row, actor=actor, reason="customer asked for information")
        paused = clock_pause(case=case, kind=DeadlineKind.COMPLAINT, at=row.requested_at)
        audit.record(
            action="customer.information_requested",
            actor=actor,
            case=case,
            reason=row.question,
            payload={
                "request": row.pk,
                "channel": row.channel,
                "clock_left_seconds": paused.remaining_seconds if paused else None,
            },
        )
    return row


def customer_information_receive(
    *, request: CustomerInformationRequest, actor: User, answer: str
) -> CustomerInformationRequest:
    """Record the customer's answer to a request; the complaint clock counts again from
    now, with the time it had left when the customer was asked.

    Preconditions: actor records customer feedback or manages cases, and is no party; the
    request is unanswered and its case open; the answer is summarised.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=request.case_id)
        request = CustomerInformationRequest.objects.select_for_update().get(pk=request.pk)
        _require_may_wait_for_customer(actor, case)
        if request.answered_at is not None:
            raise InvalidState(_("This request has been answered already."))
        if case.is_closed:
            raise InvalidState(_("This case is closed already."))
        if not answer.strip():
            raise ValidationError({"answer": [_("Summarise the customer's answer.")]})
        request.answer = answer.strip()
        request.answered_at = timezone.now()
        request.answer_recorded_by = actor
        audit.save(
            request,
            actor=actor,
            reason="customer answered",
            update_fields=["answer", "answered_at", "answer_recorded_by"],
        )
        resumed = clock_resume(case=case, kind=DeadlineKind.COMPLAINT, at=request.answered_at)
        audit.record(
            action="customer.information_received",
            actor=actor,
            case=case,
            payload={
                "request": request.pk,
                "waited_seconds": (request.answered_at - request.requested_at).total_seconds(),
                "due": resumed.due_at.isoformat() if resumed else None,
            },
        )
    return request
