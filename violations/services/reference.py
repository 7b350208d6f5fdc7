"""Configuration changes: reference data (departments, staff, categories, the sanction
catalogue and matrix…) edited through the admin, recorded on the system audit chain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .. import audit
from ..exceptions import NotAllowed

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _require_perm(actor: User, obj: models.Model, action: str) -> None:
    opts = obj._meta
    if not (
        actor
        and actor.is_authenticated
        and actor.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
    ):
        raise NotAllowed(
            _("You may not %(action)s %(model)s records.")
            % {"action": action, "model": opts.verbose_name}
        )


def reference_save(
    *, obj: models.Model, actor: User, changed_fields: list[str] | None = None, reason: str = ""
) -> models.Model:
    """Create or change one reference-data row and record the configuration change.

    Preconditions: the actor holds the model's add (new row) or change permission; the row
    passes ``full_clean``.
    """
    created = obj.pk is None or obj._state.adding
    _require_perm(actor, obj, "add" if created else "change")
    with transaction.atomic():
        # The full check, foreign keys and uniqueness included (audit.save leaves those to
        # the database): a person edits reference data and should get a message, not an error.
        obj.full_clean()
        audit.save(obj, actor=actor, reason=reason or ("created" if created else "changed"))
        audit.record(
            action="config.created" if created else "config.changed",
            actor=actor,
            reason=reason,
            payload={
                "model": audit.record_label(obj),
                "pk": obj.pk,
                "name": str(obj),
                "fields": sorted(changed_fields or []),
            },
        )
    return obj


def reference_delete(*, obj: models.Model, actor: User, reason: str = "") -> None:
    """Delete one reference-data row (refused by the database while cases use it).

    Preconditions: the actor holds the model's delete permission.
    """
    _require_perm(actor, obj, "delete")
    label, pk, name = audit.record_label(obj), obj.pk, str(obj)
    with transaction.atomic():
        audit.delete(obj, actor=actor, reason=reason or "deleted")
        audit.record(
            action="config.deleted",
            actor=actor,
            reason=reason,
            payload={"model": label, "pk": pk, "name": name},
        )


def reference_genesis(*, rows: list[models.Model], reason: str, actor: User | None = None) -> None:
    """Vouch for reference data that came into the database without a person editing it (a
    migration, the demo seed): one ``config.genesis`` event on the system chain with the
    digest of each row and of each history row it has, so a later change behind the
    application's back is caught like any other.

    Preconditions: the rows are saved; ``actor`` is None (the system) or a user who holds
    the add permission of each row's model.
    """
    if actor is not None:
        for obj in rows:
            _require_perm(actor, obj, "add")
    if not rows:
        return
    with transaction.atomic():
        for obj in rows:
            audit.vouch(obj)
        audit.record(
            action="config.genesis",
            actor=actor,
            reason=reason,
            payload={
                "models": sorted({audit.record_label(obj) for obj in rows}),
                "rows": len(rows),
            },
        )


def reference_migrated(*, rows: list[models.Model], reason: str) -> None:
    """Vouch anew for reference rows a migration changed (new columns, names filled in): each
    row is saved with a history row giving ``reason``, and one ``config.migrated`` event on
    the system chain carries the digest of the row and of every history row it has, as the
    columns now read.

    Preconditions: the caller checked that each row was intact under the digests the ledger
    recorded before the change (a row changed behind the application's back must stay
    unvouched, not be vouched for by a migration); the rows may lack what a person editing
    them must give (a name in every language), so they are not validated.
    """
    if not rows:
        return
    with transaction.atomic():
        for obj in rows:
            audit.save(obj, actor=None, reason=reason, validate=False)
            audit.vouch(obj)
        audit.record(
            action="config.migrated",
            actor=None,
            reason=reason,
            payload={
                "models": sorted({audit.record_label(obj) for obj in rows}),
                "rows": len(rows),
            },
        )


def reference_unvouched(
    among: list[type[models.Model]] | None = None,
) -> list[models.Model]:
    """Rows of audited models that belong to no case (reference data) which no event
    vouches for: what a database held before the ledger vouched for reference data, or
    what a migration loaded. ``among``: only these models (a migration names those whose
    tables it knows to be current)."""
    from ledger.models import AuditEvent

    vouched: set[tuple[str, object]] = set()
    for records in AuditEvent.objects.values_list("records", flat=True).iterator(chunk_size=2000):
        vouched.update((r["model"], r["pk"]) for r in records or [] if isinstance(r, dict))
    rows: list[models.Model] = []
    for model in audit.reference_models():
        if among is not None and model not in among:
            continue
        label = audit.record_label(model)
        rows += [
            obj for obj in model._base_manager.order_by("pk") if (label, obj.pk) not in vouched
        ]
    return rows
