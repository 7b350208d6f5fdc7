"""An API caller as one person, JSON in and out: HTTP Basic with their password, or, for a
person who needs a second factor (security/mfa.py), a session that has passed it; or as a
service account, with its token."""

from __future__ import annotations

import base64

from rest_framework.test import APIClient

from security import mfa

BASE = "/api/v1"


class Caller:
    def __init__(self, user, password: str = "pw", *, token: str | None = None):
        self.user = user
        self.client = APIClient()
        if token is not None:
            self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            return
        if mfa.second_factor_required(user):
            self.client.force_login(user)  # tests/conftest.py: with the second factor passed
            return
        token = base64.b64encode(f"{user.get_username()}:{password}".encode()).decode()
        self.client.credentials(HTTP_AUTHORIZATION=f"Basic {token}")

    def get(self, path, **params):
        return self.client.get(BASE + path, params)

    def post(self, path, data=None, *, format="json"):
        return self.client.post(BASE + path, data if data is not None else {}, format=format)

    def ok(self, response, status=200):
        assert response.status_code == status, (response.status_code, response.content[:2000])
        return (
            response.json()
            if response.get("Content-Type", "").startswith("application/json")
            else response
        )

    # --- tasks the Camunda way ---

    def candidates(self, case, step):
        listing = self.ok(self.get("/tasks/", candidate="me", case=case, step=step))
        return listing["results"]

    def held(self, case=None, step=None):
        params = {k: v for k, v in {"case": case, "step": step}.items() if v}
        return self.ok(self.get("/tasks/", candidate="held", **params))["results"]

    def take(self, case, step) -> dict:
        """Claim the case's open ``step`` task from the queue (or find it already held) and
        read it with its form."""
        held = self.held(case, step)
        if held:
            task = held[0]
        else:
            offered = self.candidates(case, step)
            assert offered, f"{self.user} is offered no {step} task on {case}"
            task = self.ok(self.post(f"/tasks/{offered[0]['id']}/claim/"))
            assert task["owner"] == self.user.get_username()
        return self.ok(self.get(f"/tasks/{task['id']}/"))

    def complete(self, task: dict, fields: dict, *, format="json") -> dict:
        body = {"step": task["step"], **fields}
        return self.ok(self.post(f"/tasks/{task['id']}/complete/", body, format=format))


def service_caller(scope: str, username: str | None = None) -> Caller:
    """A new service account with one token of ``scope``, made as an administrator would."""
    from django.contrib.auth import get_user_model

    from security import tokens

    admin = get_user_model().objects.filter(is_superuser=True, username="token-admin").first()
    if admin is None:
        admin = get_user_model().objects.create_superuser("token-admin", "", "pw")
    account = tokens.service_account_create(username=username or f"{scope}-svc", actor=admin)
    token, plaintext = tokens.api_token_create(
        account=account, name=f"{scope} token", scopes=[scope], actor=admin
    )
    caller = Caller(account.user, token=plaintext)
    caller.token, caller.plaintext, caller.admin = token, plaintext, admin
    return caller
