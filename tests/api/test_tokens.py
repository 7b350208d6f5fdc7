"""Service accounts and their tokens: Bearer authentication, the refusals (one answer for
every bad token), scopes, rate limits, the security events, rotation and revocation, the
admin that makes them."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from ledger.chain import SYSTEM_CHAIN
from ledger.models import AuditEvent
from security import tokens
from security.models import ApiToken
from tests.api.client import BASE, Caller, service_caller
from violations.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The "used once a minute" marks and the rate counters live in the cache: a test starts
    # with none (a rolled-back token's id may come back in the next test).
    cache.clear()
    yield
    cache.clear()


def _events(action):
    return AuditEvent.objects.filter(chain__key=SYSTEM_CHAIN, action=action).order_by("seq")


def _report_body(world, **extra):
    return {
        "source": "customer_complaint",
        "category": world.category.code,
        "title": "Complaint about a fund sale",
        "description": "The customer says the fund was unsuitable.",
        "occurred_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
        "department": world.dept.code,
        "subjects": [world.subject.staff_number],
        "customer_involved": True,
        "customer_name": "Mrs Wong",
        **extra,
    }


def test_the_complaint_system_reports_and_reads_the_outcome_of_its_reports(world):
    system = service_caller("complaint-system")
    receipt = system.ok(system.post("/cases/", _report_body(world)), 201)
    case = Case.objects.get(reference=receipt["reference"])
    assert case.reported_by == system.user  # "reported through the complaint system"
    mine = system.ok(system.get("/reports/"))
    assert [(r["reference"], r["outcome"]) for r in mine["results"]] == [(case.reference, None)]
    assert system.ok(system.get(f"/reports/{case.reference}/"))["stage"] == "verification"
    # Another's report is no report of its own: the same 404 as none at all.
    other = Caller(world.reporter).ok(
        Caller(world.reporter).post("/cases/", _report_body(world)), 201
    )
    assert system.get(f"/reports/{other['reference']}/").status_code == 404
    assert (
        system.get("/reports/NO-SUCH/").content
        == system.get(f"/reports/{other['reference']}/").content
    )


def test_an_operation_outside_the_scope_is_403_and_changes_nothing(world):
    system = service_caller("complaint-system")
    case = Case.objects.get(
        reference=system.ok(system.post("/cases/", _report_body(world)), 201)["reference"]
    )
    before = AuditEvent.objects.exclude(chain__key=SYSTEM_CHAIN).count()
    for method, path, body in (
        ("get", "/cases/", None),
        ("get", f"/cases/{case.reference}/", None),
        ("get", "/tasks/", None),
        ("get", "/sanctions/", None),
        ("post", f"/cases/{case.reference}/acknowledge/", {"message": "Received."}),
        ("get", f"/cases/{case.reference}/casefile.pdf", None),
    ):
        response = system.get(path) if method == "get" else system.post(path, body)
        assert response.status_code == 403, (path, response.content)
        assert response.json()["code"] == "out_of_scope", path
        assert "complaint-system" in response.json()["detail"]
    assert AuditEvent.objects.exclude(chain__key=SYSTEM_CHAIN).count() == before
    assert Case.objects.get(pk=case.pk).acknowledged_at is None


def test_a_method_no_operation_has_is_405_for_a_token_as_for_anyone(world):
    system = service_caller("complaint-system")
    assert system.client.patch(f"{BASE}/reports/", {}).status_code == 405
    assert system.client.delete(f"{BASE}/sanctions/").status_code == 405
    assert system.client.put(f"{BASE}/cases/").status_code == 405
    assert system.get("/reports/NUL\x00/").status_code == 404


def test_unknown_revoked_and_expired_tokens_get_one_401(world):
    system = service_caller("complaint-system")
    assert system.ok(system.get("/reports/"))
    answers = {}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer acct_00000000_made-up")
    answers["unknown"] = client.get(f"{BASE}/reports/")
    client.credentials(HTTP_AUTHORIZATION="Bearer")
    answers["empty"] = client.get(f"{BASE}/reports/")

    expired_account = service_caller("hr-system", username="hr-expired")
    ApiToken.objects.filter(pk=expired_account.token.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    answers["expired"] = expired_account.get("/tasks/")

    tokens.api_token_revoke(token=system.token, actor=system.admin, reason="Leaked")
    answers["revoked"] = system.get("/reports/")

    bodies = {why: (r.status_code, r.content) for why, r in answers.items()}
    assert set(bodies.values()) == {(401, answers["unknown"].content)}, bodies
    refused = {e.payload["why"] for e in _events("api_token.refused")}
    assert refused == {"unknown", "expired", "revoked"}
    revoked = _events("api_token.revoked").get()
    assert (revoked.payload["token"], revoked.reason) == ("complaint-system token", "Leaked")


def test_each_token_use_is_an_event_naming_it_at_most_once_a_minute(world):
    system = service_caller("complaint-system")
    assert _events("api_token.used").count() == 0
    for _ in range(3):
        system.ok(system.get("/reports/"))
    used = _events("api_token.used").get()
    assert used.payload["token"] == "complaint-system token"
    assert used.payload["prefix"] == system.token.prefix
    assert used.actor_id == system.user.pk
    assert system.plaintext not in str(used.payload)
    token = ApiToken.objects.get(pk=system.token.pk)
    assert token.last_used_at is not None
    cache.delete(f"api-token:used:{token.pk}")  # the minute is over
    system.ok(system.get("/reports/"))
    assert _events("api_token.used").count() == 2


def test_a_token_past_its_rate_is_429(world):
    system = service_caller("complaint-system")
    ApiToken.objects.filter(pk=system.token.pk).update(rate="2/minute")
    assert [system.get("/reports/").status_code for _ in range(3)] == [200, 200, 429]
    other = service_caller("complaint-system", username="desk-2")
    assert other.get("/reports/").status_code == 200  # per token, not for everyone


def test_hr_reads_approved_sanctions_and_records_the_execution_with_its_token(walk, world):
    case = walk.to_approval(walk.report())
    walk.decide(case)
    hr = service_caller("hr-system")
    (line,) = hr.ok(hr.get("/sanctions/", status="approved"))["results"]
    assert (line["case"], line["employee"]["staff_number"], line["status"]) == (
        case.reference,
        world.subject.staff_number,
        "approved",
    )
    task = hr.ok(hr.post(f"/tasks/{line['task']}/claim/"))
    task = hr.ok(hr.get(f"/tasks/{task['id']}/"))
    (date,) = [f for f in task["form"]["properties"] if f.endswith("_date")]
    done = hr.complete(task, {date: timezone.localdate().isoformat()})
    assert done["step"] == "execute_sanctions"
    (line,) = hr.ok(hr.get("/sanctions/", status="executed"))["results"]
    assert (line["status"], line["task"]) == ("executed", None)
    assert hr.ok(hr.get("/sanctions/", status="approved"))["results"] == []
    # Nothing else: not the case, not its records, not a report.
    for path in (f"/cases/{case.reference}/", f"/cases/{case.reference}/proposals/", "/cases/"):
        assert hr.get(path).json()["code"] == "out_of_scope", path
    assert hr.post("/cases/", _report_body(world)).status_code == 403


def test_a_person_without_the_hr_role_may_not_list_sanctions(world):
    officer = Caller(world.officer)
    response = officer.get("/sanctions/")
    assert response.status_code == 403
    assert Caller(world.hr).get("/sanctions/").status_code == 200


def test_rotation_keeps_the_old_token_for_the_overlap_then_refuses_it(world, settings):
    settings.API_TOKEN_ROTATION_OVERLAP_MINUTES = 10
    system = service_caller("complaint-system")
    new, plaintext = tokens.api_token_rotate(token=system.token, actor=system.admin)
    assert (new.name, new.scopes, new.account) == (
        system.token.name,
        system.token.scopes,
        system.token.account,
    )
    assert system.get("/reports/").status_code == 200  # within the overlap
    assert Caller(system.user, token=plaintext).get("/reports/").status_code == 200
    later = timezone.now() + dt.timedelta(minutes=11)
    import time_machine

    with time_machine.travel(later, tick=False):
        assert system.get("/reports/").status_code == 401
        assert Caller(system.user, token=plaintext).get("/reports/").status_code == 200
    assert _events("api_token.rotated").get().payload["replaced_by"] == new.prefix
    with pytest.raises(ValidationError):  # a replaced token is not rotated twice
        tokens.api_token_rotate(token=ApiToken.objects.get(pk=system.token.pk), actor=system.admin)


def test_only_an_administrator_makes_tokens(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        tokens.service_account_create(username="sneaky", actor=world.manager)
    assert not get_user_model().objects.filter(username="sneaky").exists()


def test_a_service_account_never_signs_in_with_a_password(world, client):
    system = service_caller("complaint-system")
    assert not system.user.has_usable_password()
    basic = Caller(system.user, password="")
    assert basic.get("/reports/").status_code == 401
    page = client.post("/accounts/login/", {"username": system.user.username, "password": ""})
    assert "_auth_user_id" not in client.session
    assert page.status_code == 200


def test_the_admin_shows_the_token_once_and_keeps_only_its_hash(world, client):
    admin = get_user_model().objects.create_superuser("root", "", "pw")
    client.force_login(admin)
    response = client.post(
        "/admin/security/serviceaccount/add/",
        {"username": "complaints", "description": "The complaint desk's system"},
    )
    assert response.status_code == 302, response.content[:3000]
    account = get_user_model().objects.get(username="complaints").service_account
    response = client.post(
        "/admin/security/apitoken/add/",
        {"account": account.pk, "name": "Desk", "scopes": ["complaint-system"], "rate": ""},
        follow=True,
    )
    (message,) = [str(m) for m in response.context["messages"] if "not be shown again" in str(m)]
    plaintext = next(w for w in message.split() if w.startswith(tokens.TOKEN_PREFIX))
    token = ApiToken.objects.get(account=account)
    assert token.digest == tokens.digest(plaintext)
    assert plaintext not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert account.user.groups.filter(name="Complaint system").exists()
    caller = Caller(account.user, token=plaintext)
    assert caller.get("/reports/").status_code == 200

    response = client.post(
        "/admin/security/apitoken/",
        {"action": "rotate", "_selected_action": [token.pk]},
        follow=True,
    )
    (message,) = [str(m) for m in response.context["messages"] if "not be shown again" in str(m)]
    rotated = next(w for w in message.split() if w.startswith(tokens.TOKEN_PREFIX))
    assert rotated != plaintext
    new = ApiToken.objects.get(digest=tokens.digest(rotated))
    client.post(
        "/admin/security/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk, new.pk]},
        follow=True,
    )
    assert caller.get("/reports/").status_code == 401
    assert Caller(account.user, token=rotated).get("/reports/").status_code == 401
