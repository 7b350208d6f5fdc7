"""Need-to-know, role by role and stage by stage: who sees which case, and where.

One set of cases, one at each step of the process, is built once for the module (inside a
transaction rolled back at the end); every test then asks, for every role and every case,
the list, the case page, the evidence download and viewflow's own process pages, and checks
both what is shown and what is refused.
"""

import dataclasses

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from viewflow.workflow.models import Task

from casework import services as work
from casework.eligibility import eligible_queue
from casework.engine import open_task
from casework.flows import CaseFlow
from ledger.models import AuditEvent
from sanctions import policy as sanction_policy
from tests.conftest import make_world
from tests.violations.factories import DepartmentFactory, EmployeeFactory, UserFactory
from tests.walk import Walker
from violations import policy, selectors, services
from violations.exceptions import ServiceError
from violations.models import Case, Stage

PDF = b"%PDF-1.4\n% test\n"

# Cases by the step they wait at. Built in this order by ``cases`` below.
STAGES = {
    "verify": Stage.VERIFICATION,  # verify task in the queue
    "verify_claimed": Stage.VERIFICATION,  # verify task claimed by officer2
    "team": Stage.TEAM,
    "team_pending": Stage.INVESTIGATION,  # lead not declared yet, member declared a conflict
    "lead_conflict": Stage.INVESTIGATION,  # the lead declared a conflict: replace_lead waits
    "investigation": Stage.INVESTIGATION,
    "facts": Stage.FACT_FINDING,
    "proposal": Stage.SANCTION_PROPOSAL,
    "approval": Stage.APPROVAL,
    "post_approval": Stage.POST_APPROVAL,  # execution and remediation plan in the queue
    "actions": Stage.POST_APPROVAL,  # corrective action assigned to its owner
    "review": Stage.EFFECTIVENESS_REVIEW,
    "closed": Stage.CLOSED,  # dismissed at verification
}
ALL = set(STAGES)
TEAM_STAGES = {
    "investigation",
    "facts",
    "proposal",
    "approval",
    "post_approval",
    "actions",
    "review",
}

# Who sees what. Everything not listed is refused (404 on our pages, 403 on viewflow's).
EXPECTED = {
    "manager": ALL,  # view_all_cases
    "senior": ALL,  # view_all_cases
    "auditor": ALL,  # audit_cases, read-only
    # Could claim the task waiting in the queue; not once someone else holds it.
    "officer": {"verify", "proposal", "post_approval"},
    "officer2": {"verify", "verify_claimed", "proposal", "post_approval"},
    # The team, after declaring: not before (though the flow assigned the lead a task), not
    # after a declared conflict (the lead of "lead_conflict" still holds its task).
    "investigator": TEAM_STAGES,
    "investigator2": TEAM_STAGES | {"lead_conflict"},
    "investigator3": set(),  # not on any team
    # The department-level approval waits for the head of the subject's department and of
    # the division above it, not for the head of another branch (the approval's own rule).
    "depthead": {"approval"},
    "division_head": {"approval"},
    "depthead_other": set(),
    "hr": {"post_approval", "actions", "review"},  # execution waits in the queue
    "owner": {"actions"},  # holds the corrective-action task
    "reviewer": {"review"},
    "reporter": set(),  # status and outcome only, through "my reports"
    "outsider": set(),
    "subject_user": set(),  # a subject with view_all_cases sees nothing about themself
}


@dataclasses.dataclass
class Matrix:
    users: dict
    cases: dict
    evidence: dict
    world: object


def _report(walk, w):
    return work.case_report(
        actor=w.reporter,
        source="staff_report",
        category=w.category,
        title="Unsuitable product",
        description="Sold a high-risk fund to a retiree.",
        occurred_at=walk_time(),
        department=w.dept,
        subjects=[w.subject],
        attachments=[SimpleUploadedFile("letter.pdf", PDF, "application/pdf")],
    )


def walk_time():
    import datetime as dt

    from django.utils import timezone

    return timezone.now() - dt.timedelta(days=2)


def _head(username, department):
    user = UserFactory(username=username, roles=["Department head"])
    department.head = EmployeeFactory(department=department, user=user, position="Head")
    department.save(update_fields=["head"])
    return user


def build(media) -> Matrix:
    w = make_world()
    officer2 = UserFactory(username="officer2", roles=["Compliance officer"])
    investigator3 = UserFactory(username="investigator3", roles=["Investigator"])
    subject_user = UserFactory(username="subject_user", roles=["Case manager"])
    w.subject.user = subject_user
    w.subject.save()
    # The subject's branch sits in a division; another branch has its own head.
    division = DepartmentFactory(code="DIV", name="Personal Banking")
    w.dept.parent = division
    w.dept.save(update_fields=["parent"])
    division_head = _head("division_head", division)
    depthead_other = _head("depthead_other", w.other_dept)
    walk = Walker(w)
    cases = {}
    for name in STAGES:
        cases[name] = _report(walk, w)
    work.task_claim(task=walk.task(cases["verify_claimed"], "verify"), actor=officer2)
    walk.verify(cases["closed"], outcome="dismiss", reason="Nothing in it")
    for name in [
        "team",
        "team_pending",
        "lead_conflict",
        "investigation",
        "facts",
        "proposal",
        "approval",
        "post_approval",
        "actions",
        "review",
    ]:
        walk.verify(cases[name])
    walk.form_team(cases["team_pending"], declare=False)
    services.team_declare(
        case=cases["team_pending"], actor=w.investigator2, has_conflict=True, statement="My cousin"
    )
    walk.form_team(cases["lead_conflict"], declare=False)
    work.team_declare(
        case=cases["lead_conflict"], actor=w.investigator, has_conflict=True, statement="My aunt"
    )
    work.team_declare(case=cases["lead_conflict"], actor=w.investigator2, has_conflict=False)
    for name in [
        "investigation",
        "facts",
        "proposal",
        "approval",
        "post_approval",
        "actions",
        "review",
    ]:
        walk.form_team(cases[name])
    for name in ["facts", "proposal", "approval", "post_approval", "actions", "review"]:
        walk.investigate(cases[name])
    for name in ["proposal", "approval", "post_approval", "actions", "review"]:
        walk.find_facts(cases[name])
    for name in ["approval", "post_approval", "actions", "review"]:
        walk.propose(cases[name])
    for name in ["post_approval", "actions", "review"]:
        walk.decide(cases[name])
    for name in ["actions", "review"]:
        walk.plan(cases[name])
    walk.complete_actions(cases["review"])
    walk.fire_timers(cases["review"])
    cases = {name: Case.objects.get(pk=c.pk) for name, c in cases.items()}
    for name, case in cases.items():
        assert case.stage == STAGES[name], (name, case.stage)
    users = {name: getattr(w, name, None) for name in EXPECTED}
    users.update(
        officer2=officer2,
        investigator3=investigator3,
        subject_user=subject_user,
        division_head=division_head,
        depthead_other=depthead_other,
    )
    evidence = {name: c.evidence.order_by("pk").first() for name, c in cases.items()}
    return Matrix(users=users, cases=cases, evidence=evidence, world=w)


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        result = build(media)
        result.media = media
        yield result
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media(settings, matrix):
    # The files were stored once for the module; every test reads them from there.
    settings.MEDIA_ROOT = matrix.media


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


ROLES = sorted(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_lists_and_pages_follow_need_to_know(matrix, role):
    user = matrix.users[role]
    expected = EXPECTED[role]
    refs = {c.reference: name for name, c in matrix.cases.items()}

    listed = {refs[r] for r in selectors.case_list(user).values_list("reference", flat=True)}
    assert listed == expected
    # The list's count (a difference of two counts for a see-all user) is the list's length,
    # with and without a filter.
    assert selectors.case_list_count(user) == len(expected)
    for stage in {c.stage for c in matrix.cases.values()}:
        assert (
            selectors.case_list_count(user, stage=stage)
            == selectors.case_list(user, stage=stage).count()
        ), stage
    assert selectors.case_list_count(user, q="Unsuitable") == len(expected)
    listing = client_for(user).get("/api/cases/").json()
    assert listing["count"] == len(expected)
    assert {refs[r["reference"]] for r in listing["results"]} == expected
    page = client_for(user).get("/cases/")
    assert page.status_code == 200
    shown = {name for ref, name in refs.items() if ref in page.content.decode()}
    assert shown == expected

    client = client_for(user)
    for name, case in matrix.cases.items():
        allowed = name in expected
        assert policy.can_view_case(user, case) is allowed, name
        detail = client.get(case.get_absolute_url())
        assert detail.status_code == (200 if allowed else 404), (name, detail.status_code)
        item = matrix.evidence[name]
        download = client.get(f"/cases/{case.reference}/evidence/{item.pk}/")
        assert download.status_code == (200 if allowed else 404), (name, download.status_code)
        if allowed:
            assert b"".join(download.streaming_content) == PDF
        # Viewflow's process, task and chart pages all ask the flow this question.
        assert CaseFlow.instance.has_view_permission(user, case.process) is allowed, name


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_viewflow_lists_follow_need_to_know(matrix, role):
    user = matrix.users[role]
    expected = EXPECTED[role]
    client = client_for(user)
    processes = client.get(CaseFlow.instance.reverse("process_list"))
    assert processes.status_code == 200
    body = processes.content.decode()
    for name, case in matrix.cases.items():
        link = 'href="{}"'.format(
            CaseFlow.instance.reverse("process_detail", args=[case.process_id])
        )
        assert (link in body) is (name in expected), name

    dashboard = client.get(CaseFlow.instance.reverse("index"))
    assert dashboard.status_code == 200
    on_board = {t.process_id for column in dashboard.context["columns"] for t in column["tasks"]}
    on_board |= {t.process_id for t in dashboard.context["finished"]}
    visible_processes = {c.process_id for n, c in matrix.cases.items() if n in expected}
    assert on_board <= visible_processes
    if expected:
        assert on_board  # narrowed, not emptied

    tasks = client.get(CaseFlow.instance.reverse("task_list"))
    assert tasks.status_code == 200
    listed = {t.process_id for t in tasks.context["object_list"]}
    assert listed <= visible_processes


def _sample(matrix, role):
    """One case the role may see and one it may not (when there are such)."""
    seen = [n for n in STAGES if n in EXPECTED[role]]
    unseen = [n for n in STAGES if n not in EXPECTED[role]]
    return [(matrix.cases[n], True) for n in seen[-1:]] + [
        (matrix.cases[n], False) for n in unseen[:1]
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_viewflow_process_task_and_chart_pages_follow_need_to_know(matrix, role):
    """Through HTTP for one visible and one hidden case per role (the rule itself is checked
    for every case above): process page, a task page, the process chart."""
    client = client_for(matrix.users[role])
    for case, allowed in _sample(matrix, role):
        status = 200 if allowed else 403
        process = client.get(CaseFlow.instance.reverse("process_detail", args=[case.process_id]))
        assert process.status_code == status, (case.stage, process.status_code)
        chart = client.get(CaseFlow.instance.reverse("process_chart", args=[case.process_id]))
        assert chart.status_code == status, (case.stage, chart.status_code)
        task = (
            Task.objects.filter(process_id=case.process_id, flow_task_type="HUMAN")
            .order_by("pk")
            .first()
        )
        page = client.get(task.flow_task.reverse("detail", args=[task.process_id, task.pk]))
        assert page.status_code == status, (case.stage, page.status_code)


@pytest.mark.django_db
def test_claim_page_is_refused_to_a_subject_whose_role_could_claim(matrix):
    """The queue's claim page names the case: a subject holding the step's role gets 403."""
    subject_user = matrix.users["subject_user"]  # a case manager: verify_case
    task = open_task(matrix.cases["verify"], "verify")
    assert subject_user.has_perm(task.owner_permission)
    url = task.flow_task.reverse("assign", args=[task.process_id, task.pk])
    assert client_for(subject_user).get(url).status_code == 403
    assert client_for(matrix.users["officer"]).get(url).status_code == 200
    task.refresh_from_db()
    assert task.owner_id is None


@pytest.mark.django_db
def test_undeclared_lead_is_sent_to_declare_before_the_investigation_page(matrix):
    lead = matrix.users["investigator"]
    task = open_task(matrix.cases["team_pending"], "investigate")
    assert task.owner_id == lead.pk  # the flow assigned it
    response = client_for(lead).get(
        task.flow_task.reverse("execute", args=[task.process_id, task.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == "/cases/declarations/"


@pytest.mark.django_db
def test_reporter_sees_status_and_outcome_of_own_reports_only(matrix):
    page = client_for(matrix.users["reporter"]).get("/cases/mine/")
    body = page.content.decode()
    for case in matrix.cases.values():
        assert case.reference in body
    assert "Sold a high-risk fund" not in body  # no description, no investigation
    assert client_for(matrix.users["outsider"]).get("/cases/mine/").context["reports"].count() == 0


@pytest.mark.django_db
def test_admin_lists_only_visible_cases_and_changes_nothing(matrix):
    for role, count in [("manager", len(ALL)), ("subject_user", 0), ("officer", 3)]:
        user = matrix.users[role]
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        client = client_for(user)
        page = client.get("/admin/violations/case/")
        assert page.status_code == 200
        assert page.context["cl"].result_count == count, role
        closed = matrix.cases["closed"]
        change = client.get(f"/admin/violations/case/{closed.pk}/change/")
        assert change.status_code == (200 if role == "manager" else 302), role
        if role == "manager":
            assert change.context["has_change_permission"] is False
            assert client.post(f"/admin/violations/case/{closed.pk}/delete/").status_code == 403
    assert Case.objects.filter(pk=matrix.cases["closed"].pk).exists()


@pytest.mark.django_db
def test_internal_auditor_can_perform_no_write(matrix):
    """Every write the process has, attempted by the auditor at the stage it belongs to."""
    auditor = matrix.users["auditor"]
    w = matrix.world
    as_auditor = Walker(
        dataclasses.replace(
            w,
            **{
                f.name: auditor
                for f in dataclasses.fields(w)
                if f.name
                in {
                    "reporter",
                    "officer",
                    "manager",
                    "investigator",
                    "investigator2",
                    "depthead",
                    "senior",
                    "hr",
                    "owner",
                    "reviewer",
                }
            },
        )
    )
    c = matrix.cases
    attempts = [
        ("report", lambda: as_auditor.report()),
        ("claim", lambda: work.task_claim(task=open_task(c["verify"], "verify"), actor=auditor)),
        ("verify", lambda: as_auditor.verify(c["verify"])),
        ("acknowledge", lambda: services.case_acknowledge(case=c["verify"], actor=auditor)),
        (
            "evidence",
            lambda: services.evidence_add(
                case=c["verify"],
                actor=auditor,
                kind="document",
                description="x",
                upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
            ),
        ),
        ("form team", lambda: as_auditor.form_team(c["team"])),
        (
            "declare",
            lambda: services.team_declare(
                case=c["investigation"], actor=auditor, has_conflict=False
            ),
        ),
        ("interview", lambda: as_auditor.investigate(c["investigation"])),
        (
            "record review",
            lambda: services.record_review_add(
                case=c["investigation"], actor=auditor, record="Ledger", findings="x"
            ),
        ),
        (
            "submit",
            lambda: work.investigation_submit(
                task=open_task(c["investigation"], "investigate"),
                actor=auditor,
                summary="x",
                conclusion="y",
            ),
        ),
        ("facts", lambda: as_auditor.find_facts(c["facts"])),
        ("propose", lambda: as_auditor.propose(c["proposal"])),
        ("approve", lambda: as_auditor.decide(c["approval"])),
        ("plan", lambda: as_auditor.plan(c["post_approval"])),
        ("complete action", lambda: as_auditor.complete_actions(c["actions"])),
        ("review", lambda: as_auditor.review(c["review"])),
        (
            "reassign",
            lambda: work.task_reassign(
                task=open_task(c["verify"], "verify"), actor=auditor, to_user=w.officer, reason="x"
            ),
        ),
        (
            "release",
            lambda: work.task_unassign(
                task=open_task(c["verify_claimed"], "verify"), actor=auditor
            ),
        ),
        (
            "unmask",
            lambda: services.reporter_unmask_request(
                case=c["verify"], actor=auditor, reason="curious"
            ),
        ),
    ]
    for label, attempt in attempts:
        events = AuditEvent.objects.count()
        tasks = list(Task.objects.order_by("pk").values_list("pk", "status", "owner_id"))
        stages = list(Case.objects.order_by("pk").values_list("stage", flat=True))
        with pytest.raises(ServiceError):
            attempt()
        assert AuditEvent.objects.count() == events, label
        assert list(Task.objects.order_by("pk").values_list("pk", "status", "owner_id")) == tasks, (
            label
        )
        assert list(Case.objects.order_by("pk").values_list("stage", flat=True)) == stages, label


# --- form choices, department heads, sanction pages, "Done by me", the conflicted lead ------


VERIFIERS = ["officer", "officer2", "manager", "subject_user"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", VERIFIERS)
def test_duplicate_of_offers_only_cases_the_verifier_may_see(matrix, role):
    """The verify form's "duplicate of" choices: what the role sees, less the case itself;
    a subject (here a case manager who sees every case) is offered none of his cases."""
    from violations.forms import VerifyForm

    user = matrix.users[role]
    case = matrix.cases["verify"]
    refs = {c.reference: name for name, c in matrix.cases.items()}
    offered = {
        refs[ref]
        for ref in VerifyForm(case=case, user=user)
        .fields["duplicate_of"]
        .queryset.values_list("reference", flat=True)
        if ref in refs
    }
    assert offered == EXPECTED[role] - {"verify"}


@pytest.mark.django_db
def test_verify_page_lists_and_accepts_only_visible_cases_as_the_original(matrix):
    officer2 = matrix.users["officer2"]
    task = open_task(matrix.cases["verify_claimed"], "verify")
    url = task.flow_task.reverse("execute", args=[task.process_id, task.pk])
    client = client_for(officer2)
    page = client.get(url)
    assert page.status_code == 200
    options = set(page.context["form"].fields["duplicate_of"].queryset)
    assert options == {matrix.cases[n] for n in EXPECTED["officer2"] - {"verify_claimed"}}
    body = page.content.decode()
    assert matrix.cases["investigation"].reference not in body
    # A hidden case and a made-up reference get the same answer, and nothing changes.
    answers = []
    for reference in (matrix.cases["investigation"].reference, "VC-1999-999999"):
        response = client.post(
            url, {"outcome": "duplicate", "reason": "Same complaint", "duplicate_of": reference}
        )
        assert response.status_code in (200, 422)
        answers.append(response.context["form"].errors["duplicate_of"])
    assert answers[0] == answers[1]
    task.refresh_from_db()
    assert task.status == "ASSIGNED"
    assert Case.objects.get(pk=matrix.cases["verify_claimed"].pk).stage == Stage.VERIFICATION


@pytest.mark.django_db
def test_the_service_refuses_a_hidden_case_as_the_original(matrix):
    officer2 = matrix.users["officer2"]
    case = matrix.cases["verify_claimed"]
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        work.verification_complete(
            task=open_task(case, "verify"),
            actor=officer2,
            outcome="duplicate",
            reason="Same complaint",
            duplicate_of=matrix.cases["investigation"],
        )
    assert refused.value.message_dict["duplicate_of"] == [
        "Name a case you may see and did not report."
    ]
    assert AuditEvent.objects.count() == events
    assert Case.objects.get(pk=case.pk).stage == Stage.VERIFICATION


@pytest.mark.django_db
def test_department_rule_is_the_approvals_for_queue_and_claim(matrix):
    """The heads of the subject's branch and of its division may claim the approval and find
    it in their inbox; the head of another branch neither sees nor may claim it."""
    case = matrix.cases["approval"]
    task = open_task(case, "approve")
    for role, allowed in [("depthead", True), ("division_head", True), ("depthead_other", False)]:
        user = matrix.users[role]
        assert sanction_policy.holds_level(user, case, "department") is allowed, role
        queued = set(eligible_queue(CaseFlow, user).values_list("pk", flat=True))
        assert (task.pk in queued) is allowed, role
        inbox = client_for(user).get("/work/case/inbox/").content.decode()
        assert (case.reference in inbox) is allowed, role
    with pytest.raises(ServiceError):
        work.task_claim(task=task, actor=matrix.users["depthead_other"])
    task.refresh_from_db()
    assert task.owner_id is None
    claimed = work.task_claim(task=task, actor=matrix.users["division_head"])
    assert claimed.owner_id == matrix.users["division_head"].pk


def _sanctions(matrix):
    from sanctions.models import ProposedSanction

    return list(
        ProposedSanction.objects.filter(proposal__case__in=matrix.cases.values()).order_by("pk")
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("subject_user", 404), ("manager", 200), ("hr", 200), ("officer", 404), ("outsider", 404)],
)
def test_sanction_pages_are_never_the_subjects_own(matrix, role, status):
    """The subject (a case manager, who may read records) opens neither his record nor any
    sanction of his; readers of records open them."""
    client = client_for(matrix.users[role])
    sanctions = _sanctions(matrix)
    assert sanctions
    for sanction in sanctions:
        assert client.get(f"/sanctions/sanction/{sanction.pk}/end/").status_code == status
    record = client.get(f"/sanctions/employees/{matrix.world.subject.staff_number}/")
    assert record.status_code == status


@pytest.mark.django_db
def test_a_record_leaves_out_the_cases_its_reader_is_kept_from(matrix):
    """An HR officer who declared a conflict on one case reads the person's record without
    that case; another reader sees every case of the record."""
    from django.contrib.auth.models import Group

    reader = matrix.users["investigator2"]  # declared a conflict on "team_pending"
    reader.groups.add(Group.objects.get(name="HR officer"))
    page = client_for(reader).get(f"/sanctions/employees/{matrix.world.subject.staff_number}/")
    assert page.status_code == 200
    record = page.context["record"]
    assert matrix.cases["team_pending"] not in record.cases
    assert matrix.cases["lead_conflict"] in record.cases
    assert record.withheld == 1
    assert matrix.cases["team_pending"].reference not in page.content.decode()
    assert "The entries of 1 case are left out" in page.content.decode()
    full = client_for(matrix.users["hr"]).get(
        f"/sanctions/employees/{matrix.world.subject.staff_number}/"
    )
    assert set(full.context["record"].cases) == set(matrix.cases.values())
    assert full.context["record"].withheld == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["officer", "manager", "depthead", "owner", "investigator"])
def test_done_by_me_shows_what_was_done_not_cases_out_of_sight(matrix, role):
    user = matrix.users[role]
    client = client_for(user)
    mine = list(
        Task.objects.filter(
            owner=user, finished__isnull=False, process__case__in=matrix.cases.values()
        ).select_related("process__case")
    )
    assert mine
    archive = client.get("/work/case/archive/?page_size=100")
    assert archive.status_code == 200
    view = archive.context["view"]
    for task in archive.context["page_obj"]:
        seen = policy.can_view_case(user, task.process.case)
        assert (view.case_title(task) == "Unsuitable product") is seen, task.process.case.stage
        assert (view.case_stage(task) != "—") is seen
    for task in mine:
        seen = policy.can_view_case(user, task.process.case)
        done = client.get(f"/tasks/{task.pk}/done/")
        assert done.status_code == 200
        body = done.content.decode()
        assert "Unsuitable product" not in body  # the title, whatever the sight
        assert "Sold a high-risk fund" not in body
        assert (task.process.case.get_absolute_url() in body) is seen


@pytest.mark.django_db
def test_a_lead_who_declared_a_conflict_can_do_nothing_on_the_case(matrix):
    lead = matrix.users["investigator"]
    case = matrix.cases["lead_conflict"]
    task = open_task(case, "investigate")
    assert task.owner_id == lead.pk  # the flow's assignment stands until the replacement
    assert open_task(case, "replace_lead").owner_id is None
    client = client_for(lead)
    pages = {
        name: task.flow_task.reverse(name, args=[task.process_id, task.pk])
        for name in ("execute", "unassign", "detail")
    }
    for name, url in pages.items():
        assert client.get(url).status_code == 403, name
    assert client.post(pages["unassign"]).status_code == 403
    assert client.post(pages["execute"], {"summary": "x", "conclusion": "y"}).status_code == 403
    refused = client.post(f"/tasks/{task.pk}/claim/")
    assert (refused.status_code, refused["Location"]) == (302, "/work/case/inbox/")
    assert client.get(case.get_absolute_url()).status_code == 404
    inbox = client.get("/work/case/inbox/").content.decode()
    assert case.reference not in inbox
    events = AuditEvent.objects.count()
    with pytest.raises(ServiceError):
        work.task_unassign(task=task, actor=lead)
    with pytest.raises(ServiceError):
        work.investigation_submit(task=task, actor=lead, summary="x", conclusion="y")
    task.refresh_from_db()
    assert (task.owner_id, task.status) == (lead.pk, "ASSIGNED")
    assert AuditEvent.objects.count() == events


# --- the auditor's desk (issue 20): internal audit's pages, nobody else's ------------------

DESK = ["/audit/config/", "/audit/people/", "/audit/security/", "/audit/export/"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_auditors_desk_is_internal_audits_alone(matrix, role):
    client = client_for(matrix.users[role])
    expected = 200 if role == "auditor" else 403
    for url in DESK:
        assert client.get(url).status_code == expected, url
