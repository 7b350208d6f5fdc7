"""What the reporter is told: the acknowledgement and the outcome, through
``notifications.notify`` in the transaction that records them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse

from notifications.services import notify

from ..models import Case, ReporterIdentity

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _as_address(contact: str) -> str:
    """The contact, if it is an e-mail address (it may be a telephone number)."""
    contact = (contact or "").strip()
    try:
        validate_email(contact)
    except ValidationError:
        return ""
    return contact


def reporter_of(case: Case) -> tuple[User | None, str]:
    """The reporter's login and the address to write to: the confidential channel's
    contact for a protected reporter, else the login's own address (``""`` for it)."""
    vaulted = ReporterIdentity.objects.filter(case=case).select_related("user").first()
    if vaulted is not None:
        return vaulted.user, _as_address(vaulted.contact)
    return case.reported_by, ""


def reporter_notify(*, case: Case, kind: str, context: dict) -> None:
    """Tell the reporter. Nothing when no one can be reached (an anonymous report with no
    contact left). Preconditions: called once per event (the callers guard it)."""
    user, address = reporter_of(case)
    if user is None and not address:
        return
    # No case reference on the notification itself: the reporter does not see the case
    # (the link is their own reports), and the centre would hide the link if it had one.
    notify(
        user,
        kind,
        context={"case": case.reference, **context},
        link=reverse("violations:my_reports") if user is not None else "",
        mandatory=True,
        email=address,
    )


def acknowledgement_notify(*, case: Case, message: str = "") -> None:
    """The acknowledgement of a report, sent to the reporter. Preconditions: the case is
    acknowledged."""
    assert case.acknowledged_at is not None
    reporter_notify(
        case=case,
        kind="report.acknowledged",
        context={"when": case.acknowledged_at.isoformat(), "message": message},
    )
