"""A sanction's parameters in words, for the pages and the case file.

Reads the shapes stored today (see ``services/params.py``) and the ones older rows and
history rows still hold (``period`` for the pay period, ``start``/``end`` copied from the
period, authorities as one comma-separated string, the free ``detail``), so a past state
reads as well as the present one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency, format_decimal, get_currency_name
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import SanctionType

Line = tuple[str, str]


def _locale() -> str:
    return translation.to_locale(translation.get_language() or "en")


def money(amount: Decimal, currency: str) -> str:
    """ "HK$20,000.00", "HK$20,000.00" in each language's way; the code alone if unknown."""
    if not currency:
        return format_decimal(amount, format="#,##0.00", locale=_locale())
    try:
        return format_currency(amount, currency, locale=_locale())
    except (ValueError, LookupError):
        return f"{currency} {amount:,.2f}"


def currency_name(code: str) -> str:
    try:
        return f"{code} — {get_currency_name(code, locale=_locale())}"
    except (ValueError, LookupError):
        return code


def _date(value) -> str:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return formats.date_format(value, "DATE_FORMAT") if value else "—"


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


WARNING_FORMS = {"oral": lambda: pgettext("warning", "oral"), "written": lambda: _("written")}
SCOPES = {
    "department": lambda: _("within the department"),
    "business_line": lambda: _("across the business line"),
    "institution": lambda: _("across the institution"),
}
CHANGES = {"demotion": lambda: _("Demotion"), "transfer": lambda: _("Transfer")}


def describe(  # noqa: C901 (one branch per sanction kind, read top to bottom)
    sanction_type: str,
    parameters: dict[str, Any] | None,
    *,
    amount: Decimal | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    detail: str = "",
    date: Callable[[Any], str] = _date,
) -> list[Line]:
    """(label, value) pairs in the active language, in the order a reader wants them."""
    p = parameters if isinstance(parameters, dict) else {}
    lines: list[Line] = []
    if sanction_type == SanctionType.WARNING and p.get("form") in WARNING_FORMS:
        lines.append((_("Form"), WARNING_FORMS[p["form"]]()))
    elif sanction_type == SanctionType.CRITICISM and p.get("scope"):
        lines.append((_("Circulated"), SCOPES.get(p["scope"], lambda: str(p["scope"]))()))
    elif sanction_type == SanctionType.SUSPENSION:
        authorities = p.get("authorities") or []
        if isinstance(authorities, str):
            authorities = [a.strip() for a in authorities.split(",") if a.strip()]
        if authorities:
            lines.append((_("Authorities suspended"), "; ".join(map(str, authorities))))
    elif sanction_type == SanctionType.DEDUCTION:
        value = amount if amount is not None else _decimal(p.get("amount"))
        pct = _decimal(p.get("percentage"))
        if value is not None:
            lines.append((_("Amount"), money(value, p.get("currency") or "")))
        elif pct is not None:
            lines.append((_("Percentage"), f"{pct.normalize():f} %"))
        pay_period = p.get("pay_period") or p.get("period")
        if pay_period:
            lines.append((_("Pay period"), str(pay_period)))
    elif sanction_type == SanctionType.DEMOTION:
        if p.get("change") in CHANGES:
            lines.append((_("Change"), CHANGES[p["change"]]()))
        if p.get("from") and p.get("to"):
            lines.append((_("From post"), str(p["from"])))
            lines.append((_("To post"), str(p["to"])))
        elif p.get("description"):
            lines.append((_("Move"), str(p["description"])))
    elif sanction_type == SanctionType.JUDICIAL and p.get("authority"):
        lines.append((_("Judicial authority"), str(p["authority"])))
    start = period_start or p.get("start")
    end = period_end or p.get("end")
    if start or end:
        lines.append((_("Period"), f"{date(start)} – {date(end)}"))
    executed = p.get("executed") or {}
    if isinstance(executed, dict) and executed.get("reference"):
        lines.append((_("Referral reference"), str(executed["reference"])))
    if detail:
        lines.append((_("Remark"), detail))
    return lines


def describe_sanction(item, **kw) -> list[Line]:
    """:func:`describe` for a ``ProposedSanction`` (or one of its history rows)."""
    return describe(
        item.sanction_type,
        item.parameters,
        amount=item.amount,
        period_start=item.period_start,
        period_end=item.period_end,
        detail=item.detail,
        **kw,
    )
