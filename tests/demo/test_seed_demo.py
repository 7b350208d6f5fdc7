"""`manage.py seed_demo` loads the demo through the real services, once, the same every time."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from violations import audit
from violations.models import Case, Department, Outcome, Stage, ViolationCategory

LOGINS = [
    "reporter",
    "officer",
    "manager",
    "investigator",
    "depthead",
    "senior",
    "hr",
    "owner",
    "reviewer",
    "auditor",
]


@pytest.mark.django_db(transaction=False)
def test_seed_demo_covers_every_stage_and_every_role_can_log_in():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Loaded 29 demo cases." in out.getvalue()
    for username in LOGINS:
        assert authenticate(username=username, password="demo") is not None, username
    cases = Case.objects.all()
    assert 25 <= cases.count() <= 30
    stages = set(cases.values_list("stage", flat=True))
    assert stages >= {
        Stage.VERIFICATION,
        Stage.TEAM,
        Stage.INVESTIGATION,
        Stage.FACT_FINDING,
        Stage.SANCTION_PROPOSAL,
        Stage.APPROVAL,
        Stage.POST_APPROVAL,
        Stage.EFFECTIVENESS_REVIEW,
        Stage.CLOSED,
    }
    outcomes = set(cases.filter(stage=Stage.CLOSED).values_list("outcome", flat=True))
    assert outcomes >= {
        Outcome.SANCTIONED,
        Outcome.DISMISSED,
        Outcome.DUPLICATE,
        Outcome.NOT_ESTABLISHED,
    }
    references = sorted(cases.values_list("reference", flat=True))
    assert references[0].endswith("-000001")
    assert references[-1].endswith("-000029")

    # The demo's organisation is vouched for by the ledger, like everything else.
    assert audit.verify().problems == []
    # The catalogue's categories, none added beside them.
    assert ViolationCategory.objects.count() == 21
    assert Department.objects.count() == 10

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "already loaded" in again.getvalue()
    assert Case.objects.count() == 29
