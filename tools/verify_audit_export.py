#!/usr/bin/env python3
"""Verify an auditor's export offline: needs Python 3.11+, the ``cryptography`` package and
``verify_bundle.py`` beside this file (the regulator bundle's verifier, whose hashing,
commitments and Merkle proof it shares).

    python verify_audit_export.py EXPORT.json --public-key institution-public.pem

Exit status 0 with a summary when the export is intact; 1 with one line "FAILED: …" naming
the first problem: a bad signature of the export or of its ledger checkpoint, an event whose
content does not match its hash, a missing event, a broken link, or a chain head that is not
the one the signed checkpoint's Merkle root holds.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature

try:  # beside verify_bundle.py, run as a script
    from verify_bundle import (  # type: ignore[import-not-found]
        CHECKPOINT_FORMAT,
        GENESIS,
        BundleInvalid,
        _committed_hash,
        _fingerprint,
        canonical_json,
        load_public_key,
        root_from_proof,
    )
except ImportError:  # inside the project
    from tools.verify_bundle import (
        CHECKPOINT_FORMAT,
        GENESIS,
        BundleInvalid,
        _committed_hash,
        _fingerprint,
        canonical_json,
        load_public_key,
        root_from_proof,
    )

FORMAT = "accountability-audit-export"


class ExportInvalid(Exception):
    """The first problem found; the message names it."""


@dataclass(frozen=True)
class Report:
    scope: str
    chains: int
    events: int
    withheld: int
    checkpoint: str
    key_fingerprint: str

    def summary(self) -> str:
        withheld = (
            f" ({self.withheld} after the period shown by their links and commitments only)"
            if self.withheld
            else ""
        )
        return (
            f"OK: audit export ({self.scope}) verified.\n"
            f"  signature: valid Ed25519 signature (key SHA-256 {self.key_fingerprint})\n"
            f"  audit chains: {self.chains}, {self.events} events recomputed and linked{withheld}\n"
            f"  ledger checkpoint: {self.checkpoint}"
        )


def _verify_signature(signed, signature, key, what: str) -> None:
    try:
        raw = base64.b64decode(str(signature or ""), validate=True)
        key.verify(raw, canonical_json(signed))
    except (InvalidSignature, binascii.Error, ValueError):
        raise ExportInvalid(f"{what}: the signature does not hold for this public key") from None


def _event_hash(event, where: str) -> str:
    if "salts" in event:
        try:
            return _committed_hash(event, where)
        except BundleInvalid as exc:
            raise ExportInvalid(str(exc)) from None
    return hashlib.sha256(canonical_json(event.get("content"))).hexdigest()


def _check_chain(chain, tree_head) -> tuple[int, int]:
    key, length, head = chain.get("key"), chain.get("length"), chain.get("head_hash")
    events = chain.get("events")
    if not isinstance(events, list) or not isinstance(length, int):
        raise ExportInvalid(f"chain {key}: malformed")
    first = chain.get("first_seq")
    if events and first != events[0].get("seq"):
        raise ExportInvalid(f"chain {key}: its first event is not #{first}")
    prev, withheld = None, 0
    for offset, event in enumerate(events):
        seq = event.get("seq")
        where = f"chain {key} event {seq}"
        content = event.get("content") or {}
        if seq != first + offset or content.get("seq") != seq or content.get("chain") != key:
            raise ExportInvalid(
                f"chain {key}: event {first + offset} is missing or out of order (found {seq})"
            )
        if seq == 1 and event.get("prev_hash") != GENESIS:
            raise ExportInvalid(f"{where}: the first event of a chain must link to genesis")
        if prev is not None and event.get("prev_hash") != prev:
            raise ExportInvalid(f"{where}: does not link to event {seq - 1}")
        if content.get("prev_hash") != event.get("prev_hash"):
            raise ExportInvalid(f"{where}: its content names another previous hash")
        if _event_hash(event, where) != event.get("hash"):
            raise ExportInvalid(f"{where}: content does not match its hash (it was altered)")
        withheld += bool(event.get("withheld"))
        prev = event.get("hash")
    if events:
        if events[-1]["seq"] != length:
            raise ExportInvalid(
                f"chain {key}: the events end at #{events[-1]['seq']}, not {length}"
            )
        if prev != head:
            raise ExportInvalid(f"chain {key}: the last event's hash is not the chain head")
    proof = chain.get("inclusion") or {}
    leaf = [key, length, head]
    if proof.get("leaf") != leaf:
        raise ExportInvalid(f"chain {key}: the inclusion proof is for another head")
    signed = tree_head["signed"]
    try:
        reached = root_from_proof(
            canonical_json(leaf),
            int(proof.get("leaf_index")),
            int(signed.get("tree_size")),
            list(proof.get("path") or []),
        )
    except (TypeError, ValueError) as exc:
        raise ExportInvalid(f"chain {key}: the inclusion proof is malformed ({exc})") from None
    if reached != signed.get("root_hash"):
        raise ExportInvalid(
            f"chain {key}: its head is not in the signed ledger checkpoint "
            "(the inclusion proof leads to another root)"
        )
    return len(events), withheld


def verify_document(document, public_key_pem: bytes) -> Report:
    """Check one export (parsed JSON); raise :class:`ExportInvalid` naming the first problem."""
    try:
        key = load_public_key(public_key_pem)
    except BundleInvalid as exc:
        raise ExportInvalid(str(exc)) from None
    if not isinstance(document, dict) or not isinstance(document.get("signed"), dict):
        raise ExportInvalid("not an audit export")
    signed = document["signed"]
    if signed.get("format") != FORMAT:
        raise ExportInvalid(f"not an audit export (format {signed.get('format')!r})")
    # Nothing is read before the export's signature holds.
    _verify_signature(signed, document.get("signature"), key, "export")
    tree_head = signed.get("checkpoint")
    cp = tree_head.get("signed") if isinstance(tree_head, dict) else None
    if not isinstance(cp, dict) or cp.get("format") != CHECKPOINT_FORMAT:
        raise ExportInvalid("checkpoint: malformed")
    _verify_signature(cp, tree_head.get("signature"), key, "checkpoint")
    chains = signed.get("chains")
    if not isinstance(chains, list):
        raise ExportInvalid("no list of chains")
    events = withheld = 0
    try:
        for chain in chains:
            n, w = _check_chain(chain, tree_head)
            events, withheld = events + n, withheld + w
    except (AttributeError, TypeError, KeyError) as exc:
        raise ExportInvalid(f"not an audit export: unexpected content ({exc})") from None
    scope = signed.get("scope") or {}
    if scope.get("kind") == "period":
        described = f"period {scope.get('from')} to {scope.get('to')} ({scope.get('time_zone')})"
    else:
        described = "cases " + ", ".join(str(c) for c in scope.get("cases") or [])
    return Report(
        scope=described,
        chains=len(chains),
        events=events,
        withheld=withheld,
        checkpoint=(
            f"#{cp.get('number')} of {cp.get('created_at')}, signed; every chain head is in "
            f"it under root {cp.get('root_hash')}"
        ),
        key_fingerprint=_fingerprint(key),
    )


def verify(path: str, public_key_pem: bytes) -> Report:
    try:
        with open(path, "rb") as fh:
            document = json.loads(fh.read().decode("utf-8"))
    except OSError as exc:
        raise ExportInvalid(f"cannot read {path} ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ExportInvalid(f"{path}: not JSON") from None
    return verify_document(document, public_key_pem)


def main(argv: list[str] | None = None, *, out=None, err=None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(description="Verify a signed audit export offline.")
    parser.add_argument("export", help="the export (.json)")
    parser.add_argument("--public-key", required=True, help="the institution's public key (PEM)")
    args = parser.parse_args(argv)
    try:
        with open(args.public_key, "rb") as fh:
            pem = fh.read()
    except OSError as exc:
        print(f"FAILED: cannot read public key: {exc}", file=err)
        return 1
    try:
        report = verify(args.export, pem)
    except ExportInvalid as exc:
        print(f"FAILED: {exc}", file=err)
        return 1
    print(report.summary(), file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
