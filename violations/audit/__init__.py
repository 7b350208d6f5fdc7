"""Writing tracked records and appending hash-chained audit events.

Every service saves case records through :func:`save` (which stamps the history row with the
actor and the reason) and ends with :func:`record`, which appends one event to the case's
chain carrying, for each record the action changed, the digest of the row as committed and
the digest of every history row the action wrote. ``manage.py verify_audit``
(:mod:`violations.audit.verify`) later recomputes the chains and compares those digests with
the live rows and their history.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import functools
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import post_create_historical_record

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
        elif isinstance(f, models.JSONField) and value is not None:
            # As the database gives it back (dict keys become strings, tuples lists): the
            # same for a row just read and an object just saved.
            value = json.loads(json.dumps(value, cls=f.encoder))
        state[f.attname] = _jsonable(value)
    if m2m and obj.pk is not None:
        state.update(_link_state(obj))
    return state


def _link_state(obj: models.Model) -> dict[str, Any]:
    """The many-to-many links of a row, as the database holds them now (within a step,
    read once until any many-to-many change, see :func:`forget_links`)."""
    if not obj._meta.many_to_many:
        return {}
    memo = getattr(_held_chains, "links", None)
    key = (record_label(obj), obj.pk)
    if memo is not None and key in memo:
        return memo[key]
    state = {f.attname: sorted(getattr(obj, f.attname).values_list("pk", flat=True))
             for f in obj._meta.many_to_many}
    if memo is not None:
        memo[key] = state
    return state


def forget_links(**kwargs) -> None:
    """Any many-to-many change: links are read again."""
    memo = getattr(_held_chains, "links", None)
    if memo:
        memo.clear()


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
    saved: models.Model | None = None  # the object saved last in this action, if saved
    saved_state: dict[str, Any] | None = None  # its fields as that save wrote them


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


_HISTORY_ATTR = "_audit_history_row"


@receiver(post_create_historical_record, dispatch_uid="violations.audit.keep_history_row")
def _keep_history_row(sender, instance, history_instance, **kwargs) -> None:
    """Hand the history row simple_history just wrote to :func:`save`/:func:`delete`, so
    they need not read it back."""
    instance.__dict__[_HISTORY_ATTR] = history_instance


def _newest_history(model, pk):
    hist_model = history_model(model)
    if hist_model is None:
        return None
    return hist_model._default_manager.filter(**{model._meta.pk.attname: pk}).order_by(
        "-history_id").first()


def _history_written(obj: models.Model):
    """The history row the last save or delete of ``obj`` wrote (None for models without
    history)."""
    hist = obj.__dict__.pop(_HISTORY_ATTR, None)
    if hist is None:  # not expected: the signal always fires; read it back to be sure
        hist = _newest_history(type(obj), obj.pk)
    return hist


def _note(obj_or_model, pk, *, history=None, deleted=False, saved=None) -> None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    model = model._meta.concrete_model
    entry = _pending_changes().setdefault((record_label(model), pk), _Pending(model, pk))
    entry.deleted = deleted
    if saved is not None or deleted:
        entry.saved = saved
        # Taken now: a later change to the object in memory was never written.
        entry.saved_state = record_state(saved, m2m=False) if saved is not None else None
    if history is not None and history.history_id not in {h for h, _d in entry.history}:
        entry.history.append((history.history_id, history_digest(history)))


def _unchecked_relations(obj: models.Model) -> list[str]:
    """Foreign keys whose existence ``full_clean`` need not query: set, and enforced by the
    database's own foreign-key constraint (a missing target fails the transaction)."""
    return [
        f.name for f in obj._meta.concrete_fields
        if f.is_relation and (f.many_to_one or f.one_to_one) and not f.remote_field.limit_choices_to
        and getattr(obj, f.attname) is not None
    ]


def save(obj: models.Model, *, actor, reason: str, update_fields: list[str] | None = None) -> None:
    """Validate and save a case record, stamping its history row with actor and reason.

    Every field is validated (type, length, choices, blank, the model's ``clean``) except
    that set foreign keys are not looked up and uniqueness is not pre-queried: the
    database's foreign-key and unique constraints refuse those, rolling back the action.
    Reference data, edited by people, is checked for uniqueness first
    (:func:`violations.services.reference_save`) so the admin shows a message.
    """
    obj.full_clean(exclude=_unchecked_relations(obj), validate_unique=False,
                   validate_constraints=False)
    obj._history_user = actor
    obj._change_reason = reason
    obj.__dict__.pop(_HISTORY_ATTR, None)
    deferred = obj.__dict__.pop(_DEFERRED_ATTR, [])
    if update_fields is not None and obj.pk is not None:
        obj.save(update_fields=list(dict.fromkeys([*update_fields, *deferred])))
    else:
        obj.save()
    hist = _history_written(obj) if history_model(type(obj)) is not None else None
    _note(obj, obj.pk, history=hist, saved=obj)


_DEFERRED_ATTR = "_audit_deferred_fields"


def defer_fields(obj: models.Model, fields: list[str]) -> None:
    """``fields`` of ``obj`` changed in memory: the next :func:`save` of ``obj`` in this
    action writes them too (call :func:`save_deferred` where the action may end without
    one)."""
    obj.__dict__[_DEFERRED_ATTR] = [*obj.__dict__.get(_DEFERRED_ATTR, []), *fields]


def save_deferred(obj: models.Model, *, actor, reason: str) -> None:
    """Write the fields :func:`defer_fields` left unsaved, if no save did since."""
    if obj.__dict__.get(_DEFERRED_ATTR):
        save(obj, actor=actor, reason=reason, update_fields=[])


def delete(obj: models.Model, *, actor, reason: str) -> None:
    """Delete a record (reference data only: case records are never deleted); the event
    records the deletion and the history row it left."""
    model, pk = type(obj), obj.pk
    obj._history_user = actor
    obj._change_reason = reason
    obj.__dict__.pop(_HISTORY_ATTR, None)
    obj.delete()
    hist = None
    if history_model(model) is not None:
        hist = obj.__dict__.pop(_HISTORY_ATTR, None) or _newest_history(model, pk)
    _note(model, pk, history=hist, deleted=True)


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
    """Digest each changed row as the database now holds it, so the digest is exactly what
    verification will recompute.

    A row this action saved through :func:`save` is digested from the fields that save
    wrote (taken at the save): every column was just written from them, and its history row
    was written from the same values (verification already requires the newest history row
    to equal the live row, so a save that left the row different from its object is caught
    either way). Its many-to-many links are read now. Rows only touched (a many-to-many
    change) are read back, one query per model.
    """
    entries = []
    by_model: dict[type[models.Model], dict[Any, models.Model]] = {}
    for entry in changed.values():
        if not entry.deleted and entry.saved is None:
            by_model.setdefault(entry.model, {})
    for model in by_model:
        pks = [e.pk for e in changed.values()
               if e.model is model and not e.deleted and e.saved is None]
        by_model[model] = {o.pk: o for o in model._base_manager.filter(pk__in=pks)}
    for (label, pk), entry in sorted(changed.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        digest = fields = None
        if entry.saved is not None and not entry.deleted:
            fields = _sha256(entry.saved_state)
            digest = _sha256({**entry.saved_state, **_link_state(entry.saved)})
        elif not entry.deleted and (row := by_model[entry.model].get(pk)) is not None:
            digest, fields = record_digest(row), record_digest(row, m2m=False)
        entries.append({
            "model": label,
            "pk": pk,
            "digest": digest,
            "fields": fields,
            "history": [[hid, hist_digest] for hid, hist_digest in entry.history],
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
    new_chain: bool = False,
) -> AuditEvent:
    """Append one event to the case's chain (or the system chain) under a row lock.

    Must run inside the service's transaction so the event and the change commit together.
    The lock on the chain row makes concurrent appends queue: the sequence never forks.
    ``new_chain``: the case is new in this transaction and this is its first event.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the service's transaction")
    for obj in records or []:
        touch(obj)
    changed = _pending_changes()
    entries = _record_entries(changed)
    changed.clear()
    key = chain_key(case)
    held = getattr(_held_chains, "chains", None)
    chain = held.get(key) if held is not None else None
    if new_chain:
        # The first event of a case created in this transaction: nobody else can append to
        # its chain before commit (if the chain existed, its unique key fails the action).
        chain = AuditChain.objects.create(key=key)
    if chain is None:
        chain = AuditChain.objects.select_for_update().filter(key=key).first()
    if chain is None:  # the chain's first event: the new row is ours (locked) until commit
        try:
            with transaction.atomic():
                chain = AuditChain.objects.create(key=key)
        except IntegrityError:  # a concurrent first append created it: queue behind it
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
    chain.length = event.seq
    chain.head_hash = event.hash
    if held is not None:
        # Within a step the chain row stays locked until commit, so the step's events are
        # written together when it ends (:func:`chains_held`): one insert and one head
        # update per chain instead of one of each per event. The returned event is saved
        # by then.
        held[key] = chain
        _held_chains.events.append(event)
        return event
    event.save()
    chain.save(update_fields=["length", "head_hash"])
    return event


_held_chains = threading.local()


@contextlib.contextmanager
def chains_held() -> Iterator[None]:
    """Within this block, a chain row locked by one :func:`record` serves the next ones
    (the lock lasts until commit and every append goes through ``record``). Only for a block
    that any error leaves as a whole, so no rolled-back append can linger in memory:
    :func:`violations.workflow.human_task` and the start of a case."""
    outer = getattr(_held_chains, "chains", None)
    if outer is None:
        _held_chains.chains, _held_chains.events, _held_chains.links = {}, [], {}
    try:
        yield
        if outer is None:
            _write_held_events()
    finally:
        if outer is None:
            _held_chains.chains = _held_chains.events = _held_chains.links = None


def _write_held_events() -> None:
    """Write the events a step appended, in sequence, and advance each chain head once."""
    events = _held_chains.events
    if not events:
        return
    AuditEvent.objects.bulk_create(events)
    for chain in {id(e.chain): e.chain for e in events}.values():
        chain.save(update_fields=["length", "head_hash"])
    events.clear()


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
