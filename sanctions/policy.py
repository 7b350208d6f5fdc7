"""Who may approve a sanction proposal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from violations import policy
from violations.exceptions import InvalidState, NotAllowed
from violations.models import Case

from .models import (
    LEVEL_PERMISSION,
    LEVEL_RANK,
    ApprovalDecision,
    ApprovalLevel,
    Decision,
    ProposalStatus,
    SanctionProposal,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

    from violations.policy import AnyUser

SANCTIONS_PERM = "sanctions.{}"


def has(user: AnyUser, codename: str) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(SANCTIONS_PERM.format(codename)))


def require(user: AnyUser, codename: str, message: StrOrPromise) -> None:
    if not has(user, codename):
        raise NotAllowed(message)


def pending_proposal(case: Case) -> SanctionProposal | None:
    return case.sanction_proposals.filter(status=ProposalStatus.PENDING).order_by("-round").first()


def holds_level(
    user: User, case: Case, level: str, standing: policy.Standing | None = None
) -> bool:
    """A level is met by its own role, or by any higher one (senior management may decide
    what a department head may). The department level also requires heading a subject's
    department, unless a higher level is held."""
    for lvl, rank in LEVEL_RANK.items():
        if rank < LEVEL_RANK[ApprovalLevel(level)] or not policy.has(user, LEVEL_PERMISSION[lvl]):
            continue
        if lvl == ApprovalLevel.DEPARTMENT:
            standing = standing or policy.standing(user, case)
            if not standing.heads_subject_department:
                continue
        return True
    return False


def require_may_approve(
    user: User, case: Case, proposal: SanctionProposal, *, already_approved: bool | None = None
) -> None:
    """Segregation of duties: the proposer, investigators, the reporter, subjects and
    responsible persons never approve; the approver holds the required level.
    ``already_approved``: whether ``user`` approved ``proposal`` before, if the caller has
    read it under the case lock (otherwise it is read here)."""
    standing = policy.require_not_party(user, case)
    if proposal.proposed_by_id == user.pk:
        raise NotAllowed(_("You proposed these sanctions and cannot approve them."))
    if standing.on_team:
        raise NotAllowed(_("You investigated this case and cannot approve its sanctions."))
    if standing.responsible:
        raise NotAllowed(_("You are a responsible person in this case."))
    if already_approved is None:
        already_approved = proposal.decisions.filter(
            approver=user, decision=Decision.APPROVE
        ).exists()
    if already_approved:
        raise NotAllowed(
            _("You have already approved this proposal; a second, different approver must decide.")
        )
    if not holds_level(user, case, proposal.required_level, standing):
        raise NotAllowed(
            _("This proposal needs approval at the level: %(level)s.")
            % {"level": ApprovalLevel(proposal.required_level).label}
        )


def approval_task_rule(user: User, case: Case) -> None:
    proposal = pending_proposal(case)
    if proposal is None:
        raise InvalidState(_("There is no proposal awaiting approval."))
    require_may_approve(user, case, proposal)


def require_outside_chain(user: User, case: Case) -> None:
    """An appeal is decided by someone who took no part in the original decision: not a
    party, proposer, approver, investigator or responsible person."""
    standing = policy.require_not_party(user, case)
    if case.sanction_proposals.filter(proposed_by=user).exists():
        raise NotAllowed(_("You proposed sanctions in this case and cannot decide the appeal."))
    if ApprovalDecision.objects.filter(proposal__case=case, approver=user).exists():
        raise NotAllowed(_("You decided on sanctions in this case and cannot decide the appeal."))
    if standing.on_team:
        raise NotAllowed(_("You investigated this case and cannot decide the appeal."))
    if standing.responsible:
        raise NotAllowed(_("You are a responsible person in this case."))


def require_may_decide_appeal(user: User, case: Case) -> None:
    require(user, "decide_appeal", _("Only appeal deciders decide appeals."))
    require_outside_chain(user, case)


def appeal_task_rule(user: User, case: Case) -> None:
    require_outside_chain(user, case)
