"""Records after close: when a closed case's personal data is due for erasure, and the
legal holds that keep it whole. (The erasure itself is ``casework.retention``: it reaches the
records of every domain.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import audit, policy
from ..exceptions import InvalidState
from ..limits import TEXT
from ..models import Case, Erasure, LegalHold, ViolationCategory

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def default_years() -> int:
    return int(settings.ACCOUNTABILITY.get("RETENTION_YEARS", 7))


def years_by_category() -> dict[int, int]:
    """The retention years of every category: its own rule's, else the nearest category's
    above it with one, else the installation's default. One query."""
    rows = ViolationCategory.objects.values_list("pk", "parent_id", "retention_rule__years")
    parents: dict[int, int | None] = {}
    rules: dict[int, int] = {}
    for pk, parent, years in rows:
        parents[pk] = parent
        if years is not None:
            rules[pk] = years
    default = default_years()
    out: dict[int, int] = {}
    for pk in parents:
        node: int | None = pk
        seen: set[int] = set()
        while node is not None and node not in seen and node not in rules:
            seen.add(node)
            node = parents.get(node)
        out[pk] = rules[node] if node is not None and node in rules else default
    return out


def retention_years(category: ViolationCategory) -> int:
    return years_by_category().get(category.pk, default_years())


def add_years(moment: dt.datetime, years: int) -> dt.datetime:
    """``moment`` ``years`` later (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


@dataclass(frozen=True)
class Retention:
    """What the case page says about a case's personal data."""

    years: int
    erase_after: dt.datetime | None  # None while the case is open
    hold: LegalHold | None  # the active hold, if any
    erased_at: dt.datetime | None

    @property
    def due(self) -> bool:
        return (
            self.erased_at is None
            and self.hold is None
            and self.erase_after is not None
            and timezone.now() >= self.erase_after
        )


def case_retention(case: Case) -> Retention:
    years = retention_years(case.category)
    return Retention(
        years=years,
        erase_after=add_years(case.closed_at, years) if case.closed_at else None,
        hold=LegalHold.objects.filter(case=case, lifted_at__isnull=True)
        .select_related("set_by__employee")
        .first(),
        erased_at=Erasure.objects.filter(case=case).values_list("erased_at", flat=True).first(),
    )


def _require_manager(actor: User) -> None:
    policy.require(
        actor, "manage_cases", _("Only a case manager sets or lifts a legal hold on a case.")
    )


def _reason(reason: str, field: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Give the reason.")})
    if len(reason) > TEXT:
        raise ValidationError({field: _("At most %(limit)d characters.") % {"limit": TEXT}})
    return reason


def legal_hold_set(*, case: Case, actor: User, reason: str) -> LegalHold:
    """Put an open or closed case on legal hold: its personal data is not erased, however
    long ago it closed, until the hold is lifted.

    Preconditions: the actor holds ``manage_cases``; a reason is given; the case is not on
    hold already and its personal data has not been erased.
    """
    _require_manager(actor)
    reason = _reason(reason, "reason")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if LegalHold.objects.filter(case=case, lifted_at__isnull=True).exists():
            raise InvalidState(_("This case is already on legal hold."))
        if hasattr(case, "erasure"):
            raise InvalidState(_("This case's personal data has already been erased."))
        hold = LegalHold(case=case, reason=reason, set_by=actor, set_at=timezone.now())
        audit.save(hold, actor=actor, reason=reason)
        audit.record(
            action="legal_hold.set",
            actor=actor,
            case=case,
            reason=reason,
            payload={"hold": hold.pk},
        )
    return hold


def legal_hold_lift(*, case: Case, actor: User, reason: str) -> LegalHold:
    """Lift the case's legal hold; once its retention has run out, the erasure job erases
    its personal data.

    Preconditions: the actor holds ``manage_cases``; a reason is given; the case is on hold.
    """
    _require_manager(actor)
    reason = _reason(reason, "lift_reason")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        hold = LegalHold.objects.filter(case=case, lifted_at__isnull=True).first()
        if hold is None:
            raise InvalidState(_("This case is not on legal hold."))
        hold.lifted_by, hold.lifted_at, hold.lift_reason = actor, timezone.now(), reason
        audit.save(hold, actor=actor, reason=reason)
        audit.record(
            action="legal_hold.lifted",
            actor=actor,
            case=case,
            reason=reason,
            payload={"hold": hold.pk},
        )
    return hold
