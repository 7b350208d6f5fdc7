"""Every write to a case bulletin: draft, edit, approve, publish.

Each service checks the actor's right itself, locks the bulletin, validates, saves through
the audited ``save`` (history row stamped with actor and reason) and ends with one event on
the ledger's system chain, so ``verify_audit`` vouches for every bulletin row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.services import notify
from violations import audit, policy
from violations.exceptions import InvalidState, NotAllowed
from violations.models import Case, Outcome, Stage

from .models import SUMMARY_MAX, Bulletin, BulletinEntry, BulletinStatus
from .redaction import case_redactor, redact

DRAFT = "reports.draft_bulletin"
APPROVE = "reports.approve_bulletin"
READ = "reports.read_bulletin"
MAX_ENTRIES = 200


def _has(user, perm: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(perm))


def can_draft(user) -> bool:
    return _has(user, DRAFT)


def can_approve(user) -> bool:
    return _has(user, APPROVE)


def can_read(user) -> bool:
    """Every member of staff reads published bulletins."""
    return _has(user, READ) or can_draft(user) or can_approve(user)


def can_see_draft(user) -> bool:
    return can_draft(user) or can_approve(user)


def bulletin_digest(bulletin: Bulletin) -> str:
    """SHA-256 of everything a reader of the bulletin sees: what an approval approves."""
    entries = [
        {
            "position": e.position,
            "case": e.source_case_id,
            "category": e.category_id,
            "severity": e.severity,
            "sanctions": e.sanction_types,
            "root_causes": e.root_causes,
            "actions": e.actions,
            "closed_month": e.closed_month.isoformat(),
            "summary": e.summary,
        }
        for e in BulletinEntry.objects.filter(bulletin=bulletin, included=True).order_by("position")
    ]
    content = {
        "title": bulletin.title,
        "period": [bulletin.period_start.isoformat(), bulletin.period_end.isoformat()],
        "entries": entries,
    }
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def cases_closed_in(start: dt.date, end: dt.date):
    """Established, handled cases closed between the two dates (inclusive, local time)."""
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return Case.objects.filter(
        stage=Stage.CLOSED,
        outcome=Outcome.SANCTIONED,
        closed_at__gte=since,
        closed_at__lt=until,
    ).order_by("closed_at", "pk")


def draft_summary(case: Case) -> str:
    """The redacted starting text of an entry: the title, the finding's characterization
    and the description, every party, reference, customer and small unit replaced."""
    redactor = case_redactor(case)
    finding = case.findings.order_by("-round").first()
    parts = [case.title, finding.nature if finding else "", case.description]
    text = "\n\n".join(redact(p.strip(), redactor) for p in parts if p and p.strip())
    if len(text) > SUMMARY_MAX:
        text = text[: SUMMARY_MAX - 1] + "…"
    return text


def _entry(bulletin: Bulletin, case: Case, position: int) -> BulletinEntry:
    approved = [p for p in case.sanction_proposals.all() if p.status == "approved"]
    return BulletinEntry(
        bulletin=bulletin,
        source_case=case,
        position=position,
        category_id=case.category_id,
        severity=case.severity,
        sanction_types=sorted({i.sanction_type for p in approved for i in p.items.all()}),
        root_causes=sorted({rc.category for rc in case.root_causes.all()}),
        actions=sorted({a.kind for a in case.corrective_actions.all() if a.status == "done"}),
        closed_month=timezone.localdate(case.closed_at).replace(day=1),
        summary=draft_summary(case),
    )


def bulletin_draft(*, actor, period_start: dt.date, period_end: dt.date, title: str = ""):
    """Draft a bulletin of every established case closed in the period.

    Preconditions: ``actor`` may draft bulletins; the period is in order, not in the future,
    and holds at least one such case (at most ``MAX_ENTRIES``).
    """
    if not can_draft(actor):
        raise NotAllowed(_("Only compliance officers and case managers draft case bulletins."))
    if period_end < period_start:
        raise InvalidState(_("The period ends before it starts."))
    if period_end > timezone.localdate():
        raise InvalidState(_("The period cannot end in the future."))
    with transaction.atomic():
        cases = list(
            cases_closed_in(period_start, period_end).prefetch_related(
                "sanction_proposals__items", "root_causes", "corrective_actions"
            )[: MAX_ENTRIES + 1]
        )
        if not cases:
            raise InvalidState(_("No established case was closed in this period."))
        if len(cases) > MAX_ENTRIES:
            raise InvalidState(
                _("More than %(n)s cases were closed in this period: choose a shorter one.")
                % {"n": MAX_ENTRIES}
            )
        bulletin = Bulletin(
            title=title.strip()
            or str(
                _("Case bulletin %(start)s to %(end)s")
                % {"start": period_start.isoformat(), "end": period_end.isoformat()}
            ),
            period_start=period_start,
            period_end=period_end,
            drafted_by=actor,
        )
        audit.save(bulletin, actor=actor, reason="drafted")
        for position, case in enumerate(cases, start=1):
            audit.save(_entry(bulletin, case, position), actor=actor, reason="drafted")
        audit.record(
            action="bulletin.drafted",
            actor=actor,
            payload={
                "bulletin": bulletin.pk,
                "period": [period_start.isoformat(), period_end.isoformat()],
                "entries": len(cases),
                "sha256": bulletin_digest(bulletin),
            },
        )
    return bulletin


def _locked(bulletin: Bulletin) -> Bulletin:
    return Bulletin.objects.select_for_update().get(pk=bulletin.pk)


def _back_to_draft(bulletin: Bulletin, actor, reason: str) -> bool:
    """An edit withdraws an approval: the approval was of the text before the edit."""
    if bulletin.status != BulletinStatus.APPROVED:
        return False
    bulletin.status = BulletinStatus.DRAFT
    bulletin.approved_by = None
    bulletin.approved_at = None
    bulletin.approved_sha256 = ""
    audit.save(
        bulletin,
        actor=actor,
        reason=reason,
        update_fields=["status", "approved_by", "approved_at", "approved_sha256"],
    )
    return True


def _editable(bulletin: Bulletin, actor) -> Bulletin:
    if not can_draft(actor):
        raise NotAllowed(_("Only compliance officers and case managers edit case bulletins."))
    bulletin = _locked(bulletin)
    if bulletin.status == BulletinStatus.PUBLISHED:
        raise InvalidState(_("A published bulletin is not changed."))
    return bulletin


def bulletin_entry_edit(
    *, actor, entry: BulletinEntry, summary: str, included: bool = True, reason: str = ""
) -> BulletinEntry:
    """Replace an entry's summary (and whether it is in the bulletin).

    Preconditions: ``actor`` may draft; the bulletin is not published. An approved bulletin
    goes back to draft, its approval withdrawn.
    """
    with transaction.atomic():
        bulletin = _editable(entry.bulletin, actor)
        entry = BulletinEntry.objects.select_for_update().get(pk=entry.pk, bulletin=bulletin)
        summary = summary.replace("\r\n", "\n").strip()
        if included and not summary:
            raise InvalidState(_("An entry in the bulletin needs a summary."))
        if (entry.summary, entry.included) == (summary, included):
            return entry
        entry.summary, entry.included = summary, included
        audit.save(
            entry, actor=actor, reason=reason or "edited", update_fields=["summary", "included"]
        )
        withdrawn = _back_to_draft(bulletin, actor, "edited after approval")
        audit.record(
            action="bulletin.edited",
            actor=actor,
            reason=reason,
            payload={
                "bulletin": bulletin.pk,
                "entry": entry.pk,
                "included": included,
                "approval_withdrawn": withdrawn,
                "sha256": bulletin_digest(bulletin),
            },
        )
    return entry


def bulletin_retitle(*, actor, bulletin: Bulletin, title: str) -> Bulletin:
    """Rename a bulletin (an approved one goes back to draft)."""
    with transaction.atomic():
        bulletin = _editable(bulletin, actor)
        title = title.strip()
        if not title:
            raise InvalidState(_("A bulletin needs a title."))
        if title == bulletin.title:
            return bulletin
        bulletin.title = title
        audit.save(bulletin, actor=actor, reason="edited", update_fields=["title"])
        withdrawn = _back_to_draft(bulletin, actor, "edited after approval")
        audit.record(
            action="bulletin.edited",
            actor=actor,
            payload={
                "bulletin": bulletin.pk,
                "approval_withdrawn": withdrawn,
                "sha256": bulletin_digest(bulletin),
            },
        )
    return bulletin


def writers(bulletin: Bulletin) -> set[int]:
    """Everyone who wrote any of the bulletin's text: the drafter and every editor."""
    ids = set(
        BulletinEntry.history.filter(bulletin_id=bulletin.pk).values_list(
            "history_user_id", flat=True
        )
    )
    ids |= set(
        Bulletin.history.filter(
            id=bulletin.pk, history_change_reason__in=["drafted", "edited"]
        ).values_list("history_user_id", flat=True)
    )
    ids.add(bulletin.drafted_by_id)
    return {i for i in ids if i}


def _require_approver(actor, bulletin: Bulletin) -> None:
    if not can_approve(actor):
        raise NotAllowed(_("Only case managers approve and publish case bulletins."))
    if actor.pk in writers(bulletin):
        raise NotAllowed(_("Someone other than its drafter and editors approves a bulletin."))
    cases = Case.objects.filter(pk__in=bulletin.entries.filter(included=True).values("source_case"))
    for case in cases:
        found = policy.standing(actor, case)
        if found.subject or found.responsible:
            raise NotAllowed(_("A person a case in the bulletin is about cannot approve it."))


def bulletin_approve(*, actor, bulletin: Bulletin) -> Bulletin:
    """Approve the bulletin's text as it is now (its SHA-256 is kept with the approval).

    Preconditions: ``actor`` may approve, wrote none of the text and is no party to its
    cases; the bulletin is a draft with at least one entry included.
    """
    with transaction.atomic():
        bulletin = _locked(bulletin)
        _require_approver(actor, bulletin)
        if bulletin.status != BulletinStatus.DRAFT:
            raise InvalidState(_("Only a draft bulletin is approved."))
        if not bulletin.entries.filter(included=True).exists():
            raise InvalidState(_("A bulletin with no entry is not approved."))
        bulletin.status = BulletinStatus.APPROVED
        bulletin.approved_by = actor
        bulletin.approved_at = timezone.now()
        bulletin.approved_sha256 = bulletin_digest(bulletin)
        audit.save(
            bulletin,
            actor=actor,
            reason="approved",
            update_fields=["status", "approved_by", "approved_at", "approved_sha256"],
        )
        audit.record(
            action="bulletin.approved",
            actor=actor,
            payload={"bulletin": bulletin.pk, "sha256": bulletin.approved_sha256},
        )
    return bulletin


def bulletin_publish(*, actor, bulletin: Bulletin) -> Bulletin:
    """Publish the approved text to every member of staff.

    Preconditions: ``actor`` may approve and wrote none of the text; the bulletin is
    approved and its text is still the text approved (else nothing is published).
    """
    with transaction.atomic():
        bulletin = _locked(bulletin)
        _require_approver(actor, bulletin)
        if bulletin.status != BulletinStatus.APPROVED:
            raise InvalidState(_("Only an approved bulletin is published."))
        if bulletin_digest(bulletin) != bulletin.approved_sha256:
            raise InvalidState(
                _("The bulletin's text is not the text approved: it must be approved again.")
            )
        bulletin.status = BulletinStatus.PUBLISHED
        bulletin.published_by = actor
        bulletin.published_at = timezone.now()
        audit.save(
            bulletin,
            actor=actor,
            reason="published",
            update_fields=["status", "published_by", "published_at"],
        )
        audit.record(
            action="bulletin.published",
            actor=actor,
            payload={"bulletin": bulletin.pk, "sha256": bulletin.approved_sha256},
        )
        readers_notify(bulletin=bulletin, actor=actor)
    return bulletin


def readers(exclude: int | None = None):
    """Every active member of staff who may read published bulletins."""
    User = get_user_model()
    ids: set[int] = set()
    for perm in (READ, DRAFT, APPROVE):
        ids.update(
            User.objects.with_perm(
                perm, include_superusers=False, backend="django.contrib.auth.backends.ModelBackend"
            )
            .filter(is_active=True)
            .values_list("pk", flat=True)
        )
    ids.discard(exclude)
    return User.objects.filter(pk__in=ids).order_by("pk")


def readers_notify(*, bulletin: Bulletin, actor) -> int:
    """Tell every reader but the publisher that ``bulletin`` is out, in the publication's
    transaction (a publication that rolls back tells no one); return how many were told."""
    told = 0
    link = reverse("bulletins:detail", args=[bulletin.pk])
    for reader in readers(exclude=actor.pk):
        made = notify(
            reader,
            "bulletin.published",
            context={
                "title": bulletin.title,
                "period_start": bulletin.period_start.isoformat(),
                "period_end": bulletin.period_end.isoformat(),
            },
            link=link,
            dedupe_key=f"bulletin:{bulletin.pk}:published",
        )
        told += made is not None
    return told


def published():
    return Bulletin.objects.filter(status=BulletinStatus.PUBLISHED).select_related(
        "approved_by", "published_by"
    )
