"""Where the process goes next: the questions the flow's gateways ask, each named.

Each takes the case (locked by the step that reaches the gateway) and reads what the
domain services recorded.
"""

from __future__ import annotations

from remediation.models import Verdict
from sanctions import selectors as sanction_selectors
from sanctions.models import ProposalStatus
from violations.models import Case, Severity, VerificationOutcome


def verification_proceeds(case: Case) -> bool:
    return case.verification.outcome == VerificationOutcome.PROCEED


def finding_established(case: Case) -> bool:
    finding = case.findings.order_by("-round").first()
    return finding is not None and finding.established


def latest_proposal_status(case: Case) -> str | None:
    proposal = case.sanction_proposals.order_by("-round").first()
    return proposal.status if proposal else None


def proposal_approved(case: Case) -> bool:
    return latest_proposal_status(case) == ProposalStatus.APPROVED


def proposal_rejected(case: Case) -> bool:
    return latest_proposal_status(case) == ProposalStatus.REJECTED


def proposal_awaits_another_approver(case: Case) -> bool:
    return latest_proposal_status(case) == ProposalStatus.PENDING


def needs_customer_feedback(case: Case) -> bool:
    return case.customer_involved


def needs_regulator_notice(case: Case) -> bool:
    return case.severity == Severity.MAJOR


def appeal_open(case: Case) -> bool:
    return sanction_selectors.open_appeals(case).exists()


def revised_sanctions_to_execute(case: Case) -> bool:
    return sanction_selectors.revised_to_execute(case).exists()


def remediation_effective(case: Case) -> bool:
    review = case.effectiveness_reviews.order_by("-round").first()
    return review is not None and review.verdict == Verdict.EFFECTIVE
