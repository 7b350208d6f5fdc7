"""Every step one click from "My tasks": the tasks a person holds open with "Open", the ones
they may claim with "Claim and open" (one POST through the audited claim service), and
nothing they may not take or see."""

from django.urls import reverse
from viewflow.workflow.status import STATUS

from casework import services as work
from ledger.models import AuditEvent

INBOX = "/work/case/inbox/"


def _claim_url(task):
    return reverse("casework:claim_and_open", args=[task.pk])


def _execute_url(task):
    return task.flow_task.reverse("execute", args=[task.process_id, task.pk])


def test_the_inbox_offers_held_tasks_to_open_and_waiting_ones_to_claim(client, walk, world):
    held_case, waiting_case = walk.report(), walk.report()
    held = work.task_claim(task=walk.task(held_case, "verify"), actor=world.officer)
    waiting = walk.task(waiting_case, "verify")
    client.force_login(world.officer)

    page = client.get(INBOX)

    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-step="verify" href="{_execute_url(held)}"' in body
    assert f'action="{_claim_url(waiting)}"' in body
    assert body.index(held_case.reference) < body.index(waiting_case.reference)  # held first
    assert waiting_case.title in body


def test_claim_and_open_claims_through_the_service_and_opens_the_form(client, walk, world):
    case = walk.report()
    task = walk.task(case, "verify")
    client.force_login(world.officer)
    events = AuditEvent.objects.filter(action="task.claimed").count()

    response = client.post(_claim_url(task))

    assert response.status_code == 302
    assert response["Location"] == _execute_url(task)
    task.refresh_from_db()
    assert (task.owner_id, task.status) == (world.officer.pk, STATUS.ASSIGNED)
    assert AuditEvent.objects.filter(action="task.claimed").count() == events + 1
    assert client.get(response["Location"]).status_code == 200
    # A second click on the same button opens the form again and claims nothing more.
    again = client.post(_claim_url(task))
    assert again["Location"] == _execute_url(task)
    assert AuditEvent.objects.filter(action="task.claimed").count() == events + 1


def test_a_task_someone_else_took_says_so_back_in_the_inbox(client, walk, world):
    case = walk.report()
    task = work.task_claim(task=walk.task(case, "verify"), actor=world.manager)
    client.force_login(world.officer)

    response = client.post(_claim_url(task), follow=True)

    assert response.redirect_chain[-1][0] == INBOX
    assert "This task is no longer waiting for you." in response.content.decode()
    task.refresh_from_db()
    assert task.owner_id == world.manager.pk


def test_claim_and_open_refuses_what_the_person_may_not_see_as_if_it_did_not_exist(
    client, walk, world
):
    case = walk.report()
    task = walk.task(case, "verify")
    missing = reverse("casework:claim_and_open", args=[999999999])
    for user in (world.investigator, world.reporter, world.depthead):
        client.force_login(user)
        answers = [client.post(url, follow=True) for url in (_claim_url(task), missing)]
        for answer in answers:
            assert answer.redirect_chain[-1][0] == INBOX
        assert [list(map(str, a.context["messages"])) for a in answers] == [
            ["This task is no longer waiting for you."]
        ] * 2
        assert case.reference not in answers[0].content.decode()
        assert client.get(_claim_url(task)).status_code == 405
    task.refresh_from_db()
    assert task.owner_id is None


def test_a_lead_still_to_declare_is_sent_to_declare_and_sees_no_title(client, walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case, declare=False)
    client.force_login(world.investigator)

    body = client.get(INBOX).content.decode()

    assert case.reference in body
    assert case.title not in body
    assert f'data-step="investigate" href="{reverse("violations:my_declarations")}"' in body
