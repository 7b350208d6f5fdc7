"""The auditor's desk: the configuration, people and security trails on pages of their own,
and a signed export that verifies offline against the ledger checkpoint."""

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from ledger.chain import SYSTEM_CHAIN
from ledger.digest import canonical_json
from ledger.models import AuditEvent, Checkpoint
from notifications import webhooks
from security import tokens
from tools import verify_audit_export
from violations.models import Employee
from violations.services.reference import reference_save

User = get_user_model()
URLS = ["/audit/config/", "/audit/people/", "/audit/security/", "/audit/export/"]
TOOLS = Path(__file__).resolve().parents[2] / "tools"


@pytest.fixture
def signing_key(settings, tmp_path):
    from reports import signing

    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "SIGNING_KEY_PATH": str(tmp_path / "keys" / "signing.pem"),
    }
    key = signing.generate()
    public = tmp_path / "public.pem"
    public.write_bytes(signing.public_pem(key))
    return public


@pytest.fixture
def people(world):
    """The auditor, an administrator and the officer, each with a staff record."""
    admin = User.objects.create_superuser("root", "root@bank.example", "pw")
    for user, name, position in [
        (world.auditor, "Alan Auditor", "Internal auditor"),
        (admin, "Ada Admin", "System administrator"),
        (world.officer, "Olive Officer", "Compliance officer"),
    ]:
        Employee.objects.create(
            staff_number=f"T-{user.username}",
            name=name,
            position=position,
            department=world.dept,
            user=user,
        )
    return admin


@pytest.fixture
def auditor(world, people):
    client = Client()
    client.force_login(world.auditor)
    return client


def system(action):
    return AuditEvent.objects.filter(chain__key=SYSTEM_CHAIN, action=action).order_by("-seq")


def test_the_pages_list_a_reference_change_a_role_change_and_a_failed_login(world, people, auditor):
    world.dept.name_en = "Retail and Wealth Banking"
    reference_save(obj=world.dept, actor=people, changed_fields=["name_en"], reason="Merger")
    world.officer.groups.add(Group.objects.get(name="Case manager"))
    failed = Client().post("/accounts/login/", {"username": "officer", "password": "wrong"})
    assert failed.status_code == 200  # the form again

    config = auditor.get("/audit/config/")
    assert config.status_code == 200
    [entry] = [e for e in config.context["entries"] if e.action == "config.changed"]
    assert entry.actor == "Ada Admin · System administrator"
    assert entry.reason == "Merger"
    assert ("Fields", "name_en") in entry.details
    body = config.content.decode()
    assert "Reference data changed" in body
    assert "Retail and Wealth Banking" in body
    event = system("config.changed").first()
    local = timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S")
    assert local in body  # in the institution's time zone

    people_page = auditor.get("/audit/people/")
    # The newest first: the world's logins were given their roles before.
    change = people_page.context["entries"][0]
    assert change.action == "user.groups_changed"
    assert change.subject == "Olive Officer · Compliance officer"
    assert ("Added", "Case manager") in change.details
    assert "Roles changed" in people_page.content.decode()

    security = auditor.get("/audit/security/")
    [login] = [e for e in security.context["entries"] if e.action == "login.failed"]
    assert login.subject == "officer"
    assert "Failed sign-in" in security.content.decode()


def test_service_accounts_tokens_and_webhooks_are_on_the_security_page(world, people, auditor):
    account = tokens.service_account_create(username="hr-feed", actor=people)
    token, secret = tokens.api_token_create(
        account=account, name="HR nightly", scopes=["hr-system"], actor=people
    )
    _, signing = webhooks.webhook_subscriber_create(
        name="HR system",
        url="https://hr.bank.example/hook",
        scope="hr-system",
        events=[webhooks.SANCTION_EXECUTED],
        actor=people,
    )

    page = auditor.get("/audit/security/")
    entries = {e.action: e for e in page.context["entries"]}
    assert ("Token", f"HR nightly ({token.prefix})") in entries["api_token.created"].details
    assert ("Scopes", "hr-system") in entries["api_token.created"].details
    assert ("Service account", "hr-feed") in entries["service_account.created"].details
    registered = entries["webhook.subscribed"]
    assert registered.actor == "Ada Admin · System administrator"
    assert ("Subscriber", "HR system") in registered.details
    body = page.content.decode()
    assert "Webhook subscriber registered" in body
    assert "API token issued" in body
    assert secret not in body
    assert signing not in body


def test_filters_by_kind_and_period(world, people, auditor):
    Client().post("/accounts/login/", {"username": "officer", "password": "wrong"})
    Client().post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    auditor.get("/audit/config/")  # the auditor's own sign-in happened in force_login
    failures = auditor.get("/audit/security/?action=login.failed")
    assert [e.subject for e in failures.context["entries"]] == ["nobody", "officer"]
    today = timezone.localdate().isoformat()
    same_day = auditor.get(f"/audit/security/?action=login.failed&start={today}&end={today}")
    assert len(same_day.context["entries"]) == 2
    long_ago = auditor.get("/audit/security/?start=2001-01-01&end=2001-12-31")
    assert long_ago.context["entries"] == []
    assert "None." in long_ago.content.decode()
    # Nonsense filters are a form error, not a failure.
    bad = auditor.get("/audit/security/?action=case.closed&start=yesterday&page=x")
    assert bad.status_code == 200
    assert bad.context["form"].errors.keys() == {"action", "start"}
    backwards = auditor.get(f"/audit/security/?start={today}&end=2001-01-01")
    assert "end" in backwards.context["form"].errors


def test_pages_are_paginated(world, people, auditor):
    for n in range(55):
        User.objects.create_user(f"clerk{n}")
    first = auditor.get("/audit/people/?action=user.created")
    assert len(first.context["entries"]) == 50
    assert first.context["page_obj"].paginator.num_pages == 2
    second = auditor.get("/audit/people/?action=user.created&page=2")
    total = system("user.created").count()
    assert len(second.context["entries"]) == total - 50
    assert "action=user.created&amp;page=1" in second.content.decode()


@pytest.mark.parametrize(
    "role", ["officer", "manager", "senior", "hr", "investigator", "depthead", "outsider"]
)
def test_other_roles_are_refused(world, people, role):
    client = Client()
    client.force_login(getattr(world, role))
    for url in URLS:
        assert client.get(url).status_code == 403, url
    events, checkpoints = AuditEvent.objects.count(), Checkpoint.objects.count()
    refused = client.post(
        "/audit/export/",
        {"kind": "period", "period-start": "2020-01-01", "period-end": "2030-01-01"},
    )
    assert refused.status_code == 403
    assert (AuditEvent.objects.count(), Checkpoint.objects.count()) == (events, checkpoints)


def test_anonymous_visitors_are_sent_to_sign_in(db):
    for url in URLS:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# --- the export -------------------------------------------------------------------------------


def _export_period(client):
    today = timezone.localdate().isoformat()
    response = client.post(
        "/audit/export/", {"kind": "period", "period-start": today, "period-end": today}
    )
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.content


def _resign(document, settings):
    from reports import signing

    key = signing.load_private_key()
    document["signature"] = base64.b64encode(key.sign(canonical_json(document["signed"]))).decode()
    return document


def test_a_period_export_verifies_offline_against_the_checkpoint(
    world, people, auditor, signing_key, tmp_path
):
    world.officer.groups.add(Group.objects.get(name="Case manager"))
    Client().post("/accounts/login/", {"username": "officer", "password": "wrong"})
    data = _export_period(auditor)
    document = json.loads(data)
    [chain] = document["signed"]["chains"]
    assert chain["key"] == SYSTEM_CHAIN
    actions = [e["content"]["action"] for e in chain["events"] if not e.get("withheld")]
    assert "user.groups_changed" in actions
    assert "login.failed" in actions
    cp = Checkpoint.objects.get(number=document["signed"]["checkpoint"]["signed"]["number"])
    assert (
        chain["length"]
        == next(c for c in json.loads(cp.document)["chains"] if c[0] == SYSTEM_CHAIN)[1]
    )

    # The export is itself an event, naming the file it handed out.
    import hashlib

    exported = system("audit.exported").first()
    assert exported.actor == world.auditor
    assert exported.payload["sha256"] == hashlib.sha256(data).hexdigest()
    assert exported.payload["checkpoint"] == cp.number

    # Offline: a copy of the two tool files, the public key and the export, nothing else.
    offline = tmp_path / "offline"
    offline.mkdir()
    for name in ("verify_bundle.py", "verify_audit_export.py"):
        shutil.copy(TOOLS / name, offline / name)
    (offline / "export.json").write_bytes(data)
    shutil.copy(signing_key, offline / "public.pem")
    run = subprocess.run(
        [
            sys.executable,
            "-E",
            "-s",
            "verify_audit_export.py",
            "export.json",
            "--public-key",
            "public.pem",
        ],
        cwd=offline,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("OK: audit export (period ")
    assert f"ledger checkpoint: #{cp.number} " in run.stdout

    # The auditor's export is on the desk's security page.
    page = auditor.get("/audit/security/?action=audit.exported")
    [entry] = page.context["entries"]
    assert entry.actor == "Alan Auditor · Internal auditor"


def test_a_tampered_export_fails(world, people, auditor, signing_key, settings):
    world.officer.groups.add(Group.objects.get(name="Case manager"))
    data = _export_period(auditor)
    pem = signing_key.read_bytes()
    assert verify_audit_export.verify_document(json.loads(data), pem).events > 0

    def fails(document, message):
        with pytest.raises(verify_audit_export.ExportInvalid, match=message):
            verify_audit_export.verify_document(document, pem)

    def shown(document):
        return next(
            e
            for e in reversed(document["signed"]["chains"][0]["events"])
            if e["content"].get("action") == "user.groups_changed"
        )

    # An edit without the institution's key breaks the signature.
    edited = json.loads(data)
    shown(edited)["content"]["payload"]["added"] = ["Internal auditor"]
    fails(edited, "export: the signature does not hold")
    # Signed again with the key (an insider), the edit still breaks the event's hash.
    fails(_resign(edited, settings), "content does not match its hash")
    # An event dropped from the middle.
    dropped = json.loads(data)
    events = dropped["signed"]["chains"][0]["events"]
    del events[len(events) // 2]
    fails(_resign(dropped, settings), "missing or out of order")
    # A rewritten chain with a new head: the checkpoint's root does not hold it.
    rewritten = json.loads(data)
    rewritten["signed"]["chains"][0]["head_hash"] = "f" * 64
    rewritten["signed"]["chains"][0]["inclusion"]["leaf"][2] = "f" * 64
    fails(_resign(rewritten, settings), "not the chain head")
    # Another key.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledger.signing import public_pem

    with pytest.raises(verify_audit_export.ExportInvalid, match="signature does not hold"):
        verify_audit_export.verify_document(
            json.loads(data), public_pem(Ed25519PrivateKey.generate())
        )
    assert verify_audit_export.main(["/nonexistent.json", "--public-key", str(signing_key)]) == 1


def test_a_cases_export_carries_each_case_chain(world, walk, people, auditor, signing_key):
    first, second = walk.report(), walk.report()
    walk.verify(first)
    response = auditor.post(
        "/audit/export/", {"kind": "cases", "cases-cases": f"{first.reference}, {second.reference}"}
    )
    assert response.status_code == 200
    document = json.loads(response.content)
    chains = {c["key"]: c for c in document["signed"]["chains"]}
    assert set(chains) == {f"case:{first.pk}", f"case:{second.pk}"}
    for case in (first, second):
        chain = chains[f"case:{case.pk}"]
        assert chain["first_seq"] == 1
        assert [e["seq"] for e in chain["events"]] == list(range(1, chain["length"] + 1))
        assert chain["events"][0]["content"]["case"] == case.reference
    report = verify_audit_export.verify_document(document, signing_key.read_bytes())
    assert report.chains == 2
    assert report.events == sum(c["length"] for c in chains.values())
    assert system("audit.exported").first().payload["cases"] == sorted(
        [first.reference, second.reference]
    )


def test_an_unknown_case_or_a_missing_key_exports_nothing(
    world, walk, people, auditor, settings, tmp_path
):
    case = walk.report()
    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "SIGNING_KEY_PATH": str(tmp_path / "none" / "signing.pem"),
    }
    events, checkpoints = AuditEvent.objects.count(), Checkpoint.objects.count()
    unknown = auditor.post("/audit/export/", {"kind": "cases", "cases-cases": "VC-1999-000001"})
    assert unknown.status_code == 400
    assert "No such case: VC-1999-000001." in unknown.content.decode()
    no_key = auditor.post("/audit/export/", {"kind": "cases", "cases-cases": case.reference})
    assert no_key.status_code == 503
    backwards = auditor.post(
        "/audit/export/",
        {"kind": "period", "period-start": "2030-01-01", "period-end": "2020-01-01"},
    )
    assert backwards.status_code == 400
    assert auditor.post("/audit/export/", {"kind": "other"}).status_code == 400
    assert (AuditEvent.objects.count(), Checkpoint.objects.count()) == (events, checkpoints)
