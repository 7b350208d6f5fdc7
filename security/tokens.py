"""Service accounts, their API tokens and the scopes that bound them.

A scope is one line of :data:`SCOPES`: the role (a group) the account is given, so the
domain services accept its calls as they accept a person's in that role, and the API
operations a token of that scope may call at all. Both hold on every call: the scope says
which operations, the role and the case's rules say on which cases.

Tokens are ``acct_<prefix>_<secret>``: the prefix names the token in lists and events, the
secret (32 random bytes) is shown once; only the SHA-256 of the whole token is kept.
Rotating makes a new token with the same name, scopes and rate, and lets the old one run on
for :data:`ROTATION_OVERLAP` (``API_TOKEN_ROTATION_OVERLAP_MINUTES``, default 60) so the
other system can switch without a failed call; revoking ends a token at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .events import security_event_record
from .models import ApiToken, ServiceAccount

TOKEN_PREFIX = "acct_"


@dataclass(frozen=True)
class Scope:
    label: str
    group: str  # the role the account holds (its permissions: the migration that made it)
    operations: frozenset[str]
    # For task operations: the steps a token of this scope may claim and complete.
    steps: frozenset[str] = field(default_factory=frozenset)


# scope -> what a token of it may do. An operation is named where its API view declares it
# (``api_operations``); a view that names none is closed to every token.
SCOPES: dict[str, Scope] = {
    "complaint-system": Scope(
        label=_("Complaint system: reports cases and reads the outcome of its reports"),
        group="Complaint system",
        operations=frozenset({"case.report", "report.list", "report.read"}),
    ),
    "hr-system": Scope(
        label=_("HR system: reads approved sanctions and records their execution"),
        group="HR system",
        operations=frozenset(
            {
                "sanction.list",
                "task.list",
                "task.read",
                "task.claim",
                "task.release",
                "task.complete",
            }
        ),
        steps=frozenset({"execute_sanctions", "execute_revised"}),
    ),
}
SCOPE_CHOICES = [(name, scope.label) for name, scope in SCOPES.items()]


RATE_HELP = _('Give a number of requests per second, minute, hour or day, such as "600/minute".')


def valid_rate(rate: str) -> bool:
    """A rate DRF's throttles read: ``<number>/<s|m|h|d…>``."""
    number, _sep, period = rate.partition("/")
    return (
        number.isascii()
        and number.isdigit()
        and int(number) > 0
        and period[:1] in "smhd"
        and period != ""
    )


def rotation_overlap() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "API_TOKEN_ROTATION_OVERLAP_MINUTES", 60))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def prefix_of(token: str) -> str | None:
    """The prefix a well-formed token carries, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    parts = token[len(TOKEN_PREFIX) :].split("_", 1)
    return parts[0] if len(parts) == 2 and parts[0].isalnum() and len(parts[0]) <= 16 else None


def operations_of(token: ApiToken) -> set[str]:
    return {op for s in token.scopes if s in SCOPES for op in SCOPES[s].operations}


def steps_of(token: ApiToken) -> set[str]:
    return {step for s in token.scopes if s in SCOPES for step in SCOPES[s].steps}


def _require_admin(actor) -> None:
    if not (actor and actor.is_active and actor.is_superuser):
        raise PermissionDenied(
            _("Only an administrator manages service accounts and their tokens.")
        )


def service_account_create(*, username: str, description: str = "", actor) -> ServiceAccount:
    """A new user that only ever acts by token: no usable password, never staff."""
    _require_admin(actor)
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ValidationError({"username": _("An account with this name exists already.")})
        user = User(username=username)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        account = ServiceAccount(user=user, description=description, created_by=actor)
        account.full_clean()
        account.save()
        security_event_record(
            action="service_account.created",
            actor=actor,
            payload={"user_id": user.pk, "username": username},
        )
    return account


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def _check_scopes(scopes) -> list[str]:
    if not isinstance(scopes, (list, tuple)) or not scopes or any(s not in SCOPES for s in scopes):
        raise ValidationError({"scopes": _("Choose one or more of the scopes offered.")})
    return sorted(set(scopes))


def api_token_create(
    *,
    account: ServiceAccount,
    name: str,
    scopes,
    actor,
    expires_at: dt.datetime | None = None,
    rate: str = "",
) -> tuple[ApiToken, str]:
    """A token for ``account``; returns it and its plaintext, which is never stored or shown
    again. The account joins each scope's role."""
    _require_admin(actor)
    scopes = _check_scopes(scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Give a time in the future.")})
    if rate and not valid_rate(rate):
        raise ValidationError({"rate": RATE_HELP})
    with transaction.atomic():
        prefix, plaintext = _new_secret()
        token = ApiToken(
            account=account,
            name=name,
            scopes=scopes,
            prefix=prefix,
            digest=digest(plaintext),
            rate=rate,
            expires_at=expires_at,
            created_by=actor,
        )
        token.full_clean()
        token.save()
        account.user.groups.add(
            *[Group.objects.get_or_create(name=SCOPES[s].group)[0] for s in scopes]
        )
        security_event_record(
            action="api_token.created",
            actor=actor,
            payload={**token.ref(), "scopes": scopes, "expires_at": _iso(expires_at)},
        )
    return token, plaintext


def api_token_rotate(*, token: ApiToken, actor) -> tuple[ApiToken, str]:
    """A new secret for the same name, scopes, expiry and rate; the old token keeps working
    for :func:`rotation_overlap` (or until it would have expired, if sooner)."""
    _require_admin(actor)
    if token.refusal() is not None or token.replaced_by_id is not None:
        raise ValidationError(_("Only a token in use can be rotated."))
    with transaction.atomic():
        new, plaintext = api_token_create(
            account=token.account,
            name=token.name,
            scopes=token.scopes,
            actor=actor,
            expires_at=token.expires_at,
            rate=token.rate,
        )
        ends = timezone.now() + rotation_overlap()
        token.expires_at = min(ends, token.expires_at) if token.expires_at else ends
        token.replaced_by = new
        token.save(update_fields=["expires_at", "replaced_by"])
        security_event_record(
            action="api_token.rotated",
            actor=actor,
            payload={**token.ref(), "replaced_by": new.prefix, "ends_at": _iso(token.expires_at)},
        )
    return new, plaintext


def api_token_revoke(*, token: ApiToken, actor, reason: str = "") -> ApiToken:
    _require_admin(actor)
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        security_event_record(
            action="api_token.revoked", actor=actor, payload=token.ref(), reason=reason
        )
    return token


def _iso(moment):
    return moment.isoformat() if moment else None
