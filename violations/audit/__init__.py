"""Writing tracked records and appending hash-chained audit events.

Every service saves case records through :func:`save` (which stamps the history row with the
actor and the reason) and ends with :func:`record`, which appends one event to the case's
chain carrying the digest of each record the action changed. ``verify_audit`` later
recomputes both the chain and those digests against the live rows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import threading
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .models import AuditChain, AuditEvent

GLOBAL_CHAIN = "system"
_pending = threading.local()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError("naive datetime in an audited record")
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, set | tuple):
        return list(value)
    return value


def canonical_json(data: Any) -> bytes:
    """The one serialisation every digest is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable
    ).encode("utf-8")


def record_state(obj: models.Model) -> dict[str, Any]:
    """The fields of a row that the audit trail vouches for."""
    state: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = field.value_from_object(obj)
        if isinstance(field, models.DecimalField) and value is not None:
            value = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
        state[field.attname] = _jsonable(value)
    for field in obj._meta.many_to_many:
        if obj.pk is not None:
            state[field.attname] = sorted(
                getattr(obj, field.attname).values_list("pk", flat=True)
            )
    return state


def record_digest(obj: models.Model) -> str:
    return hashlib.sha256(canonical_json(record_state(obj))).hexdigest()


def record_label(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def save(obj: models.Model, *, actor, reason: str, update_fields: list[str] | None = None) -> None:
    """Validate and save a case record, stamping its history row with actor and reason."""
    obj.full_clean()
    obj._history_user = actor
    obj._change_reason = reason
    if update_fields is not None and obj.pk is not None:
        obj.save(update_fields=update_fields)
    else:
        obj.save()
    touch(obj)


def touch(obj: models.Model) -> None:
    """Note that ``obj`` changed in the current action (its digest goes into the event)."""
    pending = getattr(_pending, "objs", None)
    if pending is None:
        pending = _pending.objs = {}
    pending[(record_label(obj), obj.pk)] = obj


def _drain() -> list[models.Model]:
    pending = getattr(_pending, "objs", None) or {}
    _pending.objs = {}
    return list(pending.values())


def discard_pending() -> None:
    _pending.objs = {}


def event_content(event: AuditEvent) -> dict[str, Any]:
    """What the hash of an event covers."""
    return {
        "chain": event.chain.key,
        "seq": event.seq,
        "case": event.payload.get("case_reference"),
        "occurred_at": _jsonable(event.occurred_at),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "reason": event.reason,
        "payload": event.payload,
        "records": event.records,
        "prev_hash": event.prev_hash,
    }


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_json(event_content(event))).hexdigest()


def record(
    *,
    action: str,
    actor,
    case=None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    records: list[models.Model] | None = None,
) -> AuditEvent:
    """Append one event to the case's chain (or the system chain) under a row lock.

    Must run inside the service's transaction so the event and the change commit together.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the service's transaction")
    changed = {(record_label(o), o.pk): o for o in _drain()}
    for obj in records or []:
        changed[(record_label(obj), obj.pk)] = obj
    key = f"case:{case.pk}" if case is not None else GLOBAL_CHAIN
    chain, _created = AuditChain.objects.get_or_create(key=key)
    chain = AuditChain.objects.select_for_update().get(pk=chain.pk)
    body = dict(payload or {})
    if case is not None:
        body["case_reference"] = case.reference
    event = AuditEvent(
        chain=chain,
        seq=chain.length + 1,
        case=case,
        occurred_at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", None) or "system",
        action=action,
        reason=reason,
        payload=json.loads(canonical_json(body)),
        records=[
            {"model": label, "pk": pk, "digest": record_digest(obj)}
            for (label, pk), obj in sorted(changed.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))
        ],
        prev_hash=chain.head_hash,
    )
    event.hash = event_hash(event)
    event.save()
    chain.length = event.seq
    chain.head_hash = event.hash
    chain.save(update_fields=["length", "head_hash"])
    return event
