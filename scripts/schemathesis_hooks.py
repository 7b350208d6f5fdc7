"""schemathesis hooks for scripts/api_fuzz.py: the fuzzer signs in the way the schema says.

The schema declares two ways in (drf-spectacular's ``basicAuth`` and ``cookieAuth``, the
``sessionid`` cookie). A privileged account may only use a session that has passed its
second factor (security/api_auth.py), so api_fuzz.py signs each role in through the login
and code pages and hands the session to this provider in API_FUZZ_SESSION
(``sessionid=...; csrftoken=...``). Because schemathesis applies it itself, it knows the
credentials: its ``ignored_auth`` check strips them (and tries made-up ones) and expects
the API to refuse, which a ``-H Cookie`` header would have defeated.
"""

from __future__ import annotations

import os
from http.cookies import SimpleCookie

import schemathesis


@schemathesis.auth(refresh_interval=None, retry_on=[])
class SignedInSession:
    """The session cookie (and the CSRF token DRF asks of a session's writes)."""

    def get(self, case, ctx) -> dict[str, str]:
        if os.environ.get("API_FUZZ_TOKEN"):
            return {"token": os.environ["API_FUZZ_TOKEN"]}
        cookie = SimpleCookie()
        cookie.load(os.environ["API_FUZZ_SESSION"])
        return {name: morsel.value for name, morsel in cookie.items()}

    def set(self, case, data: dict[str, str], ctx) -> None:
        if "token" in data:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data['token']}"}
            return
        case.cookies = {**(case.cookies or {}), **data}
        case.headers = {**(case.headers or {}), "X-CSRFToken": data["csrftoken"]}
