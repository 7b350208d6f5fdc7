"""The digests the ledger vouches for rows with: one canonical serialisation, SHA-256."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
import json
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone


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


def sha256(data: Any) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def as_json(value: Any) -> Any:
    """``value`` as the canonical serialisation writes it (aware datetimes in UTC, …)."""
    return _jsonable(value)


@functools.cache
def translated_originals(model: type[models.Model]) -> frozenset[str]:
    """Fields of ``model`` that django-modeltranslation stands in for (``name`` when it keeps
    ``name_en``, ``name_zh_hant``…): reading one gives the reader's language, and its own
    column holds whatever language was active at the last save ("undetermined", its docs
    say). The ledger vouches for each language's column instead, so a digest never depends
    on who computes it."""
    from modeltranslation.translator import translator

    if model not in translator.get_registered_models(abstract=False):
        return frozenset()
    return frozenset(translator.get_options_for_model(model).all_fields)


def record_state(obj: models.Model, *, m2m: bool = True) -> dict[str, Any]:
    """The fields of a row that the ledger vouches for (many-to-many links included unless
    ``m2m`` is false: history rows do not keep them; a translated field by its languages'
    columns, see :func:`translated_originals`)."""
    state: dict[str, Any] = {}
    skipped = translated_originals(type(obj)._meta.concrete_model)
    for f in obj._meta.concrete_fields:
        if f.name in skipped:
            continue
        value = f.value_from_object(obj)
        if isinstance(f, models.DecimalField) and value is not None:
            value = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-f.decimal_places))
        elif isinstance(f, models.JSONField) and value is not None:
            # As the database gives it back (dict keys become strings, tuples lists): the
            # same for a row just read and an object just saved.
            value = json.loads(json.dumps(value, cls=f.encoder))
        state[f.attname] = _jsonable(value)
    if m2m and obj.pk is not None:
        state.update(link_state(obj))
    return state


def link_state(obj: models.Model) -> dict[str, Any]:
    """The many-to-many links of a row, as the database holds them now."""
    return {
        f.attname: sorted(getattr(obj, f.attname).values_list("pk", flat=True))
        for f in obj._meta.many_to_many
    }


def record_digest(obj: models.Model, *, m2m: bool = True) -> str:
    return sha256(record_state(obj, m2m=m2m))


def history_digest(hist) -> str:
    """Digest of one simple_history row: the record's fields as they were (no M2M), plus
    who, when, why and what kind of change."""
    state = record_state(hist.instance, m2m=False)
    # A history row keeps the plain column of a translated field as it was saved (the
    # language then active): unlike the live row's, it is what the history shows.
    for name in translated_originals(type(hist.instance)._meta.concrete_model):
        state[name] = _jsonable(getattr(hist, name))
    return sha256(
        {
            "state": state,
            "history_date": hist.history_date,
            "history_user": hist.history_user_id,
            "history_change_reason": hist.history_change_reason,
            "history_type": hist.history_type,
        }
    )


def record_label(obj: models.Model | type[models.Model]) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def model_of(label: str) -> type[models.Model]:
    return apps.get_model(label)


@functools.cache
def history_model(model: type[models.Model]) -> type[models.Model] | None:
    """The simple_history model of ``model``, or None if the model keeps no history."""
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager).model if manager else None
