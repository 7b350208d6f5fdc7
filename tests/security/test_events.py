"""Account, right and login changes are events on the system chain, whoever makes them."""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client

from ledger.chain import SYSTEM_CHAIN
from ledger.models import AuditEvent
from violations import audit

User = get_user_model()


def system_events(action):
    return list(AuditEvent.objects.filter(chain__key=SYSTEM_CHAIN, action=action).order_by("seq"))


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@bank.example", "pw")


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def test_a_user_made_in_a_shell_is_recorded_without_an_actor(db):
    user = User.objects.create_user("newcomer", password="pw")
    [event] = system_events("user.created")
    assert event.actor is None
    assert event.actor_name == "system"
    assert event.payload == {
        "user_id": user.pk,
        "username": "newcomer",
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
    }


def test_a_user_made_in_the_admin_names_who_made_it(root):
    client = Client()
    client.force_login(root)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newcomer",
            "password1": "A-long-enough-passphrase-42",
            "password2": "A-long-enough-passphrase-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    event = system_events("user.created")[-1]
    assert event.payload["username"] == "newcomer"
    assert event.actor == root


def test_deactivation_and_reactivation_are_recorded(db):
    user = User.objects.create_user("leaver", password="pw")
    user.is_active = False
    user.save()
    user.is_active = True
    user.save(update_fields=["is_active"])
    user.last_login = None
    user.save(update_fields=["last_login"])  # not a change of rights: no event
    [off] = system_events("user.deactivated")
    [on] = system_events("user.reactivated")
    assert off.payload == on.payload == {"user_id": user.pk, "username": "leaver"}
    assert off.seq < on.seq
    assert system_events("user.flags_changed") == []


def test_becoming_a_superuser_is_recorded(db):
    user = User.objects.create_user("climber", password="pw")
    user.is_superuser = True
    user.is_staff = True
    user.save()
    [event] = system_events("user.flags_changed")
    assert event.payload["changed"] == {
        "is_staff": {"from": False, "to": True},
        "is_superuser": {"from": False, "to": True},
    }


def test_a_password_set_or_an_account_renamed_by_an_admin_is_recorded(root):
    user = User.objects.create_user("holder", password="first-secret")
    client = Client()
    client.force_login(root)
    response = client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {
            "password1": "A-new-long-passphrase-77",
            "password2": "A-new-long-passphrase-77",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    user.username = "holder2"
    user.save(update_fields=["username"])
    [password] = system_events("user.password_changed")
    assert password.actor == root
    assert password.payload == {"user_id": user.pk, "username": "holder"}
    [renamed] = system_events("user.renamed")
    assert renamed.payload == {"user_id": user.pk, "username": "holder2", "from": "holder"}


def test_group_membership_changes_from_either_side_are_recorded(db):
    user = User.objects.create_user("member", password="pw")
    approvers = Group.objects.create(name="Approvers")
    hr = Group.objects.create(name="HR")
    user.groups.add(approvers, hr)
    user.groups.remove(hr)
    user.groups.clear()
    approvers.user_set.add(user)
    events = system_events("user.groups_changed")
    assert [
        (e.payload["on"], e.payload.get("added"), e.payload.get("removed")) for e in events
    ] == [
        ({"user_id": user.pk, "username": "member"}, ["Approvers", "HR"], None),
        ({"user_id": user.pk, "username": "member"}, None, ["HR"]),
        ({"user_id": user.pk, "username": "member"}, None, ["Approvers"]),
        ({"group_id": approvers.pk, "group": "Approvers"}, ["member"], None),
    ]
    assert [e.payload["group"] for e in system_events("group.created")] == ["Approvers", "HR"]


def test_permission_grants_to_users_and_groups_are_recorded(db):
    user = User.objects.create_user("granted", password="pw")
    group = Group.objects.create(name="Auditors")
    perm = Permission.objects.get(codename="audit_cases")
    user.user_permissions.add(perm)
    group.permissions.add(perm)
    group.permissions.remove(perm)
    [to_user] = system_events("user.permissions_changed")
    assert to_user.payload["added"] == ["violations.audit_cases"]
    added, removed = system_events("group.permissions_changed")
    assert added.payload == {
        "on": {"group_id": group.pk, "group": "Auditors"},
        "kind": "auth.permission",
        "added": ["violations.audit_cases"],
    }
    assert removed.payload["removed"] == ["violations.audit_cases"]


def test_a_deleted_user_is_recorded(db):
    user = User.objects.create_user("gone", password="pw")
    pk = user.pk
    user.delete()
    [event] = system_events("user.deleted")
    assert event.payload == {"user_id": pk, "username": "gone"}


def test_a_successful_login_is_recorded_with_its_source(db, axes_on):
    user = User.objects.create_user("alice", password="pw")
    client = Client(REMOTE_ADDR="10.1.2.3")
    response = client.post("/accounts/login/", {"username": "alice", "password": "pw"})
    assert response.status_code == 302
    [event] = system_events("login.succeeded")
    assert event.actor == user
    assert event.payload == {"user_id": user.pk, "username": "alice", "ip_address": "10.1.2.3"}


def test_failed_logins_and_one_lockout_name_the_account_and_source(db, axes_on):
    User.objects.create_user("bob", password="right")
    client = Client(REMOTE_ADDR="10.9.8.7")
    for _ in range(6):  # three to the lockout, three more while it lasts
        client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
    failed = system_events("login.failed")
    assert [e.payload for e in failed] == [{"username": "bob", "ip_address": "10.9.8.7"}] * 2
    # The list of events shows who tried from where, without linking the account.
    assert [(e.actor_id, e.actor_name) for e in failed] == [(None, "bob @ 10.9.8.7")] * 2
    [lockout] = system_events("login.locked_out")
    assert lockout.actor_name == "bob @ 10.9.8.7"
    assert lockout.payload == {"username": "bob", "ip_address": "10.9.8.7", "failures": 3}
    # A login with the right password is refused while the lockout lasts, and recorded
    # nowhere as a success.
    client.post("/accounts/login/", {"username": "bob", "password": "right"})
    assert system_events("login.succeeded") == []
    assert len(system_events("login.locked_out")) == 1


def test_lifting_a_lockout_in_the_admin_is_recorded(root, axes_on):
    User.objects.create_user("carol", password="right")
    stranger = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(3):
        stranger.post("/accounts/login/", {"username": "carol", "password": "wrong"})
    attempt = AccessAttempt.objects.get(username="carol")
    admin = Client()
    admin.force_login(root)
    response = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    [event] = system_events("login.lockout_lifted")
    assert event.actor == root
    assert event.payload == {"username": "carol", "ip_address": "10.0.0.9"}


def test_the_login_records_cannot_be_edited_in_the_admin(root, axes_on):
    User.objects.create_user("dave", password="right")
    Client(REMOTE_ADDR="10.0.0.1").post("/accounts/login/", {"username": "dave", "password": "x"})
    Client(REMOTE_ADDR="10.0.0.1").post(
        "/accounts/login/", {"username": "dave", "password": "right"}
    )
    admin = Client()
    admin.force_login(root)
    log = AccessLog.objects.get(username="dave")
    response = admin.post(f"/admin/axes/accesslog/{log.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    response = admin.post(f"/admin/axes/accesslog/{log.pk}/change/", {"username": "eve"})
    assert response.status_code == 403
    assert AccessLog.objects.get(pk=log.pk).username == "dave"


def test_security_events_keep_the_system_chain_intact(root, axes_on):
    user = User.objects.create_user("erin", password="pw")
    user.groups.add(Group.objects.create(name="Investigators"))
    Client(REMOTE_ADDR="10.0.0.2").post("/accounts/login/", {"username": "erin", "password": "x"})
    report = audit.verify()
    assert report.intact, report.problems
