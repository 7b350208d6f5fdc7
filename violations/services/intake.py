"""Intake: a reported violation becomes a case (its process is started by
``casework.services.case_report``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from deadlines.models import Kind as DeadlineKind

from .. import audit, policy
from ..exceptions import InvalidState, NotAllowed
from ..models import Case, Department, Employee, ReferenceCounter, Source, ViolationCategory
from .clocks import clock_start, rule_of
from .evidence import store_evidence
from .mailbox import acknowledgement_post
from .notices import acknowledgement_notify
from .reporter_clocks import acknowledgement_recorded
from .vault import PROTECTED_REPORTER, vault_identity_store

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def next_reference(when: dt.datetime) -> str:
    """``VC-2026-000123``: a per-year counter taken under a row lock, so never reused."""
    year = timezone.localtime(when).year
    last = _take_number(year)
    if last is None:  # the year's first case
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(year=year)
        except IntegrityError:  # a concurrent first case created it: queue behind it
            pass
        last = _take_number(year)
    prefix = settings.ACCOUNTABILITY["REFERENCE_PREFIX"]
    return f"{prefix}-{year}-{last:06d}"


def _take_number(year: int) -> int | None:
    """Advance the year's counter and read it in one statement (the update locks the row
    until commit, so concurrent reports queue); None if the year has no counter yet."""
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last",
            [year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def case_report(
    *,
    actor: User,
    source: str,
    category: ViolationCategory,
    title: str,
    description: str,
    occurred_at: dt.datetime,
    department: Department,
    subjects: list[Employee],
    customer_involved: bool = False,
    customer_name: str = "",
    customer_reference: str = "",
    customer_contact: str = "",
    is_anonymous: bool = False,
    attachments: list | None = None,
) -> Case:
    """Record a reported violation: the case, its subjects, its attachments and the first
    event of its chain, in the caller's transaction if there is one.

    Preconditions: ``actor`` may report; at least one subject; ``occurred_at`` is aware and
    not in the future; a customer complaint names its customer.
    """
    policy.require(actor, "report_case", _("You are not allowed to report violations."))
    errors: dict[str, list] = {}
    if not subjects:
        errors["subjects"] = [_("Name at least one subject employee.")]
    if occurred_at is None or timezone.is_naive(occurred_at):
        errors["occurred_at"] = [_("Give the date and time with a time zone.")]
    elif occurred_at > timezone.now():
        errors["occurred_at"] = [_("The violation cannot have happened in the future.")]
    if source == Source.CUSTOMER_COMPLAINT and not customer_involved:
        errors["customer_involved"] = [_("A customer complaint always involves a customer.")]
    if customer_involved and not customer_name.strip():
        errors["customer_name"] = [_("Name the affected customer.")]
    if errors:
        raise ValidationError(errors)

    # Whistleblowing is confidential by nature: its reporter goes to the vault like an
    # anonymous one. Nothing recorded on the case (reported_by, history users, the uploader of
    # attachments, the audit actor) may then name them.
    protected = is_anonymous or source == Source.WHISTLEBLOWER
    return file_case(
        source=source,
        category=category,
        title=title,
        description=description,
        occurred_at=occurred_at,
        department=department,
        subjects=subjects,
        customer_involved=customer_involved,
        customer_name=customer_name,
        customer_reference=customer_reference,
        customer_contact=customer_contact,
        protected=protected,
        recorder=None if protected else actor,
        event_actor=PROTECTED_REPORTER if protected else actor,
        vault=(lambda case: vault_identity_store(case=case, user=actor)) if protected else None,
        attachments=attachments,
    )


def file_case(
    *,
    source: str,
    category: ViolationCategory,
    title: str,
    description: str,
    occurred_at: dt.datetime,
    department: Department,
    subjects: list[Employee],
    customer_involved: bool,
    customer_name: str,
    customer_reference: str,
    customer_contact: str,
    protected: bool,
    recorder: User | None,
    event_actor,
    vault=None,
    attachments: list | None = None,
    payload: dict | None = None,
) -> Case:
    """Write a validated report: the case, its subjects (maybe none yet, for a report from
    the portal), the vaulted identity (``vault(case)``), its attachments, the first event of
    its chain and its clocks. No permission check: ``case_report`` and the portal's intake
    check first."""
    now = timezone.now()
    with transaction.atomic():
        case = Case(
            reference=next_reference(now),
            source=source,
            category=category,
            title=title.strip(),
            description=description,
            occurred_at=occurred_at,
            department=department,
            customer_involved=customer_involved,
            customer_name=customer_name.strip(),
            customer_reference=customer_reference.strip(),
            customer_contact=customer_contact.strip(),
            is_anonymous=protected,
            reported_by=recorder,
            reported_at=now,
            acknowledge_due_at=now,
        )
        # The acknowledgement's deadline rule may depend on the source (a whistleblower
        # report has longer than a customer complaint).
        case.acknowledge_due_at = rule_of(case, DeadlineKind.ACKNOWLEDGEMENT).due(now)
        audit.save(case, actor=recorder, reason="reported")
        # A new case: its subject links are written in one insert (no read of links it
        # cannot have yet); the event digests them as the database holds them.
        Case.subjects.through.objects.bulk_create(
            [Case.subjects.through(case=case, employee=e) for e in dict.fromkeys(subjects)]
        )
        audit.keep_links(case)
        if vault is not None:
            vault(case)
        for upload in attachments or []:
            store_evidence(
                case=case,
                actor=recorder,
                upload=upload,
                kind="report_attachment",
                description=_("Attached to the report"),
            )
        audit.record(
            action="case.reported",
            actor=event_actor,
            case=case,
            payload={
                "source": source,
                "category": category.code,
                "subjects": sorted(e.staff_number for e in subjects),
                "anonymous": protected,
                "attachments": len(attachments or []),
                **(payload or {}),
            },
            records=[case],
            new_chain=True,
        )
        clock_start(
            case=case, kind=DeadlineKind.ACKNOWLEDGEMENT, start=now, due_at=case.acknowledge_due_at
        )
        if customer_involved:
            # The customer is answered within the complaint rule's time of the report.
            clock_start(case=case, kind=DeadlineKind.COMPLAINT, start=now)
    return case


def case_attach_process(*, case: Case, process: Process) -> None:
    """Link a new case to its process. Called by the flow's start node."""
    if case.process_id is not None:
        raise InvalidState(_("This case already has a process."))
    case.process = process
    # Vouched for by the next event, the first stage's, in the same transaction.
    audit.save(case, actor=None, reason="process started", update_fields=["process"])


def case_acknowledge(*, case: Case, actor: User, message: str = "") -> Case:
    """The initial response to the reporter (due within 24 hours of the report).

    Preconditions: actor can verify cases and is not a party; not yet acknowledged.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        policy.require(actor, "verify_case", _("Only compliance officers acknowledge reports."))
        policy.require_not_party(actor, case)
        if case.acknowledged_at:
            raise InvalidState(_("This report was already acknowledged."))
        case.acknowledged_at = timezone.now()
        case.acknowledged_by = actor
        audit.save(
            case,
            actor=actor,
            reason="acknowledged",
            update_fields=["acknowledged_at", "acknowledged_by"],
        )
        # The reporter reads it in the mailbox too (the same event vouches for it).
        posted = acknowledgement_post(case=case, actor=actor, text=message)
        audit.record(
            action="case.acknowledged",
            actor=actor,
            case=case,
            payload={
                "message": message,
                **({"mailbox_message": posted.pk} if posted else {}),
                "on_time": case.acknowledged_at <= case.acknowledge_due_at,
            },
        )
        acknowledgement_recorded(case=case)
        acknowledgement_notify(case=case, message=message)
    return case


def case_subjects_change(*, case: Case, actor: User, subjects: list[Employee], reason: str) -> Case:
    """Correct who the case is about (a subject named by mistake, another found later).

    Preconditions: the actor verifies cases or manages them and is no party; the case is
    open; at least one subject, none of them on the case's active team; a reason. The
    case's history row keeps the subjects before and after, so a past state names them.
    """
    errors: dict[str, list] = {}
    subjects = list(dict.fromkeys(subjects))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not (policy.has(actor, "verify_case") or policy.has(actor, "manage_cases")):
            raise NotAllowed(_("Only compliance officers and case managers do this."))
        policy.require_not_party(actor, case)
        if case.is_closed:
            raise InvalidState(_("The case is closed."))
        before = list(case.subjects.order_by("staff_number"))
        if not subjects:
            errors["subjects"] = [_("Name at least one subject employee.")]
        elif set(subjects) == set(before):
            errors["subjects"] = [_("These are already the case's subjects.")]
        on_team = case.team.filter(active=True, user__employee__in=subjects).select_related(
            "user__employee"
        )
        if on_team:
            errors["subjects"] = [
                _("%(name)s is on the investigation team; replace them on the team first.")
                % {"name": m.user.employee.name}
                for m in on_team
            ]
        if not reason.strip():
            errors["reason"] = [_("Give the reason.")]
        if errors:
            raise ValidationError(errors)
        audit.set_links(case, "subjects", subjects, actor=actor, reason="subjects changed")
        audit.record(
            action="case.subjects_changed",
            actor=actor,
            case=case,
            reason=reason.strip(),
            payload={
                "from": [e.staff_number for e in before],
                "to": sorted(e.staff_number for e in subjects),
            },
        )
    return case
