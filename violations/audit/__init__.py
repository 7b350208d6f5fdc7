"""Writing tracked records and appending hash-chained audit events.

Every service saves case records through :func:`save` (which stamps the history row with the
actor and the reason) and ends with :func:`record`, which appends one event to the case's
chain carrying, for each record the action changed, the digest of the row as committed and
the digest of every history row the action wrote. ``manage.py verify_audit``
(:mod:`violations.audit.verify`) later recomputes the chains and compares those digests with
the live rows and their history.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from ..models import AuditChain, AuditEvent

GLOBAL_CHAIN = "system"
GENESIS_HASH = "0" * 64
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


def _sha256(data: Any) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def record_state(obj: models.Model, *, m2m: bool = True) -> dict[str, Any]:
    """The fields of a row that the audit trail vouches for (many-to-many links included
    unless ``m2m`` is false: history rows do not keep them)."""
    state: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        value = f.value_from_object(obj)
        if isinstance(f, models.DecimalField) and value is not None:
            value = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-f.decimal_places))
        state[f.attname] = _jsonable(value)
    if m2m and obj.pk is not None:
        for f in obj._meta.many_to_many:
            state[f.attname] = sorted(getattr(obj, f.attname).values_list("pk", flat=True))
    return state


def record_digest(obj: models.Model, *, m2m: bool = True) -> str:
    return _sha256(record_state(obj, m2m=m2m))


def history_digest(hist) -> str:
    """Digest of one simple_history row: the record's fields as they were (no M2M), plus
    who, when, why and what kind of change."""
    return _sha256({
        "state": record_state(hist.instance, m2m=False),
        "history_date": hist.history_date,
        "history_user": hist.history_user_id,
        "history_change_reason": hist.history_change_reason,
        "history_type": hist.history_type,
    })


def record_label(obj: models.Model | type[models.Model]) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def model_of(label: str) -> type[models.Model]:
    return apps.get_model(label)


@functools.cache
def history_model(model: type[models.Model]):
    """The simple_history model of ``model``, or None if the model keeps no history.
    (Cached: simple_history builds a new manager class on every access to ``Model.history``.)"""
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager).model if manager else None


# --- the changes of the current action ------------------------------------------------------


@dataclass
class _Pending:
    model: type[models.Model]
    pk: Any
    deleted: bool = False
    history: list[tuple[int, str]] = field(default_factory=list)


def _scope() -> int | None:
    """Identity of the outermost transaction, so changes left behind by a rolled-back action
    never leak into the next action's event on the same thread."""
    conn = transaction.get_connection()
    return id(conn.atomic_blocks[0]) if conn.in_atomic_block and conn.atomic_blocks else None


def _pending_changes() -> dict[tuple[str, Any], _Pending]:
    scope = _scope()
    if getattr(_pending, "scope", object()) != scope:
        _pending.scope = scope
        _pending.objs = {}
    return _pending.objs


def _newest_history(model, pk):
    hist_model = history_model(model)
    if hist_model is None:
        return None
    return hist_model._default_manager.filter(**{model._meta.pk.attname: pk}).order_by(
        "-history_id").first()


def _note(obj_or_model, pk, *, history=None, deleted=False) -> None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    model = model._meta.concrete_model
    entry = _pending_changes().setdefault((record_label(model), pk), _Pending(model, pk))
    entry.deleted = deleted
    if history is not None and history.history_id not in {h for h, _d in entry.history}:
        entry.history.append((history.history_id, history_digest(history)))


def save(obj: models.Model, *, actor, reason: str, update_fields: list[str] | None = None) -> None:
    """Validate and save a case record, stamping its history row with actor and reason."""
    obj.full_clean()
    obj._history_user = actor
    obj._change_reason = reason
    if update_fields is not None and obj.pk is not None:
        obj.save(update_fields=update_fields)
    else:
        obj.save()
    _note(obj, obj.pk, history=_newest_history(type(obj), obj.pk))


def delete(obj: models.Model, *, actor, reason: str) -> None:
    """Delete a record (reference data only: case records are never deleted); the event
    records the deletion and the history row it left."""
    model, pk = type(obj), obj.pk
    obj._history_user = actor
    obj._change_reason = reason
    obj.delete()
    _note(model, pk, history=_newest_history(model, pk), deleted=True)


def touch(obj: models.Model) -> None:
    """Note that ``obj`` changed in the current action without a save (an M2M change): its
    digest goes into the event."""
    _note(obj, obj.pk)


def discard_pending() -> None:
    _pending.objs = {}
    _pending.scope = None


# --- events -------------------------------------------------------------------------------


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


def chain_key(case=None) -> str:
    return f"case:{case.pk}" if case is not None else GLOBAL_CHAIN


def _record_entries(changed: dict[tuple[str, Any], _Pending]) -> list[dict[str, Any]]:
    """Digest each changed row as the database now holds it (not as the caller's object
    holds it), so the digest is exactly what verification will recompute."""
    entries = []
    by_model: dict[type[models.Model], dict[Any, models.Model]] = {}
    for entry in changed.values():
        if not entry.deleted:
            by_model.setdefault(entry.model, {})
    for model in by_model:
        pks = [e.pk for e in changed.values() if e.model is model and not e.deleted]
        by_model[model] = {o.pk: o for o in model._base_manager.filter(pk__in=pks)}
    for (label, pk), entry in sorted(changed.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        row = None if entry.deleted else by_model[entry.model].get(pk)
        entries.append({
            "model": label,
            "pk": pk,
            "digest": record_digest(row) if row is not None else None,
            "fields": record_digest(row, m2m=False) if row is not None else None,
            "history": [[hid, digest] for hid, digest in entry.history],
        })
    return entries


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
    The lock on the chain row makes concurrent appends queue: the sequence never forks.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the service's transaction")
    for obj in records or []:
        touch(obj)
    changed = _pending_changes()
    entries = _record_entries(changed)
    changed.clear()
    key = chain_key(case)
    AuditChain.objects.get_or_create(key=key)
    chain = AuditChain.objects.select_for_update().get(key=key)
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
        records=entries,
        prev_hash=chain.head_hash,
    )
    event.hash = event_hash(event)
    event.save()
    chain.length = event.seq
    chain.head_hash = event.hash
    chain.save(update_fields=["length", "head_hash"])
    return event


@dataclass(frozen=True)
class ChainHead:
    """What an export signs so a recipient can later detect truncation of the chain."""

    chain: str
    seq: int
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "seq": self.seq, "hash": self.hash}


def chain_head(case=None) -> ChainHead:
    chain = AuditChain.objects.filter(key=chain_key(case)).first()
    if chain is None:
        return ChainHead(chain_key(case), 0, GENESIS_HASH)
    return chain.head()
