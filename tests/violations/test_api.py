"""The REST API: same services, same refusals, proper status codes."""

import datetime as dt

from django.utils import timezone
from rest_framework.test import APIClient

from casework.engine import open_task
from violations import audit
from violations.models import Case


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def report_payload(world, **over):
    data = {
        "source": "staff_report",
        "category": world.category.code,
        "title": "Mis-sold fund",
        "description": "Sold to a retiree",
        "occurred_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
        "department": world.dept.code,
        "subjects": [world.subject.staff_number],
    }
    data.update(over)
    return data


def test_report_through_the_api_starts_the_process(world):
    response = client_for(world.reporter).post("/api/cases/", report_payload(world), format="json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.stage == "verification"
    assert open_task(case, "verify") is not None


def test_bad_input_is_a_400_and_saves_nothing(world):
    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    response = client_for(world.reporter).post(
        "/api/cases/", report_payload(world, occurred_at=future), format="json"
    )
    assert response.status_code == 400
    assert "occurred_at" in response.json()
    response = client_for(world.reporter).post(
        "/api/cases/", report_payload(world, subjects=["NOPE"]), format="json"
    )
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_wrong_role_is_a_403_and_saves_nothing(world):
    response = client_for(world.outsider).post("/api/cases/", report_payload(world), format="json")
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_need_to_know_applies_to_the_api(walk, world):
    case = walk.report()
    assert client_for(world.hr).get(f"/api/cases/{case.reference}/").status_code == 404
    assert client_for(world.hr).get("/api/cases/").json()["count"] == 0
    manager = client_for(world.manager)
    assert manager.get("/api/cases/").json()["results"][0]["reference"] == case.reference
    detail = manager.get(f"/api/cases/{case.reference}/").json()
    assert [t["step"] for t in detail["open_tasks"]] == ["verify"]


def test_claim_and_verify_through_the_api_and_a_second_submit_is_a_409(walk, world):
    case = walk.report()
    task = open_task(case, "verify")
    api = client_for(world.officer)
    assert api.post(f"/api/tasks/{task.pk}/claim/").json()["owner"] == "officer"
    assert [t["case"] for t in api.get("/api/tasks/").json()["results"]] == [case.reference]
    assert (
        api.post(f"/api/tasks/{task.pk}/verify/", {"outcome": "dismiss"}, format="json").status_code
        == 400
    )
    ok = api.post(f"/api/tasks/{task.pk}/verify/", {"outcome": "proceed"}, format="json")
    assert ok.status_code == 200
    assert ok.json()["stage"] == "team"
    events = audit.events_of(case).count()
    again = api.post(f"/api/tasks/{task.pk}/verify/", {"outcome": "proceed"}, format="json")
    assert again.status_code == 409
    assert audit.events_of(case).count() == events


def test_openapi_schema_is_served(world):
    response = client_for(world.reporter).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/cases/" in response.content


def test_the_earlier_verify_operation_tells_no_hidden_case_from_a_missing_one(walk, world):
    reporter, world.reporter = world.reporter, world.officer
    own = walk.report()  # the officer's own report: never theirs to name as the earlier one
    world.reporter = reporter
    case = walk.report()
    task = open_task(case, "verify")
    api = client_for(world.officer)
    api.post(f"/api/tasks/{task.pk}/claim/")
    url = f"/api/tasks/{task.pk}/verify/"
    for reason in ("", "Same complaint as the earlier one."):
        answers = [
            api.post(
                url, {"outcome": "duplicate", "duplicate_of": ref, "reason": reason}, format="json"
            )
            for ref in (own.reference, "VC-2099-999999")
        ]
        assert [a.status_code for a in answers] == [400, 400]
        assert answers[0].json() == answers[1].json()
        assert "duplicate_of" in answers[0].json()
    case.refresh_from_db()
    assert case.stage == "verification"
