"""A bulletin as its reader sees it, in the active language: for the page and the PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import dateformat, translation

from remediation.models import ActionKind, RootCauseCategory
from sanctions.models import SanctionType
from violations.models import Severity

from .. import labels as L
from .models import Bulletin, BulletinEntry


@dataclass(frozen=True)
class EntryView:
    pk: int
    position: int
    category: str
    severity: str
    sanctions: list[str]
    root_causes: list[str]
    actions: list[str]
    closed: str
    summary: str  # markers in the active language
    raw_summary: str  # as stored, for the drafter's form
    included: bool


@dataclass(frozen=True)
class BulletinView:
    pk: int
    title: str
    period: str
    status: str
    status_label: str
    institution: str
    published_at: str
    approved_sha256: str
    entries: list[EntryView] = field(default_factory=list)


def month(value: dt.date) -> str:
    zh = (translation.get_language() or "en").startswith("zh")
    return dateformat.format(value, "Y年n月" if zh else "F Y")


def _entry(e: BulletinEntry) -> EntryView:
    return EntryView(
        pk=e.pk,
        position=e.position,
        category=e.category.name,
        severity=L.choice(Severity, e.severity),
        sanctions=[L.choice(SanctionType, c) for c in e.sanction_types],
        root_causes=[L.choice(RootCauseCategory, c) for c in e.root_causes],
        actions=[L.choice(ActionKind, c) for c in e.actions],
        closed=month(e.closed_month),
        summary=L.markers(e.summary),
        raw_summary=e.summary,
        included=e.included,
    )


def bulletin_view(bulletin: Bulletin, *, drafts: bool = False) -> BulletinView:
    """The bulletin in the active language; ``drafts`` keeps the entries left out too."""
    entries = bulletin.entries.select_related("category").order_by("position")
    if not drafts:
        entries = entries.filter(included=True)
    return BulletinView(
        pk=bulletin.pk,
        title=bulletin.title,
        period=f"{L.when(bulletin.period_start)} – {L.when(bulletin.period_end)}",
        status=bulletin.status,
        status_label=bulletin.get_status_display(),
        institution=settings.ACCOUNTABILITY["INSTITUTION_NAME"],
        published_at=L.when(bulletin.published_at) if bulletin.published_at else "",
        approved_sha256=bulletin.approved_sha256,
        entries=[_entry(e) for e in entries],
    )
