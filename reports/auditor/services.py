"""The auditor's export: the trail of a period (the system chain) or of chosen cases (their
chains), as one signed JSON document anchored in a ledger checkpoint.

The document (``format`` ``accountability-audit-export``)::

    {"signed": {"format": …, "format_version": 1, "exported_at": …, "exported_by": {…},
                "scope": {"kind": "period", "from": …, "to": …, "time_zone": …}
                         | {"kind": "cases", "cases": [reference, …]},
                "checkpoint": {"signed": {…}, "signature": …},   # the ledger's tree head
                "chains": [{"key": …, "length": n, "head_hash": …, "first_seq": s,
                            "events": [event, …],                # seq s .. n, contiguous
                            "inclusion": {"leaf": [key, n, head], "leaf_index": i,
                                          "tree_size": m, "path": […]}}, …],
                "public_key_sha256": …},
     "signature": "<base64 Ed25519 signature of canonical_json(signed)>"}

Each event gives ``seq``, ``hash``, ``prev_hash`` and its ``content`` (the fields the hash
covers, :func:`ledger.chain.event_content`) with the ``salts`` of the fields shown; an event
of the chain after the period (needed to reach the checkpoint's head) shows only its place
(``chain``, ``seq``, ``prev_hash``) and ``commitments`` to the rest. Anyone holding the
public key recomputes every hash, follows the links to the head and the head to the signed
Merkle root (``tools/verify_audit_export.py``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger import checkpoint, signing
from ledger.chain import SYSTEM_CHAIN, commitments, event_content, field_salt
from ledger.digest import as_json, canonical_json
from ledger.models import AuditEvent
from violations import audit, policy
from violations.exceptions import NotAllowed
from violations.models import Case

from .selectors import can_use_desk, day_bounds, person_label

FORMAT = "accountability-audit-export"
FORMAT_VERSION = 1
# The fields an event must show to be placed in its chain.
PLACE = ("chain", "seq", "prev_hash")
MAX_EVENTS = 50_000
MAX_CASES = 50


def _require_auditor(actor) -> None:
    if not can_use_desk(actor):
        raise NotAllowed(_("Only internal auditors export the audit trail."))


def _shown(event: AuditEvent) -> dict[str, Any]:
    content = event_content(event)
    entry: dict[str, Any] = {
        "seq": event.seq,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
        "content": content,
    }
    if event.salt:
        entry["salts"] = {name: field_salt(event.salt, name) for name in content}
    return entry


def _withheld(event: AuditEvent) -> dict[str, Any]:
    """An event outside the period: its place in the chain, commitments to the rest."""
    if not event.salt:  # written before commitments: its hash covers its content whole
        return _shown(event)
    content = event_content(event)
    commits = commitments(event)
    return {
        "seq": event.seq,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
        "withheld": True,
        "content": {name: content[name] for name in PLACE},
        "salts": {name: field_salt(event.salt, name) for name in PLACE},
        "commitments": {name: c for name, c in commits.items() if name not in PLACE},
    }


def _anchor(keys: list[str], key) -> checkpoint.SignedCheckpoint:
    """The newest checkpoint if it holds every chain's current head, else a new one."""
    latest = checkpoint.latest_signed(key.public_key())
    if latest is not None:
        now = {s.key: s for s in checkpoint.current_states()}
        if all(latest.state_of(k) == now.get(k) for k in keys):
            return latest
    return checkpoint.checkpoint_create(key=key)


def _chain_entry(cp: checkpoint.SignedCheckpoint, key: str, events: list[dict]) -> dict:
    state = cp.state_of(key)
    assert state is not None
    return {
        "key": key,
        "length": state.length,
        "head_hash": state.head_hash,
        "first_seq": events[0]["seq"] if events else state.length + 1,
        "events": events,
        "inclusion": cp.inclusion(key),
    }


def _sign(signed: dict[str, Any], key) -> bytes:
    signature = base64.b64encode(key.sign(canonical_json(signed))).decode("ascii")
    document = {"signed": signed, "signature": signature}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def _exported_by(actor) -> dict[str, Any]:
    return {"user_id": actor.pk, "username": actor.get_username(), "name": person_label(actor)}


def _record(*, actor, scope: dict, data: bytes, cp, events: int, cases: list[Case]) -> None:
    with transaction.atomic():
        audit.record(
            action="audit.exported",
            actor=actor,
            payload={
                "scope": scope,
                "cases": [c.reference for c in cases],
                "events": events,
                "checkpoint": cp.number,
                "sha256": hashlib.sha256(data).hexdigest(),
            },
        )


def audit_trail_export(*, actor, start: dt.date, end: dt.date) -> bytes:
    """The system chain's events from the start of ``start`` to the end of ``end`` (dates
    in the institution's time zone), signed, with the checkpoint they verify against.

    Preconditions: ``actor`` holds ``audit_cases``; ``start`` is not after ``end``; the
    period holds at most ``MAX_EVENTS`` events up to the checkpoint; the signing key exists
    (:class:`ledger.signing.SigningKeyError` otherwise). Records ``audit.exported``.
    """
    _require_auditor(actor)
    if start > end:
        raise ValidationError({"end": [_("The period ends before it starts.")]})
    key = signing.load_private_key()
    low, high = day_bounds(start, end)
    cp = _anchor([SYSTEM_CHAIN], key)
    state = cp.state_of(SYSTEM_CHAIN)
    length = state.length if state else 0
    chain = AuditEvent.objects.filter(chain__key=SYSTEM_CHAIN, seq__lte=length)
    first = (
        chain.filter(occurred_at__gte=low, occurred_at__lt=high)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    events: list[dict] = []
    shown = 0
    if first is not None:
        if length - first + 1 > MAX_EVENTS:
            raise ValidationError(
                {"start": [_("The period holds too many events to export: choose a shorter one.")]}
            )
        for event in chain.filter(seq__gte=first).select_related("chain").order_by("seq"):
            inside = low <= event.occurred_at < high
            events.append(_shown(event) if inside else _withheld(event))
            shown += inside
    scope = {
        "kind": "period",
        "from": start.isoformat(),
        "to": end.isoformat(),
        "time_zone": settings.TIME_ZONE,
    }
    signed = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": as_json(timezone.now()),
        "exported_by": _exported_by(actor),
        "scope": scope,
        "checkpoint": cp.tree_head(),
        "chains": [_chain_entry(cp, SYSTEM_CHAIN, events)] if state else [],
        "public_key_sha256": signing.fingerprint(key),
    }
    data = _sign(signed, key)
    _record(actor=actor, scope=scope, data=data, cp=cp, events=shown, cases=[])
    return data


def cases_from_references(actor, text: str) -> list[Case]:
    """The cases named (by reference, separated by spaces, commas or new lines) that
    ``actor`` may see; a name that is unknown or out of sight is refused alike."""
    refs = sorted({r for r in text.replace(",", " ").split() if r})
    if not refs:
        raise ValidationError({"cases": [_("Name at least one case.")]})
    if len(refs) > MAX_CASES:
        raise ValidationError(
            {"cases": [_("Export at most %(n)d cases at a time.") % {"n": MAX_CASES}]}
        )
    found = {c.reference: c for c in policy.visible_cases(actor).filter(reference__in=refs)}
    missing = [r for r in refs if r not in found]
    if missing:
        raise ValidationError(
            {"cases": [_("No such case: %(refs)s.") % {"refs": ", ".join(missing)}]}
        )
    return [found[r] for r in refs]


def audit_cases_export(*, actor, cases: list[Case]) -> bytes:
    """Each case's whole chain, signed, with the checkpoint and each chain's inclusion proof.

    Preconditions: ``actor`` holds ``audit_cases`` and may see every case; at most
    ``MAX_CASES``; the signing key exists. Records ``audit.exported`` on the system chain.
    """
    _require_auditor(actor)
    if not cases:
        raise ValidationError({"cases": [_("Name at least one case.")]})
    visible = set(
        policy.visible_cases(actor)
        .filter(pk__in=[c.pk for c in cases])
        .values_list("pk", flat=True)
    )
    if any(c.pk not in visible for c in cases):
        raise NotAllowed(_("You may not export a case you cannot see."))
    key = signing.load_private_key()
    keys = sorted({audit.chain_key(c) for c in cases})
    cp = _anchor(keys, key)
    chains, count = [], 0
    for chain_key in keys:
        state = cp.state_of(chain_key)
        if state is None:
            continue
        rows = AuditEvent.objects.filter(chain__key=chain_key, seq__lte=state.length)
        events = [_shown(e) for e in rows.select_related("chain").order_by("seq")]
        count += len(events)
        if count > MAX_EVENTS:
            raise ValidationError({"cases": [_("Too many events to export: name fewer cases.")]})
        chains.append(_chain_entry(cp, chain_key, events))
    scope = {"kind": "cases", "cases": sorted(c.reference for c in cases)}
    signed = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": as_json(timezone.now()),
        "exported_by": _exported_by(actor),
        "scope": scope,
        "checkpoint": cp.tree_head(),
        "chains": chains,
        "public_key_sha256": signing.fingerprint(key),
    }
    data = _sign(signed, key)
    _record(actor=actor, scope=scope, data=data, cp=cp, events=count, cases=cases)
    return data
