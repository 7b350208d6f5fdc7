"""Single sign-on with OpenID Connect against a real local provider (tests/oidc_idp/:
django-oauth-toolkit's OIDC support in its own process): the authorization code flow with
PKCE, RS256 ID tokens checked against the provider's published keys, roles from its groups."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from ledger.chain import SYSTEM_CHAIN
from ledger.models import AuditEvent
from security import mfa

User = get_user_model()
ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("OIDC_IDP_PORT", "8281"))
IDP = f"http://127.0.0.1:{PORT}"
CLIENT_ID = "accountability-tests"
CLIENT_SECRET = "test-client-secret-not-used-anywhere-else"
CALLBACK = "http://testserver/oidc/callback/"
GROUP_MAP = {"compliance-heads": "Case manager", "compliance-staff": "Compliance officer"}


@pytest.fixture(scope="module")
def identity_provider(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("idp")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.oidc_idp.serve",
            str(PORT),
            str(workdir),
            CLIENT_ID,
            CLIENT_SECRET,
            CALLBACK,
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.strip() == "ready", line + process.stdout.read()
        yield IDP
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def oidc(settings, identity_provider):
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Bank directory"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{IDP}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{IDP}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{IDP}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{IDP}/o/.well-known/jwks.json"
    settings.OIDC_GROUP_MAP = GROUP_MAP
    settings.OIDC_TRUSTED_AMR = []
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "security.oidc.GroupsOIDCBackend",
    ]
    return settings


def sign_in(client: Client, username: str, next_url: str = "/cases/"):
    """The browser's part: our sign-in link, the provider's login form, back to our
    callback. Returns our callback's response."""
    start = client.get(f"/oidc/authenticate/?next={next_url}")
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(f"{IDP}/o/authorize/")
    assert "code_challenge=" in authorize
    assert "nonce=" in authorize
    browser = requests.Session()
    form = browser.get(f"{IDP}/login/", timeout=10)
    assert form.status_code == 200
    authorize_path = authorize[len(IDP) :]
    logged_in = browser.post(
        f"{IDP}/login/",
        data={
            "username": username,
            "password": "idp-pw",
            "next": authorize_path,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert logged_in.status_code == 302, logged_in.text
    back = browser.get(f"{IDP}{logged_in.headers['Location']}", allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == CALLBACK
    return client.get(f"{callback.path}?{callback.query}")


def events(action):
    return list(AuditEvent.objects.filter(chain__key=SYSTEM_CHAIN, action=action).order_by("seq"))


def test_single_sign_on_is_off_unless_configured(db):
    client = Client()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


def test_the_login_page_offers_the_provider(oidc, db):
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with Bank directory" in page
    assert 'href="/oidc/authenticate/"' in page


def test_a_new_person_gets_an_account_with_the_mapped_role(oidc, world):
    client = Client()
    response = sign_in(client, "carol")
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    carol = User.objects.get(username="carol")
    assert list(carol.groups.values_list("name", flat=True)) == ["Compliance officer"]
    assert not carol.has_usable_password()
    assert (carol.email, carol.first_name) == ("carol@idp.example", "Carol")
    # A compliance officer needs no second factor: the inbox opens.
    assert client.get("/work/case/inbox/").status_code == 200
    [login] = events("login.succeeded")
    assert login.payload["username"] == "carol"
    [granted] = [e for e in events("user.groups_changed") if e.payload["on"]["username"] == "carol"]
    assert granted.payload["added"] == ["Compliance officer"]


def test_roles_follow_the_provider_at_each_sign_in(oidc, world):
    bob = User.objects.create_user("bob", password=None)
    bob.groups.add(
        Group.objects.get(name="Internal auditor"), Group.objects.get(name="Compliance officer")
    )
    sign_in(Client(), "bob")
    # The mapped role the provider no longer gives is gone, the one it gives is added, and a
    # role outside the map stays as this application's administrators set it.
    assert sorted(bob.groups.values_list("name", flat=True)) == ["Case manager", "Internal auditor"]


def test_a_person_in_no_mapped_group_is_not_signed_in(oidc, world):
    client = Client()
    response = sign_in(client, "dave")
    assert response["Location"] == "/accounts/login/?sso=failed"
    assert not User.objects.filter(username="dave").exists()
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Single sign-on did not sign you in" in page


def test_a_privileged_person_still_needs_a_code_unless_the_provider_is_trusted(oidc, world):
    client = Client()
    assert sign_in(client, "bob").status_code == 302
    bob = User.objects.get(username="bob")
    assert mfa.second_factor_required(bob)
    assert client.get("/work/case/inbox/")["Location"].startswith("/accounts/second-factor/setup/")

    # alice's provider session used a one-time code (amr: pwd, otp, mfa), but the operator
    # has not said the provider's word counts: she too enrols here.
    client = Client()
    sign_in(client, "alice")
    assert client.get("/work/case/inbox/")["Location"].startswith("/accounts/second-factor/setup/")


def test_a_trusted_provider_second_factor_counts(oidc, world):
    oidc.OIDC_TRUSTED_AMR = ["mfa", "otp"]
    client = Client()
    sign_in(client, "alice")
    assert client.get("/work/case/inbox/").status_code == 200
    assert client.get("/api/cases/").status_code == 200
    # bob signed in with a password only: the trusted list does not help him.
    other = Client()
    sign_in(other, "bob")
    assert other.get("/work/case/inbox/").status_code == 302


def test_a_forged_callback_signs_nobody_in(oidc, world):
    client = Client()
    client.get("/oidc/authenticate/")
    response = client.get("/oidc/callback/?code=made-up&state=made-up")
    assert response.status_code in (302, 400)
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username__in=["alice", "bob", "carol"]).exists()


def test_a_service_account_is_never_signed_in_by_the_provider(oidc, world):
    from security import tokens

    admin = User.objects.create_superuser("root", "", "pw")
    account = tokens.service_account_create(username="carol", actor=admin)  # an IdP user's name
    client = Client()
    response = sign_in(client, "carol")
    assert response["Location"] == "/accounts/login/?sso=failed"
    assert "_auth_user_id" not in client.session
    assert not account.user.groups.exists()  # the provider's groups were not applied
