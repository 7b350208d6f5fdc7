"""Each role logs in and completes its step through the real views."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from casework.engine import open_task
from tests.violations.factories import EmployeeFactory
from violations.models import Case, Stage

BASE = "/work/case"


def login(user):
    client = Client()
    assert client.login(username=user.username, password="pw")
    return client


def task_url(task, action=""):
    return f"{BASE}/{task.process_id}/{task.flow_task.name}/{task.pk}/" + (
        f"{action}/" if action else ""
    )


def claim_and_submit(user, case, step, data, files=None):
    client = login(user)
    task = open_task(case, step)
    assert task is not None, step
    if task.owner_id is None:
        response = client.post(task_url(task, "assign"))
        assert response.status_code == 302, (step, response.status_code)
        assert response["Location"] == task_url(task, "execute")
    page = client.get(task_url(task, "execute"))
    assert page.status_code == 200, (step, page.status_code)
    response = client.post(task_url(task, "execute"), {**data, **(files or {})})
    assert response.status_code == 302, (
        step,
        response.status_code,
        getattr(response, "context", None)
        and response.context.get("form")
        and response.context["form"].errors,
    )
    task.refresh_from_db()
    assert task.status == "DONE", step
    return client


def test_every_role_completes_its_step_through_the_views(world, walk):
    # Reporter: the start form.
    reporter = login(world.reporter)
    assert reporter.get(f"{BASE}/report/").status_code == 200
    occurred = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = reporter.post(
        f"{BASE}/report/",
        {
            "source": "customer_complaint",
            "category": world.category.pk,
            "title": "Mis-sold fund",
            "description": "Sold a fund to a retiree",
            "occurred_at": occurred,
            "department": world.dept.pk,
            "subjects": [world.subject.pk],
            "customer_involved": "on",
            "customer_name": "Madam Wong",
            "attachments": SimpleUploadedFile("note.txt", b"complaint letter", "text/plain"),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.evidence.get().original_name == "note.txt"
    assert reporter.get("/cases/mine/").content.decode().count(case.reference) == 1

    claim_and_submit(
        world.officer, case, "verify", {"outcome": "proceed", "first_evidence": "Call log"}
    )
    claim_and_submit(
        world.manager,
        case,
        "form_team",
        {"lead": world.investigator.pk, "members": [world.investigator2.pk]},
    )
    # Before declaring, the investigator cannot see the case.
    inv = login(world.investigator)
    assert inv.get(case.get_absolute_url()).status_code == 404
    assert inv.post(f"/cases/{case.reference}/declare/", {"has_conflict": "no"}).status_code == 302
    assert inv.get(case.get_absolute_url()).status_code == 200
    assert (
        inv.post(
            f"/cases/{case.reference}/interviews/",
            {"interviewee": "Chan Tai Man", "held_at": occurred, "summary": "Admitted"},
        ).status_code
        == 302
    )
    claim_and_submit(
        world.investigator,
        case,
        "investigate",
        {"summary": "Interviewed", "conclusion": "Mis-sold"},
    )
    claim_and_submit(
        world.investigator,
        case,
        "find_facts",
        {
            "established": "yes",
            "category": world.category.pk,
            "nature": "Mis-selling",
            "severity": "general",
            "customer_loss": "100",
            f"resp_{world.subject.pk}": "direct",
            "facts_clear": "on",
            "evidence_conclusive": "on",
            "characterization_accurate": "on",
            "handling_appropriate": "on",
        },
    )
    rp = case.findings.get().responsible.get()
    claim_and_submit(
        world.officer,
        case,
        "propose",
        {
            f"p{rp.pk}_0_type": "warning",
            f"p{rp.pk}_0_form": "written",
            "justification": "Precedent",
        },
    )
    claim_and_submit(
        world.officer,
        case,
        "defence",
        {
            f"d{world.subject.pk}_outcome": "statement",
            f"d{world.subject.pk}_text": "I accept the findings.",
        },
    )
    claim_and_submit(world.depthead, case, "approve", {"decision": "approve"})
    item = case.sanction_proposals.get().items.get()
    today = timezone.localdate().isoformat()
    claim_and_submit(world.hr, case, "execute_sanctions", {f"i{item.pk}_date": today})
    claim_and_submit(
        world.officer,
        case,
        "customer_feedback",
        {
            "channel": "phone",
            "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "notice_summary": "Explained",
            "apology": "on",
            "compensation": "0",
            "satisfaction": "4",
        },
    )
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    claim_and_submit(
        world.officer,
        case,
        "plan_remediation",
        {
            "cause1_category": "training",
            "cause1_description": "Unaware of rules",
            "action1_kind": "training",
            "action1_description": "Train",
            "action1_owner": world.owner.pk,
            "action1_due": due,
            "action1_causes": ["1"],
        },
    )
    claim_and_submit(
        world.owner,
        case,
        "complete_action",
        {"completion_note": "Held", "proof_link": "https://intranet.example/t"},
    )
    walk.fire_timers(case)
    claim_and_submit(
        world.reviewer,
        case,
        "review",
        {
            "timeliness": "ok",
            "pertinence": "ok",
            "effectiveness": "ok",
            "verdict": "effective",
            "reasons": "ok",
        },
    )
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    auditor = login(world.auditor)
    page = auditor.get(case.get_absolute_url())
    assert page.status_code == 200
    assert "Closed" in page.content.decode()


def test_refusal_through_the_view_is_a_message_not_an_error(world, walk):
    case = walk.to_approval(walk.report())
    # The proposer, given the approver's rights (so also their second factor) before signing in.
    world.officer.groups.add(*world.depthead.groups.all())
    # ... and head of the subject's department, so the approval waits for them too.
    world.dept.head = EmployeeFactory(department=world.dept, user=world.officer)
    world.dept.save(update_fields=["head"])
    client = login(world.officer)
    task = open_task(case, "approve")
    response = client.post(task_url(task, "assign"), follow=True)
    assert response.status_code == 200
    assert "You proposed these sanctions" in response.content.decode()
    task.refresh_from_db()
    assert task.owner_id is None


def test_invalid_form_shows_errors_and_saves_nothing(world, walk):
    case = walk.report()
    client = login(world.officer)
    task = open_task(case, "verify")
    client.post(task_url(task, "assign"))
    response = client.post(task_url(task, "execute"), {"outcome": "dismiss", "reason": ""})
    assert response.status_code in (200, 422)
    assert "Give the reason for this outcome." in response.content.decode()
    task.refresh_from_db()
    assert task.status == "ASSIGNED"
    assert Case.objects.get(pk=case.pk).stage == "verification"
    from violations.models import Verification

    assert Verification.objects.count() == 0


# Who finds the freshly reported case on each page: need-to-know, not just "it renders".
SEES = {
    "/cases/": {"officer", "manager", "senior", "auditor"},
    "/work/case/queue/": {"officer", "manager"},
    "/work/case/inbox/": {"officer", "manager"},  # the tasks they may claim, too
    "/work/case/archive/": set(),
    "/cases/declarations/": set(),
    "/cases/mine/": {"reporter"},
}


@pytest.mark.parametrize("path", list(SEES))
def test_pages_render_for_every_role_and_show_only_what_they_may_see(world, walk, path):
    case = walk.report()
    seen = set()
    for user in [
        world.reporter,
        world.officer,
        world.manager,
        world.investigator,
        world.depthead,
        world.senior,
        world.hr,
        world.owner,
        world.reviewer,
        world.auditor,
    ]:
        response = login(user).get(path)
        assert response.status_code == 200, (path, user.username)
        if case.reference in response.content.decode():
            seen.add(user.username)
    assert seen == SEES[path]
