"""Who is told when a task arrives.

A task handed to someone is announced to them in the transaction that assigns it. A task
waiting in a queue is announced by the ``announce_queues`` job to everyone who could take
it (the same rule as their queue page, ``eligibility.eligible_queue``), once per person and
task, as a digest: one mail collects all the arrivals of the digest period. A task put back in
the queue (released) is announced again at once, in the release's transaction, to everyone
who may take it but the person who let it go: each release is a new arrival."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import F
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from notifications.models import Notification
from notifications.services import notify
from violations.models import Case

from ..eligibility import eligible_queue

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Tasks older than this are not announced when first seen (a new installation, a person
# given a role): their queue page lists them.
QUEUE_LOOKBACK = timedelta(days=7)


def task_link(task: Task, reference: str) -> str:
    """The task's page; the case page when the task has none."""
    try:
        return task.flow_task.reverse("index", args=[task.process_id, task.pk])
    except NoReverseMatch:
        from django.urls import reverse

        return reverse("casework:case_detail", args=[reference])


def _task_title(task: Task) -> str:
    # The untranslated title: each recipient reads it in their own language.
    with translation.override(None):
        return str(task.flow_task.task_title or task.flow_task.name)


def task_announce(*, task: Task, case: Case, reason: str = "") -> None:
    """Tell the holder of ``task`` that it is theirs (a task waiting in the queue is left to
    ``queues_announce``). Preconditions: the caller holds the process lock; task saved."""
    if not task.owner_id:
        return
    notify(
        task.owner,
        "task.assigned",
        case_reference=case.reference,
        context={"task": _task_title(task), "reason": reason},
        link=task_link(task, case.reference),
    )


def queues_announce(*, now: datetime | None = None) -> int:
    """Tell each person about the tasks newly waiting in their queue; return how many
    notifications were written. Idempotent: each person hears of a task once."""
    from ..flows import CaseFlow  # the flow imports the task pages, which import services

    now = now or timezone.now()
    waiting = Task.objects.filter(
        flow_task_type="HUMAN",
        status=STATUS.NEW,
        owner__isnull=True,
        created__gte=now - QUEUE_LOOKBACK,
    )
    permissions = set(
        waiting.exclude(owner_permission__isnull=True)
        .exclude(owner_permission="")
        .values_list("owner_permission", flat=True)
        .distinct()
    )
    written = 0
    for user in _holders_of(permissions).values():
        tasks = list(
            eligible_queue(CaseFlow, user)
            .filter(created__gte=now - QUEUE_LOOKBACK)
            .annotate(reference=F("process__case__reference"))
            .order_by("pk")
        )
        told = _told_of(user, since=now - QUEUE_LOOKBACK)
        for task in tasks:
            if task.pk in told:
                continue
            made = notify(
                user,
                "task.queued",
                case_reference=task.reference,
                context={"task": _task_title(task)},
                link=task_link(task, task.reference),
                dedupe_key=f"task:{task.pk}:queued",
            )
            written += made is not None
    return written


def _holders_of(permissions: set[str]) -> dict[int, User]:
    """Active people holding any of ``permissions`` through their groups or themselves."""
    people: dict[int, User] = {}
    User = get_user_model()
    for permission in sorted(permissions):
        for user in User.objects.with_perm(
            permission,
            include_superusers=False,
            backend="django.contrib.auth.backends.ModelBackend",
        ).filter(is_active=True):
            people.setdefault(user.pk, user)
    return people


def _told_of(user: User, *, since: datetime) -> set[int]:
    """The tasks ``user`` has been told of as waiting (by the job or by a release), from the
    dedupe keys ``<user>:task:<task>:…``."""
    told = set()
    keys = Notification.objects.filter(
        recipient=user, kind="task.queued", created_at__gte=since
    ).values_list("dedupe_key", flat=True)
    for key in keys:
        parts = (key or "").split(":")
        if len(parts) > 2 and parts[1] == "task" and parts[2].isdigit():
            told.add(int(parts[2]))
    return told


def task_announce_release(*, task: Task, case: Case, release_id: int, released_by: set[int]) -> int:
    """Tell everyone who may take ``task`` (back in the queue after a release) that it waits,
    but the people in ``released_by`` (its last holder, whoever released it); return how
    many were told. ``release_id``, the release's audit event, makes each release a new
    announcement while a repeat of the same one is a no-op. Preconditions: the caller holds
    the process lock; the task is saved unassigned."""
    from ..flows import CaseFlow  # the flow imports the task pages, which import services

    if not task.owner_permission:
        return 0
    written = 0
    for user in _holders_of({task.owner_permission}).values():
        if user.pk in released_by:
            continue
        if not eligible_queue(CaseFlow, user).filter(pk=task.pk).exists():
            continue
        made = notify(
            user,
            "task.queued",
            case_reference=case.reference,
            context={"task": _task_title(task)},
            link=task_link(task, case.reference),
            dedupe_key=f"task:{task.pk}:released:{release_id}",
        )
        written += made is not None
    return written
