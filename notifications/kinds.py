"""The kinds of notification: for each, a subject and a body written for gettext with
``%(name)s`` placeholders filled from the notification's context (``case`` and ``ref``, the
case reference, and ``url``, the link in full, are always there), rendered in the
recipient's language when the mail is sent and when the centre lists it.

Another app adds its own kinds with ``register(Kind(...))`` from its ``AppConfig.ready()``
(for example ``deadlines`` for reminders and breaches): the mail is rendered later, in the
dispatcher's process, which must know every kind that may be waiting in the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any  # lazy text: what the preferences page calls it
    subject: Any  # lazy text with %(name)s placeholders
    body: Any
    # Always e-mailed at once; the preferences page does not offer a digest for it.
    mandatory: bool = False
    # Collected into a digest on the digest job's next run, whatever the preference.
    digest_only: bool = False
    # Context values that are msgids (a task's name, a result), translated when rendered.
    translate: tuple[str, ...] = ()
    # Context values that are ISO datetimes, shown in the institution's time zone.
    dates: tuple[str, ...] = ()


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.key in _KINDS and _KINDS[kind.key] != kind:
        raise ValueError(f"notification kind {kind.key!r} registered twice")
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> Kind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"unknown notification kind {key!r}") from None


def all_kinds() -> list[Kind]:
    return list(_KINDS.values())


class _Lenient(dict):
    """A context that shows a missing placeholder as empty rather than failing a send."""

    def __missing__(self, key: str) -> str:
        return ""


def render_context(kind: Kind, context: Mapping[str, Any]) -> dict[str, Any]:
    """The context as the current language shows it. Call inside ``translation.override``."""
    values = _Lenient(context)
    for key in kind.translate:
        value = values.get(key)
        if isinstance(value, list):
            values[key] = ", ".join(gettext(str(v)) for v in value)
        elif value:
            values[key] = gettext(str(value))
    for key in kind.dates:
        if values.get(key):
            try:
                moment = datetime.fromisoformat(values[key])
            except (TypeError, ValueError):
                continue
            values[key] = date_format(localtime(moment), "DATETIME_FORMAT")
    return values


def fill(text: Any, kind: Kind, context: Mapping[str, Any]) -> str:
    return str(text) % render_context(kind, context)


TASK_ASSIGNED = register(
    Kind(
        key="task.assigned",
        label=_("A task is assigned to me"),
        subject=_("New task: %(task)s (%(case)s)"),
        body=_(
            "A task is waiting in your inbox: %(task)s, case %(case)s.\n%(reason)s\n\n"
            "Open it: %(url)s"
        ),
        translate=("task",),
    )
)
TASK_QUEUED = register(
    Kind(
        key="task.queued",
        label=_("A task arrives in a queue I can take from"),
        subject=_("Task to take: %(task)s (%(case)s)"),
        body=_("A task is waiting to be taken: %(task)s, case %(case)s.\n\nOpen it: %(url)s"),
        digest_only=True,
        translate=("task",),
    )
)
REPORT_ACKNOWLEDGED = register(
    Kind(
        key="report.acknowledged",
        label=_("My report is acknowledged"),
        subject=_("Your report %(case)s has been received"),
        body=_(
            "Your report %(case)s was received and acknowledged on %(when)s. "
            "It will be looked into; you will be told how it ends.\n\n%(message)s"
        ),
        mandatory=True,
        dates=("when",),
    )
)
OUTCOME_NOTICE = register(
    Kind(
        key="case.outcome",
        label=_("The outcome of my report"),
        subject=_("Outcome of your report %(ref)s"),
        body=_("%(notice)s"),
        mandatory=True,
        translate=("notice",),
    )
)
DEFENCE_NOTICE = register(
    Kind(
        key="sanction.defence_notice",
        label=_("Proposed measures concerning me"),
        subject=_("Proposed disciplinary measures: %(ref)s"),
        # The notice's own sentence (sanctions.services.proposal.defence_notice).
        body=_(
            "Case %(ref)s. Findings: %(nature)s (severity: %(severity)s). Proposed sanction(s) for "
            "%(name)s: %(kinds)s. You may submit a statement of defence until %(due)s."
        ),
        mandatory=True,
        translate=("severity", "kinds"),
        dates=("due",),
    )
)
APPROVAL_RESULT = register(
    Kind(
        key="sanction.decided",
        label=_("The decision on my sanction proposal"),
        subject=_("Decision on your sanction proposal: %(case)s"),
        body=_(
            "Your sanction proposal for case %(case)s (round %(round)s): %(result)s.\n"
            "%(reason)s\n\nOpen the case: %(url)s"
        ),
        translate=("result",),
    )
)
CASE_OVERDUE = register(
    Kind(
        key="case.overdue",
        label=_("A case is overdue"),
        subject=_("Overdue: %(ref)s"),
        body=_("Case %(case)s is overdue (%(what)s).\n\nOpen it: %(url)s"),
        translate=("what",),
    )
)
BULLETIN_PUBLISHED = register(
    Kind(
        key="bulletin.published",
        label=_("A case bulletin is published"),
        subject=_("Case bulletin published: %(title)s"),
        body=_(
            'The case bulletin "%(title)s" for %(period_start)s to %(period_end)s is '
            "published.\n\nRead it: %(url)s"
        ),
    )
)
