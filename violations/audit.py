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
from typing import IO, TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from ledger import checkpoint
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
from ledger.models import AuditChain, AuditEvent, Checkpoint
from ledger.signing import SigningKeyError, load_private_key
from ledger.verify import ContentFile, Problem, Progress, Report
from ledger.verify import verify as ledger_verify

from . import webhooks

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
    redacted: list[tuple[int, str]] = field(default_factory=list)  # (history id, old digest)


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
    obj: models.Model,
    *,
    actor: User | None,
    reason: str,
    update_fields: list[str] | None = None,
    validate: bool = True,
) -> None:
    """Validate and save a case record, stamping its history row with actor and reason.

    Every field is validated (type, length, choices, blank, the model's ``clean``) except
    that set foreign keys are not looked up and uniqueness is not pre-queried: the
    database's foreign-key and unique constraints refuse those, rolling back the action.
    Reference data, edited by people, is checked for uniqueness first
    (:func:`violations.services.reference_save`) so the admin shows a message.
    ``validate=False`` only for a migration re-saving rows as they are.
    """
    if validate:
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


def keep_links(obj: models.Model) -> None:
    """Copy ``obj``'s many-to-many links, as they are now, onto the history row this action
    last wrote for it. A new record's links are inserted after the record, so the row
    simple-history wrote on creation does not hold them yet."""
    hist_model = history_model(type(obj))
    label = record_label(type(obj)._meta.concrete_model)  # type: ignore[arg-type]
    entry = _pending_changes().get((label, obj.pk))
    if hist_model is None or entry is None or not entry.history:
        return
    hist = hist_model._default_manager.get(history_id=entry.history[-1][0])
    for f in getattr(hist_model, "_history_m2m_fields", []):
        snapshot = getattr(hist, f.name).model
        through = getattr(obj, f.name).through
        source = next(x.name for x in through._meta.fields if x.related_model is type(obj))
        columns = [x.attname for x in through._meta.concrete_fields]
        snapshot._default_manager.bulk_create(
            snapshot(history=hist, **{c: getattr(row, c) for c in columns})
            for row in through.objects.filter(**{source: obj})
        )


def set_links(
    obj: models.Model, field_name: str, targets, *, actor: User | None, reason: str
) -> None:
    """Replace a many-to-many relation of a case record and save the record, so the one
    history row this writes holds the new links (simple-history would otherwise write an
    unstamped row for each removal and addition)."""
    obj.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        getattr(obj, field_name).set(targets)
    finally:
        del obj.skip_history_when_saving  # type: ignore[attr-defined]
    save(obj, actor=actor, reason=reason)


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


def redact_history(
    model: type[models.Model],
    pk,
    values: dict[str, Any],
    *,
    m2m: tuple[str, ...] = (),
    change_reason: str | None = None,
) -> int:
    """Overwrite ``values`` (field name -> value) in every history row of one record, and
    drop the many-to-many snapshots ``m2m`` those rows keep: personal data erased once its
    retention ran out. The live row is the caller's (saved or deleted through :func:`save`
    or :func:`delete` first). The current action's event carries, for each history row
    rewritten, its new digest and the digest it had, which verification holds against the
    one the trail recorded. ``change_reason``: what the reason of each history row written
    before this action becomes (a person's reason may say as much as the text). Returns how
    many history rows changed."""
    model = model._meta.concrete_model  # type: ignore[assignment]
    hist_model = history_model(model)
    if hist_model is None:
        return 0
    columns = {own_field(model, name).attname: value for name, value in values.items()}
    entry = _pending_changes().setdefault((record_label(model), pk), _Pending(model, pk))
    # History rows this action wrote hold the erased values already.
    noted = {h for h, _d in entry.history}
    changed = 0
    rows = hist_model._default_manager.filter(**{model._meta.pk.attname: pk}).order_by("pk")
    for hist in rows:
        hid = hist.pk
        if hid in noted:
            continue
        wanted = dict(columns)
        if change_reason is not None:
            wanted["history_change_reason"] = change_reason
        stale = {c: v for c, v in wanted.items() if _stored(getattr(hist, c)) != _stored(v)}
        # Each history row's links, in the snapshot table simple_history keeps (keep_links).
        snapshots = [getattr(hist, name).model for name in m2m]
        linked = [s for s in snapshots if s._default_manager.filter(history=hist).exists()]
        if not stale and not linked:
            continue
        before = history_digest(hist)
        for snapshot in linked:
            snapshot._default_manager.filter(history=hist).delete()
        if stale:
            hist_model._default_manager.filter(pk=hid).update(**stale)
            for column, value in stale.items():
                setattr(hist, column, value)
        after = history_digest(hist)
        if after == before:  # only links dropped: history digests leave them out
            continue
        changed += 1
        entry.history.append((hid, after))
        entry.redacted.append((hid, before))
    return changed


def own_field(model: type[models.Model], name: str) -> models.Field:
    """The concrete field ``name`` of ``model`` (not a reverse relation)."""
    f = model._meta.get_field(name)
    if not isinstance(f, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a field of its own")
    return f


def _stored(value: Any) -> Any:
    return getattr(value, "name", value) if value is not None else None


def vouch(obj: models.Model) -> None:
    """Note ``obj`` as it is, with every history row it has, in the current action (for
    rows that came in without a service: a migration's or a seed's reference data)."""
    hist_model = history_model(type(obj))
    if hist_model is not None:
        pk_name = type(obj)._meta.pk.attname
        for hist in hist_model._default_manager.filter(**{pk_name: obj.pk}).order_by("history_id"):
            _note(obj, obj.pk, history=hist)
    _note(obj, obj.pk)


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
                model=label,
                pk=pk,
                digest=digest,
                fields=fields,
                history=list(entry.history),
                redacted=list(entry.redacted),
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
    event = append(
        chain=chain_key(case),
        action=action,
        actor=actor,
        changes=changes,
        reason=reason,
        payload=payload,
        reference=case.reference if case is not None else None,
        new_chain=new_chain,
    )
    if case is not None:
        # Other systems hear of the change in its own transaction (violations/webhooks.py).
        webhooks.case_event(action=action, case=case, payload=payload or {})
    return event


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


def audited_models() -> list[type[models.Model]]:
    """Every model that keeps history: case records and reference data alike. Each row was
    written by a service (or, for reference data loaded by a migration or the demo seed, by
    :func:`violations.services.reference.reference_genesis`), so each must be vouched for."""
    return [m for m in apps.get_models() if history_model(m) is not None]


def reference_models() -> list[type[models.Model]]:
    """Audited models whose rows belong to no case: the organisation and the catalogues."""
    from .models import Case

    scoped = case_scope(Case(pk=0))
    return [m for m in audited_models() if m not in scoped]


def case_scope(case) -> dict[type[models.Model], Q]:
    """The rows that make up ``case``: the case, every audited row linked to it, and every
    audited row linked to one of those (a proposed sanction through its proposal)."""
    from .models import Case

    def link(model) -> str | None:
        fk = next((f for f in model._meta.concrete_fields if f.name == "case"), None)
        return "case" if fk is not None and fk.related_model is Case else None

    scope: dict[type[models.Model], Q] = {Case: Q(pk=case.pk)}
    for model in audited_models():
        if model is Case:
            continue
        if link(model):
            scope[model] = Q(case=case)
            continue
        for f in model._meta.concrete_fields:
            target = f.related_model if f.is_relation and f.many_to_one else None
            if target is not None and target is not Case and link(target):
                scope[model] = Q(**{f"{f.name}__case": case})
                break
    return scope


CONTENT_FILES = (("violations.evidence", "file", "sha256"),)


def _content_files() -> list[ContentFile]:
    return [ContentFile(apps.get_model(label), f, h) for label, f, h in CONTENT_FILES]


def _open_stored(name: str) -> IO[bytes]:
    return default_storage.open(name, "rb")


def _subject_problems(report: Report, case=None) -> None:
    """What the ledger alone cannot know: every case has its chain, and no case reference
    was issued whose case is gone (references run 1, 2, 3… per year without a gap)."""
    from .models import Case, ReferenceCounter

    keys = set(AuditChain.objects.values_list("key", flat=True))
    cases = [case] if case is not None else list(Case.objects.only("pk", "reference"))
    if case is None and cases and not keys:
        report.problems.append(
            Problem("ledger", f"the ledger is empty but {len(cases)} cases exist (it was wiped)")
        )
        return
    for c in cases:
        if chain_key(c) not in keys:
            report.problems.append(
                Problem(f"case {c.reference}", "has no audit chain (its events were removed)")
            )
    if case is not None:
        return
    by_year: dict[tuple[str, int], set[int]] = {}
    for c in cases:
        prefix, _sep, rest = c.reference.rpartition("-")
        head, _sep, year = prefix.rpartition("-")
        if rest.isdigit() and year.isdigit():
            by_year.setdefault((head, int(year)), set()).add(int(rest))
    prefix = settings.ACCOUNTABILITY["REFERENCE_PREFIX"]
    for counter in ReferenceCounter.objects.all():
        by_year.setdefault((prefix, counter.year), set())
    issued = dict(ReferenceCounter.objects.values_list("year", "last"))
    for (head, year), numbers in sorted(by_year.items()):
        top = max(numbers | {issued.get(year, 0) if head == prefix else 0})
        missing = sorted(set(range(1, top + 1)) - numbers)
        if missing:
            report.problems.append(
                Problem(
                    f"case {head}-{year}-{missing[0]:06d}",
                    f"is missing: the reference was issued but no such case exists (the case "
                    f"was erased; {len(missing)} references missing in {year})",
                )
            )
    case_chain_pks = {
        int(k.split(":", 1)[1]) for k in keys if k.startswith("case:") and k[5:].isdigit()
    }
    gone = sorted(case_chain_pks - {c.pk for c in cases})
    for pk in gone:
        report.problems.append(
            Problem(f"chain case:{pk}", "belongs to a case that no longer exists (it was erased)")
        )


def _checkpoints(paths: list[str] | None):
    """The signed checkpoints to hold the ledger against, and why others were refused."""
    try:
        public = load_private_key().public_key()
    except SigningKeyError as exc:
        if paths or Checkpoint.objects.exists():
            return [], [f"checkpoints cannot be checked: {exc}"]
        return [], []
    if paths is None:
        return checkpoint.stored(public)
    found, refused = [], []
    for path in paths:
        try:
            found.append(checkpoint.load_file(path, public))
        except checkpoint.CheckpointInvalid as exc:
            refused.append(str(exc))
    return sorted(found, key=lambda cp: cp.number), refused


def verify(
    *,
    case=None,
    head_seq: int | None = None,
    head_hash: str | None = None,
    files: bool = True,
    progress: Progress | None = None,
    checkpoint_files: list[str] | None = None,
) -> Report:
    """Check every chain and record (or one case's: its chain, every row of the case, its
    files, and the checkpoints' heads of its chain), every audited row being vouched for,
    every case having its chain, and the ledger holding every signed checkpoint (those
    stored, or ``checkpoint_files``). See :func:`ledger.verify.verify`."""
    signed, refused = _checkpoints(checkpoint_files)
    report = ledger_verify(
        chain=chain_key(case) if case is not None else None,
        head_seq=head_seq,
        head_hash=head_hash,
        audited_models=audited_models(),
        scope=case_scope(case) if case is not None else None,
        files=_content_files() if files else (),
        open_file=_open_stored,
        progress=progress,
        checkpoints=signed,
        untrusted_checkpoints=refused,
    )
    # What is missing altogether (a wiped ledger, an erased case) is named first.
    found = Report()
    _subject_problems(found, case)
    report.problems[:0] = found.problems
    return report
