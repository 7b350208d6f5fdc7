"""A notification in words, in the active language (wrap in ``translation.override``)."""

from __future__ import annotations

from . import kinds
from .models import Notification
from .services import conf


def context_of(notification: Notification) -> dict:
    context = dict(notification.context)
    context.setdefault("case", notification.case_reference)
    context.setdefault("ref", context["case"])
    if notification.link:
        context.setdefault("url", conf("SITE_URL").rstrip("/") + notification.link)
    return context


def subject_of(notification: Notification) -> str:
    """The one line that names a notification, in the active language."""
    spec = kinds.get(notification.kind)
    return kinds.fill(spec.subject, spec, context_of(notification)).strip()


def body_of(notification: Notification) -> str:
    spec = kinds.get(notification.kind)
    return kinds.fill(spec.body, spec, context_of(notification)).strip()
