"""Guessing receipt codes (issue 19, "Done when"): 1,000 wrong codes from one address are
slowed and then refused, with 0 successes and no difference in answer between "wrong" and
"locked"; a locked address unlocks after the delay.

Driven through a test-only view over a real Argon2-hashed code, as the portal does.
"""

import secrets
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import timezone

from security import portal_guard

HASHER = Argon2PasswordHasher()
CODE = "4921 0375 8812 6604"
STORED = HASHER.encode(portal_guard.normalise_code(CODE), HASHER.salt())
looked_up: list[str] = []


def lookup(code: str) -> str | None:
    """The portal's lookup: a slow-hash check of the one stored code."""
    looked_up.append(code)
    return "VC-2026-0001" if HASHER.verify(portal_guard.normalise_code(code), STORED) else None


def fast_lookup(code: str) -> str | None:
    looked_up.append(code)
    return None


def mailbox(request):
    found = portal_guard.code_attempt(request, request.POST.get("code", ""), lookup)
    if found is None:
        return HttpResponse("This receipt code did not open a report.", status=200)
    return HttpResponse(f"Your report {found}")


urlpatterns = [path("mailbox/", mailbox)]


@pytest.fixture(autouse=True)
def _guard(settings):
    settings.ROOT_URLCONF = __name__
    settings.PORTAL_CODE_MIN_SECONDS = 0.002
    settings.PORTAL_CODE_SLOW_AFTER = 3
    settings.PORTAL_CODE_SLOW_STEP_SECONDS = 0.001
    settings.PORTAL_CODE_SLOW_MAX_SECONDS = 0.004
    settings.PORTAL_CODE_LOCK_AFTER = 10
    settings.PORTAL_CODE_LOCK_SECONDS = 15 * 60
    settings.PORTAL_CODE_FAILURE_WINDOW_SECONDS = 3600
    settings.PORTAL_CODE_ATTEMPTS_PER_CODE = 10
    looked_up.clear()


def wrong_code() -> str:
    while True:
        guess = "".join(secrets.choice("0123456789") for _ in range(16))
        if guess != portal_guard.normalise_code(CODE):
            return guess


def answer(client, code):
    response = client.post("/mailbox/", {"code": code})
    return response.status_code, response.content


def test_the_right_code_opens_the_report(db, pauses):
    status, body = answer(Client(REMOTE_ADDR="198.51.100.9"), CODE)
    assert (status, body) == (200, b"Your report VC-2026-0001")
    assert looked_up == [CODE]


def test_a_thousand_wrong_codes_are_slowed_then_refused_alike(db, pauses, settings):
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        answers = [answer(attacker, wrong_code()) for _ in range(1000)]

        refusal = (200, b"This receipt code did not open a report.")
        # 0 successes, and one answer for every guess: wrong and locked are the same.
        assert set(answers) == {refusal}
        # Only the guesses before the lock reached the stored hash; the rest never did.
        assert len(looked_up) == settings.PORTAL_CODE_LOCK_AFTER
        # Every attempt paused; the pauses grew after SLOW_AFTER failures, up to the cap,
        # and the locked attempts pause as long as the last wrong ones.
        # 2 ms minimum; 1 ms more for each failure past the third, at most 4 ms more.
        expected = [0.002] * 3 + [0.003, 0.004, 0.005] + [0.006] * 994
        assert pauses == pytest.approx(expected)
        assert portal_guard.code_locked(RequestFactory().get("/", REMOTE_ADDR="203.0.113.66"))

        # The right code during the lockout gets the same refusal, without a look-up.
        looked_up.clear()
        assert answer(attacker, CODE) == refusal
        assert looked_up == []
        # Another address is not locked by this one.
        assert answer(Client(REMOTE_ADDR="203.0.113.67"), CODE)[1] == b"Your report VC-2026-0001"

        # After the delay the address is unlocked and the right code works.
        traveller.shift(timedelta(minutes=15, seconds=1))
        assert answer(attacker, CODE) == (200, b"Your report VC-2026-0001")


def test_wrong_before_the_lock_and_right_during_it_answer_the_same(db, pauses):
    client = Client(REMOTE_ADDR="203.0.113.70")
    before = answer(client, wrong_code())
    for _ in range(9):
        answer(client, wrong_code())
    during_wrong = answer(client, wrong_code())
    during_right = answer(client, CODE)
    assert before == during_wrong == during_right
    assert before[1].startswith(b"This receipt code did not")


def test_every_attempt_lasts_at_least_the_minimum(db, settings):
    # The real clock and sleep: a locked attempt (no look-up) lasts as long as a wrong one.
    import time

    settings.PORTAL_CODE_MIN_SECONDS = 0.3
    settings.PORTAL_CODE_SLOW_AFTER = 100
    settings.PORTAL_CODE_LOCK_AFTER = 2
    durations = []
    for _ in range(4):
        started = time.monotonic()
        portal_guard.code_attempt(
            RequestFactory().post("/", REMOTE_ADDR="203.0.113.71"), wrong_code(), fast_lookup
        )
        durations.append(time.monotonic() - started)
    assert len(looked_up) == 2
    assert all(d >= 0.3 for d in durations)
    assert max(durations) - min(durations) < 0.25


def test_one_code_is_limited_from_every_address(db, pauses, settings):
    # A leaked code hammered (or one code guessed from many addresses) stops after its share.
    settings.PORTAL_CODE_ATTEMPTS_PER_CODE = 3
    results = [answer(Client(REMOTE_ADDR=f"198.51.100.{n}"), CODE)[1] for n in range(1, 6)]
    assert [body.startswith(b"Your report") for body in results] == [True] * 3 + [False] * 2
    assert len(looked_up) == 3


def test_a_success_does_not_clear_the_failures(db, pauses, settings):
    settings.PORTAL_CODE_ATTEMPTS_PER_CODE = 100
    client = Client(REMOTE_ADDR="203.0.113.72")
    for _ in range(5):
        for _ in range(2):
            answer(client, wrong_code())
        answer(client, CODE)
    # 10 failures with the own code in between: locked all the same.
    assert answer(client, CODE)[1].startswith(b"This receipt")


def test_junk_codes_are_refused_without_a_look_up(db, pauses):
    client = Client(REMOTE_ADDR="203.0.113.73")
    for junk in ["", "   ", "-", "9" * 129]:
        assert answer(client, junk)[1].startswith(b"This receipt")
    assert looked_up == []
