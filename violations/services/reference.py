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
