"""Reference data (catalogue, matrix, severity grades, categories) edited in the admin."""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from violations import audit
from violations.exceptions import NotAllowed


def reference_save(*, obj: models.Model, actor, reason: str = "") -> models.Model:
    """Create or change one reference record, with history and a system-chain audit event.

    Preconditions: actor holds Django's add or change permission for the model.
    """
    opts = obj._meta
    action = "change" if obj.pk else "add"
    if not actor.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
        raise NotAllowed(_("You may not edit this reference data."))
    with transaction.atomic():
        audit.save(obj, actor=actor, reason=reason or f"reference data: {action}")
        audit.record(action="reference.saved", actor=actor, reason=reason,
                     payload={"model": audit.record_label(obj), "pk": obj.pk, "change": action})
    return obj
