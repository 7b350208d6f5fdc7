"""Per-kind parameters of a sanction: validated and normalised for the ``parameters`` field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from violations.models import ResponsiblePerson

from ..models import SanctionType

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


def normalise(item: SanctionItem) -> tuple[dict[str, Any], list[str]]:
    """The item's parameters as stored, and what is wrong with them."""
    name = item.responsible.employee.name
    p = dict(item.parameters or {})
    errors: list[str] = []
    detail = item.detail.strip()

    def err(msg):
        errors.append(msg % {"name": name})

    kind = item.sanction_type
    out: dict[str, Any] = {}
    if kind == SanctionType.WARNING:
        form = p.get("form") or detail
        if form not in WARNING_FORMS:
            err(_("%(name)s: say whether the warning is oral or written."))
        out = {"form": form}
    elif kind == SanctionType.CRITICISM:
        # A scope from the list, or a free description ("branch-wide notice").
        scope = (p.get("scope") or detail).strip()
        if not scope:
            err(_("%(name)s: say how widely the criticism is circulated (department, business line or institution)."))
        out = {"scope": scope}
    elif kind == SanctionType.SUSPENSION:
        authorities = p.get("authorities") or [a.strip() for a in detail.split(",") if a.strip()]
        if isinstance(authorities, str):
            authorities = [a.strip() for a in authorities.split(",") if a.strip()]
        if not authorities:
            err(_("%(name)s: name the business authorities that are suspended."))
        if not (item.period_start and item.period_end) or item.period_end < item.period_start:
            err(_("%(name)s: a suspension needs a start and an end date, in order."))
        out = {"authorities": authorities, "start": item.period_start, "end": item.period_end}
    elif kind == SanctionType.DEDUCTION:
        amount, pct = item.amount if item.amount is not None else _decimal(p.get("amount")), _decimal(p.get("percentage"))
        if (amount is None) == (pct is None):
            err(_("%(name)s: a deduction needs either an amount or a percentage."))
        elif amount is not None and amount <= 0:
            err(_("%(name)s: a deduction needs a positive amount."))
        elif pct is not None and not (0 < pct <= 100):
            err(_("%(name)s: a percentage lies between 0 and 100."))
        period = (p.get("period") or "").strip()
        if not period and item.period_start and item.period_end:
            period = f"{item.period_start.isoformat()}/{item.period_end.isoformat()}"
        if not period:
            err(_("%(name)s: say which bonus or pay period the deduction applies to."))
        out = {"amount": amount, "percentage": pct, "period": period}
    elif kind == SanctionType.DEMOTION:
        src, dst = p.get("from", ""), p.get("to", "")
        if not (src and dst):
            for arrow in ("→", "->"):
                if arrow in detail:
                    src, dst = (s.strip() for s in detail.split(arrow, 1))
        change = p.get("change") or ("transfer" if "transfer" in detail.lower() else "demotion")
        if change not in DEMOTION_CHANGES or not ((src and dst) or detail):
            err(_("%(name)s: say from which position to which."))
        out = {"change": change, "from": src, "to": dst}
        if not (src and dst):
            out["description"] = detail  # older proposals described the move in one line
    elif kind == SanctionType.TERMINATION:
        out = {}
    elif kind == SanctionType.JUDICIAL:
        authority = (p.get("authority") or detail).strip()
        if not authority:
            err(_("%(name)s: name the judicial authority the matter is referred to."))
        out = {"authority": authority}
    return {k: _plain(v) for k, v in out.items()}, errors


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
