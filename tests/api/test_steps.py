"""Steps by API with exactly the page's checks: segregation of duties on approval, the
replacement of a conflicted lead, team changes, a step refused changing nothing."""

import pytest
from viewflow.workflow.status import STATUS

from casework import services as work
from casework.engine import open_task
from tests.api.client import Caller
from violations import audit


def test_the_proposer_may_not_claim_the_approval_and_nothing_changes(walk, world):
    case = walk.to_approval(walk.report())
    task = open_task(case, "approve")
    officer = Caller(world.officer)  # proposed the sanctions
    assert officer.candidates(case.reference, "approve") == []
    events = audit.events_of(case).count()
    refused = officer.post(f"/tasks/{task.pk}/claim/")
    assert refused.status_code in (403, 404), refused.content
    task.refresh_from_db()
    assert task.owner_id is None
    assert audit.events_of(case).count() == events


def test_a_step_body_for_another_step_or_an_unclaimed_task_is_refused(walk, world):
    case = walk.report()
    task = open_task(case, "verify")
    officer = Caller(world.officer)
    unclaimed = officer.post(
        f"/tasks/{task.pk}/complete/", {"step": "verify", "outcome": "proceed"}
    )
    assert unclaimed.status_code == 409
    officer.ok(officer.post(f"/tasks/{task.pk}/claim/"))
    wrong = officer.post(f"/tasks/{task.pk}/complete/", {"step": "approve", "decision": "approve"})
    assert wrong.status_code == 400
    assert "step" in wrong.json()
    invalid = officer.post(f"/tasks/{task.pk}/complete/", {"step": "verify", "outcome": "dismiss"})
    assert invalid.status_code == 400  # the page's rule: a dismissal needs a reason
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED
    done = officer.post(f"/tasks/{task.pk}/complete/", {"step": "verify", "outcome": "proceed"})
    assert done.status_code == 200
    again = officer.post(f"/tasks/{task.pk}/complete/", {"step": "verify", "outcome": "proceed"})
    assert again.status_code == 409


def test_the_case_manager_replaces_a_conflicted_lead_by_api(walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case, declare=False)
    work.team_declare(case=case, actor=world.investigator, has_conflict=True, statement="Cousin")
    manager = Caller(world.manager)
    task = manager.take(case.reference, "replace_lead")
    assert str(world.investigator2.pk) in {
        o["const"] for o in task["form"]["properties"]["new_lead"]["oneOf"]
    }
    manager.complete(task, {"new_lead": str(world.investigator2.pk), "reason": "Lead conflicted"})
    assert open_task(case, "investigate").owner == world.investigator2


def test_team_changes_by_api_need_a_case_manager_and_a_reason(walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    ref = case.reference
    lead = Caller(world.investigator)
    refused = lead.post(f"/cases/{ref}/team/", {"remove": [str(world.investigator2.pk)]})
    assert refused.status_code == 403
    manager = Caller(world.manager)
    no_reason = manager.post(f"/cases/{ref}/team/", {"remove": [str(world.investigator2.pk)]})
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    done = manager.post(
        f"/cases/{ref}/team/", {"remove": [str(world.investigator2.pk)], "reason": "Reassigned"}
    )
    assert done.status_code == 201, done.content
    assert not case.team.filter(user=world.investigator2, active=True).exists()


def test_a_list_for_a_single_valued_field_is_refused_and_changes_nothing(walk, world):
    # Found by schemathesis: the form read the last item of ``[null, null]`` as "left empty".
    case = walk.report()
    officer = Caller(world.officer)
    task = officer.take(case.reference, "verify")
    refused = officer.post(
        f"/tasks/{task['id']}/complete/",
        {"step": "verify", "outcome": "proceed", "duplicate_of": [None, None]},
    )
    assert refused.status_code == 400, refused.content
    assert "duplicate_of" in refused.json()
    assert open_task(case, "verify").status == STATUS.ASSIGNED


def test_a_task_without_a_deadline_reads_due_null_as_documented(walk, world):
    case = walk.report()
    officer = Caller(world.officer)
    task = officer.take(case.reference, "verify")
    case.__class__.objects.filter(pk=case.pk).update(stage_due_at=None)
    body = officer.ok(officer.get(f"/tasks/{task['id']}/"))
    assert body["due"] is None


def test_a_value_of_the_wrong_type_is_refused_and_null_leaves_an_optional_field_empty(walk, world):
    # Found by schemathesis: the form read ``false`` as the text "false".
    case = walk.report()
    officer = Caller(world.officer)
    task = officer.take(case.reference, "verify")
    url = f"/tasks/{task['id']}/complete/"
    for wrong in ({"reason": False}, {"reason": 5}, {"outcome": True}):
        refused = officer.post(url, {"step": "verify", "outcome": "dismiss", **wrong})
        assert refused.status_code == 400, refused.content
        assert set(refused.json()) == set(wrong)
    assert open_task(case, "verify").status == STATUS.ASSIGNED
    done = officer.post(url, {"step": "verify", "outcome": "proceed", "duplicate_of": None})
    assert done.status_code == 200, done.content


def test_a_bare_value_for_a_field_of_several_values_is_refused_and_changes_nothing(walk, world):
    # Found by schemathesis: ``subjects`` (the verify step's list of employees) took a bare id.
    case = walk.report()
    officer = Caller(world.officer)
    task = officer.take(case.reference, "verify")
    events = audit.events_of(case).count()
    refused = officer.post(
        f"/tasks/{task['id']}/complete/",
        {"step": "verify", "outcome": "proceed", "subjects": world.subject.pk},
    )
    assert refused.status_code == 400, refused.content
    assert "subjects" in refused.json()
    assert open_task(case, "verify").status == STATUS.ASSIGNED
    assert audit.events_of(case).count() == events


def test_a_list_of_nulls_for_a_field_of_several_values_is_refused(walk, world):
    # Found by schemathesis: ``"subjects": [null, null]`` was read as no change and accepted.
    case = walk.report()
    officer = Caller(world.officer)
    task = officer.take(case.reference, "verify")
    events = audit.events_of(case).count()
    refused = officer.post(
        f"/tasks/{task['id']}/complete/",
        {"step": "verify", "outcome": "proceed", "subjects": [None, None]},
    )
    assert refused.status_code == 400, refused.content
    assert "subjects" in refused.json()
    assert open_task(case, "verify").status == STATUS.ASSIGNED
    assert audit.events_of(case).count() == events


@pytest.mark.parametrize("page", ["", "last", "abc", "0", "-1", "1.5"])
def test_a_page_that_is_not_a_page_number_is_not_found(walk, world, page):
    # Found by schemathesis: "page=last" was the last page and "page=" the first.
    walk.report()
    reporter = Caller(world.reporter)
    assert reporter.get("/reports/").status_code == 200
    assert reporter.get("/reports/", page="1").status_code == 200
    assert reporter.get("/reports/", page=page).status_code == 404
