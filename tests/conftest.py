"""Shared fixtures: an organisation, one user per role, and helpers that walk a case."""

import pytest

from demo.world import World, build_world


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_auth(settings):
    """Argon2 is slow by design and every test makes a dozen users; login throttling needs a
    request that ``client.login`` does not pass. Tests of either turn them back on."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _logins_pass_the_second_factor(request, monkeypatch):
    """``client.login`` and ``client.force_login`` sign a person in as the login page and the
    second-factor page together do: a privileged person (security/mfa.py) gets a confirmed
    authenticator if they have none, and the session is verified with it. Tests of the
    second factor itself ask for ``password_only_logins`` and get Django's plain login."""
    if "password_only_logins" in request.fixturenames:
        return
    from django.test import Client

    plain_login = Client._login

    def login_with_second_factor(self, user, backend=None):
        plain_login(self, user, backend)
        verify_session(self, user)

    monkeypatch.setattr(Client, "_login", login_with_second_factor)


@pytest.fixture
def password_only_logins():
    """Logins that stop after the password, as a person's does before the code."""


def verify_session(client, user) -> None:
    """Mark ``client``'s session as having passed the second factor, if ``user`` needs one."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from security import mfa
    from tests.security.totp import authenticator_for

    user = type(user)._default_manager.get(pk=user.pk)  # its rights now, not as cached
    if not mfa.second_factor_required(user):
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
    session.save()


@pytest.fixture
def world(db):
    return make_world()


def make_world() -> World:
    """The organisation and one user per role (module-scoped fixtures call it directly)."""
    return build_world(password="pw")


@pytest.fixture
def walk(world):
    from tests.walk import Walker

    return Walker(world)
