"""After a step the person lands where the work continues; "Done by me" shows what they did
without the case they may no longer see."""

from django.urls import reverse
from viewflow.workflow.status import STATUS

from casework import services as work
from casework.engine import node


def _claimed(task, user):
    work.task_claim(task=task, actor=user)
    task.refresh_from_db()
    return task


def test_a_step_that_takes_the_case_out_of_sight_lands_in_the_inbox_saying_where_it_went(
    client, walk, world
):
    case = walk.report()
    task = _claimed(walk.task(case, "verify"), world.officer)
    client.force_login(world.officer)

    response = client.post(
        reverse("work:case:verify:execute", args=[case.process_id, task.pk]),
        {"outcome": "proceed", "reason": "", "first_evidence": "Call log"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("work:case:inbox")
    page = response.content.decode()
    assert f"{case.reference} moved on to: Set up the investigation team (in the queue)" in page
    assert "You no longer see this case." in page
    assert case.title not in page


def test_a_step_the_person_still_sees_lands_on_the_case_page(client, walk, world):
    case = walk.report()
    walk.verify(case)
    task = _claimed(walk.task(case, "form_team"), world.manager)
    client.force_login(world.manager)

    response = client.post(
        reverse("work:case:form_team:execute", args=[case.process_id, task.pk]),
        {"lead": world.investigator.pk, "members": [world.investigator2.pk], "note": ""},
    )

    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()


def test_done_by_me_shows_what_the_person_did_and_not_the_case_they_no_longer_see(
    client, walk, world
):
    case = walk.report()
    walk.verify(case)
    task = case.process.task_set.get(flow_task=node("verify"))
    assert task.status == STATUS.DONE
    client.force_login(world.officer)

    archive = client.get(reverse("work:case:archive")).content.decode()
    done = client.get(reverse("casework:done_task", args=[task.pk]))

    assert reverse("casework:done_task", args=[task.pk]) in archive
    assert case.title not in archive
    page = done.content.decode()
    assert done.status_code == 200
    assert "Preliminary verification" in page
    assert "What you did" in page
    assert "no rights" not in page
    assert case.title not in page
    assert case.description not in page
    assert "The case has moved on and is no longer shown to you." in page


def test_nobody_else_opens_a_done_task(client, walk, world):
    case = walk.report()
    walk.verify(case)
    task = case.process.task_set.filter(owner=world.officer).get()

    client.force_login(world.manager)
    assert client.get(reverse("casework:done_task", args=[task.pk])).status_code == 404


def test_the_claim_page_shows_the_case_and_says_claim(client, walk, world):
    case = walk.report()
    task = walk.task(case, "verify")
    client.force_login(world.officer)
    url = reverse("work:case:verify:assign", args=[case.process_id, task.pk])

    page = client.get(url).content.decode()

    assert ">Claim</button>" in page
    assert "Assign and continue" not in page
    assert case.description in page
    response = client.post(url, {"_continue": "1"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == world.officer
