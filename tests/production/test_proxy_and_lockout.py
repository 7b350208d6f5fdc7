"""Behind a TLS proxy: the proxy's word on client address and scheme is taken only from the
proxy itself; login throttling counts the client, slows a guesser down per account and
address, holds back an address that sprays many accounts, and always lets go."""

from datetime import timedelta

import pytest
import time_machine
from axes.handlers.proxy import AxesProxyHandler
from django.test import Client
from django.utils import timezone

from config.middleware import client_address, parse_networks

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.7"
OFFICER_DESK = "198.51.100.20"
LOGIN = "/accounts/login/"


@pytest.fixture
def behind_proxy(settings):
    settings.ACCOUNTABILITY_TRUSTED_PROXIES = ["10.0.0.0/24", "127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.fixture
def throttled(settings, behind_proxy):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False


def via_proxy(client_addr: str, forwarded_for: str | None = None) -> Client:
    """A browser at client_addr, through the proxy (which appends the peer, as nginx does)."""
    chain = f"{forwarded_for}, {client_addr}" if forwarded_for else client_addr
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain, HTTP_X_FORWARDED_PROTO="https")


def attempt(client: Client, username: str, password: str) -> int:
    return client.post(LOGIN, {"username": username, "password": password}).status_code


@pytest.mark.parametrize(
    ("chain", "expected"),
    [
        ("198.51.100.20", "198.51.100.20"),
        # Entries left of the real client were written by the client: not believed.
        ("1.2.3.4, 198.51.100.20", "198.51.100.20"),
        # A second trusted proxy in the chain is skipped.
        ("198.51.100.20, 10.0.0.9", "198.51.100.20"),
        (" 2001:db8::1 ", "2001:db8::1"),
        # Garbage where the client should be: keep the peer's address.
        ("not-an-address", PROXY),
        ("10.0.0.3, 10.0.0.4", PROXY),
    ],
)
def test_client_address_is_the_right_most_hop_that_is_not_a_proxy(chain, expected):
    assert client_address(PROXY, chain, parse_networks(["10.0.0.0/24"])) == expected


@pytest.mark.django_db
def test_https_from_the_trusted_proxy_is_not_redirected_again(settings, behind_proxy):
    settings.SECURE_SSL_REDIRECT = True
    response = via_proxy(OFFICER_DESK).get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content


@pytest.mark.django_db
def test_plain_http_through_the_proxy_is_sent_to_https_once(settings, behind_proxy):
    settings.SECURE_SSL_REDIRECT = True
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="http")
    response = client.get(LOGIN)
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


@pytest.mark.django_db
def test_forwarded_headers_from_anyone_else_are_ignored(settings, behind_proxy):
    settings.SECURE_SSL_REDIRECT = True
    # Straight to the application server, claiming to have come over HTTPS: not believed.
    client = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_PROTO="https")
    response = client.get(LOGIN)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_without_trusted_proxies_no_forwarded_header_is_believed(settings):
    settings.ACCOUNTABILITY_TRUSTED_PROXIES = []
    settings.SECURE_SSL_REDIRECT = True
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert client.get(LOGIN).status_code == 301


def test_guesses_lock_out_the_guesser_not_the_named_person(world, throttled):
    attacker = via_proxy(ATTACKER)
    assert [attempt(attacker, "officer", "wrong") for _ in range(3)] == [200, 200, 429]
    # Locked means locked: the right password from the guesser's address does not get in.
    assert attempt(attacker, "officer", "pw") == 429
    # The officer, at their own desk behind the same proxy, signs in.
    desk = via_proxy(OFFICER_DESK)
    assert attempt(desk, "officer", "pw") == 302
    assert "_auth_user_id" in desk.session


def test_a_forged_forwarded_for_does_not_move_the_count(world, throttled):
    # The guesser writes the officer's address into X-Forwarded-For; the proxy appends the
    # real one, and that is what counts.
    forger = via_proxy(ATTACKER, forwarded_for=OFFICER_DESK)
    assert [attempt(forger, "officer", "wrong") for _ in range(3)] == [200, 200, 429]
    assert attempt(via_proxy(OFFICER_DESK), "officer", "pw") == 302


def test_without_the_proxy_the_forwarded_for_header_is_ignored(world, throttled):
    # Straight to the application server, naming the officer's desk: counted on the sender.
    direct = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=OFFICER_DESK)
    assert [attempt(direct, "officer", "wrong") for _ in range(3)] == [200, 200, 429]
    assert attempt(via_proxy(OFFICER_DESK), "officer", "pw") == 302


def test_spraying_many_accounts_from_one_address_holds_the_address_back(world, throttled):
    sprayer = via_proxy(ATTACKER)
    # One guess each at three accounts: under any per-account limit, over the address's.
    statuses = [attempt(sprayer, name, "Winter2026!") for name in ("officer", "manager", "hr")]
    assert statuses == [200, 200, 429]
    # Even a right password for a fourth account is refused from that address ...
    assert attempt(sprayer, "auditor", "pw") == 429
    # ... while people elsewhere sign in as usual.
    assert attempt(via_proxy(OFFICER_DESK), "auditor", "pw") == 302


def test_a_lockout_ends_after_the_cool_off_and_guessing_on_does_not_extend_it(world, throttled):
    attacker = via_proxy(ATTACKER)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert [attempt(attacker, "officer", "wrong") for _ in range(3)] == [200, 200, 429]
        clock.shift(timedelta(minutes=10))
        assert attempt(attacker, "officer", "wrong") == 429
        # 16 minutes after the lockout, not after the last refused guess: it has ended.
        clock.shift(timedelta(minutes=6))
        assert attempt(attacker, "officer", "pw") == 302


def test_the_production_lockout_settings():
    from config import settings as project

    assert project.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]
    assert project.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is False
    assert timedelta(0) < project.AXES_COOLOFF_TIME <= timedelta(minutes=30)


@pytest.fixture
def redis_counters(settings, throttled):
    """Counters in Redis (db 5 of the local server), as every node of a deployment keeps them."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/5"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "test-lockout",
        }
    }
    settings.AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
    AxesProxyHandler.get_implementation(force=True)
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()
    settings.AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
    AxesProxyHandler.get_implementation(force=True)


def test_with_redis_the_count_is_shared_by_every_process(world, redis_counters):
    from axes.models import AccessAttempt

    attacker = via_proxy(ATTACKER)
    assert [attempt(attacker, "officer", "wrong") for _ in range(2)] == [200, 200]
    # The counters are in Redis, not in this process nor the database.
    assert AccessAttempt.objects.count() == 0
    assert any(b"axes" in key for key in redis_counters._cache.get_client().keys("*"))
    # Another node (a fresh handler over the same Redis) sees two failures and locks on the third.
    AxesProxyHandler.get_implementation(force=True)
    assert attempt(attacker, "officer", "wrong") == 429
    assert attempt(via_proxy(OFFICER_DESK), "officer", "pw") == 302
