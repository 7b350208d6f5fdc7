#!/usr/bin/env python3
"""Verify a regulator bundle offline: needs only Python 3.11+ and the ``cryptography`` package.

    python verify_bundle.py BUNDLE.zip --public-key institution-public.pem [--previous OLD.zip]

Exit status 0 with a summary when the bundle is intact; 1 with one line "FAILED: …" naming
the first problem found: a missing or extra file, a hash mismatch, a bad signature, a break
in the audit chain, a ledger checkpoint that does not hold or does not include the case's
chain head, a damaged archive, or (with ``--previous``) a chain that does not extend the
one of the earlier bundle. The same code runs behind ``manage.py verify_bundle``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import dataclasses
import hashlib
import json
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
EVENTS = "events.json"
CASE = "case.json"
GENESIS = "0" * 64
SUPPORTED_FORMAT = "accountability-case-bundle"
CHECKPOINT_FORMAT = "accountability-ledger-checkpoint"


class BundleInvalid(Exception):
    """The first problem found; the message names it."""


@dataclass(frozen=True)
class Report:
    case: str
    profile: str
    files: int
    events: int
    redacted_events: int
    head_hash: str
    key_fingerprint: str
    chain_key: str = ""
    length: int = 0
    checkpoint: str = ""  # what the ledger checkpoint proved, if the bundle carries one
    event_hashes: tuple[str, ...] = ()
    extends: str = ""  # what --previous proved

    def summary(self) -> str:
        redacted = (
            f" ({self.redacted_events} with withheld content, checked by their links)"
            if self.redacted_events
            else ""
        )
        return (
            f"OK: bundle for case {self.case} ({self.profile} profile) verified.\n"
            f"  signature: valid Ed25519 signature of {MANIFEST} "
            f"(key SHA-256 {self.key_fingerprint})\n"
            f"  files: {self.files} listed, all present, hashes match, no extra files\n"
            f"  audit chain: {self.events} events recomputed and linked{redacted}\n"
            f"  chain head: {self.head_hash}"
            + (f"\n  ledger checkpoint: {self.checkpoint}" if self.checkpoint else "")
            + (f"\n  previous bundle: {self.extends}" if self.extends else "")
        )


def canonical_json(data) -> bytes:
    """The serialisation the institution hashes audit events with (sorted keys, no spaces)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


# --- RFC 6962 Merkle hashing (a copy of ledger/merkle.py: this file runs without Django) ---


def _leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def _node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_proof(leaf: bytes, index: int, size: int, proof) -> str:
    """The root an RFC 6962 audit path leads to (RFC 9162 section 2.1.3.2)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    fn, sn = index, size - 1
    current = _leaf_hash(leaf)
    for sibling_hex in proof:
        sibling = bytes.fromhex(sibling_hex)
        if sn == 0:
            raise ValueError("the proof is longer than the tree is deep")
        if fn % 2 == 1 or fn == sn:
            current = _node_hash(sibling, current)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            current = _node_hash(current, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("the proof is shorter than the tree is deep")
    return current.hex()


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise BundleInvalid(f"bad public key: not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise BundleInvalid("bad public key: not an Ed25519 key")
    return key


def _fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )
    return hashlib.sha256(raw).hexdigest()


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name


def _json(zf: zipfile.ZipFile, name: str):
    try:
        return json.loads(zf.read(name).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleInvalid(f"unreadable file: {name} is not valid JSON ({exc})") from None


def _sha256(zf: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with zf.open(name) as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _open(bundle_path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(bundle_path)
    except FileNotFoundError:
        raise BundleInvalid(f"missing file: bundle {bundle_path} does not exist") from None
    except zipfile.BadZipFile:
        raise BundleInvalid(f"not a bundle: {bundle_path} is not a ZIP archive") from None


def _check_archive(names: list[str]) -> None:
    """Every name once, none escaping the bundle, the manifest and its signature present."""
    if len(names) != len(set(names)):
        raise BundleInvalid("extra file: the archive holds the same name twice")
    for name in names:
        if not _safe(name):
            raise BundleInvalid(f"extra file: unsafe path in the archive: {name}")
    for required in (MANIFEST, SIGNATURE):
        if required not in names:
            raise BundleInvalid(f"missing file: {required}")


def _check_signature(zf: zipfile.ZipFile, key: Ed25519PublicKey) -> None:
    manifest_bytes = zf.read(MANIFEST)
    try:
        signature = base64.b64decode(zf.read(SIGNATURE).strip(), validate=True)
        key.verify(signature, manifest_bytes)
    except (InvalidSignature, binascii.Error, ValueError):
        raise BundleInvalid(
            f"bad signature: {SIGNATURE} is not a valid signature of {MANIFEST} by this public key"
        ) from None


def _check_manifest(manifest, names: list[str]) -> dict[str, dict]:
    """The manifest's file entries by path, once they match the archive's files exactly."""
    if manifest.get("format") != SUPPORTED_FORMAT:
        raise BundleInvalid(f"not a bundle: unknown format {manifest.get('format')!r}")
    listed = {f["path"]: f for f in manifest.get("files", [])}
    for path in listed:
        if path not in names:
            raise BundleInvalid(f"missing file: {path}")
    for name in names:
        if name not in listed and name not in (MANIFEST, SIGNATURE) and not name.endswith("/"):
            raise BundleInvalid(f"extra file: {name} is not listed in the manifest")
    return listed


def _check_checksums(zf: zipfile.ZipFile, listed: dict[str, dict]) -> None:
    for path, entry in listed.items():
        if _sha256(zf, path) != entry.get("sha256"):
            raise BundleInvalid(f"hash mismatch: {path}")


def _check_chain(zf: zipfile.ZipFile, manifest, listed: dict[str, dict]) -> tuple[int, int]:
    """The audit chain recomputed and linked, ending at the head both the manifest and the
    case file name; returns the number of events and of redacted ones."""
    for required in (CASE, EVENTS):
        if required not in listed:
            raise BundleInvalid(f"missing file: {required}")
    count, redacted = _check_events(_json(zf, EVENTS), manifest)
    case_doc = _json(zf, CASE)
    if (case_doc.get("chain") or {}).get("head_hash") != manifest["chain"]["head_hash"]:
        raise BundleInvalid(f"chain break: the chain head in {CASE} differs from the manifest")
    return count, redacted


# The fields an event's hash covers (ledger.chain.event_content).
EVENT_FIELDS = {
    "chain", "seq", "case", "occurred_at", "actor", "actor_name", "action", "reason",
    "payload", "records", "prev_hash",
}  # fmt: skip
# What must be shown for an event to be placed in its chain.
SHOWN_FIELDS = {"chain", "seq", "prev_hash"}


def _commitment(salt: str, value) -> str:
    return hashlib.sha256(canonical_json([salt, value])).hexdigest()


def _committed_hash(event, seq) -> str:
    """The hash of an event published as salted commitments: each field shown is committed
    to again from its value and salt; each field withheld is its commitment alone."""
    content = event.get("content") or {}
    salts = event.get("salts") or {}
    withheld = event.get("commitments") or {}
    if not isinstance(salts, dict) or not isinstance(withheld, dict):
        raise BundleInvalid(f"chain break: event {seq} has malformed commitments")
    if set(salts) | set(withheld) != EVENT_FIELDS or set(salts) & set(withheld):
        raise BundleInvalid(f"chain break: event {seq} does not account for each field once")
    if not set(salts) >= SHOWN_FIELDS:
        raise BundleInvalid(f"chain break: event {seq} withholds its place in the chain")
    commits = dict(withheld)
    for name, salt in salts.items():
        if name not in content:
            raise BundleInvalid(f"chain break: event {seq} shows no value for {name}")
        commits[name] = _commitment(str(salt), content[name])
    return hashlib.sha256(canonical_json({"format": 2, "commitments": commits})).hexdigest()


def _check_events(events_doc, manifest) -> tuple[int, int]:
    events = events_doc.get("events") if isinstance(events_doc, dict) else None
    if not isinstance(events, list):
        raise BundleInvalid(f"chain break: {EVENTS} holds no list of events")
    prev = GENESIS
    redacted = 0
    for index, event in enumerate(events, start=1):
        seq = event.get("seq")
        content = event.get("content") or {}
        if seq != index or content.get("seq") != seq:
            raise BundleInvalid(
                f"chain break: event {index} is missing or out of order (found seq {seq})"
            )
        if event.get("prev_hash") != prev or content.get("prev_hash") != prev:
            raise BundleInvalid(f"chain break: event {seq} does not link to event {seq - 1}")
        if event.get("redacted"):
            redacted += 1
        if "salts" in event:
            if _committed_hash(event, seq) != event.get("hash"):
                raise BundleInvalid(f"chain break: event {seq} does not match its hash")
        elif not event.get("redacted") and (
            hashlib.sha256(canonical_json(content)).hexdigest() != event.get("hash")
        ):
            raise BundleInvalid(f"chain break: event {seq} does not match its hash")
        prev = event.get("hash")
    chain = manifest.get("chain") or {}
    if chain.get("length") != len(events):
        raise BundleInvalid(
            f"chain break: manifest says {chain.get('length')} events, {EVENTS} holds {len(events)}"
        )
    if chain.get("head_hash") != prev:
        raise BundleInvalid(
            "chain break: the last event's hash is not the chain head in the manifest"
        )
    return len(events), redacted


def check_opening(bundle_path: str, opening) -> str:
    """That an opening the institution gives (field, salt, value of one event) matches the
    commitment a bundle published for that field. Returns what it proved."""
    try:
        with _open(bundle_path) as zf:
            events = _json(zf, EVENTS).get("events") or []
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as exc:
        raise BundleInvalid(f"damaged archive: {bundle_path} cannot be read ({exc})") from None
    try:
        event = events[int(opening["seq"]) - 1]
        published = (event.get("commitments") or {})[opening["field"]]
        computed = _commitment(str(opening["salt"]), opening["value"])
    except (KeyError, IndexError, TypeError, ValueError):
        raise BundleInvalid("opening: the bundle publishes no commitment for that field") from None
    if computed != published:
        raise BundleInvalid(
            f"opening: the value does not open the commitment of event {opening['seq']} "
            f"field {opening['field']}"
        )
    return (
        f"opening: event {opening['seq']} field {opening['field']} was "
        f"{json.dumps(opening['value'], ensure_ascii=False)}"
    )


def _check_checkpoint(manifest, key: Ed25519PublicKey) -> str:
    """The ledger checkpoint the bundle carries: signed by the same key, and its Merkle root
    reached from the case's chain head by the inclusion proof. Returns what it proved."""
    anchor = manifest.get("ledger")
    if anchor is None:
        return ""
    if not isinstance(anchor, dict):
        raise BundleInvalid("checkpoint: the manifest's ledger entry is malformed")
    tree_head = anchor.get("checkpoint") or {}
    signed = tree_head.get("signed") if isinstance(tree_head, dict) else None
    if not isinstance(signed, dict) or signed.get("format") != CHECKPOINT_FORMAT:
        raise BundleInvalid("checkpoint: the bundle's ledger checkpoint is malformed")
    try:
        raw = base64.b64decode(str(tree_head.get("signature", "")), validate=True)
        key.verify(raw, canonical_json(signed))
    except (InvalidSignature, binascii.Error, ValueError):
        raise BundleInvalid(
            "checkpoint: the ledger checkpoint's signature does not hold for this public key"
        ) from None
    proof = anchor.get("inclusion") or {}
    chain = manifest.get("chain") or {}
    expected_leaf = [chain.get("key"), chain.get("length"), chain.get("head_hash")]
    if proof.get("leaf") != expected_leaf:
        raise BundleInvalid(
            "checkpoint: the inclusion proof is for another chain head than the bundle's"
        )
    try:
        reached = root_from_proof(
            canonical_json(expected_leaf),
            int(proof.get("leaf_index")),
            int(signed.get("tree_size")),
            list(proof.get("path") or []),
        )
    except (TypeError, ValueError) as exc:
        raise BundleInvalid(f"checkpoint: the inclusion proof is malformed ({exc})") from None
    if reached != signed.get("root_hash"):
        raise BundleInvalid(
            "checkpoint: the case's chain head is not in the signed ledger checkpoint "
            "(the inclusion proof leads to another root)"
        )
    return (
        f"#{signed.get('number')} of {signed.get('created_at')}, signed; the case's chain "
        f"head is leaf {proof.get('leaf_index')} of {signed.get('tree_size')} under root "
        f"{signed.get('root_hash')}"
    )


def verify(bundle_path: str, public_key_pem: bytes) -> Report:
    """Check one bundle; raise :class:`BundleInvalid` naming the first problem."""
    key = load_public_key(public_key_pem)
    try:
        with _open(bundle_path) as zf:
            names = zf.namelist()
            _check_archive(names)
            # Nothing in the manifest is read before its signature holds.
            _check_signature(zf, key)
            manifest = _json(zf, MANIFEST)
            listed = _check_manifest(manifest, names)
            _check_checksums(zf, listed)
            count, redacted = _check_chain(zf, manifest, listed)
            anchored = _check_checkpoint(manifest, key)
            hashes = tuple(e.get("hash") for e in _json(zf, EVENTS)["events"])
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, RuntimeError) as exc:
        raise BundleInvalid(f"damaged archive: {bundle_path} cannot be read ({exc})") from None
    except (AttributeError, TypeError) as exc:
        raise BundleInvalid(f"not a bundle: unexpected content ({exc})") from None
    chain = manifest["chain"]
    return Report(
        case=str(manifest.get("case")),
        profile=str(manifest.get("profile")),
        files=len(listed),
        events=count,
        redacted_events=redacted,
        head_hash=chain["head_hash"],
        key_fingerprint=_fingerprint(key),
        chain_key=str(chain.get("key")),
        length=int(chain.get("length")),
        checkpoint=anchored,
        event_hashes=hashes,
    )


def verify_extends(report: Report, previous: Report) -> str:
    """That the chain of ``report`` extends the chain of an earlier bundle of the same case:
    the event at the earlier head's position has the earlier head hash (and, the events
    being hash-linked, so has every event before it)."""
    if previous.chain_key != report.chain_key:
        raise BundleInvalid(
            f"previous bundle: it is of chain {previous.chain_key}, this one of {report.chain_key}"
        )
    if report.length < previous.length:
        raise BundleInvalid(
            f"previous bundle: its chain has {previous.length} events, this one only "
            f"{report.length}: history was removed"
        )
    if previous.length and report.event_hashes[previous.length - 1] != previous.head_hash:
        raise BundleInvalid(
            f"previous bundle: event {previous.length} differs from the earlier bundle's head: "
            "the history between the two bundles was rewritten"
        )
    return (
        f"this chain extends it: events 1 to {previous.length} unchanged, "
        f"{report.length - previous.length} added since"
    )


def main(argv: list[str] | None = None, *, out=None, err=None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(description="Verify a signed case bundle offline.")
    parser.add_argument("bundle", help="the bundle (.zip)")
    parser.add_argument("--public-key", required=True, help="the institution's public key (PEM)")
    parser.add_argument(
        "--open",
        metavar="OPENING.json",
        help="an opening of a withheld field given by the institution: check it",
    )
    parser.add_argument(
        "--previous",
        metavar="OLD.zip",
        help="an earlier bundle of the same case: prove this one's chain extends it",
    )
    args = parser.parse_args(argv)
    try:
        with open(args.public_key, "rb") as fh:
            pem = fh.read()
    except OSError as exc:
        print(f"FAILED: cannot read public key: {exc}", file=err)
        return 1
    try:
        report = verify(args.bundle, pem)
        if args.previous:
            try:
                previous = verify(args.previous, pem)
            except BundleInvalid as exc:
                raise BundleInvalid(f"previous bundle {args.previous}: {exc}") from None
            report = dataclasses.replace(report, extends=verify_extends(report, previous))
        opened = ""
        if args.open:
            try:
                with open(args.open, "rb") as fh:
                    opened = check_opening(args.bundle, json.loads(fh.read().decode("utf-8")))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise BundleInvalid(f"opening: cannot read {args.open} ({exc})") from None
    except BundleInvalid as exc:
        print(f"FAILED: {exc}", file=err)
        return 1
    print(report.summary(), file=out)
    if opened:
        print(f"  {opened}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
