"""Webhooks: case events POSTed, signed, to the institution's other systems.

A domain change calls :func:`webhook_event` in its own transaction (the audit trail does it
for every event that maps to a webhook, ``violations.webhooks``); it writes one
:class:`WebhookDelivery` per subscriber whose scope and choice take the event, with the
payload cut down to what the scope allows. A step that rolls back queues nothing.

:func:`dispatch` sends them like the e-mail outbox sends mail (claim for a lease with
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, send outside any transaction, record the
result, back off on failure), with one more rule: per subscriber and case only the oldest
delivery not yet delivered or given up may be claimed, so a receiver hears of a case's
events in the order they happened even after being down for a while.

Each POST carries ``Accountability-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<body>" under the subscriber's secret>`` (docs/webhooks.md shows a receiver's check).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger import chain

from .models import WebhookDelivery, WebhookSubscriber
from .outbox import backoff
from .services import conf

SIGNATURE_HEADER = "Accountability-Signature"

CASE_REPORTED = "case.reported"
STAGE_CHANGED = "case.stage_changed"
SANCTION_APPROVED = "sanction.approved"
SANCTION_EXECUTED = "sanction.executed"
CASE_CLOSED = "case.closed"

EVENTS = {
    CASE_REPORTED: _("A case is reported"),
    STAGE_CHANGED: _("A case enters another stage"),
    SANCTION_APPROVED: _("Sanctions are approved"),
    SANCTION_EXECUTED: _("Sanctions are executed"),
    CASE_CLOSED: _("A case is closed"),
}


@dataclass(frozen=True)
class Scope:
    label: Any
    events: tuple[str, ...]
    # The payload's ``data`` keeps these facts and no others.
    fields: tuple[str, ...]
    # Only cases reported by the subscriber's service account.
    own_cases: bool = False


# What each kind of subscriber may receive. Never a name, never the reporter.
SCOPES: dict[str, Scope] = {
    "complaint-system": Scope(
        label=_("Complaint system: stage and outcome of the cases it reported"),
        events=(CASE_REPORTED, STAGE_CHANGED, CASE_CLOSED),
        fields=("reference", "stage", "previous_stage", "outcome"),
        own_cases=True,
    ),
    "hr-system": Scope(
        label=_("HR system: approved and executed sanctions, by staff number"),
        events=(SANCTION_APPROVED, SANCTION_EXECUTED),
        fields=("reference", "sanctions"),
    ),
}


def scope_choices() -> list[tuple[str, Any]]:
    return [(key, scope.label) for key, scope in SCOPES.items()]


# --- queueing -------------------------------------------------------------------------------


def webhook_event(
    event: str,
    *,
    case_reference: str,
    reported_by: int | None,
    facts: Callable[[], Mapping[str, Any]],
    at: datetime | None = None,
) -> int:
    """Queue ``event`` of a case for every active subscriber that takes it, in the current
    transaction; return how many deliveries were written. ``facts`` is called only when
    someone subscribes; each payload keeps only the facts its subscriber's scope allows.
    ``reported_by`` (the reporting account's id, never sent) decides "its own cases"."""
    if event not in EVENTS:
        raise LookupError(f"unknown webhook event {event!r}")
    takers = [
        s
        for s in WebhookSubscriber.objects.filter(active=True).order_by("pk")
        if event in s.events
        and event in SCOPES.get(s.scope, Scope("", (), ())).events
        and (not SCOPES[s.scope].own_cases or (reported_by and s.account_id == reported_by))
    ]
    if not takers:
        return 0
    known = dict(facts())
    at = at or timezone.now()
    rows = []
    for subscriber in takers:
        allowed = SCOPES[subscriber.scope].fields
        event_id = uuid.uuid4()
        rows.append(
            WebhookDelivery(
                subscriber=subscriber,
                event_id=event_id,
                event=event,
                case_reference=case_reference,
                payload={
                    "id": str(event_id),
                    "event": event,
                    "occurred_at": at.isoformat(),
                    "data": {k: known[k] for k in allowed if k in known},
                },
                created_at=at,
                available_at=at,
            )
        )
    WebhookDelivery.objects.bulk_create(rows)
    return len(rows)


# --- subscribers ----------------------------------------------------------------------------
#
# Who receives what is a security setting: each registration, change, rotation and resend is
# an event on the system chain (the auditor's desk lists them), never with the secret.


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _subscriber_ref(subscriber: WebhookSubscriber) -> dict[str, Any]:
    return {"subscriber_id": subscriber.pk, "subscriber": subscriber.name}


def _require(actor, action: str) -> None:
    """Who registers, changes or resends holds the admin's permission for it; ``None`` is
    the system (a command, a migration)."""
    if actor is not None and not actor.has_perm(f"notifications.{action}_webhooksubscriber"):
        raise PermissionDenied(_("Only those who manage webhook subscribers may do this."))


def _record(action: str, *, actor, payload: dict[str, Any]) -> None:
    chain.append(chain=chain.SYSTEM_CHAIN, action=action, actor=actor, changes=[], payload=payload)


def webhook_subscriber_create(
    *,
    name: str,
    url: str,
    scope: str,
    events: list[str],
    account=None,
    active: bool = True,
    actor=None,
) -> tuple[WebhookSubscriber, str]:
    """Register a subscriber with a new secret; return it and the secret (to show once).
    ``actor``: who registered it (None for a command or a migration)."""
    _require(actor, "add")
    subscriber = WebhookSubscriber(
        name=name,
        url=url,
        scope=scope,
        events=sorted(set(events)),
        account=account,
        active=active,
        secret=new_secret(),
    )
    subscriber.full_clean()
    with transaction.atomic():
        subscriber.save()
        _record(
            "webhook.subscribed",
            actor=actor,
            payload={
                **_subscriber_ref(subscriber),
                "url": subscriber.url,
                "scope": subscriber.scope,
                "events": subscriber.events,
                "active": subscriber.active,
            },
        )
    return subscriber, subscriber.secret


# The fields an administrator may change, as events name them.
CHANGEABLE = ("name", "url", "scope", "events", "account_id", "active")


def webhook_subscriber_change(*, subscriber: WebhookSubscriber, actor=None) -> WebhookSubscriber:
    """Save ``subscriber`` as edited and record what changed (from and to); the secret is
    never changed here (see :func:`webhook_secret_rotate`)."""
    _require(actor, "change")
    before = WebhookSubscriber.objects.get(pk=subscriber.pk)
    subscriber.events = sorted(set(subscriber.events))
    subscriber.full_clean()
    changed = {
        field: {"from": getattr(before, field), "to": getattr(subscriber, field)}
        for field in CHANGEABLE
        if getattr(before, field) != getattr(subscriber, field)
    }
    if not changed:
        return subscriber
    with transaction.atomic():
        subscriber.save(update_fields=[f.removesuffix("_id") for f in changed])
        _record(
            "webhook.changed",
            actor=actor,
            payload={**_subscriber_ref(subscriber), "changed": changed},
        )
    return subscriber


def webhook_secret_rotate(*, subscriber: WebhookSubscriber, actor=None) -> str:
    """Give ``subscriber`` a new secret at once; deliveries from now on are signed with it."""
    _require(actor, "change")
    subscriber.secret = new_secret()
    subscriber.secret_rotated_at = timezone.now()
    with transaction.atomic():
        subscriber.save(update_fields=["secret", "secret_rotated_at"])
        _record("webhook.secret_rotated", actor=actor, payload=_subscriber_ref(subscriber))
    return subscriber.secret


def webhook_resend(*, deliveries, actor=None) -> int:
    """Send the given-up ones among ``deliveries`` again, from the first attempt; return how
    many. Delivered and waiting ones are left as they are (the database decides, not the
    objects passed). A resent delivery is again the oldest open one of its case, so that
    case's later events wait for it, as they would have."""
    _require(actor, "change")
    with transaction.atomic():
        given_up = WebhookDelivery.objects.filter(
            pk__in=[d.pk for d in deliveries], failed_at__isnull=False, delivered_at__isnull=True
        )
        ids = sorted(given_up.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        WebhookDelivery.objects.filter(pk__in=ids).update(
            failed_at=None, attempts=0, available_at=timezone.now(), claimed_until=None
        )
        _record("webhook.resent", actor=actor, payload={"deliveries": ids})
    return len(ids)


# --- signing --------------------------------------------------------------------------------


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value: ``t=<timestamp>,v1=<HMAC-SHA256(secret, "<t>.<body>")>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now=None) -> bool:
    """A receiver's check (the one docs/webhooks.md shows): the signature matches and the
    timestamp is within ``tolerance`` seconds of now."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = int(now if now is not None else timezone.now().timestamp())
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# --- the dispatcher -------------------------------------------------------------------------


@dataclass
class WebhookResult:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _lease() -> timedelta:
    return timedelta(seconds=conf("BATCH") * conf("WEBHOOK_TIMEOUT") + 60)


def claim(*, now: datetime, batch: int, token: str) -> list[WebhookDelivery]:
    """Take up to ``batch`` deliveries due now that no one holds, each the oldest still
    open for its subscriber and case."""
    open_rows = Q(delivered_at__isnull=True, failed_at__isnull=True)
    earlier = WebhookDelivery.objects.filter(
        open_rows,
        subscriber_id=OuterRef("subscriber_id"),
        case_reference=OuterRef("case_reference"),
        pk__lt=OuterRef("pk"),
    )
    with transaction.atomic():
        pending = (
            WebhookDelivery.objects.filter(open_rows, available_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .filter(subscriber__active=True)
            .exclude(Exists(earlier))
            .order_by("available_at", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True, of=("self",))
        ids = list(pending.values_list("pk", flat=True)[:batch])
        if not ids:
            return []
        WebhookDelivery.objects.filter(pk__in=ids).update(
            claimed_until=now + _lease(), claimed_by=token
        )
    return list(
        WebhookDelivery.objects.filter(pk__in=ids, claimed_by=token)
        .select_related("subscriber")
        .order_by("pk")
    )


def post(delivery: WebhookDelivery) -> int:
    """POST the delivery, signed; return the HTTP status. A refusal raises."""
    body = body_of(delivery)
    request = urllib.request.Request(
        delivery.subscriber.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Accountability-Webhooks/1",
            SIGNATURE_HEADER: signature(
                delivery.subscriber.secret, int(timezone.now().timestamp()), body
            ),
        },
    )
    with urllib.request.urlopen(request, timeout=conf("WEBHOOK_TIMEOUT")) as response:
        return response.status


def dispatch(*, now: datetime | None = None, batch: int | None = None) -> WebhookResult:
    """Send every delivery due now, batch by batch, in order per case. Safe to run in
    several processes at once."""
    result = WebhookResult()
    batch = batch or conf("BATCH")
    while True:
        token = uuid.uuid4().hex
        deliveries = claim(now=now or timezone.now(), batch=batch, token=token)
        if not deliveries:
            break
        before = result.delivered
        for delivery in deliveries:
            _send_one(delivery, result)
        if result.delivered == before:
            break  # every receiver refused: leave the rest for the next run
    return result


def _send_one(delivery: WebhookDelivery, result: WebhookResult) -> None:
    attempts = delivery.attempts + 1
    code = None
    try:
        code = post(delivery)
    except urllib.error.HTTPError as error:
        code, text = error.code, f"HTTP {error.code}: {error.reason}"
    except Exception as error:  # any failure to reach the receiver is retried
        text = f"{type(error).__name__}: {error}"
    else:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            delivered_at=timezone.now(),
            attempts=attempts,
            response_code=code,
            last_error="",
            claimed_until=None,
        )
        result.delivered += 1
        return
    now = timezone.now()
    text = text[:2000]
    result.errors.append(text)
    fields: dict[str, Any] = {
        "attempts": attempts,
        "last_error": text,
        "response_code": code,
        "claimed_until": None,
    }
    if attempts >= conf("WEBHOOK_MAX_ATTEMPTS"):
        fields["failed_at"] = now
        result.failed += 1
    else:
        fields["available_at"] = now + backoff(attempts)
        result.retried += 1
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
