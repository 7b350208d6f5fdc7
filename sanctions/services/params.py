"""Per-kind parameters of a sanction: validated and normalised for the ``parameters`` field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from violations.models import ResponsiblePerson

from ..models import SanctionType

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

WARNING_FORMS = ("oral", "written")
CRITICISM_SCOPES = ("department", "business_line", "institution")
DEMOTION_CHANGES = ("demotion", "transfer")


@dataclass(frozen=True)
class SanctionItem:
    """One proposed sanction for one responsible person.

    ``parameters`` holds the kind's structured parameters; the older flat fields (``detail``,
    ``amount``, ``period_start``, ``period_end``) are still read: a warning's form or a
    demotion's "from → to" may come in ``detail``. ``justification`` is required when the
    sanction lies outside the person's matrix range.
    """

    responsible: ResponsiblePerson
    sanction_type: str
    detail: str = ""
    amount: Decimal | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    justification: str = ""


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# A kind's validator reads the item (structured parameters first, the flat fields as a
# fallback) and returns the parameters to store and its problems, each with a "%(name)s"
# placeholder that normalise() fills in.
Validated = tuple[dict[str, Any], Sequence["StrOrPromise"]]


def _warning(item: SanctionItem, p: dict[str, Any], detail: str) -> Validated:
    form = p.get("form") or detail
    problems = []
    if form not in WARNING_FORMS:
        problems.append(_("%(name)s: say whether the warning is oral or written."))
    return {"form": form}, problems


def _criticism(item: SanctionItem, p: dict[str, Any], detail: str) -> Validated:
    # A scope from the list, or a free description ("branch-wide notice").
    scope = (p.get("scope") or detail).strip()
    problems = []
    if not scope:
        problems.append(
            _(
                "%(name)s: say how widely the criticism is circulated (department, business line or institution)."
            )
        )
    return {"scope": scope}, problems


def _suspension(item: SanctionItem, p: dict[str, Any], detail: str) -> Validated:
    authorities = p.get("authorities") or [a.strip() for a in detail.split(",") if a.strip()]
    if isinstance(authorities, str):
        authorities = [a.strip() for a in authorities.split(",") if a.strip()]
    problems = []
    if not authorities:
        problems.append(_("%(name)s: name the business authorities that are suspended."))
    if not (item.period_start and item.period_end) or item.period_end < item.period_start:
        problems.append(_("%(name)s: a suspension needs a start and an end date, in order."))
    return {
        "authorities": authorities,
        "start": item.period_start,
        "end": item.period_end,
    }, problems


def _deduction(item: SanctionItem, p: dict[str, Any], detail: str) -> Validated:
    amount = item.amount if item.amount is not None else _decimal(p.get("amount"))
    pct = _decimal(p.get("percentage"))
    problems = []
    if (amount is None) == (pct is None):
        problems.append(_("%(name)s: a deduction needs either an amount or a percentage."))
    elif amount is not None and amount <= 0:
        problems.append(_("%(name)s: a deduction needs a positive amount."))
    elif pct is not None and not (0 < pct <= 100):
        problems.append(_("%(name)s: a percentage lies between 0 and 100."))
    period = (p.get("period") or "").strip()
    if not period and item.period_start and item.period_end:
        period = f"{item.period_start.isoformat()}/{item.period_end.isoformat()}"
    if not period:
        problems.append(_("%(name)s: say which bonus or pay period the deduction applies to."))
    return {"amount": amount, "percentage": pct, "period": period}, problems


def _demotion(item: SanctionItem, p: dict[str, Any], detail: str) -> Validated:
    src, dst = p.get("from", ""), p.get("to", "")
    if not (src and dst):
        for arrow in ("→", "->"):
            if arrow in detail:
                src, dst = (s.strip() for s in detail.split(arrow, 1))
    change = p.get("change") or ("transfer" if "transfer" in detail.lower() else "demotion")
    problems = []
    if change not in DEMOTION_CHANGES or not ((src and dst) or detail):
        problems.append(_("%(name)s: say from which position to which."))
    out = {"change": change, "from": src, "to": dst}
    if not (src and dst):
        out["description"] = detail  # older proposals described the move in one line
    return out, problems


def _termination(item: SanctionItem, p: dict[str, Any], detail: str) -> Validated:
    return {}, []


def _judicial(item: SanctionItem, p: dict[str, Any], detail: str) -> Validated:
    authority = (p.get("authority") or detail).strip()
    problems = []
    if not authority:
        problems.append(_("%(name)s: name the judicial authority the matter is referred to."))
    return {"authority": authority}, problems


VALIDATORS: dict[str, Callable[[SanctionItem, dict[str, Any], str], Validated]] = {
    SanctionType.WARNING: _warning,
    SanctionType.CRITICISM: _criticism,
    SanctionType.SUSPENSION: _suspension,
    SanctionType.DEDUCTION: _deduction,
    SanctionType.DEMOTION: _demotion,
    SanctionType.TERMINATION: _termination,
    SanctionType.JUDICIAL: _judicial,
}


def normalise(item: SanctionItem) -> tuple[dict[str, Any], list[str]]:
    """The item's parameters as stored, and what is wrong with them."""
    validator = VALIDATORS.get(item.sanction_type)
    if validator is None:
        return {}, []
    out, problems = validator(item, dict(item.parameters or {}), item.detail.strip())
    name = item.responsible.employee.name
    return {k: _plain(v) for k, v in out.items()}, [msg % {"name": name} for msg in problems]


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
