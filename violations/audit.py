"""Saving case records and recording what each action changed in the ledger.

Every service saves case records through :func:`save` (which validates the row and stamps
its history row with the actor and the reason) and ends with :func:`record`, which appends
one event to the case's chain in :mod:`ledger` carrying, for each record the action
changed, the digest of the row as committed and the digest of every history row the action
wrote. ``manage.py verify_audit`` later recomputes the chains and compares those digests
with the live rows and their history.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from ledger.chain import SYSTEM_CHAIN, Actor, ChainHead, RecordChange, append
from ledger.chain import chain_head as ledger_chain_head
from ledger.digest import (
    history_digest,
    history_model,
    link_state,
    record_digest,
    record_label,
    record_state,
    sha256,
)
from ledger.models import AuditEvent
from ledger.verify import Report
from ledger.verify import verify as ledger_verify

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_pending = threading.local()


def chain_key(case=None) -> str:
    """The ledger chain of a case (or the system chain, for events of no case)."""
    return f"case:{case.pk}" if case is not None else SYSTEM_CHAIN


def chain_head(case=None) -> ChainHead:
    return ledger_chain_head(chain_key(case))


def events_of(case) -> QuerySet[AuditEvent]:
    """The audit events of one case, in sequence."""
    return AuditEvent.objects.filter(chain__key=chain_key(case)).order_by("seq")


def chain_keys(cases: QuerySet) -> QuerySet:
    """The chain keys of ``cases``, as a subquery."""
    return (
        cases.order_by()
        .annotate(chain_key=Concat(Value("case:"), Cast("pk", CharField())))
        .values("chain_key")
    )


def events_of_cases(cases: QuerySet) -> QuerySet[AuditEvent]:
    """The audit events of every case in ``cases``."""
    return AuditEvent.objects.filter(chain__key__in=chain_keys(cases))


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
    return (
        hist_model._default_manager.filter(**{model._meta.pk.attname: pk})
        .order_by("-history_id")
        .first()
    )


def _history_written(obj: models.Model):
    """The history row the last save or delete of ``obj`` wrote (None for models without
    history)."""
    hist = obj.__dict__.pop(_HISTORY_ATTR, None)
    if hist is None:  # not expected: the signal always fires; read it back to be sure
        hist = _newest_history(type(obj), obj.pk)
    return hist


def _note(
    obj_or_model: models.Model | type[models.Model],
    pk,
    *,
    history=None,
    deleted=False,
    saved: models.Model | None = None,
) -> None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    # django-stubs types concrete_model as optional; ModelBase sets it on every model class.
    model = model._meta.concrete_model  # type: ignore[assignment]
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
        f.name
        for f in obj._meta.concrete_fields
        if f.remote_field is not None
        and (f.many_to_one or f.one_to_one)
        and not f.remote_field.limit_choices_to
        and getattr(obj, f.attname) is not None
    ]


def _stamp_history(obj: models.Model, actor: User | None, reason: str) -> None:
    """Name the actor and the reason on the history row the next save or delete of ``obj``
    writes: simple_history reads them from these attributes of the instance."""
    obj.__dict__.update(_history_user=actor, _change_reason=reason)


def save(
    obj: models.Model, *, actor: User | None, reason: str, update_fields: list[str] | None = None
) -> None:
    """Validate and save a case record, stamping its history row with actor and reason.

    Every field is validated (type, length, choices, blank, the model's ``clean``) except
    that set foreign keys are not looked up and uniqueness is not pre-queried: the
    database's foreign-key and unique constraints refuse those, rolling back the action.
    Reference data, edited by people, is checked for uniqueness first
    (:func:`violations.services.reference_save`) so the admin shows a message.
    """
    obj.full_clean(
        exclude=_unchecked_relations(obj), validate_unique=False, validate_constraints=False
    )
    _stamp_history(obj, actor, reason)
    obj.__dict__.pop(_HISTORY_ATTR, None)
    if update_fields is not None and obj.pk is not None:
        obj.save(update_fields=update_fields)
    else:
        obj.save()
    hist = _history_written(obj) if history_model(type(obj)) is not None else None
    _note(obj, obj.pk, history=hist, saved=obj)


def delete(obj: models.Model, *, actor: User | None, reason: str) -> None:
    """Delete a record (reference data only: case records are never deleted); the event
    records the deletion and the history row it left."""
    model, pk = type(obj), obj.pk
    _stamp_history(obj, actor, reason)
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


def _changes(changed: dict[tuple[str, Any], _Pending]) -> list[RecordChange]:
    """Digest each changed row as the database now holds it, so the digest is exactly what
    verification will recompute.

    A row this action saved through :func:`save` is digested from the fields that save
    wrote (taken at the save): every column was just written from them, and its history row
    was written from the same values (verification already requires the newest history row
    to equal the live row, so a save that left the row different from its object is caught
    either way). Its many-to-many links are read now. Rows only touched (a many-to-many
    change) are read back, one query per model.
    """
    touched: dict[type[models.Model], dict[Any, models.Model]] = {}
    for entry in changed.values():
        if not entry.deleted and entry.saved is None:
            touched.setdefault(entry.model, {})
    for model in touched:
        pks = [
            e.pk for e in changed.values() if e.model is model and not e.deleted and e.saved is None
        ]
        touched[model] = {o.pk: o for o in model._base_manager.filter(pk__in=pks)}
    changes = []
    for (label, pk), entry in sorted(changed.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        digest = fields = None
        if entry.saved is not None and entry.saved_state is not None and not entry.deleted:
            fields = sha256(entry.saved_state)
            digest = sha256({**entry.saved_state, **link_state(entry.saved)})
        elif not entry.deleted and (row := touched[entry.model].get(pk)) is not None:
            digest, fields = record_digest(row), record_digest(row, m2m=False)
        changes.append(
            RecordChange(
                model=label, pk=pk, digest=digest, fields=fields, history=list(entry.history)
            )
        )
    return changes


def record(
    *,
    action: str,
    actor: Actor | None,
    case=None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    records: list[models.Model] | None = None,
    new_chain: bool = False,
) -> AuditEvent:
    """Append one event to the case's chain (or the system chain) with every record the
    action saved, deleted or touched since the last event.

    Must run inside the service's transaction so the event and the change commit together.
    ``new_chain``: the case is new in this transaction and this is its first event.
    """
    for obj in records or []:
        touch(obj)
    changed = _pending_changes()
    changes = _changes(changed)
    changed.clear()
    return append(
        chain=chain_key(case),
        action=action,
        actor=actor,
        changes=changes,
        reason=reason,
        payload=payload,
        reference=case.reference if case is not None else None,
        new_chain=new_chain,
    )


def case_record_models() -> list[type[models.Model]]:
    """Models with history and a direct link to a case: every row is written by a service,
    so every row must be vouched for by an event."""
    from .models import Case

    found = []
    for model in apps.get_models():
        if history_model(model) is None:
            continue
        fk = next((f for f in model._meta.concrete_fields if f.name == "case"), None)
        if fk is not None and fk.related_model is Case:
            found.append(model)
    return found


def verify(*, case=None, head_seq: int | None = None, head_hash: str | None = None) -> Report:
    """Check every chain and record (or one case's), requiring every row of a case record
    to be vouched for (see :func:`ledger.verify.verify`)."""
    return ledger_verify(
        chain=chain_key(case) if case is not None else None,
        head_seq=head_seq,
        head_hash=head_hash,
        audited_models=case_record_models(),
    )
