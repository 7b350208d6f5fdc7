"""The investigation team (調查小組) and conflict-of-interest declarations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import audit, policy
from ..exceptions import InvalidState, NotAllowed
from ..models import Case, TeamMember, TeamRole

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _check_candidates(case: Case, users: list[User]) -> None:
    errors = []
    for user in users:
        standing = policy.standing(user, case)
        if standing.subject:
            errors.append(_("%(user)s is a subject of this case.") % {"user": user.get_username()})
        elif policy.is_reporter(user, case, standing):
            errors.append(_("%(user)s reported this case.") % {"user": user.get_username()})
        elif standing.conflict:
            errors.append(
                _("%(user)s declared a conflict of interest.") % {"user": user.get_username()}
            )
        elif not policy.has(user, "investigate_case"):
            errors.append(_("%(user)s is not an investigator.") % {"user": user.get_username()})
    if errors:
        raise ValidationError({"members": errors})


def team_form(
    *, case: Case, task, actor: User, lead: User, members: list[User], note: str = ""
) -> list[TeamMember]:
    """Name the lead investigator and members.

    Preconditions: open form_team task; actor is a case manager and no party; nobody named is
    a subject, the reporter, conflicted, or without the investigator role.
    """
    policy.require(actor, "form_team", _("Only case managers set up investigation teams."))
    policy.require_not_party(actor, case)
    others = [m for m in members if m.pk != lead.pk]
    _check_candidates(case, [lead, *others])
    created = []
    for user, role in [(lead, TeamRole.LEAD)] + [(m, TeamRole.MEMBER) for m in others]:
        member = TeamMember(case=case, user=user, role=role, appointed_by=actor)
        audit.save(member, actor=actor, reason="appointed to the team")
        created.append(member)
    audit.record(
        action="team.formed",
        actor=actor,
        case=case,
        reason=note,
        payload={
            "lead": lead.get_username(),
            "members": sorted(m.get_username() for m in others),
            "task": task.pk,
        },
    )
    return created


def team_declare(*, case: Case, actor: User, has_conflict: bool, statement: str = "") -> TeamMember:
    """A team member declares whether they have a conflict of interest with this case.

    Preconditions: actor is an active member who has not declared yet. A member who declares
    a conflict leaves the team; the case manager appoints someone else.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        member = (
            TeamMember.objects.select_for_update()
            .filter(case=case, user=actor, active=True)
            .first()
        )
        if member is None:
            raise NotAllowed(_("You are not on the investigation team of this case."))
        if member.declared_at:
            raise InvalidState(_("You have already made your declaration."))
        if has_conflict and not statement.strip():
            raise ValidationError({"statement": [_("Describe the conflict of interest.")]})
        member.declared_at = timezone.now()
        member.has_conflict = has_conflict
        member.declaration = statement
        fields = ["declared_at", "has_conflict", "declaration"]
        if has_conflict:
            member.active = False
            fields.append("active")
        audit.save(member, actor=actor, reason="conflict declaration", update_fields=fields)
        audit.record(
            action="team.declared",
            actor=actor,
            case=case,
            reason=statement,
            payload={"conflict": has_conflict, "role": member.role},
        )
    return member


def team_change(
    *,
    case: Case,
    actor: User,
    add: list[User] | None = None,
    remove: list[User] | None = None,
    new_lead: User | None = None,
    reason: str,
    task=None,
) -> None:
    """Change the team while the case is being investigated.

    Preconditions: the caller holds the case locked (the process's open tasks of the lead
    follow the new lead, see ``casework.services.team_change``); actor is a case manager
    and no party; a reason is given. ``task``: the process step this change completes, if
    any (the "replace the lead investigator" step), named in the audit event.
    """
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the change.")]})
    with transaction.atomic():
        policy.require(actor, "form_team", _("Only case managers change investigation teams."))
        policy.require_not_party(actor, case)
        if not TeamMember.objects.filter(case=case).exists():
            raise InvalidState(_("This case has no investigation team yet."))
        _check_candidates(
            case,
            [
                u
                for u in [*(add or []), *([new_lead] if new_lead else [])]
                if not TeamMember.objects.filter(case=case, user=u, active=True).exists()
            ],
        )
        for user in remove or []:
            for m in TeamMember.objects.filter(case=case, user=user, active=True):
                m.active = False
                audit.save(m, actor=actor, reason=reason, update_fields=["active"])
        for user in add or []:
            if not TeamMember.objects.filter(case=case, user=user, active=True).exists():
                audit.save(
                    TeamMember(case=case, user=user, role=TeamRole.MEMBER, appointed_by=actor),
                    actor=actor,
                    reason=reason,
                )
        if new_lead is not None:
            for m in TeamMember.objects.filter(case=case, role=TeamRole.LEAD, active=True):
                m.role = TeamRole.MEMBER
                audit.save(m, actor=actor, reason=reason, update_fields=["role"])
            lead = TeamMember.objects.filter(case=case, user=new_lead, active=True).first()
            if lead is None:
                lead = TeamMember(case=case, user=new_lead, role=TeamRole.LEAD, appointed_by=actor)
                audit.save(lead, actor=actor, reason=reason)
            else:
                lead.role = TeamRole.LEAD
                audit.save(lead, actor=actor, reason=reason, update_fields=["role"])
        audit.record(
            action="team.changed",
            actor=actor,
            case=case,
            reason=reason,
            payload={
                "added": sorted(u.get_username() for u in add or []),
                "removed": sorted(u.get_username() for u in remove or []),
                "lead": new_lead.get_username() if new_lead else None,
                **({"task": task.pk} if task is not None else {}),
            },
        )
