"""The sanction matrix arithmetic: pure functions, no database.

A matrix cell gives a band of the catalogue (lightest, gravest, recommended). Aggravating and
mitigating factors add up to a net number of steps that shifts the whole band along the
catalogue, lightest first; the band is clamped to the catalogue's ends. Every factor that
counted is listed with its steps, so the proposer, the approver and the person sanctioned
can see why the range is what it is.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Band:
    lightest: str
    gravest: str
    recommended: str


@dataclass(frozen=True)
class Factors:
    prior_cases: int = 0
    customer_loss: Decimal = Decimal("0")
    leadership: bool = False
    self_reported: bool = False
    cooperated: bool = False
    loss_repaid: bool = False
    legal_matter: bool = False


@dataclass(frozen=True)
class Reason:
    factor: str
    steps: int
    text: str


@dataclass(frozen=True)
class Range:
    lightest: str
    gravest: str
    recommended: str
    steps: int
    reasons: tuple[Reason, ...]
    order: tuple[str, ...] = field(repr=False)
    also_allowed: tuple[str, ...] = ()

    @property
    def allowed(self) -> list[str]:
        lo, hi = self.order.index(self.lightest), self.order.index(self.gravest)
        return [
            *self.order[lo : hi + 1],
            *[c for c in self.also_allowed if c not in self.order[lo : hi + 1]],
        ]

    def allows(self, code: str) -> bool:
        return code in self.allowed

    def compare(self, code: str) -> str:
        """'lighter', 'within' or 'heavier' than the range."""
        if self.allows(code):
            return "within"
        return "lighter" if self.order.index(code) < self.order.index(self.lightest) else "heavier"


def compute_range(
    *,
    base: Band,
    factors: Factors,
    order: list[str],
    steps: dict[str, int],
    loss_thresholds: list[tuple[Decimal, int]],
    lookback_months: int,
) -> Range:
    """Shift ``base`` along ``order`` (sanction codes, lightest first) by the factors' steps."""
    reasons: list[Reason] = []

    def add(factor: str, n: int, text: str) -> None:
        if n:
            reasons.append(Reason(factor, n, text))

    if factors.prior_cases >= 2:
        add(
            "repeat",
            steps["repeat_multiple"],
            _("Repeat offence: %(n)d earlier sanctioned cases within %(m)d months.")
            % {"n": factors.prior_cases, "m": lookback_months},
        )
    elif factors.prior_cases == 1:
        add(
            "repeat",
            steps["repeat"],
            _("Repeat offence: an earlier sanctioned case within %(m)d months.")
            % {"m": lookback_months},
        )
    loss_steps, loss_bar = 0, None
    for threshold, n in sorted(loss_thresholds):
        if factors.customer_loss >= threshold:
            loss_steps, loss_bar = n, threshold
    if loss_steps:
        add(
            "customer_loss",
            loss_steps,
            _("Customer loss of %(loss)s is at or above %(bar)s.")
            % {"loss": factors.customer_loss, "bar": loss_bar},
        )
    if factors.leadership:
        add("leadership", steps["leadership"], _("Leadership responsibility."))
    if factors.self_reported:
        add("self_reported", steps["self_reported"], _("Self-reported the violation."))
    if factors.cooperated:
        add("cooperation", steps["cooperation"], _("Cooperated with the investigation."))
    if factors.loss_repaid and factors.customer_loss > 0:
        add("loss_repaid", steps["loss_repaid"], _("Repaid the customer's loss."))

    net = sum(r.steps for r in reasons)
    top = len(order) - 1

    def at(code: str) -> int:
        return min(max(order.index(code) + net, 0), top)

    lo, hi = at(base.lightest), at(base.gravest)
    rec = min(max(at(base.recommended), lo), hi)
    also: tuple[str, ...] = ()
    judicial = "judicial"
    if factors.legal_matter and judicial in order and order.index(judicial) > hi:
        also = (judicial,)
        reasons.append(
            Reason(
                "legal_matter",
                0,
                _("A legal matter is involved: referral to judicial authorities is always open."),
            )
        )
    if not reasons:
        reasons.append(
            Reason("none", 0, _("No aggravating or mitigating factor: the matrix cell applies."))
        )
    return Range(
        lightest=order[lo],
        gravest=order[hi],
        recommended=order[rec],
        steps=net,
        reasons=tuple(reasons),
        order=tuple(order),
        also_allowed=also,
    )


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_working_days(moment: dt.datetime, days: int) -> dt.datetime:
    """``days`` working days (Monday to Friday) after ``moment``, same time of day."""
    while days > 0:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment
