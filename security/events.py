"""Security events on the ledger's system chain: who was given an account or a right, who
lost one, who signed in, who failed to and who was locked out.

Each is one event appended by :func:`security_event_record`; the receivers in
:mod:`security.receivers` call it from Django's and django-axes's signals, so the admin, a
shell, ``createsuperuser`` and a single sign-on login are all recorded the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from simple_history.models import HistoricalRecords

from ledger import chain


def request_user():
    """Whoever made the current request (through ``HistoryRequestMiddleware``'s record of
    it), or None outside a request: a shell, a command, a migration."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def request_address(request) -> str | None:
    """The source address as django-axes read it (it honours the proxy settings), else the
    socket's."""
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


@dataclass(frozen=True)
class LoginAttempt:
    """Whoever typed a name at the login page, as the actor of a failed login or a lockout:
    listed by that name and the source address, linked to no account (the name may be
    anyone's, or no one's)."""

    name: str
    address: str | None
    pk: None = None

    @property
    def username(self) -> str:
        return f"{self.name or '?'} @ {self.address or '?'}"[:150]


def security_event_record(
    *, action: str, actor=None, payload: dict[str, Any], reason: str = ""
) -> None:
    """Append one security event to the system chain, in the caller's transaction if there
    is one (a refused change takes its event with it)."""
    with transaction.atomic():
        chain.append(
            chain=chain.SYSTEM_CHAIN,
            action=action,
            actor=actor,
            changes=[],
            reason=reason,
            payload=payload,
        )
