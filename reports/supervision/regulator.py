"""The periodic statistical report for the regulator: a month or a quarter of the
dashboard's figures (counts and rates, no names) as PDF, XLSX and JSON, in one of the three
languages, packed and signed in the regulator bundle's format so that the standalone
``tools/verify_bundle.py`` verifies it unchanged (docs/supervision.md).

The package holds ``statistics.pdf``, ``statistics.xlsx``, ``statistics.json`` and the two
files every bundle has: ``case.json`` (here the report's cover: the period and language) and
``events.json``. A statistical report belongs to no case, so it carries an empty audit chain
(no events, the genesis hash as head); what proves it is the Ed25519 signature of
``manifest.json``, which lists the SHA-256 of every file. Each generation is an audit event
(``statistics.exported``) on the system chain, with the manifest's SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from violations import audit, policy
from violations.case_filters import CaseFilter
from violations.exceptions import NotAllowed

from .. import signing
from ..bundle import FORMAT, FORMAT_VERSION, MANIFEST, SIGNATURE
from ..labels import normalise_language
from . import exports, figures
from .pdf import render_pdf

GENESIS = "0" * 64
PROFILE = "statistics"
PERMISSIONS = ("manage_cases", "audit_cases")
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


@dataclass(frozen=True)
class Period:
    label: str  # 2026-11 or 2026-Q4
    first: dt.date
    last: dt.date


def parse_period(value: str) -> Period:
    """``YYYY-MM`` (a month) or ``YYYY-Qn`` (a quarter); ValueError for anything else."""
    m = _PERIOD.match((value or "").strip())
    if not m:
        raise ValueError(value)
    year = int(m.group(1))
    if m.group(2):
        first_month, months = int(m.group(2)), 1
    else:
        first_month, months = (int(m.group(3)) - 1) * 3 + 1, 3
    first = dt.date(year, first_month, 1)
    after = figures._add_months(first, months)
    return Period(label=m.group(0), first=first, last=after - dt.timedelta(days=1))


def require_begun(period: Period) -> None:
    """A report is of a month or quarter that has begun (ValueError otherwise)."""
    if period.first > timezone.localdate():
        raise ValueError(period.label)


def may_generate(user) -> bool:
    """Case managers and internal auditors (those who export to the regulator)."""
    return any(policy.has(user, p) for p in PERMISSIONS)


class StatisticsForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Month or quarter (2026-11 or 2026-Q4)"), max_length=7
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    recipient = forms.CharField(label=gettext_lazy("Recipient"), max_length=200, required=False)

    def clean_period(self):
        try:
            period = parse_period(self.cleaned_data["period"])
        except ValueError:
            raise forms.ValidationError(
                gettext_lazy("Give a month as 2026-11 or a quarter as 2026-Q4.")
            ) from None
        try:
            require_begun(period)
        except ValueError:
            raise forms.ValidationError(gettext_lazy("That period has not begun.")) from None
        return period


@dataclass(frozen=True)
class StatisticsResult:
    period: str
    filename: str
    manifest: dict[str, Any]
    manifest_sha256: str


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def statistics_export(
    *, period: Period | str, lang: str, actor, dest: IO[bytes], recipient: str = ""
) -> StatisticsResult:
    """Write the signed statistics package for ``period`` in ``lang`` into ``dest`` and
    record the generation.

    Preconditions: the period has begun (else ValueError); a signing key exists (``manage.py signing_key generate``); ``actor`` is
    None (the system, at the command line) or a case manager or internal auditor. Nothing is
    recorded when writing fails.
    """
    if isinstance(period, str):
        period = parse_period(period)
    require_begun(period)
    lang = normalise_language(lang)
    if actor is not None and not may_generate(actor):
        raise NotAllowed(_("Only case managers and internal auditors produce the statistics."))
    key = signing.load_private_key()
    institution = settings.ACCOUNTABILITY["INSTITUTION_NAME"]
    now = timezone.now()
    with translation.override(lang):
        d = figures.dashboard(
            CaseFilter(reported_from=period.first, reported_to=period.last), now=now
        )
        title = _("Statistical report on violation handling, %(period)s") % {"period": period.label}
        subtitle = _("Cases reported from %(start)s to %(end)s") % {
            "start": period.first,
            "end": period.last,
        }
        tables = exports.tables(d, people=False)
        pdf = render_pdf(
            d, lang=lang, title=title, subtitle=subtitle, institution=institution, people=False
        )
        xlsx = exports.workbook(tables, title=title, subtitle=subtitle)
        document = {
            "title": title,
            "period": period.label,
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "language": lang,
            "tables": [
                {"key": t.key, "title": t.title, "header": t.header, "rows": t.rows} for t in tables
            ],
        }
    prepared_by = "system" if actor is None else actor.get_username()
    cover = {
        "document": "accountability-regulator-statistics",
        "period": period.label,
        "language": lang,
        "institution": institution,
        # A statistical report belongs to no case: an empty chain, the genesis hash as head.
        "chain": {"key": PROFILE, "length": 0, "head_hash": GENESIS},
    }
    files: list[dict[str, Any]] = []
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def put(name: str, data: bytes) -> None:
            zf.writestr(name, data)
            files.append(
                {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            )

        put("statistics.pdf", pdf)
        put("statistics.xlsx", xlsx)
        put("statistics.json", _json_bytes(document))
        put("case.json", _json_bytes(cover))
        put("events.json", _json_bytes({"events": []}))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "case": f"statistics {period.label}",
            "institution": institution,
            "profile": PROFILE,
            "recipient": recipient,
            "language": lang,
            "created_at": now.isoformat(),
            "created_by": prepared_by,
            "chain": cover["chain"],
            "signature": {
                "algorithm": "Ed25519",
                "file": SIGNATURE,
                "signed": MANIFEST,
                "public_key_sha256": signing.fingerprint(key),
            },
            "files": sorted(files, key=lambda f: f["path"]),
        }
        manifest_bytes = _json_bytes(manifest)
        zf.writestr(MANIFEST, manifest_bytes)
        zf.writestr(SIGNATURE, signing.sign(key, manifest_bytes))
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    with transaction.atomic():
        audit.record(
            action="statistics.exported",
            actor=actor,
            payload={
                "period": period.label,
                "lang": lang,
                "recipient": recipient,
                "manifest_sha256": digest,
                "files": len(files),
                "key": manifest["signature"]["public_key_sha256"],
            },
        )
    return StatisticsResult(
        period=period.label,
        filename=f"statistics-{period.label}-{lang}.zip",
        manifest=manifest,
        manifest_sha256=digest,
    )
