"""Exports: the only writes this app makes are the audit events saying an export happened."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ledger import checkpoint
from violations import audit, policy
from violations.exceptions import Conflict, InvalidState, NotAllowed
from violations.models import Case

from . import signing
from .bundle import write_bundle
from .casefile import Profile
from .labels import normalise_language
from .pdf import render_casefile_pdf
from .selectors import build_casefile

EXPORT_PERMISSIONS = ("audit_cases", "manage_cases")


def can_export(user, case: Case) -> bool:
    """Internal auditors and case managers who may see the case."""
    return any(policy.has(user, p) for p in EXPORT_PERMISSIONS) and policy.can_view_case(user, case)


def require_can_export(actor, case: Case) -> None:
    """``actor=None`` is the system (an operator at the command line); users need the right."""
    if actor is None:
        return
    if not can_export(actor, case):
        raise NotAllowed(
            _("Only internal auditors and case managers who can see this case export it.")
        )


class ExportRefused(InvalidState):
    """The case does not verify: its rows, chain or files were changed behind the
    application's back. Nothing was exported or recorded."""


def require_intact(case: Case) -> None:
    """Verify the case in full (its chain, every row and history row of it, its evidence
    files, the checkpoints' heads of its chain) before anything leaves the institution."""
    report = audit.verify(case=case)
    if not report.intact:
        raise ExportRefused(
            _(
                "Case %(reference)s was not exported: its audit trail does not verify "
                "(%(problem)s). Run manage.py verify_audit --case %(reference)s and "
                "investigate before exporting."
            )
            % {"reference": case.reference, "problem": report.problems[0]}
        )


def _anchor(case: Case, casefile, key) -> dict[str, Any]:
    """The latest ledger checkpoint holding the case's chain head as the bundle shows it
    (a new one when the latest does not), with the Merkle inclusion proof of that head."""
    chain_key = audit.chain_key(case)
    wanted = checkpoint.ChainState(chain_key, casefile.chain.length, casefile.chain.head_hash)
    latest = checkpoint.latest_signed(key.public_key())
    if latest is None or latest.state_of(chain_key) != wanted:
        latest = checkpoint.checkpoint_create(key=key)
    if latest.state_of(chain_key) != wanted:
        raise Conflict(_("The case changed while it was being exported; export it again."))
    return {"checkpoint": latest.tree_head(), "inclusion": latest.inclusion(chain_key)}


def _record(*, case: Case, actor, payload: dict[str, Any]) -> None:
    with transaction.atomic():
        audit.record(action="case.exported", actor=actor, case=case, payload=payload)


def casefile_export(
    *, case: Case, actor, profile: str = Profile.INTERNAL, lang: str = "en", recipient: str = ""
) -> bytes:
    """Render the case file PDF for ``profile`` in ``lang`` and record the export.

    Preconditions: ``actor`` is None (system) or may export this case; ``profile`` and
    ``lang`` are supported. The event names who, which case, which profile, to whom, and the
    SHA-256 of the file handed out.
    """
    profile = Profile(profile)
    lang = normalise_language(lang)
    require_can_export(actor, case)
    require_intact(case)
    casefile = build_casefile(case, profile=profile, viewer=actor, recipient=recipient)
    pdf = render_casefile_pdf(casefile, lang=lang)
    _record(
        case=case,
        actor=actor,
        payload={
            "format": "pdf",
            "profile": profile.value,
            "lang": lang,
            "recipient": recipient,
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "chain_head": casefile.chain.head_hash,
            "chain_length": casefile.chain.length,
        },
    )
    return pdf


@dataclass(frozen=True)
class BundleResult:
    reference: str
    manifest: dict[str, Any]
    manifest_sha256: str


def bundle_export(
    *,
    case: Case,
    actor,
    dest: IO[bytes],
    profile: str = Profile.REGULATOR,
    lang: str = "en",
    recipient: str = "",
) -> BundleResult:
    """Write the signed bundle for ``case`` into ``dest`` and record the export.

    Preconditions: a signing key exists (``manage.py signing_key generate``); ``actor`` is
    None (system) or may export this case; the case verifies in full (else
    :class:`ExportRefused`). Nothing is recorded when writing fails.

    The bundle carries a ledger checkpoint holding the case's chain head and the Merkle
    inclusion proof of that head. The export's own event comes after that head: the next
    checkpoint (``manage.py ledger_checkpoint`` on its schedule) covers it, and the next
    bundle of the case shows it in its chain (``verify_bundle --previous``).
    """
    profile = Profile(profile)
    lang = normalise_language(lang)
    require_can_export(actor, case)
    key = signing.load_private_key()
    require_intact(case)
    casefile = build_casefile(case, profile=profile, viewer=actor, recipient=recipient)
    anchor = _anchor(case, casefile, key)
    pdf = render_casefile_pdf(casefile, lang=lang)
    manifest, manifest_bytes = write_bundle(
        casefile, pdf=pdf, dest=dest, key=key, open_evidence=_open_evidence, ledger=anchor
    )
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    _record(
        case=case,
        actor=actor,
        payload={
            "format": "bundle",
            "profile": profile.value,
            "lang": lang,
            "recipient": recipient,
            "manifest_sha256": digest,
            "files": len(manifest["files"]),
            "chain_head": casefile.chain.head_hash,
            "chain_length": casefile.chain.length,
            "key": manifest["signature"]["public_key_sha256"],
            "checkpoint": anchor["checkpoint"]["signed"]["number"],
        },
    )
    return BundleResult(reference=case.reference, manifest=manifest, manifest_sha256=digest)


def _open_evidence(name: str):
    return default_storage.open(name, "rb")
