"""What the auditor's desk reads: the system chain's configuration, people and security
events, each with the people it names by name and position."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.chain import SYSTEM_CHAIN
from ledger.models import AuditEvent
from violations import policy

# The pages of the desk and the actions each lists, with their labels.
CONFIG = "config"
PEOPLE = "people"
SECURITY = "security"

KINDS: dict[str, dict[str, Any]] = {
    CONFIG: {
        "config.created": _("Reference data added"),
        "config.changed": _("Reference data changed"),
        "config.deleted": _("Reference data deleted"),
        "config.genesis": _("Reference data loaded"),
        "config.migrated": _("Reference data migrated"),
    },
    PEOPLE: {
        "user.created": _("Account created"),
        "user.deactivated": _("Account deactivated"),
        "user.reactivated": _("Account reactivated"),
        "user.flags_changed": _("Staff or superuser status changed"),
        "user.renamed": _("Login name changed"),
        "user.password_changed": _("Password changed"),
        "user.deleted": _("Account deleted"),
        "user.groups_changed": _("Roles changed"),
        "user.permissions_changed": _("Permissions of an account changed"),
        "group.created": _("Role created"),
        "group.deleted": _("Role deleted"),
        "group.permissions_changed": _("Permissions of a role changed"),
    },
    SECURITY: {
        "login.succeeded": _("Signed in"),
        "login.failed": _("Failed sign-in"),
        "login.locked_out": _("Locked out"),
        "login.lockout_lifted": _("Lockout lifted"),
        "second_factor.enrolled": _("Authenticator enrolled"),
        "second_factor.removed": _("Authenticator removed"),
        "second_factor.failed": _("Wrong second-factor code"),
        "second_factor.recovery_codes_issued": _("Recovery codes issued"),
        "second_factor.recovery_code_used": _("Recovery code used"),
        "audit.exported": _("Audit trail exported"),
        "statistics.exported": _("Regulator statistics produced"),
        "dashboard.exported": _("Dashboard downloaded"),
        "service_account.created": _("Service account created"),
        "api_token.created": _("API token issued"),
        "api_token.rotated": _("API token rotated"),
        "api_token.revoked": _("API token revoked"),
        "api_token.used": _("API token used"),
        "api_token.refused": _("API token refused"),
        "webhook.subscribed": _("Webhook subscriber registered"),
        "webhook.changed": _("Webhook subscriber changed"),
        "webhook.secret_rotated": _("Webhook signing secret rotated"),
        "webhook.resent": _("Webhook deliveries sent again"),
    },
}

TITLES = {
    CONFIG: _("Configuration changes"),
    PEOPLE: _("Users and roles"),
    SECURITY: _("Security events"),
}

PAGE_SIZE = 50


def can_use_desk(user) -> bool:
    """The desk is internal audit's: the holders of ``audit_cases``."""
    return policy.has(user, "audit_cases")


def person_label(user) -> str:
    """A person as people know them: name and position, the login only when no staff
    record names them."""
    employee = getattr(user, "employee", None) if user is not None else None
    if employee is None:
        return user.get_full_name() or user.get_username()
    return f"{employee.name} · {employee.position}" if employee.position else employee.name


def day_bounds(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, ...]:
    """The period from the start of ``start`` to the end of ``end``, in the institution's
    time zone (either may be open)."""
    tz = timezone.get_default_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=tz) if start else None
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if end else None
    return low, high


def trail(
    page: str, *, start: dt.date | None = None, end: dt.date | None = None, action: str = ""
) -> QuerySet[AuditEvent]:
    """The events of one page of the desk, newest first, within the period (dates in the
    institution's time zone, both inclusive) and of one action if given."""
    actions = list(KINDS[page]) if not action else [action]
    low, high = day_bounds(start, end)
    qs = AuditEvent.objects.filter(chain__key=SYSTEM_CHAIN, action__in=actions)
    if low is not None:
        qs = qs.filter(occurred_at__gte=low)
    if high is not None:
        qs = qs.filter(occurred_at__lt=high)
    return qs.select_related("actor__employee").order_by("-seq")


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    seq: int
    hash: str
    action: str
    label: str
    actor: str
    subject: str
    details: list[tuple[str, str]]
    reason: str


def _subject_ids(events: list[AuditEvent]) -> set[int]:
    ids = set()
    for e in events:
        payload = e.payload if isinstance(e.payload, dict) else {}
        on = payload.get("on") if isinstance(payload.get("on"), dict) else {}
        for value in (payload.get("user_id"), on.get("user_id")):
            if isinstance(value, int):
                ids.add(value)
    return ids


def _listed(values: Any) -> str:
    return ", ".join(str(v) for v in values) if isinstance(values, list) else str(values)


def _details(e: AuditEvent) -> list[tuple[str, str]]:
    p = e.payload if isinstance(e.payload, dict) else {}
    rows: list[tuple[str, str]] = []
    if e.action.startswith("config."):
        if "model" in p:
            rows.append((str(_("Record")), f"{p.get('model')} #{p.get('pk')} {p.get('name', '')}"))
        if p.get("fields"):
            rows.append((str(_("Fields")), _listed(p["fields"])))
        if p.get("models"):
            rows.append((str(_("Records")), f"{_listed(p['models'])} ({p.get('rows')})"))
    if "group" in p:
        rows.append((str(_("Role")), str(p["group"])))
    on = p.get("on") if isinstance(p.get("on"), dict) else {}
    if "group" in on:
        rows.append((str(_("Role")), str(on["group"])))
    if "permission" in on:
        rows.append((str(_("Permission")), str(on["permission"])))
    if "added" in p:
        rows.append((str(_("Added")), _listed(p["added"])))
    if "removed" in p:
        rows.append((str(_("Removed")), _listed(p["removed"])))
    if isinstance(p.get("changed"), dict):
        rows.append(
            (
                str(_("Changed")),
                ", ".join(
                    f"{k}: {v.get('from')} → {v.get('to')}"
                    for k, v in sorted(p["changed"].items())
                    if isinstance(v, dict)
                ),
            )
        )
    if "from" in p and not isinstance(p.get("from"), dict) and e.action == "user.renamed":
        rows.append((str(_("Previous login name")), str(p["from"])))
    return rows + _security_details(e.action, p)


def _security_details(action: str, p: dict) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if action.startswith(("login.", "second_factor.")):
        if p.get("username"):
            rows.append((str(_("Login name")), str(p["username"])))
        address = p.get("ip_address") or p.get("address")
        if address:
            rows.append((str(_("Address")), str(address)))
        if p.get("device_name"):
            rows.append((str(_("Device")), str(p["device_name"])))
    if action == "dashboard.exported":
        rows.append((str(_("Format")), str(p.get("format", ""))))
        rows.append((str(_("Tables")), _listed(p.get("tables") or [])))
        if p.get("names_people"):
            rows.append((str(_("Names people")), str(_("yes"))))
        filters = p.get("filters") if isinstance(p.get("filters"), dict) else {}
        if filters:
            rows.append((str(_("Filters")), ", ".join(f"{k}={v}" for k, v in filters.items())))
        rows.append((str(_("File SHA-256")), str(p.get("sha256", ""))))
    if action == "statistics.exported":
        rows.append((str(_("Period")), str(p.get("period", ""))))
        rows.append((str(_("Recipient")), str(p.get("recipient", ""))))
        rows.append((str(_("Manifest SHA-256")), str(p.get("manifest_sha256", ""))))
    if action == "audit.exported":
        scope = p.get("scope") if isinstance(p.get("scope"), dict) else {}
        if scope.get("kind") == "period":
            rows.append((str(_("Period")), f"{scope.get('from')} – {scope.get('to')}"))
        else:
            rows.append((str(_("Cases")), _listed(scope.get("cases") or [])))
        rows.append((str(_("Events")), str(p.get("events", ""))))
        rows.append((str(_("File SHA-256")), str(p.get("sha256", ""))))
    return rows + _integration_details(action, p)


def _integration_details(action: str, p: dict) -> list[tuple[str, str]]:
    """Service accounts, their tokens and webhook subscribers: named, never their secrets."""
    rows: list[tuple[str, str]] = []
    if action.startswith(("api_token.", "service_account.")):
        if p.get("token"):
            rows.append((str(_("Token")), f"{p['token']} ({p.get('prefix', '')})"))
        if p.get("account") or p.get("username"):
            rows.append((str(_("Service account")), str(p.get("account") or p.get("username"))))
        if p.get("scopes"):
            rows.append((str(_("Scopes")), _listed(p["scopes"])))
    if action.startswith("webhook."):
        if p.get("subscriber"):
            rows.append((str(_("Subscriber")), str(p["subscriber"])))
        if p.get("url"):
            rows.append((str(_("URL")), str(p["url"])))
        if p.get("events"):
            rows.append((str(_("Events")), _listed(p["events"])))
        if p.get("deliveries"):
            rows.append((str(_("Deliveries")), _listed(p["deliveries"])))
    return rows


def entries(page: str, events: list[AuditEvent]) -> list[Entry]:
    """The events of one page as the desk shows them; the people they name read in one
    query."""
    ids = _subject_ids(events)
    people = (
        {u.pk: u for u in get_user_model().objects.filter(pk__in=ids).select_related("employee")}
        if ids
        else {}
    )
    labels = KINDS[page]
    result = []
    for e in events:
        payload = e.payload if isinstance(e.payload, dict) else {}
        on = payload.get("on") if isinstance(payload.get("on"), dict) else {}
        uid = payload.get("user_id", on.get("user_id"))
        subject_user = people.get(uid) if isinstance(uid, int) else None
        if subject_user is not None:
            subject = person_label(subject_user)
        else:
            subject = str(payload.get("username") or on.get("username") or "")
        result.append(
            Entry(
                at=e.occurred_at,
                seq=e.seq,
                hash=e.hash,
                action=e.action,
                label=str(labels.get(e.action, e.action)),
                actor=person_label(e.actor) if e.actor is not None else e.actor_name,
                subject=subject,
                details=_details(e),
                reason=e.reason,
            )
        )
    return result
