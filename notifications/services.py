"""Telling people things: ``notify`` writes the in-app notification and, when an e-mail is
due at once, its outbox row, both in the caller's transaction, so a step that rolls back
tells no one. The dispatcher (``notifications.outbox``) sends the rows after commit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import kinds
from .models import Delivery, Notification, OutboxMessage, Preference

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def conf(name: str) -> Any:
    return settings.ACCOUNTABILITY["NOTIFICATIONS"][name]


def language_of(user: User | None) -> str:
    """The language a person's e-mail is written in: their preference, else the site's."""
    if user is not None and user.pk:
        chosen = Preference.objects.filter(user=user).values_list("language", flat=True).first()
        if chosen:
            return chosen
    return settings.LANGUAGE_CODE


def next_daily_digest(now: datetime) -> datetime:
    """The next run of the daily digest, at DIGEST_HOUR in the institution's time zone."""
    local = timezone.localtime(now)
    due = local.replace(hour=conf("DIGEST_HOUR"), minute=0, second=0, microsecond=0)
    return due if due > local else due + timedelta(days=1)


def notify(
    recipient: User | None,
    kind: str,
    *,
    case_reference: str | None = None,
    context: dict | None = None,
    link: str = "",
    mandatory: bool = False,
    dedupe_key: str | None = None,
    email: str = "",
    language: str = "",
) -> Notification | None:
    """Tell ``recipient`` about something of ``kind`` (a key in ``notifications.kinds``).

    Writes the in-app notification and, if an e-mail is due now, an outbox row, in the
    current transaction. ``email`` sends to that address instead of the recipient's own (a
    reporter's confidential contact); with no recipient it is the only way to reach someone
    (then ``language`` fixes the mail's language). ``mandatory`` mails at once whatever the
    recipient prefers. ``dedupe_key`` names the event: told again to the same recipient with
    the same key, ``notify`` does nothing and returns None ("fires once").

    Returns the notification, or None when there is no one to tell or it was told before.
    """
    spec = kinds.get(kind)
    if recipient is None and not email:
        return None
    must = mandatory or spec.mandatory
    if recipient is not None and not recipient.is_active and not must:
        return None
    address = email or (recipient.email if recipient is not None else "")
    scoped = None
    if dedupe_key:
        owner = str(recipient.pk) if recipient is not None else email.lower()
        scoped = f"{owner}:{dedupe_key}"
    now = timezone.now()
    notification = Notification(
        recipient=recipient,
        address=email if recipient is None else "",
        kind=kind,
        case_reference=case_reference or "",
        context=context or {},
        link=link,
        mandatory=must,
        dedupe_key=scoped,
        created_at=now,
    )
    if address:
        if must:
            notification.email = Delivery.IMMEDIATE
        elif spec.digest_only:
            notification.email = Delivery.DIGEST
            notification.digest_due_at = now + timedelta(minutes=conf("QUEUE_DIGEST_MINUTES"))
        elif recipient is not None and kind in _digest_kinds(recipient):
            notification.email = Delivery.DIGEST
            notification.digest_due_at = next_daily_digest(now)
        else:
            notification.email = Delivery.IMMEDIATE
    if scoped is None:
        notification.save()
    else:
        if Notification.objects.filter(dedupe_key=scoped).exists():
            return None
        try:
            # A savepoint: a concurrent twin losing the race leaves the caller's transaction
            # usable.
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            return None
    if notification.email == Delivery.IMMEDIATE:
        OutboxMessage.objects.create(
            notification=notification,
            recipient=recipient,
            address=address,
            language=language if recipient is None else "",
            created_at=now,
            available_at=now,
        )
    return notification


def _digest_kinds(user: User) -> list[str]:
    chosen = Preference.objects.filter(user=user).values_list("digest_kinds", flat=True).first()
    return list(chosen or [])


def notifications_mark_read(*, actor: User, ids: list[int]) -> int:
    """Mark some of the actor's own notifications read; others' are left alone."""
    return Notification.objects.filter(recipient=actor, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preference_update(*, actor: User, language: str, digest_kinds: list[str]) -> Preference:
    """Set the actor's e-mail language and which kinds wait for the daily digest. Mandatory
    and digest-only kinds are not the actor's to choose and are dropped."""
    allowed = {k.key for k in kinds.all_kinds() if not k.mandatory and not k.digest_only}
    chosen = sorted(set(digest_kinds) & allowed)
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    preference, _created = Preference.objects.get_or_create(user=actor)
    preference.language = language
    preference.digest_kinds = chosen
    preference.full_clean()
    preference.save(update_fields=["language", "digest_kinds"])
    return preference
