"""The reporter's mailbox: receipt codes, and messages between the case team and the
reporter.

Receipt codes. A code is 16 random decimal digits (``secrets``; 10^16 codes), shown once
and never stored. What is stored is ``receipt_hash(code)``: Argon2id over the code with a
salt fixed for this installation, derived by HMAC from ``ACCOUNTABILITY_RECEIPT_KEY`` (or
``SECRET_KEY``). As in GlobaLeaks, the salt is the same for every code on purpose: a
reporter's code then finds its case with one indexed equality, instead of an Argon2
verification against every case's own salted hash, which would cost seconds per attempt
and invite denial of service. What a per-code salt would add (a precomputed table cannot
cover two installations) the installation salt already gives, and a code is 10^16 values
of 53 bits run through a memory-hard function: a stolen database alone, without the key,
gives no way to test a code at all; with the key, each guess costs one Argon2id run.
Rate limits on guessing live with the portal's guard (``security.portal_guard``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2.low_level import Type, hash_secret_raw
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from notifications.services import notify

from .. import audit, policy
from ..exceptions import InvalidState, NotAllowed
from ..models import (
    FEEDBACK_KINDS,
    REPORTER_KINDS,
    TEAM_KINDS,
    Case,
    MessageDirection,
    MessageKind,
    Outcome,
    ReporterMessage,
    ReporterReceipt,
    Stage,
)
from .evidence import store_evidence
from .reporter_clocks import MAILBOX, acknowledgement_delivered, feedback_given
from .vault import PROTECTED_REPORTER

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CODE_DIGITS = 16
MAX_MESSAGE_CHARS = 10_000
# Files a reporter may add to one message, and their total size.
MAX_FILES = 10
KEY_CONTEXT = b"accountability receipt-code salt v1"


# --- receipt codes ----------------------------------------------------------------------------


def new_receipt_code() -> str:
    """Sixteen random digits, each drawn from the system's cryptographic source."""
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def format_code(code: str) -> str:
    """``1234 5678 9012 3456``: four groups of four, to read out and write down."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    """What a person typed, as digits only (spaces and dashes between groups are fine);
    ``""`` unless it is exactly ``CODE_DIGITS`` digits."""
    digits = "".join(ch for ch in (text or "") if not ch.isspace() and ch != "-")
    if len(digits) != CODE_DIGITS or not digits.isascii() or not digits.isdigit():
        return ""
    return digits


def _installation_salt() -> bytes:
    key = settings.ACCOUNTABILITY["PORTAL"]["RECEIPT_KEY"] or settings.SECRET_KEY
    return hmac.new(key.encode(), KEY_CONTEXT, hashlib.sha256).digest()[:16]


def receipt_hash(code: str) -> str:
    """Argon2id of the code under the installation's salt, as hex (deterministic)."""
    cost = settings.ACCOUNTABILITY["PORTAL"]["RECEIPT_ARGON2"]
    raw = hash_secret_raw(
        secret=code.encode(),
        salt=_installation_salt(),
        time_cost=cost["time_cost"],
        memory_cost=cost["memory_cost"],
        parallelism=cost["parallelism"],
        hash_len=32,
        type=Type.ID,
    )
    return raw.hex()


def case_by_receipt(code: str) -> Case | None:
    """The case a receipt code opens, or None (for a malformed code too, after the same
    work, so the time taken says nothing)."""
    digits = normalise_code(code)
    wanted = receipt_hash(digits or "0" * CODE_DIGITS)
    receipt = ReporterReceipt.objects.filter(lookup=wanted).select_related("case").first()
    if not digits or receipt is None or not hmac.compare_digest(receipt.lookup, wanted):
        return None
    return receipt.case


def receipt_issue(*, case: Case, issued_by: User | None = None) -> str:
    """Give the case a receipt code and return it, to be shown once. Called inside the
    intake's transaction (the portal's, or the complaint desk's ``receipt_issue_at_desk``).

    Preconditions: the case has no receipt yet.
    """
    if ReporterReceipt.objects.filter(case=case).exists():
        raise InvalidState(_("This case already has a receipt code."))
    while True:
        code = new_receipt_code()
        lookup = receipt_hash(code)
        if not ReporterReceipt.objects.filter(lookup=lookup).exists():
            break
    receipt = ReporterReceipt(case=case, lookup=lookup, issued_by=issued_by)
    audit.save(receipt, actor=issued_by, reason="receipt code issued")
    audit.record(
        action="reporter.receipt_issued",
        actor=issued_by or PROTECTED_REPORTER,
        case=case,
        payload={"desk": issued_by is not None},
    )
    return code


def receipt_issue_at_desk(*, case: Case, actor: User) -> str:
    """A receipt code for a customer whose complaint the desk entered, handed over by the
    member of staff who entered it. Preconditions: actor reported the case (the desk entry
    just made), it is a customer complaint, and it has no code yet."""
    if case.reported_by_id != actor.pk or not case.customer_involved:
        raise NotAllowed(_("Only the desk that entered a customer complaint gives its code."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        return receipt_issue(case=case, issued_by=actor)


# --- what the reporter is told ------------------------------------------------------------------


@dataclass(frozen=True)
class ReporterStatus:
    key: str
    label: str
    explanation: str


def reporter_status(case: Case) -> ReporterStatus:
    """The case's progress in plain words: never the team, the subjects, the findings or
    a sanction."""
    if case.stage == Stage.CLOSED or case.outcome in (Outcome.DISMISSED, Outcome.DUPLICATE):
        key = "closed"
    elif case.stage in (Stage.POST_APPROVAL, Stage.EFFECTIVENESS_REVIEW):
        key = "decided"
    elif case.stage != Stage.VERIFICATION:
        key = "investigation"
    elif case.acknowledged_at:
        key = "examined"
    else:
        key = "received"
    words = {
        "received": (
            _("Received"),
            _("Your report has arrived. It will be acknowledged shortly."),
        ),
        "examined": (
            _("Being examined"),
            _("Your report is being examined to decide what happens next."),
        ),
        "investigation": (
            _("Under investigation"),
            _("Your report is being investigated."),
        ),
        "decided": (
            _("Decision taken"),
            _("A decision was taken; the measures it calls for are being carried out."),
        ),
        "closed": (
            _("Closed"),
            _("The handling of your report is finished."),
        ),
    }[key]
    return ReporterStatus(key=key, label=str(words[0]), explanation=str(words[1]))


def mailbox_messages(case: Case):
    """The messages of a case, oldest first, with their attachments."""
    return (
        ReporterMessage.objects.filter(case=case)
        .select_related("author__employee", "in_reply_to")
        .prefetch_related("attachments")
        .order_by("sent_at", "pk")
    )


def open_questions(case: Case) -> list[ReporterMessage]:
    """Questions the reporter has not answered yet."""
    answered = ReporterMessage.objects.filter(
        case=case, direction=MessageDirection.FROM_REPORTER, in_reply_to__isnull=False
    ).values("in_reply_to_id")
    return list(
        ReporterMessage.objects.filter(case=case, kind=MessageKind.QUESTION)
        .exclude(pk__in=answered)
        .order_by("sent_at", "pk")
    )


# --- messages -----------------------------------------------------------------------------------


def _clean_text(text: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({"text": [_("Write the message.")]})
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValidationError(
            {"text": [_("Keep the message under %(n)d characters.") % {"n": MAX_MESSAGE_CHARS}]}
        )
    return text


def _check_files(attachments: list) -> None:
    if len(attachments) > MAX_FILES:
        raise ValidationError(
            {"attachments": [_("Attach at most %(n)d files.") % {"n": MAX_FILES}]}
        )
    total = sum(getattr(f, "size", 0) or 0 for f in attachments)
    if total > settings.PORTAL_MAX_REPORT_BYTES:
        raise ValidationError(
            {
                "attachments": [
                    _("The files together are larger than %(mb)d MB.")
                    % {"mb": settings.PORTAL_MAX_REPORT_BYTES // 2**20}
                ]
            }
        )


def _save_message(message: ReporterMessage, attachments: list, *, actor, reason: str) -> None:
    """Save a new message and its attachments (stored like evidence), its links written
    into the history row of its creation."""
    case = message.case
    stored = [
        store_evidence(
            case=case,
            actor=actor,
            upload=upload,
            kind="reporter_attachment",
            description=(
                _("Sent by the reporter") if message.from_reporter else _("Sent to the reporter")
            ),
        )
        for upload in attachments
    ]
    audit.save(message, actor=actor, reason=reason)
    if stored:
        through = ReporterMessage.attachments.through
        through.objects.bulk_create([through(reportermessage=message, evidence=e) for e in stored])
        audit.keep_links(message)


def _may_write_to_reporter(actor: User, case: Case) -> None:
    """Compliance officers, case managers and the case's cleared team, never a party."""
    standing = policy.require_not_party(actor, case)
    if not policy.can_view_case(actor, case):
        raise NotAllowed(_("You cannot see this case."))
    if policy.has(actor, "verify_case") or policy.has(actor, "manage_cases"):
        return
    policy.require_cleared_team_member(actor, case, standing_=standing)


def may_write_to_reporter(actor: User, case: Case) -> bool:
    try:
        _may_write_to_reporter(actor, case)
    except NotAllowed:
        return False
    return True


def reporter_message_send(
    *, case: Case, actor: User, kind: str, text: str, attachments: list | None = None
) -> ReporterMessage:
    """The case team writes to the reporter: a question, interim or final feedback, or
    another message.

    Preconditions: actor is a compliance officer, a case manager or a cleared member of the
    case's team, and no party; the reporter can read it (the case has a receipt code, or a
    protected reporter's contact); a message text.
    """
    attachments = list(attachments or [])
    if kind not in TEAM_KINDS:
        raise ValidationError({"kind": [_("Choose what kind of message this is.")]})
    text = _clean_text(text)
    _check_files(attachments)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _may_write_to_reporter(actor, case)
        if not reporter_reachable(case):
            raise InvalidState(_("The reporter has no receipt code, so cannot read messages here."))
        message = ReporterMessage(
            case=case,
            direction=MessageDirection.TO_REPORTER,
            kind=kind,
            text=text,
            author=actor,
            sent_at=timezone.now(),
        )
        _save_message(message, attachments, actor=actor, reason="message to the reporter")
        audit.record(
            action="reporter.message_sent",
            actor=actor,
            case=case,
            payload={"message": message.pk, "kind": kind, "attachments": len(attachments)},
        )
        if kind in FEEDBACK_KINDS:
            feedback_given(case=case, at=message.sent_at)
    return message


def reporter_message_receive(
    *,
    case: Case,
    text: str,
    kind: str = MessageKind.OTHER,
    in_reply_to: ReporterMessage | None = None,
    attachments: list | None = None,
) -> ReporterMessage:
    """The reporter writes from the mailbox (an answer to a question, or another message,
    with files). Nobody is named: no author, the audit actor is the protected reporter.

    Preconditions: the caller opened the mailbox with the case's receipt code; a question
    answered belongs to the case; some text, or at least one file.
    """
    attachments = list(attachments or [])
    if kind not in REPORTER_KINDS:
        raise ValidationError({"kind": [_("Choose what kind of message this is.")]})
    text = _clean_text(text, required=not attachments)
    _check_files(attachments)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not ReporterReceipt.objects.filter(case=case).exists():
            raise NotAllowed(_("This case has no mailbox."))
        if in_reply_to is not None and (
            in_reply_to.case_id != case.pk or in_reply_to.kind != MessageKind.QUESTION
        ):
            raise ValidationError({"in_reply_to": [_("Answer a question of this case.")]})
        message = ReporterMessage(
            case=case,
            direction=MessageDirection.FROM_REPORTER,
            kind=MessageKind.ANSWER if in_reply_to is not None else kind,
            text=text,
            in_reply_to=in_reply_to,
            author=None,
            sent_at=timezone.now(),
        )
        _save_message(message, attachments, actor=None, reason="message from the reporter")
        audit.record(
            action="reporter.message_received",
            actor=PROTECTED_REPORTER,
            case=case,
            payload={
                "message": message.pk,
                "kind": message.kind,
                "attachments": len(attachments),
                "in_reply_to": in_reply_to.pk if in_reply_to else None,
            },
        )
        _tell_the_team(case, message)
    return message


def acknowledgement_post(*, case: Case, actor: User, text: str = "") -> ReporterMessage | None:
    """The acknowledgement as a message in the mailbox, when the reporter has one (a receipt
    code). Called by the services that acknowledge a report (``case_acknowledge``,
    ``verification_complete``) inside their transaction, before their event, which then
    vouches for it. A reporter without a code is told by notification only, as before."""
    if not reporter_reachable(case):
        return None
    message = ReporterMessage(
        case=case,
        direction=MessageDirection.TO_REPORTER,
        kind=MessageKind.ACKNOWLEDGEMENT,
        text=(text or "").strip(),
        author=actor,
        sent_at=case.acknowledged_at or timezone.now(),
    )
    audit.save(message, actor=actor, reason="acknowledged")
    # Read in the mailbox: delivered now (the first delivery counts; an e-mail may follow).
    acknowledgement_delivered(case=case, at=message.sent_at, channel=MAILBOX)
    return message


def reporter_reachable(case: Case) -> bool:
    """The reporter reads messages in the mailbox (the case has a receipt code)."""
    return ReporterReceipt.objects.filter(case=case).exists()


# --- who is told --------------------------------------------------------------------------------


def _team_to_tell(case: Case) -> list[User]:
    """The cleared team and whoever holds an open task of the case; if nobody, the case
    managers. Parties are never told."""
    user_model = get_user_model()
    holders = Task.objects.filter(
        process_id=case.process_id, status__in=[STATUS.ASSIGNED, STATUS.STARTED]
    ).values("owner_id")
    people = list(
        user_model.objects.filter(is_active=True)
        .filter(
            Q(
                case_memberships__case=case,
                case_memberships__active=True,
                case_memberships__has_conflict=False,
                case_memberships__declared_at__isnull=False,
            )
            | Q(pk__in=holders)
        )
        .distinct()
    )
    if not people:
        people = list(
            user_model.objects.filter(
                Q(groups__permissions__codename="manage_cases")
                | Q(user_permissions__codename="manage_cases"),
                is_active=True,
            ).distinct()
        )
    # Only those who may see the case now (a member named but not yet declared may not).
    return [p for p in people if not _is_party(p, case) and policy.can_view_case(p, case)]


def _is_party(user: User, case: Case) -> bool:
    try:
        policy.require_not_party(user, case)
    except NotAllowed:
        return True
    return False


def _tell_the_team(case: Case, message: ReporterMessage) -> None:
    link = case.get_absolute_url() + "#reporter-messages"
    with translation.override("en"):  # the msgid, translated for each recipient
        kind = str(MessageKind(message.kind).label)
    for person in _team_to_tell(case):
        notify(
            person,
            "reporter.message",
            case_reference=case.reference,
            context={"kind": kind},
            link=link,
            dedupe_key=f"reporter-message:{message.pk}",
        )
