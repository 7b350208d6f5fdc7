"""The effectiveness review that closes the remediation loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from violations import audit, policy
from violations.exceptions import NotAllowed
from violations.models import Case

from ..models import CorrectiveAction, EffectivenessReview, Verdict
from ..selectors import review_evidence

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def effectiveness_review(
    *,
    case: Case,
    task,
    actor: User,
    verdict: str,
    timeliness: str,
    pertinence: str,
    effectiveness: str,
    reasons: str,
) -> EffectivenessReview:
    """Judge whether the remediation worked; anything but effective sends it back.

    Preconditions: open review task; actor is an effectiveness reviewer, no party, and owns
    no corrective action of the case.
    """
    policy.require(
        actor, "review_effectiveness", _("Only effectiveness reviewers judge remediation.")
    )
    policy.require_not_party(actor, case)
    if CorrectiveAction.objects.filter(case=case, owner=actor).exists():
        raise NotAllowed(_("You own a corrective action of this case and cannot review it."))
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": [_("Choose a verdict.")]})
    if not all(s.strip() for s in (timeliness, pertinence, effectiveness, reasons)):
        raise ValidationError(
            _("Assess timeliness, pertinence and effectiveness, and give reasons.")
        )
    row = EffectivenessReview(
        case=case,
        round=case.effectiveness_reviews.count() + 1,
        timeliness=timeliness,
        pertinence=pertinence,
        effectiveness=effectiveness,
        evidence=review_evidence(case).as_dict(),
        verdict=verdict,
        reasons=reasons,
        reviewer=actor,
    )
    audit.save(row, actor=actor, reason=f"review: {verdict}")
    audit.record(
        action="remediation.reviewed",
        actor=actor,
        case=case,
        reason=reasons,
        payload={"round": row.round, "verdict": verdict, "task": task.pk},
    )
    return row
