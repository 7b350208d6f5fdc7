"""People as a case file names them: by name and position, never by login.

A member of staff who uses the system is named from their employee record (name and
position); without one, from the account's full name and role. Logins go into the file
only inside ``events.json``, where the hashed audit content holds them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q

# Payload keys that hold logins, per action prefix (``from`` is a stage or a status elsewhere).
PEOPLE_KEYS: dict[str, frozenset[str]] = {
    "team.": frozenset({"lead", "members", "added", "removed"}),
    "task.": frozenset({"from", "to"}),
    "identity.": frozenset({"requested_by"}),
    "outcome.": frozenset({"recipient"}),  # the reporter's login, or "reporter"
}


def login_keys(action: str) -> frozenset[str]:
    for prefix, keys in PEOPLE_KEYS.items():
        if action.startswith(prefix):
            return keys
    return frozenset()


def logins_in(action: str, payload: dict) -> set[str]:
    """Every login an audit payload names."""
    out: set[str] = set()
    for key in login_keys(action):
        value = payload.get(key)
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, list):
            out.update(v for v in value if isinstance(v, str))
    if action == "remediation.planned":
        out.update(a[1] for a in payload.get("actions", []) if isinstance(a, list) and len(a) > 1)
    return out


def describe(user) -> str:
    """ "Name, Position" for a user; the full name and role when there is no employee record."""
    try:
        employee = user.employee
    except (AttributeError, ObjectDoesNotExist):
        employee = None
    name = (employee.name if employee else "") or user.get_full_name()
    roles = sorted(g.name for g in user.groups.all())
    position = (employee.position if employee else "") or (roles[0] if roles else "")
    if name and position:
        return f"{name}, {position}"
    # Last resort for an account with neither a name nor a role: its login.
    return name or position or user.get_username()


def staff(user_ids: Iterable[int], logins: Iterable[str] = ()) -> dict:
    """The users with these ids or logins, in one query (their groups in a second)."""
    ids, logins = {i for i in user_ids if i}, set(logins)
    if not ids and not logins:
        return {}
    return {
        u.pk: u
        for u in get_user_model()
        .objects.filter(Q(pk__in=ids) | Q(username__in=logins))
        .select_related("employee")
        .prefetch_related("groups")
    }
