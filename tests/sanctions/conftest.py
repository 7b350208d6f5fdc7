import pytest

from sanctions.models import (
    Appeal,
    ApprovalDecision,
    DefenceRecord,
    ProposedSanction,
    SanctionProposal,
)
from tests.violations.factories import UserFactory
from violations import audit


def to_propose(walk, *, severity="general", people=None):
    """A case waiting at the propose step."""
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    walk.investigate(case)
    walk.find_facts(case, severity=severity, **({"people": people} if people else {}))
    return walk.refresh(case)


def snapshot(walk, case):
    """Everything a refused sanction action must leave as it was."""
    return {
        "proposals": list(
            SanctionProposal.objects.filter(case=case).values_list("round", "status")
        ),
        "decisions": ApprovalDecision.objects.filter(proposal__case=case).count(),
        "sanctions": list(
            ProposedSanction.objects.filter(proposal__case=case)
            .order_by("pk")
            .values_list("status", flat=True)
        ),
        "defences": list(
            DefenceRecord.objects.filter(proposal__case=case).values_list("status", flat=True)
        ),
        "appeals": list(Appeal.objects.filter(case=case).values_list("status", flat=True)),
        "events": audit.events_of(case).count(),
        "open": walk.open_names(case),
    }


@pytest.fixture
def senior2(db):
    return UserFactory(username="senior2", roles=["Senior management"])
