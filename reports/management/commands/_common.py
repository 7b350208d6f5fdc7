from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from violations.exceptions import NotAllowed
from violations.models import Case


def resolve_actor(username):
    """None means the system; a named user must exist (and pass the export permission)."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user named {username!r}.")
    return user


def case_by_reference(reference):
    case = Case.objects.filter(reference=reference).first()
    if case is None:
        raise CommandError(f"No case with reference {reference!r}.")
    return case


__all__ = ["NotAllowed", "case_by_reference", "resolve_actor"]
