"""Per-kind parameters of a sanction: what each kind must say, checked and normalised here
so the form, the API, the appeal and a shell get the same rules.

Where each value is stored (``ProposedSanction``):

============  ==============================================================================
kind          values
============  ==============================================================================
warning       ``parameters.form``: ``oral`` or ``written``
criticism     ``parameters.scope``: ``department``, ``business_line`` or ``institution``
suspension    ``parameters.authorities``: the suspended business authorities, a list;
              the period in ``period_start`` / ``period_end``
deduction     ``amount`` (Decimal) with ``parameters.currency`` (ISO 4217), or
              ``parameters.percentage``; ``parameters.pay_period``: the bonus or pay affected
demotion      ``parameters.change``: ``demotion`` or ``transfer``; ``parameters.from`` and
              ``parameters.to``: the posts
termination   nothing
judicial      ``parameters.authority``: the judicial authority the matter is referred to
============  ==============================================================================

The currency lives in ``parameters`` rather than a column of its own: the ledger vouches for
every column of a sanction row, and a new column would change the digest of every row
recorded before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from babel.numbers import is_currency
from django.utils.translation import gettext_lazy as _

from violations.models import ResponsiblePerson

from .. import conf
from ..models import SanctionType

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

WARNING_FORMS = ("oral", "written")
CRITICISM_SCOPES = ("department", "business_line", "institution")
DEMOTION_CHANGES = ("demotion", "transfer")

MAX_AUTHORITIES = 20
NAME_LENGTH = 200  # an authority, a post, a court or a pay period
MAX_AMOUNT = Decimal("999999999999.99")  # the column's 14 digits, 2 after the point
# A suspension longer than this is a typing error, not a sanction (termination exists).
MAX_PERIOD_DAYS = 5 * 366


@dataclass(frozen=True)
class SanctionItem:
    """One proposed sanction for one responsible person.

    ``parameters`` holds the kind's own values (see the module's table); ``amount`` and
    the period are typed fields of their own. ``detail`` is a free remark kept beside them
    and never read for a rule. ``justification`` is required when the sanction lies outside
    the person's matrix range.
    """

    responsible: ResponsiblePerson
    sanction_type: str
    detail: str = ""
    amount: Decimal | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    justification: str = ""


@dataclass(frozen=True)
class Normalised:
    """What is stored for an item: its typed columns and its ``parameters``."""

    parameters: dict[str, Any]
    amount: Decimal | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None


def currencies() -> list[str]:
    """The ISO 4217 codes a sanction amount may be given in (setting ``CURRENCIES``)."""
    return [c for c in conf.get("CURRENCIES") if is_currency(c)]


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


# A kind's check reads the item and returns what to store and its problems, each with a
# "%(name)s" placeholder that normalise() fills in.
Checked = tuple[Normalised, Sequence["StrOrPromise"]]


def _warning(item: SanctionItem, p: dict[str, Any], today: dt.date) -> Checked:
    form = _text(p.get("form"))
    problems = []
    if form not in WARNING_FORMS:
        problems.append(_("%(name)s: say whether the warning is oral or written."))
    return Normalised({"form": form}), problems


def _criticism(item: SanctionItem, p: dict[str, Any], today: dt.date) -> Checked:
    scope = _text(p.get("scope"))
    problems = []
    if scope not in CRITICISM_SCOPES:
        problems.append(
            _(
                "%(name)s: say how widely the criticism is circulated (department, business line or institution)."
            )
        )
    return Normalised({"scope": scope}), problems


def _suspension(item: SanctionItem, p: dict[str, Any], today: dt.date) -> Checked:
    raw = p.get("authorities") or []
    if isinstance(raw, str):  # one per line, as a text area gives them
        raw = raw.splitlines()
    authorities = list(dict.fromkeys(a.strip() for a in raw if isinstance(a, str) and a.strip()))
    problems: list[StrOrPromise] = []
    if not authorities:
        problems.append(_("%(name)s: name the business authorities that are suspended."))
    elif len(authorities) > MAX_AUTHORITIES or any(len(a) > NAME_LENGTH for a in authorities):
        problems.append(
            _("%(name)s: at most %(n)d authorities of at most %(len)d characters each.")
            % {"n": MAX_AUTHORITIES, "len": NAME_LENGTH, "name": "%(name)s"}
        )
    start, end = item.period_start, item.period_end
    if not (start and end):
        problems.append(_("%(name)s: a suspension needs a start and an end date."))
    elif end <= start:
        problems.append(_("%(name)s: the suspension must end after it starts."))
    elif start < today - dt.timedelta(days=366):
        problems.append(_("%(name)s: a suspension cannot start more than a year in the past."))
    elif (end - start).days > MAX_PERIOD_DAYS:
        problems.append(_("%(name)s: a suspension lasts at most five years."))
    return Normalised({"authorities": authorities}, period_start=start, period_end=end), problems


def _deduction(item: SanctionItem, p: dict[str, Any], today: dt.date) -> Checked:
    amount = item.amount
    currency = _text(p.get("currency")).upper()
    pct = _decimal(p.get("percentage"))
    pay_period = _text(p.get("pay_period"))
    problems: list[StrOrPromise] = []
    if (amount is None) == (pct is None):
        problems.append(_("%(name)s: a deduction needs either an amount or a percentage."))
    elif amount is not None:
        if not (0 < amount <= MAX_AMOUNT) or amount != amount.quantize(Decimal("0.01")):
            problems.append(
                _("%(name)s: the amount must be positive, with at most two decimal places.")
            )
        if currency not in currencies():
            problems.append(_("%(name)s: choose the currency of the amount."))
    elif pct is not None and not (0 < pct <= 100):
        problems.append(_("%(name)s: a percentage lies between 0 and 100."))
    if not pay_period:
        problems.append(_("%(name)s: say which bonus or pay period the deduction applies to."))
    elif len(pay_period) > NAME_LENGTH:
        problems.append(_("%(name)s: the pay period is too long."))
    out: dict[str, Any] = {"pay_period": pay_period}
    if amount is not None:
        out["currency"] = currency
    else:
        out["percentage"] = pct
    return Normalised(out, amount=amount), problems


def _demotion(item: SanctionItem, p: dict[str, Any], today: dt.date) -> Checked:
    change = _text(p.get("change"))
    src, dst = _text(p.get("from")), _text(p.get("to"))
    problems = []
    if change not in DEMOTION_CHANGES:
        problems.append(_("%(name)s: say whether this is a demotion or a transfer."))
    if not (src and dst):
        problems.append(_("%(name)s: say from which position to which."))
    elif src.casefold() == dst.casefold():
        problems.append(_("%(name)s: the new position must differ from the current one."))
    elif max(len(src), len(dst)) > NAME_LENGTH:
        problems.append(_("%(name)s: a position's name is too long."))
    return Normalised({"change": change, "from": src, "to": dst}), problems


def _termination(item: SanctionItem, p: dict[str, Any], today: dt.date) -> Checked:
    return Normalised({}), []


def _judicial(item: SanctionItem, p: dict[str, Any], today: dt.date) -> Checked:
    authority = _text(p.get("authority"))
    problems = []
    if not authority:
        problems.append(_("%(name)s: name the judicial authority the matter is referred to."))
    elif len(authority) > NAME_LENGTH:
        problems.append(_("%(name)s: the authority's name is too long."))
    return Normalised({"authority": authority}), problems


CHECKS: dict[str, Callable[[SanctionItem, dict[str, Any], dt.date], Checked]] = {
    SanctionType.WARNING: _warning,
    SanctionType.CRITICISM: _criticism,
    SanctionType.SUSPENSION: _suspension,
    SanctionType.DEDUCTION: _deduction,
    SanctionType.DEMOTION: _demotion,
    SanctionType.TERMINATION: _termination,
    SanctionType.JUDICIAL: _judicial,
}
# The kinds that take the typed fields; any other kind given them is refused, not emptied.
TAKES_AMOUNT = {SanctionType.DEDUCTION}
TAKES_PERIOD = {SanctionType.SUSPENSION}


def normalise(item: SanctionItem, *, today: dt.date) -> tuple[Normalised, list[str]]:
    """The item as stored, and what is wrong with it (messages naming the person)."""
    check = CHECKS.get(item.sanction_type)
    if check is None:
        return Normalised({}), []
    params = item.parameters if isinstance(item.parameters, dict) else {}
    out, problems = check(item, params, today)
    problems = list(problems)
    label = SanctionType(item.sanction_type).label
    if item.amount is not None and item.sanction_type not in TAKES_AMOUNT:
        problems.append(
            _("%(name)s: %(kind)s takes no amount.") % {"kind": label, "name": "%(name)s"}
        )
    if (item.period_start or item.period_end) and item.sanction_type not in TAKES_PERIOD:
        problems.append(
            _("%(name)s: %(kind)s takes no period.") % {"kind": label, "name": "%(name)s"}
        )
    if len(item.detail) > 300:
        problems.append(_("%(name)s: the remark is too long."))
    name = item.responsible.employee.name
    stored = Normalised(
        {k: _plain(v) for k, v in out.parameters.items()},
        amount=out.amount,
        period_start=out.period_start,
        period_end=out.period_end,
    )
    return stored, [str(msg) % {"name": name} for msg in problems]


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


__all__ = [
    "CRITICISM_SCOPES",
    "DEMOTION_CHANGES",
    "WARNING_FORMS",
    "Normalised",
    "SanctionItem",
    "currencies",
    "normalise",
]
