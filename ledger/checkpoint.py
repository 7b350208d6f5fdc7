"""Signed checkpoints of the whole ledger, in the manner of RFC 6962's signed tree head.

A checkpoint is the Merkle root (:mod:`ledger.merkle`) over one leaf per chain,
``canonical_json([key, length, head hash])``, chains sorted by key (code point order). The
tree head (number, time, size, root, key) is signed with the institution's Ed25519 key; the
leaves travel beside it, bound to it by the root. It is stored in the database and written
to ``settings.LEDGER_CHECKPOINT_DIR``::

    {"signed": {"format": …, "format_version": 1, "number": 7, "created_at": …,
                "tree_size": 3, "root_hash": …, "public_key_sha256": …},
     "signature": "<base64 Ed25519 signature of canonical_json(signed)>",
     "chains": [[key, length, head], …]}

A regulator bundle carries the signed tree head alone with the Merkle audit path of its
case's chain (RFC 6962 inclusion proof), so it shows no other case.

Against the live ledger a checkpoint proves that every chain it names still exists, has at
least that many events, and still has that hash at that position; as the chain's events are
hash-linked, nothing before the position was rewritten either. Chains are not append-only
leaves (their heads move), so two checkpoints are consistent when every chain of the older
one is in the newer one at least as long, with the same head when of the same length; the
ledger then shows that the newer head extends the older one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from . import merkle, signing
from .digest import as_json, canonical_json
from .models import GENESIS_HASH, AuditChain, AuditEvent, Checkpoint

FORMAT = "accountability-ledger-checkpoint"
FORMAT_VERSION = 1


class CheckpointInvalid(Exception):
    """A checkpoint that cannot be trusted (bad form, bad signature, another key)."""


@dataclass(frozen=True)
class ChainState:
    key: str
    length: int
    head_hash: str

    def leaf(self) -> bytes:
        return canonical_json([self.key, self.length, self.head_hash])


@dataclass(frozen=True)
class SignedCheckpoint:
    number: int
    created_at: str
    root_hash: str
    chains: tuple[ChainState, ...]
    public_key_sha256: str
    signed: dict[str, Any]
    signature: str
    source: str  # where it was read from, for messages

    def document(self) -> dict[str, Any]:
        return {
            "signed": self.signed,
            "signature": self.signature,
            "chains": [[c.key, c.length, c.head_hash] for c in self.chains],
        }

    def tree_head(self) -> dict[str, Any]:
        """The signed part alone, as a bundle carries it."""
        return {"signed": self.signed, "signature": self.signature}

    def inclusion(self, key: str) -> dict[str, Any]:
        """The Merkle audit path of chain ``key`` in this checkpoint."""
        leaves = [c.leaf() for c in self.chains]
        index = next(i for i, c in enumerate(self.chains) if c.key == key)
        state = self.chains[index]
        return {
            "leaf": [state.key, state.length, state.head_hash],
            "leaf_index": index,
            "tree_size": len(leaves),
            "path": merkle.inclusion_proof(leaves, index),
        }

    def state_of(self, key: str) -> ChainState | None:
        return next((c for c in self.chains if c.key == key), None)


def current_states() -> list[ChainState]:
    rows = AuditChain.objects.values_list("key", "length", "head_hash")
    return sorted((ChainState(k, n, h) for k, n, h in rows), key=lambda c: c.key)


def _directory() -> Path | None:
    where = getattr(settings, "LEDGER_CHECKPOINT_DIR", "")
    return Path(where) if where else None


def file_name(number: int) -> str:
    return f"checkpoint-{number:08d}.json"


def _write_out(document: dict[str, Any], number: int) -> Path | None:
    directory = _directory()
    if directory is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name(number)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")
    tmp.replace(path)
    return path


def checkpoint_create(*, key: Ed25519PrivateKey | None = None) -> SignedCheckpoint:
    """Sign the heads of every chain now, store the checkpoint and write it out.

    Preconditions: the institution's signing key exists (or ``key`` is given). The file is
    written once the row has committed, so a file never names a checkpoint the database
    rolled back.
    """
    key = key or signing.load_private_key()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                number = (Checkpoint.objects.aggregate(n=Max("number"))["n"] or 0) + 1
                states = current_states()
                signed = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "number": number,
                    "created_at": as_json(timezone.now()),
                    "tree_size": len(states),
                    "root_hash": merkle.root([s.leaf() for s in states]),
                    "public_key_sha256": signing.fingerprint(key),
                }
                chains = [[s.key, s.length, s.head_hash] for s in states]
                signature = base64.b64encode(key.sign(canonical_json(signed))).decode("ascii")
                Checkpoint.objects.create(
                    number=number,
                    created_at=timezone.now(),
                    tree_size=len(states),
                    root_hash=signed["root_hash"],
                    document=canonical_json({"signed": signed, "chains": chains}).decode("utf-8"),
                    signature=signature,
                )
                document: dict[str, Any] = {
                    "signed": signed,
                    "signature": signature,
                    "chains": chains,
                }
                transaction.on_commit(functools.partial(_write_out, document, number))
            break
        except IntegrityError:  # a concurrent checkpoint took the number: take the next
            continue
    else:
        raise RuntimeError("could not take a checkpoint number after 5 attempts")
    return parse(document, key.public_key(), source=f"checkpoint #{number}")


def parse(document: Any, public_key: Ed25519PublicKey, *, source: str) -> SignedCheckpoint:
    """Check a checkpoint's form, signature and root; raise :class:`CheckpointInvalid`."""
    if not isinstance(document, dict) or not isinstance(document.get("signed"), dict):
        raise CheckpointInvalid(f"{source}: not a ledger checkpoint")
    signed = document["signed"]
    if signed.get("format") != FORMAT:
        raise CheckpointInvalid(
            f"{source}: not a ledger checkpoint (format {signed.get('format')!r})"
        )
    expected_key = signing.fingerprint(public_key)
    if signed.get("public_key_sha256") != expected_key:
        raise CheckpointInvalid(
            f"{source}: signed with another key (SHA-256 {signed.get('public_key_sha256')}, "
            f"the institution's is {expected_key}): refused"
        )
    try:
        raw = base64.b64decode(str(document.get("signature", "")), validate=True)
        public_key.verify(raw, canonical_json(signed))
    except (InvalidSignature, binascii.Error, ValueError):
        raise CheckpointInvalid(
            f"{source}: the signature does not hold for the institution's key: refused"
        ) from None
    try:
        chains = tuple(ChainState(str(k), int(n), str(h)) for k, n, h in document["chains"])
        number = int(signed["number"])
    except (KeyError, TypeError, ValueError):
        raise CheckpointInvalid(f"{source}: malformed list of chains") from None
    if len(chains) != len({c.key for c in chains}):
        raise CheckpointInvalid(f"{source}: a chain is listed twice")
    if [c.key for c in chains] != sorted(c.key for c in chains):
        raise CheckpointInvalid(f"{source}: chains are not in canonical order")
    if merkle.root([c.leaf() for c in chains]) != signed.get("root_hash") or signed.get(
        "tree_size"
    ) != len(chains):
        raise CheckpointInvalid(
            f"{source}: its chains do not lead to the signed root hash (the list was altered)"
        )
    return SignedCheckpoint(
        number=number,
        created_at=str(signed.get("created_at")),
        root_hash=signed["root_hash"],
        chains=chains,
        public_key_sha256=expected_key,
        signed=signed,
        signature=str(document["signature"]),
        source=source,
    )


def load_file(path: str | Path, public_key: Ed25519PublicKey) -> SignedCheckpoint:
    try:
        document = json.loads(Path(path).read_bytes().decode("utf-8"))
    except OSError as exc:
        raise CheckpointInvalid(f"{path}: cannot be read ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointInvalid(f"{path}: not a ledger checkpoint (not JSON)") from None
    return parse(document, public_key, source=str(path))


def stored(public_key: Ed25519PublicKey) -> tuple[list[SignedCheckpoint], list[str]]:
    """Every checkpoint in the database and in the checkpoint directory (one copy of each
    number, the file preferred: the database copy is the one a DBA can reach), with the
    problems of those that cannot be trusted."""
    found: dict[int, SignedCheckpoint] = {}
    problems: list[str] = []
    for row in Checkpoint.objects.order_by("number"):
        source = f"stored checkpoint #{row.number}"
        try:
            stored_doc = json.loads(row.document)
            document = {
                "signed": stored_doc.get("signed"),
                "signature": row.signature,
                "chains": stored_doc.get("chains"),
            }
            found[row.number] = parse(document, public_key, source=source)
        except (CheckpointInvalid, json.JSONDecodeError) as exc:
            problems.append(str(exc) if isinstance(exc, CheckpointInvalid) else source)
    directory = _directory()
    if directory is not None and directory.is_dir():
        for path in sorted(directory.glob("checkpoint-*.json")):
            try:
                cp = load_file(path, public_key)
            except CheckpointInvalid as exc:
                problems.append(str(exc))
                continue
            kept = found.get(cp.number)
            if kept is not None and kept.document() != cp.document():
                problems.append(
                    f"{path}: checkpoint #{cp.number} differs from the copy in the database"
                )
            found[cp.number] = cp
    return [found[n] for n in sorted(found)], problems


def check_against_ledger(cp: SignedCheckpoint, *, only: str | None = None) -> list[tuple[str, str]]:
    """``(chain, what is wrong)`` for every chain of ``cp`` (or only chain ``only``) that
    the live ledger no longer holds as the checkpoint recorded it."""
    states = [c for c in cp.chains if only is None or c.key == only]
    live = {
        c.key: c
        for c in AuditChain.objects.filter(key__in=[s.key for s in states]).only(
            "pk", "key", "length", "head_hash"
        )
    }
    problems: list[tuple[str, str]] = []
    wanted: list[tuple[ChainState, AuditChain]] = []
    label = f"checkpoint #{cp.number} ({when(cp)})"
    for state in states:
        row = live.get(state.key)
        if row is None:
            problems.append(
                (state.key, f"is gone, but {label} recorded it with {state.length} events")
            )
        elif row.length < state.length:
            problems.append(
                (
                    state.key,
                    f"has {row.length} events, but {label} recorded {state.length}: "
                    "events were removed",
                )
            )
        elif state.length == 0:
            if state.head_hash != GENESIS_HASH:
                problems.append((state.key, f"{label} records a head for an empty chain"))
        else:
            wanted.append((state, row))
    for chunk in _chunks(wanted, 300):
        query = Q()
        for state, row in chunk:
            query |= Q(chain_id=row.pk, seq=state.length)
        found = {
            (chain_id, seq): h
            for chain_id, seq, h in AuditEvent.objects.filter(query).values_list(
                "chain_id", "seq", "hash"
            )
        }
        for state, row in chunk:
            at = found.get((row.pk, state.length))
            if at is None:
                problems.append(
                    (state.key, f"event #{state.length}, the head {label} recorded, is missing")
                )
            elif at != state.head_hash:
                problems.append(
                    (
                        state.key,
                        f"event #{state.length} no longer has the hash {label} recorded "
                        "(the chain was rewritten before the checkpoint)",
                    )
                )
    return problems


def when(cp: SignedCheckpoint) -> str:
    """When ``cp`` was signed, in the institution's time zone."""
    try:
        at = dt.datetime.fromisoformat(cp.created_at)
    except ValueError:
        return cp.created_at
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S %Z")


def check_consistency(older: SignedCheckpoint, newer: SignedCheckpoint) -> list[tuple[str, str]]:
    """Whether ``newer`` only extends ``older``: no chain gone, none shorter, none with
    another head at the same length."""
    problems: list[tuple[str, str]] = []
    for state in older.chains:
        later = newer.state_of(state.key)
        between = f"checkpoint #{older.number} to #{newer.number}"
        if later is None:
            problems.append((state.key, f"dropped from {between}"))
        elif later.length < state.length:
            problems.append(
                (state.key, f"shrank from {state.length} to {later.length} events ({between})")
            )
        elif later.length == state.length and later.head_hash != state.head_hash:
            problems.append((state.key, f"head changed at the same length ({between})"))
    return problems


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def latest_signed(public_key: Ed25519PublicKey) -> SignedCheckpoint | None:
    """The newest stored checkpoint, if it holds for ``public_key`` (None otherwise)."""
    row = Checkpoint.objects.order_by("-number").first()
    if row is None:
        return None
    try:
        stored_doc = json.loads(row.document)
        return parse(
            {
                "signed": stored_doc.get("signed"),
                "signature": row.signature,
                "chains": stored_doc.get("chains"),
            },
            public_key,
            source=f"stored checkpoint #{row.number}",
        )
    except (CheckpointInvalid, json.JSONDecodeError, AttributeError):
        return None
