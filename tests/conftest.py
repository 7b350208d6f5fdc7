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
