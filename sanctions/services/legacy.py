"""Reading the free-text "detail" of sanctions proposed before the parameters were typed.

Older proposals wrote a kind's terms in one line ("written", "FX trading, Wealth
products", "Relationship manager → Teller", "District Court") and copied some into
``parameters`` (authorities split on ASCII commas only, the period's dates, the amount).
:func:`sanction_parameters_structure` rewrites each such row in today's shape
(``services/params.py``) through the audited save, so the change is on the record; text it
cannot read stays in ``detail`` as written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.db import transaction

from violations import audit
from violations.models import Case

from .. import conf
from ..models import ProposedSanction, SanctionType
from .params import CRITICISM_SCOPES, DEMOTION_CHANGES, WARNING_FORMS

# Separators people type between authorities, in both scripts.
LIST_SEPARATORS = re.compile(r"[,;\n，；、]+")
ARROWS = ("→", "->", "=>", "至")


def structured(kind: str, detail: str, parameters: dict[str, Any], amount) -> tuple[dict, str]:  # noqa: C901 (one branch per kind)
    """``(parameters, detail)`` in today's shape for one row; ``detail`` keeps what could not
    be read."""
    p = dict(parameters) if isinstance(parameters, dict) else {}
    text = (detail or "").strip()
    executed = p.pop("executed", None)
    out: dict[str, Any] = {}
    keep = text
    if kind == SanctionType.WARNING:
        form = str(p.get("form") or text).strip().lower()
        if form in WARNING_FORMS:
            out["form"] = form
            keep = "" if text.lower() == form else text
    elif kind == SanctionType.CRITICISM:
        scope = (p.get("scope") or text).strip().lower().replace(" ", "_")
        if scope in CRITICISM_SCOPES:
            out["scope"] = scope
            keep = "" if text.lower().replace(" ", "_") in ("", scope) else text
    elif kind == SanctionType.SUSPENSION:
        source = text or ", ".join(p.get("authorities") or [])
        authorities = [a.strip() for a in LIST_SEPARATORS.split(source) if a.strip()]
        if authorities:
            out["authorities"] = list(dict.fromkeys(authorities))
            keep = ""
    elif kind == SanctionType.DEDUCTION:
        if amount is not None:
            out["currency"] = p.get("currency") or conf.get("CURRENCIES")[0]
        elif p.get("percentage") not in (None, ""):
            out["percentage"] = p["percentage"]
        pay_period = p.get("pay_period") or p.get("period") or ""
        if pay_period:
            out["pay_period"] = pay_period
        elif text:
            out["pay_period"], keep = text, ""
    elif kind == SanctionType.DEMOTION:
        src, dst = p.get("from", ""), p.get("to", "")
        if not (src and dst):
            for arrow in ARROWS:
                if arrow in text:
                    src, dst = (s.strip() for s in text.split(arrow, 1))
                    break
        change = p.get("change")
        if change not in DEMOTION_CHANGES:
            change = "transfer" if "transfer" in text.lower() or "調" in text else "demotion"
        out["change"] = change
        if src and dst:
            out["from"], out["to"] = src, dst
            keep = ""
    elif kind == SanctionType.JUDICIAL:
        authority = (p.get("authority") or text).strip()
        if authority:
            out["authority"] = authority
            keep = "" if text in ("", authority) else text
    elif kind == SanctionType.TERMINATION:
        keep = text
    if executed:
        out["executed"] = executed
    return out, keep


def sanction_parameters_structure() -> int:
    """Rewrite every sanction whose parameters are not yet in today's shape. Safe to re-run;
    returns the number of sanctions rewritten. One audit event per case, by the system."""
    changed: dict[int, list[ProposedSanction]] = defaultdict(list)
    for item in ProposedSanction.objects.select_related("proposal").order_by("pk").iterator():
        params, detail = structured(item.sanction_type, item.detail, item.parameters, item.amount)
        if params != item.parameters or detail != item.detail:
            changed[item.proposal.case_id].append(item)
    count = 0
    for case_id, items in changed.items():
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            for item in items:
                item.parameters, item.detail = structured(
                    item.sanction_type, item.detail, item.parameters, item.amount
                )
                audit.save(
                    item,
                    actor=None,
                    reason="parameters structured",
                    update_fields=["parameters", "detail"],
                )
            audit.record(
                action="sanctions.parameters_structured",
                actor=None,
                case=case,
                payload={"sanctions": sorted(i.pk for i in items)},
            )
        count += len(items)
    return count
