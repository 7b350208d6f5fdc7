"""Appending events to hash chains, and reading a chain's head.

Input: "these rows changed, under this chain key, by this actor". Each event carries, for
every row the action changed, the digest of the row as committed and the digest of every
history row the action wrote (:class:`RecordChange`); :mod:`ledger.verify` later recomputes
all of it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from .digest import as_json, canonical_json
from .models import GENESIS_HASH, AuditChain, AuditEvent

SYSTEM_CHAIN = "system"
# The payload key that names the chain's subject (a case reference) in an event's hash.
REFERENCE_KEY = "case_reference"


class Actor(Protocol):
    """Whoever an event names: a user, or a stand-in without a login (``pk`` None) that
    has only a name."""

    @property
    def pk(self) -> Any: ...

    @property
    def username(self) -> str: ...


@dataclass(frozen=True)
class RecordChange:
    """One row an action changed: its digest as committed (None: deleted), the digest of
    its fields without many-to-many links, and ``(history id, digest)`` of each history row
    the action wrote.

    ``redacted``: ``(history id, previous digest)`` of each older history row the action
    rewrote (content erased once a retention period ran out). Its new digest is among
    ``history``; the previous one must be the digest the trail recorded for that row, so an
    erasure vouches anew only for rows that were intact (:mod:`ledger.verify`)."""

    model: str
    pk: Any
    digest: str | None
    fields: str | None
    history: list[tuple[int, str]] = field(default_factory=list)
    redacted: list[tuple[int, str]] = field(default_factory=list)

    def as_entry(self) -> dict[str, Any]:
        entry = {
            "model": self.model,
            "pk": self.pk,
            "digest": self.digest,
            "fields": self.fields,
            "history": [list(h) for h in self.history],
        }
        if self.redacted:  # absent otherwise: entries keep the shape they always had
            entry["redacted"] = [list(h) for h in self.redacted]
        return entry


@dataclass(frozen=True)
class ChainHead:
    """What an export signs so a recipient can later detect truncation of the chain."""

    chain: str
    seq: int
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "seq": self.seq, "hash": self.hash}


def event_content(event: AuditEvent) -> dict[str, Any]:
    """What the hash of an event covers. (The key ``case`` holds the chain's subject
    reference: renaming it would break every hash already written.)"""
    return {
        "chain": event.chain.key,
        "seq": event.seq,
        "case": event.payload.get(REFERENCE_KEY),
        "occurred_at": as_json(event.occurred_at),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "reason": event.reason,
        "payload": event.payload,
        "records": event.records,
        "prev_hash": event.prev_hash,
    }


COMMITMENT_FORMAT = 2

# What may be erased from a stored event: what people wrote or named in it. The chain key,
# sequence, time, actor, action, records and links stay, so the trail still reads as a trail.
ERASABLE_FIELDS = ("payload", "reason")


def field_salt(salt: str, name: str) -> str:
    """The salt of one field of an event: HMAC-SHA256 of the field's name under the event's
    salt, so publishing it for a field shown reveals nothing of the fields withheld."""
    return hmac.new(bytes.fromhex(salt), name.encode("utf-8"), hashlib.sha256).hexdigest()


def commitment(salt_of_field: str, value: Any) -> str:
    """A salted commitment to one value: SHA-256 of ``canonical_json([salt, value])``. Without
    the salt (256 random bits) no list of candidates can confirm the value."""
    return hashlib.sha256(canonical_json([salt_of_field, value])).hexdigest()


def withheld_fields(event: AuditEvent) -> dict[str, str]:
    """The fields erased from the stored event, each with its commitment."""
    kept = event.withheld if event.salt else None
    return kept if isinstance(kept, dict) else {}


def commitments(event: AuditEvent) -> dict[str, str]:
    """Each field of the event's content, committed to under its own salt (a field erased
    from the stored event by its stored commitment)."""
    kept = withheld_fields(event)
    if not set(kept) <= set(ERASABLE_FIELDS) or not all(isinstance(c, str) for c in kept.values()):
        raise ValueError("malformed withheld content")  # verification: does not match its hash
    return {
        # A withheld field counts by its commitment only while the row holds nothing of it
        # (anything written there since would otherwise go unverified).
        name: kept[name]
        if name in kept and value == _erased(name, value)
        else commitment(field_salt(event.salt, name), value)
        for name, value in event_content(event).items()
    }


def _erased(name: str, value: Any) -> Any:
    """What a withheld field of the stored event holds."""
    if name == "payload":
        return (
            {k: v for k, v in value.items() if k == REFERENCE_KEY}
            if isinstance(value, dict)
            else {}
        )
    return ""


def hash_of_commitments(commits: dict[str, str]) -> str:
    return hashlib.sha256(
        canonical_json({"format": COMMITMENT_FORMAT, "commitments": commits})
    ).hexdigest()


def event_hash(event: AuditEvent) -> str:
    """What the chain links: for an event with a salt, the hash of the salted commitments
    to its fields (a bundle can then withhold a field and publish only its commitment);
    for an event written before commitments, the hash of its content."""
    if event.salt:
        return hash_of_commitments(commitments(event))
    return hashlib.sha256(canonical_json(event_content(event))).hexdigest()


def opening(event: AuditEvent, name: str) -> dict[str, Any]:
    """What proves the value of one field of ``event`` to someone holding only its
    commitment (a bundle's recipient): the field's salt and its value."""
    content = event_content(event)
    if not event.salt or name not in content or name in withheld_fields(event):
        raise KeyError(name)
    return {
        "chain": event.chain.key,
        "seq": event.seq,
        "field": name,
        "salt": field_salt(event.salt, name),
        "value": content[name],
        "commitment": commitment(field_salt(event.salt, name), content[name]),
    }


def withhold(event: AuditEvent, fields: tuple[str, ...] = ERASABLE_FIELDS) -> bool:
    """Erase ``fields`` of a stored event (its payload keeps only the subject's reference),
    keeping each as the salted commitment its hash already covers: the chain verifies as
    before, and the value can no longer be read or opened. Returns whether the row changed.

    Refused (ValueError) for an event whose hash does not match its content (erasing would
    hide a tampering) and for a field outside :data:`ERASABLE_FIELDS`; an event written
    before commitments (no salt) is left as it is (False).
    """
    if not set(fields) <= set(ERASABLE_FIELDS):
        raise ValueError(f"only {', '.join(ERASABLE_FIELDS)} may be withheld")
    if not event.salt:
        return False
    if event_hash(event) != event.hash:
        raise ValueError(f"{event}: content does not match its hash; not erased")
    commits = commitments(event)
    kept = dict(withheld_fields(event))
    todo = [name for name in fields if name not in kept]
    if not todo:
        return False
    for name in todo:
        kept[name] = commits[name]
    if "payload" in todo:
        event.payload = _erased("payload", event.payload)
    if "reason" in todo:
        event.reason = ""
    event.withheld = kept
    if event_hash(event) != event.hash:  # not expected: the commitments are the hash's own
        raise ValueError(f"{event}: withholding would change its hash; not erased")
    AuditEvent.objects.filter(pk=event.pk).update(
        payload=event.payload, reason=event.reason, withheld=kept
    )
    return True


def _locked_chain(key: str, *, new: bool) -> AuditChain:
    if new:
        # The subject is new in this transaction: nobody else can append to its chain
        # before commit (if the chain existed, its unique key fails the action).
        return AuditChain.objects.create(key=key)
    chain = AuditChain.objects.select_for_update().filter(key=key).first()
    if chain is not None:
        return chain
    try:  # the chain's first event: the new row is ours (locked) until commit
        with transaction.atomic():
            return AuditChain.objects.create(key=key)
    except IntegrityError:  # a concurrent first append created it: queue behind it
        return AuditChain.objects.select_for_update().get(key=key)


def append(
    *,
    chain: str,
    action: str,
    actor: Actor | None,
    changes: list[RecordChange],
    reason: str = "",
    payload: dict[str, Any] | None = None,
    reference: str | None = None,
    new_chain: bool = False,
) -> AuditEvent:
    """Append one event to ``chain`` under a row lock on the chain's head.

    Must run inside the caller's transaction so the event and the change commit together;
    the lock makes concurrent appends queue, so the sequence never forks. ``reference``
    names the chain's subject in the event (a case reference). ``new_chain``: the subject
    is new in this transaction and this is its chain's first event.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.append() must run inside the caller's transaction")
    head = _locked_chain(chain, new=new_chain)
    # A stand-in without a login is named, not linked.
    user = actor if isinstance(actor, get_user_model()) and actor.pk else None
    body = dict(payload or {})
    now = timezone.now()
    # Whole milliseconds: what Django's JSON serialiser keeps, so an event written by a
    # migration survives dumpdata/loaddata (and a test's serialized rollback) with its hash.
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    if reference is not None:
        body[REFERENCE_KEY] = reference
    event = AuditEvent(
        chain=head,
        seq=head.length + 1,
        occurred_at=now,
        actor=user,
        actor_name=getattr(actor, "username", None) or "system",
        action=action,
        reason=reason,
        payload=json.loads(canonical_json(body)),
        records=[c.as_entry() for c in changes],
        prev_hash=head.head_hash,
        salt=secrets.token_hex(32),
    )
    event.hash = event_hash(event)
    event.save()
    head.length = event.seq
    head.head_hash = event.hash
    head.save(update_fields=["length", "head_hash"])
    return event


def chain_head(key: str) -> ChainHead:
    chain = AuditChain.objects.filter(key=key).first()
    if chain is None:
        return ChainHead(key, 0, GENESIS_HASH)
    return ChainHead(chain=chain.key, seq=chain.length, hash=chain.head_hash)


def events_of(key: str):
    """The events of one chain, in sequence."""
    return AuditEvent.objects.filter(chain__key=key).order_by("seq")
