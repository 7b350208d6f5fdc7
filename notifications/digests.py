"""Digests: notifications held back (queue arrivals, kinds a person chose to receive daily)
go out as one mail per person once the earliest of them is due, carrying everything that
person has waiting. Safe to run in several processes: a person's rows are claimed with
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (one writer at a time on SQLite)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from .models import Delivery, Notification, OutboxMessage


def _pending():
    # A digest's due time is cleared once it went out (its outbox row may since be purged).
    return Notification.objects.filter(
        email=Delivery.DIGEST,
        digest_message__isnull=True,
        digest_due_at__isnull=False,
        recipient__isnull=False,
    )


def digests_send_due(*, now: datetime | None = None) -> int:
    """Write one outbox message per person with a digest due; return how many were written."""
    now = now or timezone.now()
    people = list(
        _pending()
        .filter(digest_due_at__lte=now)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    written = 0
    for person in people:
        with transaction.atomic():
            rows = _pending().filter(recipient_id=person).select_related("recipient")
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True, of=("self",))
            held = list(rows.order_by("created_at", "pk"))
            # Another process took them, or they went out between the two reads.
            if not held or not any(n.digest_due_at and n.digest_due_at <= now for n in held):
                continue
            recipient = held[0].recipient
            ids = [n.pk for n in held]
            if not recipient.email or not recipient.is_active:
                # No one to write to any more: the notifications stay in the app only.
                Notification.objects.filter(pk__in=ids).update(email="", digest_due_at=None)
                continue
            message = OutboxMessage.objects.create(
                recipient=recipient, address=recipient.email, created_at=now, available_at=now
            )
            Notification.objects.filter(pk__in=ids).update(digest_message=message)
            written += 1
    return written
