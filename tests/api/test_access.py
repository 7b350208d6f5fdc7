"""Every API operation for every role and every token scope, on the access matrix's cases:
what each role may see it reads, what it may not answers exactly as a case that does not
exist; a token calls the operations its scope lists and is refused every other one."""

from pathlib import Path

import pytest
import yaml
from django.core.cache import cache
from django.urls import resolve
from viewflow.workflow.models import Task

from casework.engine import OPEN_STATUSES, node
from ledger.chain import SYSTEM_CHAIN
from ledger.models import AuditEvent
from security import tokens
from security.api_auth import operation_of
from tests.api.client import Caller, service_caller
from tests.violations.test_access_matrix import EXPECTED, ROLES

MISSING = "NO-SUCH-CASE"
# Every operation on a case: (method, path under the case, body).
CASE_OPERATIONS = [
    ("get", "/", None),
    ("get", "/timeline/", None),
    ("post", "/acknowledge/", {"message": "x"}),
    ("post", "/evidence/", {"kind": "document", "description": "x"}),
    ("post", "/interviews/", {"interviewee": "x"}),
    ("post", "/record-reviews/", {"record": "x"}),
    ("post", "/team/", {"reason": "x"}),
    ("post", "/appeals/", {"grounds": "x"}),
    ("post", "/cancel/", {}),
    ("post", "/actions/1/cancel/", {}),
    ("get", "/findings/", None),
    ("get", "/proposals/", None),
    ("get", "/defence/", None),
    ("get", "/corrective-actions/", None),
    ("get", "/reviews/", None),
]
LISTINGS = [path for method, path, body in CASE_OPERATIONS if method == "get"]
TASK_OPERATIONS = [
    ("get", "/", None),
    ("post", "/claim/", None),
    ("post", "/release/", None),
    ("post", "/complete/", {"step": "verify"}),
]


def _call(caller, method, path, body):
    if method == "get":
        return caller.get(path)
    return caller.post(path, body)


def _hidden_task(matrix, role):
    for name, case in matrix.cases.items():
        if name not in EXPECTED[role]:
            task = (
                Task.objects.filter(
                    process_id=case.process_id, flow_task_type="HUMAN", status__in=OPEN_STATUSES
                )
                .exclude(owner=matrix.users[role])
                .first()
            )
            if task is not None:
                return task
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_case_operation_answers_a_hidden_case_as_a_missing_one(matrix, role):
    caller = Caller(matrix.users[role], password="pw")
    listing = caller.ok(caller.get("/cases/"))
    refs = {c.reference: n for n, c in matrix.cases.items()}
    assert {refs[r["reference"]] for r in listing["results"]} == EXPECTED[role]
    for name, case in matrix.cases.items():
        if name in EXPECTED[role]:
            assert caller.ok(caller.get(f"/cases/{case.reference}/"))["reference"] == case.reference
            assert caller.ok(caller.get(f"/cases/{case.reference}/timeline/"))
            for path in LISTINGS[1:]:
                assert isinstance(caller.ok(caller.get(f"/cases/{case.reference}{path}")), list)
            continue
        for method, path, body in CASE_OPERATIONS:
            hidden = _call(caller, method, f"/cases/{case.reference}{path}", body)
            missing = _call(caller, method, f"/cases/{MISSING}{path}", body)
            assert hidden.status_code == missing.status_code == 404, (name, path)
            assert hidden.content == missing.content, (name, path)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_task_operation_answers_a_hidden_task_as_a_missing_one(matrix, role):
    caller = Caller(matrix.users[role], password="pw")
    task = _hidden_task(matrix, role)
    if task is None:
        pytest.skip("this role sees every case")
    events = Task.objects.filter(pk=task.pk).values_list("status", "owner_id").get()
    for method, path, body in TASK_OPERATIONS:
        hidden = _call(caller, method, f"/tasks/{task.pk}{path}", body)
        missing = _call(caller, method, f"/tasks/999999999{path}", body)
        assert hidden.status_code == missing.status_code == 404, (path, hidden.content)
        assert hidden.content == missing.content, path
    assert Task.objects.filter(pk=task.pk).values_list("status", "owner_id").get() == events


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_task_lists_offer_only_what_the_role_may_see(matrix, role):
    user = matrix.users[role]
    caller = Caller(user, password="pw")
    visible = {c.process_id for n, c in matrix.cases.items() if n in EXPECTED[role]}
    offered = caller.ok(caller.get("/tasks/", candidate="me"))["results"]
    for task in offered:
        assert Task.objects.get(pk=task["id"]).process_id in visible, task
        assert task["owner"] is None
    held = caller.ok(caller.get("/tasks/", candidate="held"))["results"]
    assert {t["id"] for t in held} == set(
        Task.objects.filter(
            owner=user, status__in=OPEN_STATUSES, flow_task_type="HUMAN"
        ).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_malformed_ids_and_bodies_are_400_never_500(matrix):
    caller = Caller(matrix.users["manager"], password="pw")
    for bad in ("abc", "-1", str(2**64), "1.5"):
        assert caller.get(f"/tasks/{bad}/").status_code == 400, bad
        assert caller.post(f"/tasks/{bad}/claim/").status_code == 400, bad
    assert caller.get("/tasks/", candidate="nobody").status_code == 400
    assert caller.get("/cases/", q="a\x00b").status_code == 400
    assert caller.get("/cases/", q="a\x00b")["Content-Type"] == "application/json"
    case = matrix.cases["verify"]
    nested = {"message": [[["deep"]]]}
    response = caller.post(f"/cases/{case.reference}/acknowledge/", nested)
    assert response.status_code == 400
    response = caller.client.post(
        f"/api/v1/cases/{case.reference}/acknowledge/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_unauthenticated_is_401_and_says_how(matrix):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


@pytest.mark.django_db
def test_oversize_body_is_413(matrix, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    caller = Caller(matrix.users["manager"], password="pw")
    case = matrix.cases["verify"]
    response = caller.post(f"/cases/{case.reference}/acknowledge/", {"message": "x" * 5000})
    assert response.status_code == 413
    assert response.json()["detail"]


@pytest.mark.django_db
def test_credentials_of_another_scheme_are_refused_not_ignored(matrix):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(matrix.users["manager"])
    assert client.get("/api/v1/cases/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Bearer made-up")
    assert client.get("/api/v1/cases/").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_reports_and_sanctions_answer_each_role_with_its_own(matrix, role):
    user = matrix.users[role]
    caller = Caller(user, password="pw")
    mine = {r["reference"] for r in caller.ok(caller.get("/reports/"))["results"]}
    assert mine == {c.reference for c in matrix.cases.values() if c.reported_by_id == user.pk}
    sanctions = caller.get("/sanctions/")
    if user.has_perm("violations.execute_sanction"):
        cases = {s["case"] for s in caller.ok(sanctions)["results"]}
        assert cases <= {c.reference for c in matrix.cases.values()}
        assert matrix.cases["post_approval"].reference in cases
    else:
        assert sanctions.status_code == 403


# --- tokens -------------------------------------------------------------------------------

# Every operation of the published document and the name its view gives it; a token's scope
# (security.tokens.SCOPES) lists the names it may call.
OPERATIONS = {
    ("get", "/cases/"): "case.list",
    ("post", "/cases/"): "case.report",
    ("get", "/cases/{reference}/"): "case.read",
    ("post", "/cases/{reference}/acknowledge/"): "case.acknowledge",
    ("post", "/cases/{reference}/actions/{id}/cancel/"): "case.action_cancel",
    ("post", "/cases/{reference}/appeals/"): "case.appeal",
    ("get", "/cases/{reference}/bundle.zip"): "case.bundle",
    ("post", "/cases/{reference}/cancel/"): "case.cancel",
    ("get", "/cases/{reference}/casefile.pdf"): "case.casefile",
    ("get", "/cases/{reference}/corrective-actions/"): "case.actions",
    ("post", "/cases/{reference}/customer-information-requests/"): (
        "case.customer_information_request"
    ),
    ("post", "/cases/{reference}/customer-information-requests/{id}/answer/"): (
        "case.customer_information_answer"
    ),
    ("post", "/cases/{reference}/declaration/"): "case.declare",
    ("get", "/cases/{reference}/defence/"): "case.defence",
    ("post", "/cases/{reference}/evidence/"): "case.evidence",
    ("get", "/cases/{reference}/findings/"): "case.findings",
    ("post", "/cases/{reference}/interviews/"): "case.interview",
    ("get", "/cases/{reference}/proposals/"): "case.proposals",
    ("post", "/cases/{reference}/record-reviews/"): "case.record_review",
    ("get", "/cases/{reference}/reviews/"): "case.reviews",
    ("post", "/cases/{reference}/team/"): "case.team",
    ("get", "/cases/{reference}/timeline/"): "case.timeline",
    ("get", "/reports/"): "report.list",
    ("get", "/reports/{reference}/"): "report.read",
    ("get", "/sanctions/"): "sanction.list",
    ("get", "/tasks/"): "task.list",
    ("get", "/tasks/{id}/"): "task.read",
    ("post", "/tasks/{id}/claim/"): "task.claim",
    ("post", "/tasks/{id}/complete/"): "task.complete",
    ("post", "/tasks/{id}/release/"): "task.release",
}


def _documented():
    document = yaml.safe_load((Path(__file__).parents[2] / "docs" / "openapi.yaml").read_text())
    return {
        (method, path.removeprefix("/api/v1"))
        for path, operations in document["paths"].items()
        for method in operations
    }


def _concrete(path, case, task):
    return path.replace("{reference}", case.reference).replace("{id}", str(task.pk))


# Marked like its neighbours: unmarked, pytest-django would run it after the transactional
# tests, whose flush removes the roles the module's matrix is built with.
@pytest.mark.django_db
def test_every_documented_operation_is_named_by_its_view_as_the_table_says(matrix):
    assert _documented() == set(OPERATIONS)
    case = matrix.cases["post_approval"]
    task = Task.objects.filter(process_id=case.process_id).first()
    for (method, path), operation in OPERATIONS.items():
        match = resolve("/api/v1" + _concrete(path, case, task))
        view = getattr(match.func, "cls", None) or match.func.view_class
        instance = view()
        instance.action = getattr(match.func, "actions", {}).get(method)
        request = type("Request", (), {"method": method.upper()})()
        assert operation_of(instance, request) == operation, (method, path)


@pytest.mark.django_db
@pytest.mark.parametrize("scope", sorted(tokens.SCOPES))
def test_every_operation_for_every_token_scope(matrix, scope):
    """An operation outside the scope is a 403 that says so and changes nothing; one inside
    reaches the operation's own rules (whatever they answer, never the scope's refusal)."""
    cache.clear()
    caller = service_caller(scope)
    allowed = tokens.SCOPES[scope].operations
    case = matrix.cases["post_approval"]  # its execution task waits for HR
    task = Task.objects.get(
        process_id=case.process_id,
        flow_task=node("execute_sanctions"),
        status__in=OPEN_STATUSES,
    )
    before = _case_events()
    for (method, path), operation in OPERATIONS.items():
        concrete = _concrete(path, case, task)
        response = _call(caller, method, concrete, {} if method == "post" else None)
        refused = response.status_code == 403 and response.json().get("code") == "out_of_scope"
        if operation in allowed:
            assert not refused, (scope, method, path)
            assert response.status_code != 401, (scope, method, path)
        else:
            assert refused, (scope, method, path, response.status_code)
    # A claim within the scope may have taken the task; nothing else on any case changed.
    assert _case_events() == before


def _case_events():
    return (
        AuditEvent.objects.exclude(chain__key=SYSTEM_CHAIN)
        .exclude(action__in=["task.claimed", "task.released"])
        .count()
    )


@pytest.mark.django_db
def test_an_hr_token_may_not_touch_a_task_of_another_step(matrix):
    hr = service_caller("hr-system")
    case = matrix.cases["actions"]  # HR sees it; its corrective action is the owner's
    task = Task.objects.get(
        process_id=case.process_id,
        flow_task_type="HUMAN",
        status__in=OPEN_STATUSES,
        owner=matrix.users["owner"],
    )
    assert Caller(matrix.users["hr"], password="pw").get(f"/tasks/{task.pk}/").status_code == 200
    for method, path, body in TASK_OPERATIONS:
        response = _call(hr, method, f"/tasks/{task.pk}{path}", body)
        assert response.status_code == 403, (path, response.content)
        assert response.json()["code"] == "out_of_scope"
    assert Task.objects.get(pk=task.pk).owner == matrix.users["owner"]
