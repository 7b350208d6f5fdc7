"""The reporter's clocks (issue 19): the acknowledgement is on time when it reaches the
reporter, and feedback is due a set time (the ``feedback`` deadline rule, 90 days) after that.

How the acknowledgement reaches the reporter is decided when it is recorded
(``acknowledgement_channel``):

- ``app``: a reporter with a login. The in-app notification, written in the acknowledging
  transaction, is the delivery (an e-mail may go out too; it changes nothing).
- ``email``: a reporter reachable only at an e-mail address (the vault's contact). Delivered
  when the outbox dispatcher actually sends it: ``notifications.signals.message_delivered``
  reaches ``on_message_delivered`` here. A step rolled back writes no outbox row and so
  delivers nothing; an e-mail the dispatcher gives up on leaves the clock running, and the
  deadline scan escalates it.
- ``mailbox``: a reporter with a receipt code reads it in the mailbox: delivered when posted
  (the mailbox service calls ``acknowledgement_delivered``, which may be before an e-mail to
  the same reporter goes out: the first delivery counts). A reporter who left no way to be
  reached at all is treated alike: the acknowledgement is kept on the record for when they
  come back, so it counts as delivered when recorded.

The feedback clock starts at the delivery, held by the officer who acknowledged; it stops
when the team gives feedback (``feedback_given``: a feedback message from the case page, or
the outcome notice when the case ends). Both clocks are reminded and escalated by the deadline
scan like every other clock.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from deadlines.models import Kind as DeadlineKind
from notifications.models import OutboxMessage
from notifications.signals import message_delivered

from ..models import Case
from .clocks import clock_start, clock_stop
from .notices import reporter_of

logger = logging.getLogger(__name__)

MAILBOX, APP, EMAIL = "mailbox", "app", "email"
CHANNELS = (MAILBOX, APP, EMAIL)
ACKNOWLEDGEMENT_NOTICE = "report.acknowledged"


def acknowledgement_channel(case: Case) -> str:
    """How the acknowledgement of ``case`` reaches its reporter (see the module's doc)."""
    user, address = reporter_of(case)
    if user is not None:
        return APP
    if address:
        return EMAIL
    return MAILBOX


def acknowledgement_recorded(*, case: Case) -> str:
    """Called by the services that acknowledge a report (``case_acknowledge``,
    ``verification_complete``), in their transaction: the acknowledgement clock stops now
    unless the acknowledgement still has to go out by e-mail. Returns the channel.

    Preconditions: the caller holds the case locked; ``case.acknowledged_at`` is set.
    """
    assert case.acknowledged_at is not None
    channel = acknowledgement_channel(case)
    if channel != EMAIL:
        acknowledgement_delivered(case=case, at=case.acknowledged_at, channel=channel)
    return channel


def acknowledgement_delivered(*, case: Case, at: dt.datetime, channel: str) -> bool:
    """The acknowledgement reached the reporter at ``at`` through ``channel``: its clock stops
    (keeping a breach if late) and the feedback clock starts from ``at``. Only the first
    delivery counts: a later one (the e-mail after the mailbox) changes nothing and returns
    False.

    Preconditions: the caller holds the case locked, in a transaction.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown delivery channel {channel!r}")
    if not clock_stop(case=case, kind=DeadlineKind.ACKNOWLEDGEMENT, at=at):
        return False
    clock_start(case=case, kind=DeadlineKind.FEEDBACK, start=at, holder=case.acknowledged_by)
    return True


def feedback_given(*, case: Case, at: dt.datetime | None = None) -> int:
    """The case team gave the reporter feedback at ``at`` (now if None): the feedback clock
    stops. Returns how many clocks stopped (0: none was running, e.g. the acknowledgement has
    not reached the reporter yet).

    Preconditions: the caller holds the case locked, in a transaction.
    """
    return clock_stop(case=case, kind=DeadlineKind.FEEDBACK, at=at or timezone.now())


def on_message_delivered(sender: Any, *, message: OutboxMessage, **kwargs: Any) -> None:
    """An e-mail went out: if it is a case's acknowledgement, it is delivered now.

    A failure here is logged, never raised: the dispatcher must go on sending the rest, and a
    clock left running is escalated by the scan, which people see.
    """
    notification = message.notification
    if notification is None or notification.kind != ACKNOWLEDGEMENT_NOTICE:
        return
    reference = notification.case_reference or str(notification.context.get("case") or "")
    if not reference:
        return
    try:
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(reference=reference).first()
            if case is None:
                return
            sent_at = (
                OutboxMessage.objects.filter(pk=message.pk)
                .values_list("sent_at", flat=True)
                .first()
            )
            acknowledgement_delivered(case=case, at=sent_at or timezone.now(), channel=EMAIL)
    except Exception:
        logger.exception("Stopping the acknowledgement clock of %s failed", reference)


def connect() -> None:
    message_delivered.connect(on_message_delivered, dispatch_uid="violations.reporter_clocks")
