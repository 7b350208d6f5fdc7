"""Query-count ceilings for the hot paths, so an N+1 fails the build rather than a user.

Each test measures the same action twice: once with little in the database, once after more
cases (or more rows on the page) exist, and asserts the two counts are equal as well as under
a ceiling. The ceilings are today's counts plus a little headroom for a new audit field or
rule; raising one needs a reason in the commit.
"""

import dataclasses

import pytest
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework import services as work
from casework.eligibility import eligible_queue
from casework.engine import open_task
from casework.flows import CaseFlow
from tests.sql import statements
from tests.violations.factories import EmployeeFactory, UserFactory
from violations import services


def queries(fn) -> int:
    return len(statements(fn))


def more_cases(walk, n):
    """Other cases in the database (reported, waiting for verification)."""
    return [walk.report() for _ in range(n)]


# --- transitions through the services ----------------------------------------------------------

# Measured, including the walker's task lookup; a step never grows with the data. Each save
# of a case writes its history row's subjects too (two queries: read the links, insert them).
# Verify (the acknowledgement), reject and approve (the result to the proposer) and the close
# (the outcome) each write a notification and its outbox row, in the step's transaction.
# Deadline clocks: a step that starts or stops one reads its rule and the open clock, then
# writes it (the report starts two or three). Each event other systems may hear of (a report,
# a stage entered, a final approval, a close) reads the active webhook subscribers: one query.
# Verify also asks whether the reporter has a receipt code (the mailbox's acknowledgement),
# reads the subjects it may set, and, the acknowledgement delivered, stops its clock and
# starts the feedback clock (its rule, the open clock, the insert); the close stops the
# feedback clock (issue 19).
STEP_CEILINGS = {
    "report": 47,
    "verify": 56,
    "find_facts": 47,
    "reject": 57,
    "approve_split": 62,
    "review_join_close": 81,
}


def _at_find_facts(walk):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    walk.investigate(case)
    return case


def _at_approval(walk):
    return walk.to_approval(walk.report())


def _at_review(walk):
    case = _at_approval(walk)
    walk.decide(case)
    walk.execute(case)
    walk.plan(case)
    walk.complete_actions(case)
    walk.fire_timers(case)
    return case


STEPS = {
    # name: (bring a case to the step, take the step)
    "report": (lambda walk: None, lambda walk, case: walk.report()),
    "verify": (lambda walk: walk.report(), lambda walk, case: walk.verify(case)),
    "find_facts": (_at_find_facts, lambda walk, case: walk.find_facts(case)),
    "reject": (_at_approval, lambda walk, case: walk.decide(case, "reject")),
    "approve_split": (_at_approval, lambda walk, case: walk.decide(case)),
    "review_join_close": (_at_review, lambda walk, case: walk.review(case)),
}


def fresh(world):
    """A walker for a case about a new subject: repeat offences raise the sanction range."""
    from tests.walk import Walker

    return Walker(dataclasses.replace(world, subject=EmployeeFactory(department=world.dept)))


@pytest.mark.parametrize("step", list(STEPS))
def test_each_kind_of_step_has_a_fixed_query_count(world, step, django_assert_max_num_queries):
    prepare, take = STEPS[step]
    # The year's first case creates its reference counter: warm up past it.
    warm = fresh(world)
    take(warm, prepare(warm))
    walk = fresh(world)
    first = prepare(walk)
    small = queries(lambda: take(walk, first))

    more_cases(fresh(world), 19)
    walk = fresh(world)
    second = prepare(walk)
    with django_assert_max_num_queries(STEP_CEILINGS[step]) as ctx:
        take(walk, second)
    assert len(ctx.captured_queries) == small


def test_the_join_closes_the_case(walk):
    case = _at_review(walk)
    walk.review(case)
    assert walk.refresh(case).stage == "closed"
    assert walk.open_names(case) == []


# --- pages -------------------------------------------------------------------------------------

PAGE_CEILINGS = {  # every page's header counts the unread notifications: one indexed COUNT
    # The inbox and queue ask once per page which cases the user sees, and once for the
    # rows' deadline clocks (the "Due" column).
    "inbox": 16,
    "queue": 16,
    "archive": 14,
    "task_list": 16,
    "dashboard": 30,
    # The manager is privileged: their second factor's device is read as well (django-otp).
    # The dashboard's filters (violations.case_filters) read the department and category
    # trees for their selects: two queries.
    "case_list": 12,
    "search": 12,
    "case_page": 39,  # its open deadline clocks: one query; retention, hold, erasure: three
    # Every figure a grouped query: the trend's months are columns of one query, not a
    # query each; the filter form reads the department and category trees once each.
    "supervision": 40,
}


def _get(client, url, *, expect=200):
    response = client.get(url)
    assert response.status_code == expect, url
    return response


def _page_queries(client, url):
    return queries(lambda: _get(client, url))


def _rows(response) -> int:
    return response.content.decode().count("<tr") - 1  # minus the header row


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.officer)
    return client


def test_queue_inbox_and_archive_do_not_grow_with_rows(
    walk, world, officer_client, django_assert_max_num_queries
):
    urls = {name: reverse(f"work:case:{name}") for name in ("queue", "inbox", "archive")}

    def grow(n):
        for case in more_cases(walk, n):
            claimed = work.task_claim(task=open_task(case, "verify"), actor=world.officer)
            assert claimed.owner_id == world.officer.pk
        for case in more_cases(walk, n):
            walk.verify(case)  # archive rows for the officer
        more_cases(walk, n)  # queue rows

    grow(1)
    small = {name: _page_queries(officer_client, url) for name, url in urls.items()}
    grow(19)
    for name, url in urls.items():
        with django_assert_max_num_queries(PAGE_CEILINGS[name]) as ctx:
            response = _get(officer_client, url)
        assert len(ctx.captured_queries) == small[name], name
        assert _rows(response) >= 20, name


def test_task_lists_show_case_reference_title_and_stage(walk, world, officer_client):
    case = walk.report()
    body = _get(officer_client, reverse("work:case:queue")).content.decode()
    assert case.reference in body
    assert case.title in body
    assert "Preliminary verification" in body


def test_dashboard_and_task_list_do_not_grow_with_rows(
    walk, world, client, django_assert_max_num_queries
):
    client.force_login(world.manager)
    urls = {"dashboard": reverse("work:case:index"), "task_list": reverse("work:case:task_list")}
    more_cases(walk, 1)
    small = {name: _page_queries(client, url) for name, url in urls.items()}
    for case in more_cases(walk, 19):
        walk.verify(case)
    for name, url in urls.items():
        with django_assert_max_num_queries(PAGE_CEILINGS[name]) as ctx:
            _get(client, url)
        assert len(ctx.captured_queries) == small[name], name


def test_case_list_and_search_do_not_grow_with_rows(
    walk, world, client, django_assert_max_num_queries
):
    client.force_login(world.manager)
    urls = {
        "case_list": reverse("violations:case_list"),
        "search": reverse("violations:case_list") + "?q=Unsuitable",
    }
    more_cases(walk, 1)
    small = {name: _page_queries(client, url) for name, url in urls.items()}
    more_cases(walk, 29)  # more than one page of 25
    for name, url in urls.items():
        with django_assert_max_num_queries(PAGE_CEILINGS[name]) as ctx:
            response = _get(client, url)
        assert len(ctx.captured_queries) == small[name], name
        assert "30" in response.content.decode()  # the count is on the page


def test_case_page_does_not_grow_with_its_records(
    walk, world, client, django_assert_max_num_queries
):

    from django.utils import timezone

    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    client.force_login(world.investigator)
    url = reverse("casework:case_detail", args=[case.reference])

    def interviews(n):
        for i in range(n):
            services.interview_record(
                case=case,
                actor=world.investigator,
                interviewee=f"W{i}",
                held_at=timezone.now(),
                summary="Seen.",
            )

    # One interview first: with none, the interviewers' prefetch has nothing to run.
    interviews(1)
    _get(client, url)  # the first visit stores the session's language
    small = _page_queries(client, url)
    interviews(19)
    with django_assert_max_num_queries(PAGE_CEILINGS["case_page"]) as ctx:
        _get(client, url)
    assert len(ctx.captured_queries) == small


# --- the queue offers only what policy allows ----------------------------------------------------


def _policy_queue(user):
    """What policy would let ``user`` claim, task by task (the slow, authoritative answer)."""
    candidates = Task.objects.user_queue(user, flow_class=CaseFlow).filter(status=STATUS.NEW)
    return {t.pk for t in candidates if work.task_eligible(user, t)}


def _sql_queue(user):
    return set(eligible_queue(CaseFlow, user).values_list("pk", flat=True))


def test_queue_matches_policy_for_every_role(world, walk):
    from tests.walk import Walker

    officer_emp = EmployeeFactory(department=world.dept, user=world.officer, name="Officer Ho")
    other_head = UserFactory(username="otherhead", roles=["Department head"])
    world.other_dept.head = EmployeeFactory(department=world.other_dept, user=other_head)
    world.other_dept.save()
    owner2 = UserFactory(username="owner2", roles=["Remediation owner"])

    # verify tasks: a plain one, one the officer reported, one about the officer
    plain = walk.report()
    Walker(dataclasses.replace(world, reporter=world.officer)).report()
    walk.report(subjects=[officer_emp])
    # approve tasks: a department-level one, and one reported by the department head
    walk.to_approval(walk.report())
    walk.to_approval(Walker(dataclasses.replace(world, reporter=world.depthead)).report())
    # a released corrective action: only its owner may take it back
    case = walk.to_approval(walk.report())
    walk.decide(case)
    walk.plan(case)
    work.task_unassign(task=open_task(case, "complete_action"), actor=world.owner)
    # an appeal awaiting its decision: never by the senior manager who approved the sanction
    senior2 = UserFactory(username="senior2", roles=["Senior management"])
    appealed = walk.to_approval(walk.report())
    walk.decide(appealed, approver=world.senior)
    walk.execute(appealed, close_appeal_window=False)
    work.appeal_file(case=appealed, actor=world.hr, employee=world.subject, grounds="Too harsh")
    walk.fire_timers(appealed)

    users = [
        world.officer,
        world.manager,
        world.investigator,
        world.depthead,
        other_head,
        world.senior,
        senior2,
        world.hr,
        world.owner,
        owner2,
        world.reviewer,
        world.reporter,
    ]
    offered = {u.username: _sql_queue(u) for u in users}
    for user in users:
        assert offered[user.username] == _policy_queue(user), user.username
    # the plain verify task, and the remediation plan of the appealed case
    assert offered["officer"] == {
        open_task(plain, "verify").pk,
        open_task(appealed, "plan_remediation").pk,
    }
    assert len(offered["depthead"]) == 1  # the approval of the case they did not report
    assert offered["otherhead"] == set()
    assert len(offered["owner"]) == 1
    assert offered["owner2"] == set()
    appeal_task = open_task(appealed, "decide_appeal")
    assert appeal_task.pk in offered["senior2"]
    assert appeal_task.pk not in offered["senior"]


def test_supervision_dashboard_does_not_grow_with_cases(
    walk, world, client, django_assert_max_num_queries
):
    client.force_login(world.manager)
    url = reverse("supervision:dashboard")
    for case in more_cases(walk, 1):
        walk.verify(case)  # the same kinds of rows as below: stage clocks stopped and running
    small = _page_queries(client, url)
    for case in more_cases(walk, 9):
        walk.verify(case)
    with django_assert_max_num_queries(PAGE_CEILINGS["supervision"]) as ctx:
        response = _get(client, url)
    assert len(ctx.captured_queries) == small
    assert 'data-figure="total">10<' in response.content.decode()


# --- the auditor's desk (issue 20) ---------------------------------------------------------------

# The session and the user, the auditor's second factor, the unread notifications, the
# page's count and rows, and the people the rows name (one query).
DESK_CEILINGS = {"config": 9, "people": 9, "security": 9, "export": 7}


def test_auditor_desk_does_not_grow_with_rows(world, client, django_assert_max_num_queries):
    from django.contrib.auth.models import Group

    from violations.services.reference import reference_save

    client.force_login(world.auditor)
    admin = UserFactory(username="root", is_superuser=True)
    manager_role = Group.objects.get(name="Case manager")

    def grow(n):
        for i in range(n):
            clerk = UserFactory(username=f"clerk{i}-{n}")
            EmployeeFactory(user=clerk)
            clerk.groups.add(manager_role)
            world.dept.name_en = f"Retail {i}-{n}"
            reference_save(obj=world.dept, actor=admin, changed_fields=["name_en"])
            Client().post("/accounts/login/", {"username": clerk.username, "password": "no"})

    from django.test import Client

    urls = {page: f"/audit/{page}/" for page in DESK_CEILINGS}
    grow(1)
    small = {page: _page_queries(client, url) for page, url in urls.items()}
    grow(12)
    for page, url in urls.items():
        with django_assert_max_num_queries(DESK_CEILINGS[page]) as ctx:
            response = _get(client, url)
        assert len(ctx.captured_queries) == small[page], page
        if page != "export":
            assert _rows(response) >= 12, page


# --- the training register (issue 20) -------------------------------------------------------------

# The session, the user and their second factor, the unread notifications, the form's
# departments, the page's count and sessions, their attendance, cases and root causes, and
# which of the cases the reader may see; the department filter reads the tree once.
REGISTER_CEILING = 16


def test_training_register_does_not_grow_with_rows(
    walk, world, client, django_assert_max_num_queries
):
    from remediation import services as rem
    from tests.remediation.helpers import to_plan

    client.force_login(world.manager)
    case = to_plan(walk)
    walk.plan(case)

    def grow(n):
        for i in range(n):
            rem.training_record(
                actor=world.officer,
                topic=f"Topic {n}-{i}",
                trainer="Ms Ho",
                held_on=timezone.localdate(),
                attendees=[EmployeeFactory(department=world.dept) for _ in range(3)],
                cases=[case],
                root_causes=list(case.root_causes.all()),
            )

    url = "/remediation/training/"
    filtered = f"{url}?department={world.dept.pk}&topic=Topic"
    grow(1)
    small = {u: _page_queries(client, u) for u in (url, filtered)}
    grow(12)
    for u in (url, filtered):
        with django_assert_max_num_queries(REGISTER_CEILING) as ctx:
            response = _get(client, u)
        assert len(ctx.captured_queries) == small[u], u
        assert response.content.decode().count("Ms Ho") == 13


# --- the reporting portal (/speak-up/) -----------------------------------------------------------

PORTAL_CEILINGS = {
    # The mailbox: the session, the case, the receipt-less status, the messages with their
    # authors and files, the open questions; it never grows with the messages.
    "mailbox": 12,
    # The case page with its mailbox panel: the messages (with authors and files), whether
    # the case has a receipt code, and whether the reader may write (their standing); a
    # customer complaint also reads its open question to the customer (the clock's pause).
    "case_page_with_messages": 47,
}


def _portal_case(world):
    import datetime as dt

    from django.utils import timezone

    return work.portal_report(
        reporter_type="outsider",
        category=world.category,
        description="Backdated forms.",
        occurred_at=timezone.now() - dt.timedelta(days=2),
    )


def _exchange(case, world, n):
    for _ in range(n):
        question = services.reporter_message_send(
            case=case, actor=world.officer, kind="question", text="When?"
        )
        services.reporter_message_receive(
            case=case,
            text="Monday.",
            in_reply_to=question,
            attachments=[_upload()],
        )


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("note.txt", b"seen it", content_type="text/plain")


def test_the_mailbox_does_not_grow_with_its_messages(world, client, django_assert_max_num_queries):
    case, code = _portal_case(world)
    client.post("/speak-up/mailbox/", {"code": code})
    url = "/speak-up/mailbox/case/"
    _exchange(case, world, 1)
    small = _page_queries(client, url)
    _exchange(case, world, 9)
    with django_assert_max_num_queries(PORTAL_CEILINGS["mailbox"]) as ctx:
        response = _get(client, url)
    assert len(ctx.captured_queries) == small
    assert response.content.decode().count('data-kind="answer"') == 10


def test_the_case_page_does_not_grow_with_the_mailbox(world, client, django_assert_max_num_queries):
    case, _code = _portal_case(world)
    client.force_login(world.officer)
    url = reverse("casework:case_detail", args=[case.reference])
    _exchange(case, world, 1)
    _get(client, url)  # the first visit stores the session's language
    small = _page_queries(client, url)
    _exchange(case, world, 9)
    with django_assert_max_num_queries(PORTAL_CEILINGS["case_page_with_messages"]) as ctx:
        _get(client, url)
    assert len(ctx.captured_queries) == small
