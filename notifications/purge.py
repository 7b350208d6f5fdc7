"""Forgetting what went out: outbox rows sent or given up more than ``PURGE_AFTER_DAYS``
ago are deleted, in batches so no one transaction holds many rows, and webhook deliveries
delivered or given up as long ago. The notifications the mail carried stay (the centre lists
them; a notification's own ``email`` says how it was sent)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Notification, OutboxMessage, WebhookDelivery
from .services import conf

PURGE_BATCH = 1000


def outbox_purge(*, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Delete outbox rows finished before the retention period; return how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf("PURGE_AFTER_DAYS"))
    finished = OutboxMessage.objects.filter(Q(sent_at__lt=cutoff) | Q(failed_at__lt=cutoff))
    deleted = _purge_webhooks(cutoff, batch)
    while True:
        with transaction.atomic():
            ids = list(finished.order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return deleted
            # A digest's notifications lose the link to its row when it goes: their cleared
            # due time keeps the digest job from taking them for still waiting.
            Notification.objects.filter(digest_message_id__in=ids).update(digest_due_at=None)
            OutboxMessage.objects.filter(pk__in=ids).delete()
        deleted += len(ids)


def _purge_webhooks(cutoff: datetime, batch: int) -> int:
    finished = WebhookDelivery.objects.filter(Q(delivered_at__lt=cutoff) | Q(failed_at__lt=cutoff))
    deleted = 0
    while ids := list(finished.order_by("pk").values_list("pk", flat=True)[:batch]):
        WebhookDelivery.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted
