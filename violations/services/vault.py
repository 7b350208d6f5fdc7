"""The reporter identity vault: storing, requesting, approving and viewing an identity.

Four eyes: a case manager asks with a reason, a second, different person (another case
manager or senior management) approves, and only then may the one who asked look, for a
limited time. Every look is an audit event; no event or payload carries the identity itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import audit, policy
from ..exceptions import InvalidState, NotAllowed
from ..models import Case, ReporterIdentity, UnmaskRequest, UnmaskStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

UNMASK_VALID_FOR = dt.timedelta(days=7)


@dataclass(frozen=True)
class _ProtectedReporter:
    """Stands for the reporter of an identity-protected case in the audit trail: no login
    (``pk`` None, so no actor id is stored), only this name."""

    pk: None = None
    username: str = "reporter (identity protected)"


PROTECTED_REPORTER = _ProtectedReporter()


def vault_identity_store(
    *, case: Case, user: User | None = None, name: str = "", contact: str = ""
) -> ReporterIdentity:
    """Put the reporter of a new identity-protected case in the vault: a signed-in reporter
    by their login, or a reporter of the portal (no login) by the name and contact they
    chose to leave, if any. Called by the intake inside its transaction; the identity's
    digest goes into the ``case.reported`` event."""
    identity = ReporterIdentity(
        case=case,
        user=user,
        name=((user.get_full_name() or user.get_username()) if user else name.strip()),
        contact=(getattr(user, "email", "") or "") if user else contact.strip(),
    )
    audit.save(identity, actor=None, reason="identity vaulted")
    return identity


def _require_unmask_role(actor: User, case: Case, *, approving: bool = False) -> None:
    allowed = policy.has(actor, "manage_cases") or (
        approving and policy.has(actor, "approve_senior_level")
    )
    if not allowed:
        raise NotAllowed(
            _("Only case managers or senior management approve unmasking a reporter.")
            if approving
            else _("Only case managers may ask to unmask a reporter.")
        )
    policy.require_not_party(actor, case)
    if not policy.can_view_case(actor, case):
        raise NotAllowed(_("You cannot see this case."))


def reporter_unmask_request(*, case: Case, actor: User, reason: str) -> UnmaskRequest:
    """Ask to see who reported an identity-protected case.

    Preconditions: the case keeps its reporter in the vault; actor is a case manager, no party,
    and can see the case; a reason is given; no other request of the case awaits a decision.
    """
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the reporter's identity is needed.")]})
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require_unmask_role(actor, case)
        if not ReporterIdentity.objects.filter(case=case).exists():
            raise InvalidState(_("This case keeps no protected reporter identity."))
        if case.unmask_requests.filter(status=UnmaskStatus.PENDING).exists():
            raise InvalidState(_("A request to unmask this reporter already awaits a decision."))
        item = UnmaskRequest(case=case, requested_by=actor, reason=reason.strip())
        audit.save(item, actor=actor, reason="unmasking requested")
        audit.record(
            action="identity.unmask_requested",
            actor=actor,
            case=case,
            reason=item.reason,
            payload={"request": item.pk},
        )
    return item


def reporter_unmask_decide(
    *, unmask_request: UnmaskRequest, actor: User, approve: bool, reason: str = ""
) -> UnmaskRequest:
    """Approve or refuse a request to unmask a reporter.

    Preconditions: the request awaits a decision; actor is a case manager or senior
    management, is not the person who asked, is no party and can see the case. A refusal
    gives a reason.
    """
    if not approve and not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the request is refused.")]})
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=unmask_request.case_id)
        item = UnmaskRequest.objects.select_for_update().get(pk=unmask_request.pk)
        _require_unmask_role(actor, case, approving=True)
        if item.requested_by_id == actor.pk:
            raise NotAllowed(_("A second person must decide on your own request."))
        if item.status != UnmaskStatus.PENDING:
            raise InvalidState(_("This request was already decided."))
        now = timezone.now()
        item.status = UnmaskStatus.APPROVED if approve else UnmaskStatus.REFUSED
        item.decided_by = actor
        item.decided_at = now
        item.decision_reason = (reason or "").strip()
        item.valid_until = now + UNMASK_VALID_FOR if approve else None
        audit.save(
            item,
            actor=actor,
            reason=f"unmasking {item.status}",
            update_fields=["status", "decided_by", "decided_at", "decision_reason", "valid_until"],
        )
        audit.record(
            action="identity.unmask_approved" if approve else "identity.unmask_refused",
            actor=actor,
            case=case,
            reason=item.decision_reason,
            payload={"request": item.pk, "requested_by": item.requested_by.get_username()},
        )
    return item


def reporter_identity_view(*, case: Case, actor: User) -> ReporterIdentity:
    """Reveal a protected reporter to the case manager whose request was approved; logged.

    Preconditions: actor holds an approved, unexpired request for this case, is still no party
    and can still see the case.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require_unmask_role(actor, case)
        grant = next(
            (
                r
                for r in case.unmask_requests.filter(
                    requested_by=actor, status=UnmaskStatus.APPROVED
                )
                if r.is_open_for(actor)
            ),
            None,
        )
        if grant is None:
            raise NotAllowed(_("Seeing this reporter needs your approved unmasking request."))
        identity = ReporterIdentity.objects.select_related("user").get(case=case)
        audit.record(
            action="identity.viewed", actor=actor, case=case, payload={"request": grant.pk}
        )
    return identity
