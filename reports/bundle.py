"""The regulator bundle: a ZIP anyone can check offline with the institution's public key.

Layout (see docs/regulator-bundle.md)::

    casefile.pdf  case.json  events.json  evidence/NNN-name  manifest.json  manifest.sig

``manifest.json`` lists the SHA-256 of every other file, the audit-chain head, and the
ledger checkpoint (signed tree head) holding that head with its Merkle inclusion proof;
``manifest.sig`` is the Ed25519 signature of the exact bytes of ``manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import signing
from .casefile import SCHEMA_VERSION, CaseFile, casefile_document, events_document, to_json

FORMAT = "accountability-case-bundle"
FORMAT_VERSION = "1.0"
PDF_NAME = "casefile.pdf"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
_CHUNK = 1024 * 1024


class BundleError(Exception):
    pass


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def write_bundle(
    casefile: CaseFile,
    *,
    pdf: bytes,
    dest: IO[bytes],
    key: Ed25519PrivateKey,
    open_evidence: Callable[[str], IO[bytes]],
    ledger: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], bytes]:
    """Write the bundle to ``dest``; return the manifest and its exact signed bytes.

    Evidence files are streamed through in chunks and hashed on the way; a file whose bytes no
    longer match the SHA-256 recorded when it was collected stops the export.
    """
    files: list[dict[str, Any]] = []
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def put(name: str, data: bytes) -> None:
            zf.writestr(name, data)
            files.append(
                {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            )

        put(PDF_NAME, pdf)
        put("case.json", _json_bytes(casefile_document(casefile)))
        put("events.json", _json_bytes(events_document(casefile)))
        for item in casefile.evidence:
            if not item.bundle_path:
                continue
            digest, size = hashlib.sha256(), 0
            try:
                with (
                    open_evidence(item.storage_name) as src,
                    zf.open(item.bundle_path, "w") as out,
                ):
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
            except FileNotFoundError:
                raise BundleError(
                    f"Evidence item {item.number} ({item.name}) is missing from storage; the "
                    "bundle was not produced."
                ) from None
            if digest.hexdigest() != item.sha256:
                raise BundleError(
                    f"Evidence item {item.number} ({item.name}) no longer matches the SHA-256 "
                    "recorded when it was collected; the bundle was not produced."
                )
            files.append({"path": item.bundle_path, "sha256": item.sha256, "size": size})

        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "case_schema_version": SCHEMA_VERSION,
            "case": casefile.summary.reference,
            "institution": casefile.export.institution,
            "profile": casefile.export.profile,
            "recipient": casefile.export.recipient,
            "created_at": to_json(casefile.export.generated_at),
            "created_by": casefile.export.prepared_by,
            "chain": {
                "key": casefile.chain.chain,
                "length": casefile.chain.length,
                "head_hash": casefile.chain.head_hash,
            },
            **({"ledger": ledger} if ledger is not None else {}),
            "signature": {
                "algorithm": "Ed25519",
                "file": SIGNATURE,
                "signed": MANIFEST,
                "public_key_sha256": signing.fingerprint(key),
            },
            "files": sorted(files, key=lambda f: f["path"]),
        }
        manifest_bytes = _json_bytes(manifest)
        zf.writestr(MANIFEST, manifest_bytes)
        zf.writestr(SIGNATURE, signing.sign(key, manifest_bytes))
    return manifest, manifest_bytes
