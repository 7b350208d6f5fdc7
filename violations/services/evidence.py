"""Evidence with a chain of custody, interviews and record reviews."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import unicodedata
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import audit, dates, policy
from ..exceptions import InvalidState
from ..models import Case, Evidence, Interview, RecordReview, Stage

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

ALLOWED_CONTENT_TYPES = {
    ".pdf": {"application/pdf"},
    ".png": {"image/png"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".txt": {"text/plain"},
    ".csv": {"text/csv", "text/plain", "application/vnd.ms-excel"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ".eml": {"message/rfc822", "text/plain"},
    ".msg": {"application/vnd.ms-outlook", "application/octet-stream"},
    ".mp3": {"audio/mpeg"},
    ".wav": {"audio/wav", "audio/x-wav"},
}


# What the first bytes of a file must be for its extension. A declared content type is only
# the browser's guess from the name; these say what the file really is.
MAGIC_BYTES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}


def content_matches_extension(ext: str, head: bytes) -> bool:
    signatures = MAGIC_BYTES.get(ext)
    return signatures is None or any(head.startswith(sig) for sig in signatures)


def sanitise_name(name: str) -> str:
    """Keep letters (any script), digits, dot, dash and underscore; nothing that walks paths."""
    name = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/")))
    name = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._")
    return name[:200] or "file"


def store_evidence(
    *, case: Case, actor: User | None, upload, kind: str, description: StrOrPromise
) -> Evidence:
    """Validate an upload and store it under its SHA-256. No permission check: callers do."""
    name = sanitise_name(getattr(upload, "name", "") or "file")
    ext = os.path.splitext(name)[1].lower()
    limits = settings.ACCOUNTABILITY
    if ext not in limits["EVIDENCE_EXTENSIONS"]:
        raise ValidationError(
            {"file": [_("Files of type %(ext)s are not accepted.") % {"ext": ext or "?"}]}
        )
    size = upload.size
    if size > limits["EVIDENCE_MAX_BYTES"]:
        raise ValidationError(
            {
                "file": [
                    _("The file is larger than %(mb)d MB.")
                    % {"mb": limits["EVIDENCE_MAX_BYTES"] // 2**20}
                ]
            }
        )
    declared = (
        getattr(upload, "content_type", None) or mimetypes.guess_type(name)[0] or ""
    ).lower()
    if declared not in ALLOWED_CONTENT_TYPES.get(ext, set()):
        raise ValidationError(
            {"file": [_("The file's content type does not match its extension.")]}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    data = b""
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
        data += chunk
        if len(data) > limits["EVIDENCE_MAX_BYTES"]:
            # The declared size is the client's word; the bytes are what count.
            raise ValidationError(
                {
                    "file": [
                        _("The file is larger than %(mb)d MB.")
                        % {"mb": limits["EVIDENCE_MAX_BYTES"] // 2**20}
                    ]
                }
            )
    if not content_matches_extension(ext, data[:16]):
        raise ValidationError(
            {"file": [_("The file's content is not a %(ext)s file.") % {"ext": ext}]}
        )
    size = len(data)
    item = Evidence(
        case=case,
        kind=kind,
        description=str(description),
        original_name=name,
        content_type=declared,
        size=size,
        sha256=digest.hexdigest(),
        collected_by=actor,
        collected_at=timezone.now(),
    )
    item.file.save(item.sha256, ContentFile(data), save=False)
    audit.save(item, actor=actor, reason="evidence collected")
    return item


def _require_can_collect(actor: User, case: Case) -> None:
    if case.stage == Stage.VERIFICATION:
        policy.require(actor, "verify_case", _("Only compliance officers verify reports."))
        policy.require_not_party(actor, case)
    elif case.stage == Stage.INVESTIGATION:
        policy.require_cleared_team_member(actor, case)
    else:
        raise InvalidState(_("Evidence is collected during verification and investigation."))


def evidence_add(*, case: Case, actor: User, upload, kind: str, description: str) -> Evidence:
    """Add an evidence file. Preconditions: verification (officer) or investigation (cleared
    team member) stage."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require_can_collect(actor, case)
        item = store_evidence(
            case=case, actor=actor, upload=upload, kind=kind, description=description
        )
        audit.record(
            action="evidence.added",
            actor=actor,
            case=case,
            payload={
                "evidence": item.pk,
                "sha256": item.sha256,
                "name": item.original_name,
                "size": item.size,
            },
        )
    return item


def evidence_supersede(*, evidence: Evidence, actor: User, upload, reason: str) -> Evidence:
    """Replace an evidence item with a corrected one. The old file stays, marked superseded."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the evidence is superseded.")]})
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=evidence.case_id)
        old = Evidence.objects.select_for_update().get(pk=evidence.pk)
        _require_can_collect(actor, case)
        if old.superseded_by_id:
            raise InvalidState(_("This evidence was already superseded."))
        new = store_evidence(
            case=case, actor=actor, upload=upload, kind=old.kind, description=old.description
        )
        old.superseded_by = new
        old.superseded_reason = reason
        audit.save(
            old,
            actor=actor,
            reason="superseded",
            update_fields=["superseded_by", "superseded_reason"],
        )
        audit.record(
            action="evidence.superseded",
            actor=actor,
            case=case,
            reason=reason,
            payload={"old": old.pk, "new": new.pk, "sha256": new.sha256},
        )
    return new


def interview_record(
    *, case: Case, actor: User, interviewee: str, held_at, summary: str, interviewee_employee=None
) -> Interview:
    """Record an interview. Preconditions: investigation stage; actor is a cleared member."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.stage != Stage.INVESTIGATION:
            raise InvalidState(_("Interviews are recorded during the investigation."))
        policy.require_cleared_team_member(actor, case)
        if held_at and held_at > timezone.now():
            raise ValidationError(
                {"held_at": [_("An interview cannot be recorded before it is held.")]}
            )
        if problem := dates.done_since_report(held_at, case=case):
            raise ValidationError({"held_at": [problem]})
        item = Interview(
            case=case,
            interviewee=interviewee,
            interviewee_employee=interviewee_employee,
            held_at=held_at,
            interviewer=actor,
            summary=summary,
        )
        audit.save(item, actor=actor, reason="interview recorded")
        audit.record(
            action="interview.recorded",
            actor=actor,
            case=case,
            payload={"interview": item.pk, "interviewee": interviewee},
        )
    return item


def record_review_add(*, case: Case, actor: User, record: str, findings: str) -> RecordReview:
    """Record a review of records. Preconditions: investigation stage; cleared member."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.stage != Stage.INVESTIGATION:
            raise InvalidState(_("Record reviews are recorded during the investigation."))
        policy.require_cleared_team_member(actor, case)
        item = RecordReview(case=case, record=record, reviewed_by=actor, findings=findings)
        audit.save(item, actor=actor, reason="record reviewed")
        audit.record(
            action="record_review.added",
            actor=actor,
            case=case,
            payload={"record_review": item.pk, "record": record},
        )
    return item
