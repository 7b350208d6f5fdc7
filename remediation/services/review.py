"""The effectiveness review that closes the remediation loop."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from violations import audit, policy
from violations.exceptions import NotAllowed
from violations.models import Case
from violations.prepared import Prepared, count_of
from violations.workflow import human_task, remember

from ..models import CorrectiveAction, EffectivenessReview, Verdict
from ..selectors import review_evidence

_REVIEW_FACTS = Prepared(
    lambda case, user: Case.objects.filter(pk=case).annotate(
        **policy.standing_annotations(user),
        owns_action=Exists(CorrectiveAction.objects.filter(case=OuterRef("pk"), owner_id=user)),
        earlier=count_of(EffectivenessReview.objects.filter(case=OuterRef("pk")), "case"),
    ).values(*policy.STANDING_FIELDS, "owns_action", "earlier"),
    "case", "user",
)


def _review_facts(case, actor) -> dict:
    """What a review asks of the database, in one query under the case lock: the
    reviewer's standing (kept for the policy checks), whether they own a corrective action
    of the case, and how many reviews came before."""
    return policy.standing_and_facts(_REVIEW_FACTS, actor, case)


def effectiveness_review(*, task, actor, verdict: str, timeliness: str, pertinence: str,
                         effectiveness: str, reasons: str) -> EffectivenessReview:
    """Judge whether the remediation worked; anything but effective sends it back.

    Preconditions: open review task; actor is an effectiveness reviewer, no party, and owns
    no corrective action of the case.
    """
    with human_task(task, actor=actor, expected="review") as step:
        case = step.case
        policy.require(actor, "review_effectiveness", _("Only effectiveness reviewers judge remediation."))
        facts = _review_facts(case, actor)
        policy.require_not_party(actor, case)
        if facts["owns_action"]:
            raise NotAllowed(_("You own a corrective action of this case and cannot review it."))
        if verdict not in Verdict.values:
            raise ValidationError({"verdict": [_("Choose a verdict.")]})
        if not all(s.strip() for s in (timeliness, pertinence, effectiveness, reasons)):
            raise ValidationError(_("Assess timeliness, pertinence and effectiveness, and give reasons."))
        row = EffectivenessReview(
            case=case, round=int(facts["earlier"]) + 1, timeliness=timeliness,
            pertinence=pertinence, effectiveness=effectiveness,
            evidence=review_evidence(case).as_dict(), verdict=verdict, reasons=reasons, reviewer=actor,
        )
        audit.save(row, actor=actor, reason=f"review: {verdict}")
        remember(case, "review", row)
        audit.record(action="remediation.reviewed", actor=actor, case=case, reason=reasons,
                     payload={"round": row.round, "verdict": verdict, "task": step.task.pk})
    return row


def latest_verdict(case) -> str | None:
    row = case.effectiveness_reviews.order_by("-round").first()
    return row.verdict if row else None
