"""No side doors: viewflow's own pages never change a case's course without an audit event,
and a case is cancelled only by a case manager, with a reason, on its timeline."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from casework import services as work
from ledger.models import AuditEvent
from violations import audit
from violations.exceptions import InvalidState, NotAllowed
from violations.models import Case, Outcome, Stage

UNAUDITED_PAGES = {"undo", "cancel", "revive", "tasks_assign", "tasks_unassign"}


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@bank.example", "pw")


def _course(case):
    """Everything that says where a case is: its row, its process and every task."""
    case = Case.objects.get(pk=case.pk)
    process = Process.objects.get(pk=case.process_id)
    tasks = list(
        Task.objects.filter(process_id=case.process_id)
        .order_by("pk")
        .values_list("pk", "flow_task", "status", "owner_id", "data")
    )
    return (case.stage, case.outcome, case.closed_at, process.status, tasks)


def _flow_patterns():
    """Every URL of viewflow's case pages, as (route, name)."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, prefix + str(p.pattern))
            else:
                found.append((prefix + str(p.pattern), p.name))

    walk(get_resolver().url_patterns)
    return [(route, name) for route, name in found if route.startswith("work/case/")]


def test_viewflow_offers_no_undo_cancel_revive_or_bulk_assign(world):
    names = {name for _route, name in _flow_patterns()}
    assert names & UNAUDITED_PAGES == set()
    for name in ("undo", "cancel", "revive"):
        with pytest.raises(NoReverseMatch):
            reverse(f"work:case:verify:{name}", args=[1, 1])


def test_a_superuser_changes_no_course_through_viewflow_pages_without_an_event(world, walk, root):
    """Every page of viewflow's case app, posted to as a superuser with the real ids of a
    live case's tasks (done, open and queued): either refused, or the change is audited."""
    done = walk.report()
    walk.verify(done)  # verify is DONE, form_team waits in the queue
    fresh = walk.report()  # verify waits in the queue
    client = Client()
    client.force_login(root)
    tried, changed = 0, []
    for case in (done, fresh):
        tasks = list(Task.objects.filter(process_id=case.process_id))
        for route, _name in _flow_patterns():
            urls = []
            if "<int:task_pk>" in route:
                node = route.split("/")[3]
                urls = [
                    route.replace("<int:process_pk>", str(case.process_id)).replace(
                        "<int:task_pk>", str(t.pk)
                    )
                    for t in tasks
                    if t.flow_task.name == node
                ]
            elif "<int:process_pk>" in route:
                urls = [route.replace("<int:process_pk>", str(case.process_id))]
            else:
                urls = [route]
            for url in urls:
                before, events = _course(case), AuditEvent.objects.count()
                response = client.post("/" + url, {"reason": "superuser", "_cancel_process": "1"})
                tried += 1
                assert response.status_code < 500, url
                if _course(case) != before:
                    changed.append(url)
                    assert AuditEvent.objects.filter(actor=root).count() > 0, url
                    assert AuditEvent.objects.count() > events, url
    assert tried > 40
    # What did change the course were claims and releases, through the audited services.
    assert {url.rsplit("/", 2)[-2] for url in changed} == {"assign", "unassign"}, changed
    # The bulk pages and the task-level undo/cancel/revive are gone, whatever the ids.
    task = Task.objects.filter(process_id=done.process_id, status=STATUS.DONE).first()
    for suffix in ("undo", "cancel", "revive"):
        url = f"/work/case/{done.process_id}/{task.flow_task.name}/{task.pk}/{suffix}/"
        assert client.post(url).status_code == 404
    assert client.post("/work/case/queue/assign/").status_code == 404
    assert client.post("/work/case/inbox/unassign/").status_code == 404


def test_viewflow_process_cancel_page_only_leads_to_the_case_page(world, walk, root):
    case = walk.report()
    client = Client()
    client.force_login(root)
    before = _course(case)
    response = client.get(f"/work/case/{case.process_id}/cancel/")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/#cancel-case"
    assert client.post(f"/work/case/{case.process_id}/cancel/").status_code == 405
    assert _course(case) == before
    # The process page that links there still renders.
    assert client.get(f"/work/case/{case.process_id}/").status_code == 200


def test_process_cancel_page_of_an_unseen_case_is_not_found(world, walk, client):
    case = walk.report()
    client.force_login(world.outsider)
    assert client.get(f"/work/case/{case.process_id}/cancel/").status_code == 404


def test_the_admin_shows_processes_and_tasks_read_only(world, walk, root):
    case = walk.report()
    task = Task.objects.filter(process_id=case.process_id).first()
    client = Client()
    client.force_login(root)
    before = _course(case)
    assert client.get(f"/admin/viewflow/process/{case.process_id}/change/").status_code == 200
    assert client.get(f"/admin/viewflow/task/{task.pk}/change/").status_code == 200
    for url in (
        f"/admin/viewflow/process/{case.process_id}/change/",
        f"/admin/viewflow/task/{task.pk}/change/",
        f"/admin/viewflow/process/{case.process_id}/delete/",
        f"/admin/viewflow/task/{task.pk}/delete/",
    ):
        response = client.post(url, {"status": "CANCELED", "post": "yes"})
        assert response.status_code == 403, url
    assert _course(case) == before


# --- cancelling a case ------------------------------------------------------------------------


def test_a_case_manager_cancels_a_case_with_a_reason_on_its_timeline(world, walk):
    case = walk.report()
    walk.verify(case)
    work.case_cancel(case=case, actor=world.manager, reason="Opened in error: a test report")
    case = Case.objects.get(pk=case.pk)
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.CANCELLED)
    assert case.closed_at is not None
    assert Process.objects.get(pk=case.process_id).status == PROCESS.CANCELED
    open_statuses = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED, STATUS.SCHEDULED]
    assert not Task.objects.filter(process_id=case.process_id, status__in=open_statuses).exists()
    assert Task.objects.filter(process_id=case.process_id, status=STATUS.CANCELED).count() == 1
    event = audit.events_of(case).get(action="case.cancelled")
    assert event.actor == world.manager
    assert event.reason == "Opened in error: a test report"
    assert event.payload["stage"] == Stage.TEAM
    assert case.history.latest().history_change_reason == "Opened in error: a test report"
    report = audit.verify(case=case)
    assert report.intact, report.problems


@pytest.mark.parametrize(
    ("actor_name", "reason", "error"),
    [
        ("manager", "   ", ValidationError),
        ("officer", "Not worth it", NotAllowed),
        ("investigator", "Not worth it", NotAllowed),
        ("reporter", "I withdraw", NotAllowed),
    ],
)
def test_case_cancel_refusals_change_nothing(world, walk, actor_name, reason, error):
    case = walk.report()
    before, events = _course(case), AuditEvent.objects.count()
    with pytest.raises(error):
        work.case_cancel(case=case, actor=getattr(world, actor_name), reason=reason)
    assert _course(case) == before
    assert AuditEvent.objects.count() == events


def test_a_closed_case_cannot_be_cancelled(world, walk):
    case = walk.report()
    work.case_cancel(case=case, actor=world.manager, reason="Opened in error")
    before, events = _course(case), AuditEvent.objects.count()
    with pytest.raises(InvalidState):
        work.case_cancel(case=case, actor=world.manager, reason="Again")
    assert _course(case) == before
    assert AuditEvent.objects.count() == events


def test_the_case_page_cancels_with_a_reason(world, walk, client):
    case = walk.report()
    client.force_login(world.manager)
    page = client.get(case.get_absolute_url())
    assert b'id="cancel-case"' in page.content
    response = client.post(
        reverse("casework:case_cancel", args=[case.reference]), {"reason": "Withdrawn"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).outcome == Outcome.CANCELLED
    timeline = client.get(case.get_absolute_url())
    assert "Withdrawn" in timeline.content.decode()


def test_the_case_page_refuses_a_cancel_without_reason(world, walk, client):
    case = walk.report()
    client.force_login(world.manager)
    before = _course(case)
    response = client.post(reverse("casework:case_cancel", args=[case.reference]), {"reason": ""})
    assert response.status_code == 302
    assert _course(case) == before
