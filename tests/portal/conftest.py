"""The portal's tests pass the guard as a person's browser does (the challenge solved, the
honeypot left empty), with an easy challenge, no pauses and counters that start empty."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _guard(settings):
    settings.PORTAL_POW_DIFFICULTY = 2
    settings.PORTAL_CODE_MIN_SECONDS = 0
    settings.PORTAL_CODE_SLOW_STEP_SECONDS = 0
    cache.clear()
    yield
    cache.clear()
