"""The dispatcher: sends what the outbox holds, each message once.

A run claims a batch in a short transaction (``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two dispatchers take different rows; on SQLite the transaction's
``BEGIN IMMEDIATE`` lets one claimer in at a time), marking it claimed for a lease. It sends
outside any transaction, holding no lock while the mail server answers, and records each
result as it comes: sent, or failed with the error and a next attempt after an exponential
back-off, or given up after MAX_ATTEMPTS. A dispatcher that dies mid-batch leaves its
unsent rows to be claimed again when the lease runs out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation

from .models import Notification, OutboxMessage, Preference
from .rendering import body_of, subject_of
from .services import conf
from .signals import message_delivered


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: RETRY_BASE_SECONDS, doubling per failure, capped."""
    seconds = conf("RETRY_BASE_SECONDS") * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, conf("RETRY_MAX_SECONDS")))


def lease() -> timedelta:
    """How long a claim holds: long enough for a whole batch to time out one by one."""
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or 60
    return timedelta(seconds=conf("BATCH") * timeout + 60)


def claim(*, now: datetime, batch: int, token: str) -> list[OutboxMessage]:
    """Take up to ``batch`` messages due now that no one holds, for one lease."""
    with transaction.atomic():
        pending = (
            OutboxMessage.objects.filter(
                sent_at__isnull=True, failed_at__isnull=True, available_at__lte=now
            )
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("available_at", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        ids = list(pending.values_list("pk", flat=True)[:batch])
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids).update(
            claimed_until=now + lease(), claimed_by=token
        )
    return list(
        OutboxMessage.objects.filter(pk__in=ids, claimed_by=token)
        .select_related("notification", "recipient")
        .order_by("pk")
    )


def render(message: OutboxMessage, languages: dict[int, str] | None = None) -> Mail:
    """The message in its recipient's language, as of now. ``languages`` holds the chosen
    language of recipients already looked up (by user id)."""
    if languages is None:
        languages = languages_of([message])
    language = (
        message.language or languages.get(message.recipient_id or 0) or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        if message.notification is not None:
            return _render_one(message.notification)
        return _render_digest(list(message.digested.order_by("created_at", "pk")))


def languages_of(messages: list[OutboxMessage]) -> dict[int, str]:
    """Each recipient's chosen e-mail language, in one query."""
    people = {m.recipient_id for m in messages if m.recipient_id and not m.language}
    if not people:
        return {}
    return dict(
        Preference.objects.filter(user_id__in=people)
        .exclude(language="")
        .values_list("user_id", "language")
    )


def _render_one(notification: Notification) -> Mail:
    return Mail(subject=subject_of(notification), body=body_of(notification))


def _render_digest(notifications: list[Notification]) -> Mail:
    from django.utils.translation import gettext, ngettext

    count = len(notifications)
    subject = ngettext(
        "Accountability: %(count)d notification", "Accountability: %(count)d notifications", count
    ) % {"count": count}
    parts = [gettext("Since the last summary:")]
    for n in notifications:
        line = "• " + subject_of(n)
        if n.link:
            line += "\n  " + conf("SITE_URL").rstrip("/") + n.link
        parts.append(line)
    return Mail(subject=subject, body="\n\n".join(parts))


def dispatch(
    *,
    now: datetime | None = None,
    batch: int | None = None,
    limit: int | None = None,
    backend: BaseEmailBackend | None = None,
) -> DispatchResult:
    """Send every message due now (at most ``limit``), batch by batch, through Django's
    e-mail backend. Safe to run in several processes at once."""
    result = DispatchResult()
    batch = batch or conf("BATCH")
    while limit is None or result.sent + result.retried + result.failed < limit:
        moment = now or timezone.now()
        token = uuid.uuid4().hex
        messages = claim(now=moment, batch=batch, token=token)
        if not messages:
            break
        sent_before = result.sent
        languages = languages_of(messages)
        with backend or get_connection() as mail:
            for message in messages:
                _send_one(message, mail, result, languages)
        if result.sent == sent_before:
            break  # the mail server refuses everything: leave the rest for the next run
    return result


def _send_one(
    message: OutboxMessage, mail, result: DispatchResult, languages: dict[int, str]
) -> None:
    attempts = message.attempts + 1
    try:
        rendered = render(message, languages)
        EmailMessage(
            subject=rendered.subject,
            body=rendered.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            connection=mail,
        ).send()
    except Exception as error:  # any failure of rendering or the mail server is retried
        now = timezone.now()
        text = f"{type(error).__name__}: {error}"[:2000]
        result.errors.append(text)
        fields = {"attempts": attempts, "last_error": text, "claimed_until": None}
        if attempts >= conf("MAX_ATTEMPTS"):
            fields["failed_at"] = now
            result.failed += 1
        else:
            fields["available_at"] = now + backoff(attempts)
            result.retried += 1
        OutboxMessage.objects.filter(pk=message.pk).update(**fields)
        return
    OutboxMessage.objects.filter(pk=message.pk).update(
        sent_at=timezone.now(), attempts=attempts, last_error="", claimed_until=None
    )
    message_delivered.send(sender=OutboxMessage, message=message)
    result.sent += 1
