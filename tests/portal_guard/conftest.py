"""Each test starts with an empty cache (the guard's counters live there) and fast clocks."""

import hashlib

import pytest
from django.core.cache import cache

from security import portal_guard


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pauses(monkeypatch):
    """The pauses ``code_attempt`` asks for, recorded instead of slept; its clock stands still,
    so each pause is the whole time the attempt is made to last."""
    asked: list[float] = []
    monkeypatch.setattr(portal_guard, "_clock", lambda: 0.0)
    monkeypatch.setattr(portal_guard, "_sleep", asked.append)
    return asked


def solve(challenge: str) -> str:
    """The Python twin of pow.js: the first decimal that gives enough leading zero bits."""
    difficulty = portal_guard.challenge_difficulty(challenge)
    assert difficulty is not None
    n = 0
    while (
        portal_guard.leading_zero_bits(hashlib.sha256(f"{challenge}:{n}".encode()).digest())
        < difficulty
    ):
        n += 1
    return str(n)
