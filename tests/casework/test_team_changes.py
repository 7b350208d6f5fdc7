"""Team changes as a step: a lead's conflict puts "replace the lead" in the case manager's
queue; the manager replaces a lead or a member with a reason; newcomers declare first."""

import pytest
from django.urls import reverse
from viewflow.workflow.status import STATUS

from casework import services as work
from casework.engine import open_task
from violations import audit, policy, services
from violations.exceptions import NotAllowed


def _team_with_lead_conflict(walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case, declare=False)
    work.team_declare(
        case=case, actor=world.investigator, has_conflict=True, statement="My cousin is a subject."
    )
    return walk.refresh(case)


def test_a_lead_declaring_a_conflict_puts_replace_the_lead_in_the_managers_queue(walk, world):
    case = _team_with_lead_conflict(walk, world)

    task = open_task(case, "replace_lead")
    assert task is not None
    assert task.status == STATUS.NEW
    assert task.owner_id is None
    assert task.owner_permission == "violations.form_team"
    assert work.task_eligible(world.manager, task)
    assert not work.task_eligible(world.investigator2, task)
    # The conflicted lead keeps nothing he could act on.
    assert not policy.can_view_case(world.investigator, case)


def test_a_members_conflict_opens_no_replace_the_lead_task(walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case, declare=False)

    work.team_declare(case=case, actor=world.investigator2, has_conflict=True, statement="Friend")

    assert open_task(case, "replace_lead") is None


def test_replacing_the_lead_hands_over_the_investigation_and_the_newcomer_declares_first(
    walk, world
):
    case = _team_with_lead_conflict(walk, world)
    task = open_task(case, "replace_lead")

    work.lead_replace(
        task=task, actor=world.manager, new_lead=world.investigator2, reason="Lead conflicted"
    )

    task.refresh_from_db()
    assert task.status == STATUS.DONE
    assert open_task(case, "investigate").owner == world.investigator2
    case = walk.refresh(case)
    assert case.process.status != "DONE"
    lead = case.team.get(active=True, role="lead")
    assert lead.user == world.investigator2
    # Named, not yet declared: sees nothing of the case.
    assert not policy.can_view_case(world.investigator2, case)
    work.team_declare(case=case, actor=world.investigator2, has_conflict=False)
    assert policy.can_view_case(world.investigator2, case)
    moved = audit.events_of(case).get(action="task.reassigned")
    assert (moved.payload["from"], moved.payload["to"]) == ("investigator", "investigator2")
    assert moved.reason == "Lead conflicted"
    assert audit.verify(case=case).intact


def test_the_case_goes_on_to_fact_finding_under_the_new_lead(walk, world):
    case = _team_with_lead_conflict(walk, world)
    work.lead_replace(
        task=open_task(case, "replace_lead"),
        actor=world.manager,
        new_lead=world.investigator2,
        reason="Lead conflicted",
    )
    work.team_declare(case=case, actor=world.investigator2, has_conflict=False)
    case = walk.refresh(case)
    services.record_review_add(
        case=case, actor=world.investigator2, record="Call log", findings="Sale confirmed"
    )
    work.investigation_submit(
        task=open_task(case, "investigate"),
        actor=world.investigator2,
        summary="Reviewed the call.",
        conclusion="Mis-sold.",
    )
    assert open_task(case, "find_facts").owner == world.investigator2


def test_only_a_case_manager_replaces_the_lead_and_a_refusal_changes_nothing(walk, world):
    case = _team_with_lead_conflict(walk, world)
    task = open_task(case, "replace_lead")
    events = audit.events_of(case).count()

    with pytest.raises(NotAllowed):
        work.lead_replace(
            task=task, actor=world.officer, new_lead=world.investigator2, reason="Try"
        )

    task.refresh_from_db()
    assert task.status == STATUS.NEW
    assert task.owner_id is None
    assert open_task(case, "investigate").owner == world.investigator
    assert not case.team.filter(active=True, role="lead").exists()
    assert audit.events_of(case).count() == events


def test_naming_a_lead_on_the_team_page_does_the_waiting_replace_the_lead_task(walk, world):
    case = _team_with_lead_conflict(walk, world)
    task = open_task(case, "replace_lead")

    work.team_change(
        case=case, actor=world.manager, new_lead=world.investigator2, reason="Lead conflicted"
    )

    task.refresh_from_db()
    assert task.status == STATUS.DONE
    assert task.owner == world.manager
    assert open_task(case, "replace_lead") is None
    assert open_task(case, "investigate").owner == world.investigator2


def test_a_member_is_replaced_with_a_reason_through_the_page(client, walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    client.force_login(world.manager)
    url = reverse("casework:team_change", args=[case.reference])

    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url, {"remove": [world.investigator2.pk], "reason": "Moved to another branch"}
    )

    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert not case.team.filter(user=world.investigator2, active=True).exists()
    changed = audit.events_of(case).get(action="team.changed")
    assert changed.payload["removed"] == ["investigator2"]
    assert changed.reason == "Moved to another branch"


def test_the_team_page_needs_a_reason_and_a_case_manager(client, walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    url = reverse("casework:team_change", args=[case.reference])
    events = audit.events_of(case).count()

    client.force_login(world.manager)
    response = client.post(url, {"remove": [world.investigator2.pk], "reason": " "})
    assert response.status_code == 200
    client.force_login(world.investigator)
    assert client.get(url).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404

    assert case.team.filter(user=world.investigator2, active=True).exists()
    assert audit.events_of(case).count() == events


def test_the_replace_the_lead_page_names_the_new_lead(client, walk, world):
    case = _team_with_lead_conflict(walk, world)
    task = open_task(case, "replace_lead")
    client.force_login(world.manager)
    work.task_claim(task=task, actor=world.manager)
    url = reverse("work:case:replace_lead:execute", args=[case.process_id, task.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "My cousin is a subject." in page.content.decode()
    response = client.post(url, {"new_lead": world.investigator2.pk, "reason": "Conflict"})

    assert response.status_code == 302
    assert open_task(case, "investigate").owner == world.investigator2


def test_declarations_show_the_facts_needed_to_judge_a_conflict_and_no_more(client, walk, world):
    case = walk.report(customer=True)
    walk.verify(case)
    walk.form_team(case, declare=False)
    client.force_login(world.investigator)

    page = client.get(reverse("violations:my_declarations")).content.decode()

    assert case.reference in page
    assert "Chan Tai Man" in page
    assert "Relationship manager" in page
    assert "Madam Wong" in page
    assert "Retail Banking" in page
    assert "Sold a high-risk fund" not in page  # the description waits for the declaration


def test_a_declaration_through_the_page_lands_on_the_case(client, walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case, declare=False)
    client.force_login(world.investigator)

    response = client.post(
        reverse("casework:declare", args=[case.reference]), {"has_conflict": "no"}
    )

    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()


def test_a_lead_who_declared_a_conflict_cannot_release_the_task(walk, world):
    case = _team_with_lead_conflict(walk, world)
    task = open_task(case, "investigate")

    with pytest.raises(NotAllowed):
        work.task_unassign(task=task, actor=world.investigator)

    task.refresh_from_db()
    assert task.owner == world.investigator
    assert task.status == STATUS.ASSIGNED
