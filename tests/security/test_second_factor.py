"""The second factor: privileged people reach no case and no task without it."""

import base64
import re
import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.engine import open_task
from ledger.chain import SYSTEM_CHAIN
from ledger.models import AuditEvent
from security import mfa
from tests.security.totp import authenticator_for, code_now

User = get_user_model()
SETUP = "/accounts/second-factor/setup/"
VERIFY = "/accounts/second-factor/verify/"
MANAGE = "/accounts/second-factor/"
PRIVILEGED = ["manager", "depthead", "senior", "auditor"]
NOT_PRIVILEGED = ["reporter", "officer", "investigator", "hr", "owner", "reviewer"]


def events(action):
    return list(AuditEvent.objects.filter(chain__key=SYSTEM_CHAIN, action=action).order_by("seq"))


def password_login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password="pw")
    return client


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", "root@bank.example", "pw")


@pytest.fixture
def task_and_case(world, walk):
    case = walk.report()
    task = open_task(case, "verify")
    task_page = f"/work/case/{task.process_id}/{task.flow_task.name}/{task.pk}/"
    return task_page, f"/cases/{case.reference}/"


@pytest.mark.parametrize("role", [*PRIVILEGED, "admin"])
def test_a_privileged_person_without_an_authenticator_reaches_only_the_setup(
    password_only_logins, world, admin_user, task_and_case, role
):
    user = admin_user if role == "admin" else getattr(world, role)
    assert mfa.second_factor_required(user)
    client = password_login(user)
    task_page, case_page = task_and_case
    for path in (task_page, case_page, "/work/case/inbox/", "/work/case/queue/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(SETUP), path
    api = client.get("/api/cases/")
    assert api.status_code == 403
    assert "second factor" in api.json()["detail"]
    assert client.get(SETUP).status_code == 200
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 0


@pytest.mark.parametrize("role", NOT_PRIVILEGED)
def test_other_roles_need_no_second_factor(password_only_logins, world, role):
    user = getattr(world, role)
    assert not mfa.second_factor_required(user)
    assert password_login(user).get("/work/case/inbox/").status_code == 200


def test_enrolment_through_the_pages(password_only_logins, world, task_and_case):
    _task_page, case_page = task_and_case
    client = password_login(world.manager)
    page = client.get(f"{SETUP}?next={case_page}")
    html = page.content.decode()
    secret = re.search(r"<code data-secret[^>]*>([A-Z2-7]+)</code>", html).group(1)
    assert 'src="data:image/svg+xml' in html  # the QR code
    key = base64.b32decode(secret)

    wrong = client.post(SETUP, {"token": "000000" if totp(key) else "111111"})
    assert wrong.status_code == 200
    assert "That code is not the one your app shows" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=world.manager).confirmed
    assert events("second_factor.enrolled") == []

    with time_machine.travel(time.time() + 2, tick=False):  # past the throttle
        done = client.post(SETUP, {"token": f"{totp(key):06d}", "next": case_page})
    assert done.status_code == 200
    codes = re.findall(r"<li>([0-9a-z]+)</li>", done.content.decode())
    assert len(codes) == mfa.RECOVERY_CODES
    assert StaticToken.objects.filter(device__user=world.manager).count() == mfa.RECOVERY_CODES
    assert TOTPDevice.objects.get(user=world.manager).confirmed
    [enrolled] = events("second_factor.enrolled")
    assert enrolled.actor == world.manager
    assert enrolled.payload["username"] == "manager"
    # This session is verified: the case and the task open.
    assert client.get(case_page).status_code == 200
    assert client.get("/work/case/inbox/").status_code == 200
    # The codes were shown once: the setup page now sends a verified person to manage.
    assert client.get(SETUP)["Location"] == "/accounts/second-factor/"


def test_each_session_asks_for_the_code_and_failures_are_events(
    password_only_logins, world, task_and_case
):
    _, case_page = task_and_case
    device = authenticator_for(world.auditor)
    client = password_login(world.auditor)
    assert client.get(case_page)["Location"] == f"{VERIFY}?next={case_page.replace('/', '%2F')}"

    not_the_code = f"{(int(code_now(device)) + 500_000) % 1_000_000:06d}"
    wrong = client.post(VERIFY, {"token": not_the_code})
    assert "That code is not valid." in wrong.content.decode()
    # django-otp's throttle: the next try within a second is not even heard.
    throttled = client.post(VERIFY, {"token": code_now(device)})
    assert "Too many wrong codes" in throttled.content.decode()
    assert client.get(case_page).status_code == 302
    assert [e.payload["kind"] for e in events("second_factor.failed")] == ["code", "throttled"]

    with time_machine.travel(time.time() + 3, tick=False):
        ok = client.post(VERIFY, {"token": code_now(device), "next": case_page})
        assert ok.status_code == 302
        assert ok["Location"] == case_page
        assert client.get(case_page).status_code == 200
        # A new session (another browser) asks again, and the same code is not taken twice.
        again = password_login(world.auditor)
        assert again.get(case_page).status_code == 302
        replay = again.post(VERIFY, {"token": code_now(device)})
        assert "That code is not valid." in replay.content.decode()


def test_a_recovery_code_works_once(password_only_logins, world, task_and_case):
    _, case_page = task_and_case
    authenticator_for(world.senior)
    verified = Client()
    verified.force_login(world.senior)
    session = verified.session
    session["otp_device_id"] = mfa.confirmed_totp(world.senior).persistent_id
    session.save()
    shown = verified.post(MANAGE, {"action": "recovery"})
    codes = re.findall(r"<li>([0-9a-z]+)</li>", shown.content.decode())
    assert len(codes) == mfa.RECOVERY_CODES
    assert len(events("second_factor.recovery_codes_issued")) == 1

    first = password_login(world.senior)
    assert first.post(VERIFY, {"token": codes[0]}).status_code == 302
    assert first.get(case_page).status_code == 200
    [used] = events("second_factor.recovery_code_used")
    assert used.payload["remaining"] == mfa.RECOVERY_CODES - 1
    with time_machine.travel(time.time() + 3, tick=False):
        second = password_login(world.senior)
        assert (
            "That code is not valid." in second.post(VERIFY, {"token": codes[0]}).content.decode()
        )


def test_removing_the_authenticator_asks_for_the_password_and_is_an_event(world):
    client = Client()
    client.force_login(world.manager)  # verified (tests/conftest.py)
    device = mfa.confirmed_totp(world.manager)
    refused = client.post(MANAGE, {"action": "remove", "password": "wrong"})
    assert "That is not your password." in refused.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert events("second_factor.removed") == []

    removed = client.post(MANAGE, {"action": "remove", "password": "pw"})
    assert removed["Location"] == SETUP
    assert not TOTPDevice.objects.filter(user=world.manager).exists()
    [event] = events("second_factor.removed")
    assert event.actor == world.manager
    assert client.get("/work/case/inbox/")["Location"].startswith(SETUP)


def test_the_demo_secret_never_opens_a_session_with_debug_off(
    password_only_logins, settings, world
):
    settings.DEBUG = False
    device = TOTPDevice.objects.create(
        user=world.manager, name="demo", key=mfa.DEMO_TOTP_KEY_HEX, confirmed=True
    )
    client = password_login(world.manager)
    response = client.post(VERIFY, {"token": code_now(device)})
    assert "That code is not valid." in response.content.decode()
    assert client.get("/work/case/inbox/").status_code == 302
    assert [e.payload["kind"] for e in events("second_factor.failed")] == ["demo-secret"]


def test_the_api_password_alone_serves_only_unprivileged_accounts(world):
    manager = Client(HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"manager:pw").decode())
    response = manager.get("/api/cases/")
    assert response.status_code in (401, 403)
    assert "second factor" in response.json()["detail"]
    officer = Client(HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"officer:pw").decode())
    assert officer.get("/api/cases/").status_code == 200


def test_a_verified_session_uses_the_api(world):
    client = Client()
    client.force_login(world.manager)  # verified (tests/conftest.py)
    assert client.get("/api/cases/").status_code == 200


def test_the_demo_seed_gives_the_shared_authenticator_only_with_debug_on(settings, world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from demo.management.commands.seed_demo import Command

    settings.DEBUG = False
    Command(stdout=StringIO()).second_factors()
    assert not TOTPDevice.objects.exists()
    with pytest.raises(CommandError):
        call_command("demo_code")

    settings.DEBUG = True
    Command(stdout=StringIO()).second_factors()
    holders = set(TOTPDevice.objects.values_list("user__username", flat=True))
    assert holders == {"manager", "depthead", "senior", "auditor"}
    assert set(TOTPDevice.objects.values_list("key", flat=True)) == {mfa.DEMO_TOTP_KEY_HEX}
    out = StringIO()
    with time_machine.travel(time.time(), tick=False):  # both within one 30-second step
        call_command("demo_code", stdout=out)
        assert out.getvalue().strip() == code_now(TOTPDevice.objects.first())
