"""Abuse controls for the reporting portal, which anyone may use without an account.

Everything here counts in the Django cache (Redis in production, shared by every node),
never in the database, and never under a raw address: a client is known only by an HMAC of
its address under ``SECRET_KEY`` (``client_key``), a receipt code only by an HMAC of the code
(``_code_key``). The address is ``REMOTE_ADDR`` as ``config.middleware.TrustedProxyMiddleware``
left it: the person at the keyboard behind a trusted proxy, never a forwarded header that the
client wrote itself.

The portal uses five pieces:

- the honeypot (``HoneypotMixin``, ``honeypot_tripped``): a field hidden from people;
- the proof-of-work challenge (``challenge_new``, ``challenge_check``,
  ``challenge_passed``, and ``{% portal_challenge %}`` from ``security/templatetags``);
- ``submission_allowed``: reports and messages per address, per hour and per day;
- ``code_attempt``: the receipt-code check, slowed and then locked per address and per code,
  with one answer for "wrong" and "locked";
- ``report_too_large``: the size cap of one report, text and attachments together.

A refusal by the honeypot or the challenge gets one generic answer (``REFUSAL_MESSAGE``, the
form shown again): a person whose browser filled the hidden field by mistake can try again,
and a bot cannot tell which check stopped it. The portal never pretends success: a report
that was not saved is never answered with a receipt code.

Settings (``config/settings.py``, section "portal guard"):
``PORTAL_POW_DIFFICULTY``, ``PORTAL_POW_TTL_SECONDS``, ``PORTAL_SUBMISSIONS_PER_HOUR``,
``PORTAL_SUBMISSIONS_PER_DAY``, ``PORTAL_CODE_SLOW_AFTER``, ``PORTAL_CODE_SLOW_STEP_SECONDS``,
``PORTAL_CODE_SLOW_MAX_SECONDS``, ``PORTAL_CODE_LOCK_AFTER``, ``PORTAL_CODE_LOCK_SECONDS``,
``PORTAL_CODE_FAILURE_WINDOW_SECONDS``, ``PORTAL_CODE_ATTEMPTS_PER_CODE``,
``PORTAL_CODE_MIN_SECONDS``, ``PORTAL_MAX_REPORT_BYTES``.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

T = TypeVar("T")

HONEYPOT_FIELD = "website"
POW_CHALLENGE_FIELD = "pow_challenge"
POW_SOLUTION_FIELD = "pow_solution"

REFUSAL_MESSAGE = _("Your submission could not be accepted. Please try again.")
TOO_MANY_MESSAGE = _("Too many submissions from this connection. Please try again later.")
TOO_LARGE_MESSAGE = _("This report is too large. Please send fewer or smaller attachments.")

_POW_SALT = "security.portal_guard.pow"
_CODE_MAX_LENGTH = 128
_SOLUTION_MAX_LENGTH = 20

# The clock and the pause of code_attempt, as module attributes so a test can watch them.
_clock = time.monotonic
_sleep = time.sleep


def _setting(name: str) -> Any:
    return getattr(settings, name)


def _hmac(purpose: str, value: str) -> str:
    return salted_hmac(f"security.portal_guard.{purpose}", value).hexdigest()


def client_key(request: HttpRequest) -> str:
    """An HMAC of the client's address: what the counters are keyed on, never the address."""
    return _hmac("address", request.META.get("REMOTE_ADDR", ""))


def _code_key(code: str) -> str:
    return _hmac("code", normalise_code(code))


def normalise_code(code: str) -> str:
    """The code as counted: spaces and hyphens (as a person may type them) left out."""
    return "".join(ch for ch in code if ch not in " -\t\r\n")


# --- counters ---------------------------------------------------------------------------------


def _count(key: str, timeout: int) -> int:
    """Add one to ``key`` (which lives ``timeout`` seconds from its first count); the new value."""
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


def _read(key: str) -> int:
    return int(cache.get(key) or 0)


# --- honeypot ---------------------------------------------------------------------------------


class HoneypotMixin:
    """Adds the hidden ``website`` field to any form; a person never sees or fills it.

    The field never fails validation itself (a bot learns nothing from an error on it); the
    view asks ``honeypot_tripped(form)`` and answers with ``REFUSAL_MESSAGE``, as for a failed
    challenge. Render it with ``{% include "security/portal_honeypot.html" %}`` (or
    ``{{ form.website }}`` inside a wrapper hidden from sight and from screen readers).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = forms.CharField(  # type: ignore[attr-defined]
            required=False,
            label=_("Leave this field empty"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )


def honeypot_tripped(form_or_data: forms.BaseForm | Mapping[str, Any]) -> bool:
    """True when the hidden field came back filled in: a bot, refused quietly by the caller."""
    data = form_or_data.data if isinstance(form_or_data, forms.BaseForm) else form_or_data
    value = data.get(HONEYPOT_FIELD, "") if data is not None else ""
    return bool(str(value or "").strip())


# --- proof of work ----------------------------------------------------------------------------


def challenge_new() -> str:
    """A fresh signed challenge: a random nonce and the difficulty, stamped with the time.

    The browser (``security/static/security/pow.js``) finds a decimal ``solution`` such that
    SHA-256(challenge + ":" + solution) starts with ``difficulty`` zero bits.
    """
    payload = {"n": secrets.token_urlsafe(16), "d": int(_setting("PORTAL_POW_DIFFICULTY"))}
    return signing.dumps(payload, salt=_POW_SALT)


def challenge_difficulty(challenge: str) -> int | None:
    """The difficulty a challenge asks for, or None for a challenge this site did not sign."""
    try:
        payload = signing.loads(challenge, salt=_POW_SALT)
    except signing.BadSignature:
        return None
    difficulty = payload.get("d") if isinstance(payload, dict) else None
    return difficulty if isinstance(difficulty, int) else None


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def challenge_check(challenge: str, solution: str) -> bool:
    """True once for a challenge this site signed, not expired, solved by ``solution``.

    Each challenge is accepted once: a used one is remembered in the cache until it would
    have expired anyway, so a solved challenge cannot be replayed.
    """
    if not isinstance(challenge, str) or not isinstance(solution, str):
        return False
    if not solution.isdigit() or len(solution) > _SOLUTION_MAX_LENGTH or len(challenge) > 512:
        return False
    ttl = int(_setting("PORTAL_POW_TTL_SECONDS"))
    try:
        payload = signing.loads(challenge, salt=_POW_SALT, max_age=ttl)
    except signing.BadSignature:  # SignatureExpired is one
        return False
    difficulty = payload.get("d") if isinstance(payload, dict) else None
    if not isinstance(difficulty, int):
        return False
    digest = hashlib.sha256(f"{challenge}:{solution}".encode()).digest()
    if leading_zero_bits(digest) < difficulty:
        return False
    used = "portal:pow-used:" + hashlib.sha256(challenge.encode()).hexdigest()
    return bool(cache.add(used, 1, ttl + 60))


def challenge_passed(data: Mapping[str, Any]) -> bool:
    """``challenge_check`` on the two hidden fields of a posted form."""
    return challenge_check(
        str(data.get(POW_CHALLENGE_FIELD, "") or ""), str(data.get(POW_SOLUTION_FIELD, "") or "")
    )


# --- submissions ------------------------------------------------------------------------------


def submission_allowed(request: HttpRequest) -> bool:
    """Whether this address may submit one more report or message; counts it if so.

    Call it once per submission, after the form is valid and just before saving: a refused
    form (a mistake, a failed challenge) costs nothing. Limits per address:
    ``PORTAL_SUBMISSIONS_PER_HOUR`` and ``PORTAL_SUBMISSIONS_PER_DAY``.
    """
    who = client_key(request)
    hour_key, day_key = f"portal:sub-h:{who}", f"portal:sub-d:{who}"
    if _read(hour_key) >= int(_setting("PORTAL_SUBMISSIONS_PER_HOUR")) or _read(day_key) >= int(
        _setting("PORTAL_SUBMISSIONS_PER_DAY")
    ):
        return False
    _count(hour_key, 3600)
    _count(day_key, 24 * 3600)
    return True


# --- receipt codes ----------------------------------------------------------------------------


def _slowdown(failures: int) -> float:
    """The pause added for an address with ``failures`` recent wrong codes."""
    over = failures - int(_setting("PORTAL_CODE_SLOW_AFTER"))
    if over <= 0:
        return 0.0
    step = float(_setting("PORTAL_CODE_SLOW_STEP_SECONDS"))
    return min(step * over, float(_setting("PORTAL_CODE_SLOW_MAX_SECONDS")))


def code_locked(request: HttpRequest) -> bool:
    """Whether this address is locked out of receipt codes now (for the operator's view only:
    the reporter is never told)."""
    return bool(cache.get(f"portal:code-lock:{client_key(request)}"))


def code_attempt(request: HttpRequest, code: str, lookup: Callable[[str], T | None]) -> T | None:
    """Check a receipt code: ``lookup(code)``'s result when allowed and found, else None.

    None means "wrong" and "locked" alike, and both take the same path and time, so neither
    the answer nor its timing tells whether a code exists or the address is locked:

    - every attempt lasts at least ``PORTAL_CODE_MIN_SECONDS`` (set it above the slowest
      ``lookup``, which checks a slow hash), plus a pause that grows with each of the address's
      recent failures past the first ``PORTAL_CODE_SLOW_AFTER`` (``PORTAL_CODE_SLOW_STEP_SECONDS`` each, at most
      ``PORTAL_CODE_SLOW_MAX_SECONDS``);
    - ``PORTAL_CODE_LOCK_AFTER`` failures within ``PORTAL_CODE_FAILURE_WINDOW_SECONDS`` lock
      the address for ``PORTAL_CODE_LOCK_SECONDS``; then it unlocks by itself;
    - every attempt at one code (from any address, right or wrong) counts against that code:
      past ``PORTAL_CODE_ATTEMPTS_PER_CODE`` within ``PORTAL_CODE_LOCK_SECONDS`` it is refused;
    - while refused, ``lookup`` is not called at all.

    A success does not clear the address's failures: one's own code between guesses would
    otherwise reset the count.
    """
    started = _clock()
    who = client_key(request)
    lock_key, failures_key = f"portal:code-lock:{who}", f"portal:code-fail:{who}"
    lock_seconds = int(_setting("PORTAL_CODE_LOCK_SECONDS"))
    lock_after = int(_setting("PORTAL_CODE_LOCK_AFTER"))

    code = code if isinstance(code, str) else ""
    per_code = _count(f"portal:code-tries:{_code_key(code)}", lock_seconds)
    locked = bool(cache.get(lock_key))
    refused = (
        locked
        or per_code > int(_setting("PORTAL_CODE_ATTEMPTS_PER_CODE"))
        or not normalise_code(code)
        or len(code) > _CODE_MAX_LENGTH
    )

    result: T | None = None
    if refused:
        failures = lock_after if locked else _read(failures_key)
    else:
        failures = _read(failures_key)
        result = lookup(code)
    if result is None and not locked:
        failures = _count(failures_key, int(_setting("PORTAL_CODE_FAILURE_WINDOW_SECONDS")))
        if failures >= lock_after:
            cache.set(lock_key, 1, lock_seconds)
            cache.delete(failures_key)
            failures = lock_after

    target = float(_setting("PORTAL_CODE_MIN_SECONDS")) + _slowdown(failures)
    remaining = target - (_clock() - started)
    if remaining > 0:
        _sleep(remaining)
    return result


# --- size -------------------------------------------------------------------------------------


def report_size(request: HttpRequest) -> int:
    """Bytes of one posted report: every attached file and every text field (UTF-8)."""
    files = sum(f.size or 0 for name in request.FILES for f in request.FILES.getlist(name))
    text = sum(
        len(value.encode())
        for name in request.POST
        for value in request.POST.getlist(name)
        if name not in (POW_CHALLENGE_FIELD, POW_SOLUTION_FIELD, "csrfmiddlewaretoken")
    )
    return files + text


def report_too_large(request: HttpRequest) -> bool:
    """Whether the posted report (text and attachments together) passes
    ``PORTAL_MAX_REPORT_BYTES``; the view answers with ``TOO_LARGE_MESSAGE`` and saves nothing."""
    return report_size(request) > int(_setting("PORTAL_MAX_REPORT_BYTES"))
