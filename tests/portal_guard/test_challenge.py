"""The proof-of-work challenge: solved once, by this site's signature, before it expires."""

import hashlib
from datetime import timedelta

import time_machine
from django.core import signing
from django.template import Context, Template
from django.utils import timezone

from security import portal_guard
from tests.portal_guard.conftest import solve


def test_a_solved_challenge_passes_once(settings):
    settings.PORTAL_POW_DIFFICULTY = 12
    challenge = portal_guard.challenge_new()
    solution = solve(challenge)

    assert portal_guard.challenge_difficulty(challenge) == 12
    digest = hashlib.sha256(f"{challenge}:{solution}".encode()).digest()
    assert portal_guard.leading_zero_bits(digest) >= 12
    assert portal_guard.challenge_check(challenge, solution) is True
    # Replayed: refused, with the same solution or another valid one.
    assert portal_guard.challenge_check(challenge, solution) is False


def test_two_challenges_differ_and_each_is_its_own(settings):
    settings.PORTAL_POW_DIFFICULTY = 8
    first, second = portal_guard.challenge_new(), portal_guard.challenge_new()
    assert first != second
    assert portal_guard.challenge_check(first, solve(first)) is True
    assert portal_guard.challenge_check(second, solve(second)) is True


def test_an_unsolved_challenge_is_refused_and_stays_usable(settings):
    settings.PORTAL_POW_DIFFICULTY = 12
    challenge = portal_guard.challenge_new()
    solution = solve(challenge)
    wrong = next(
        str(n)
        for n in range(int(solution) + 1, 10**6)
        if portal_guard.leading_zero_bits(hashlib.sha256(f"{challenge}:{n}".encode()).digest()) < 12
    )
    assert portal_guard.challenge_check(challenge, wrong) is False
    assert portal_guard.challenge_check(challenge, solution) is True


def test_a_tampered_challenge_is_refused(settings):
    settings.PORTAL_POW_DIFFICULTY = 10
    # A forger who lowers the difficulty must re-sign; without the key the signature fails.
    easy = signing.dumps({"n": "x", "d": 0}, salt="another-salt")
    assert portal_guard.challenge_check(easy, "0") is False
    challenge = portal_guard.challenge_new()
    _value, stamp, signature = challenge.split(":")
    forged_payload = signing.b64_encode(b'{"n":"x","d":0}').decode()
    forged = f"{forged_payload}:{stamp}:{signature}"
    assert portal_guard.challenge_check(forged, "0") is False
    assert portal_guard.challenge_difficulty(forged) is None
    assert portal_guard.challenge_check(challenge + "x", solve(challenge)) is False


def test_an_expired_challenge_is_refused(settings):
    settings.PORTAL_POW_DIFFICULTY = 8
    settings.PORTAL_POW_TTL_SECONDS = 30 * 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        challenge = portal_guard.challenge_new()
        solution = solve(challenge)
        traveller.shift(timedelta(minutes=31))
        assert portal_guard.challenge_check(challenge, solution) is False


def test_a_challenge_just_inside_its_lifetime_passes(settings):
    settings.PORTAL_POW_DIFFICULTY = 8
    settings.PORTAL_POW_TTL_SECONDS = 30 * 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        challenge = portal_guard.challenge_new()
        traveller.shift(timedelta(minutes=29))
        assert portal_guard.challenge_check(challenge, solve(challenge)) is True


def test_junk_is_refused_without_error():
    for challenge, solution in [
        ("", ""),
        ("abc", "1"),
        (portal_guard.challenge_new(), "not a number"),
        (portal_guard.challenge_new(), "1" * 21),
        (None, None),
        ("x" * 10_000, "1"),
    ]:
        assert portal_guard.challenge_check(challenge, solution) is False  # type: ignore[arg-type]


def test_challenge_passed_reads_the_posted_fields(settings):
    settings.PORTAL_POW_DIFFICULTY = 8
    challenge = portal_guard.challenge_new()
    data = {"pow_challenge": challenge, "pow_solution": solve(challenge)}
    assert portal_guard.challenge_passed(data) is True
    assert portal_guard.challenge_passed(data) is False
    assert portal_guard.challenge_passed({}) is False


def test_the_include_renders_a_fresh_challenge_and_the_script(settings):
    settings.PORTAL_POW_DIFFICULTY = 9
    template = Template("{% load portal_guard %}<form>{% portal_challenge %}</form>")
    first, second = template.render(Context()), template.render(Context())
    assert first != second
    assert 'name="pow_challenge"' in first
    assert 'name="pow_solution" value=""' in first
    assert 'data-pow-difficulty="9"' in first
    assert "security/pow.js" in first
    assert "<noscript>" in first
    assert "Preparing to send" in first
