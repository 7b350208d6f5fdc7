"""Overdue work is escalated: once per stage entry (and once for a late acknowledgement)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from notifications.services import notify

from .. import audit
from ..models import Case, Stage

# What was late, as msgids: each manager reads them in their own language.
WHAT = {"stage": gettext_noop("stage deadline"), "acknowledgement": gettext_noop("acknowledgement")}


def _managers():
    User = get_user_model()
    return (
        User.objects.filter(is_active=True, groups__permissions__codename="manage_cases")
        .distinct()
        .order_by("pk")
    )


def overdue_escalate(*, now=None) -> list[tuple[str, str]]:
    """Record an escalation event for every case whose stage or acknowledgement is overdue
    and has not been escalated yet, and tell the case managers. Safe to re-run.

    Returns (reference, what) pairs for what was escalated this run.
    """
    now = now or timezone.now()
    done: list[tuple[str, str]] = []
    late = (
        Case.objects.exclude(stage=Stage.CLOSED)
        .filter(
            Q(stage_due_at__lt=now) | Q(acknowledged_at__isnull=True, acknowledge_due_at__lt=now)
        )
        .order_by("pk")
    )
    for case in late:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case.pk)
            previous = audit.events_of(case).filter(action="deadline.escalated")
            items = []
            if (
                case.stage_due_at
                and case.stage_due_at < now
                and not any(
                    e.payload.get("what") == "stage"
                    and e.payload.get("entered") == case.stage_entered_at.isoformat()
                    for e in previous
                )
            ):
                items.append(
                    {
                        "what": "stage",
                        "stage": case.stage,
                        "entered": case.stage_entered_at.isoformat(),
                        "due": case.stage_due_at.isoformat(),
                    }
                )
            if (
                not case.acknowledged_at
                and case.acknowledge_due_at < now
                and not previous.filter(payload__what="acknowledgement").exists()
            ):
                items.append(
                    {"what": "acknowledgement", "due": case.acknowledge_due_at.isoformat()}
                )
            for item in items:
                audit.record(action="deadline.escalated", actor=None, case=case, payload=item)
                done.append((case.reference, item["what"]))
            if items:
                for manager in _managers():
                    notify(
                        manager,
                        "case.overdue",
                        case_reference=case.reference,
                        context={"what": [WHAT[i["what"]] for i in items]},
                        link=case.get_absolute_url(),
                        dedupe_key=f"overdue:{case.pk}:"
                        + ",".join(f"{i['what']}@{i.get('entered', '')}" for i in items),
                    )
    return done
