"""Every API operation for every role, on the access matrix's cases: what each role may see
it reads, what it may not answers exactly as a case that does not exist."""

import pytest
from viewflow.workflow.models import Task

from casework.engine import OPEN_STATUSES
from tests.api.client import Caller
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
]
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
