"""The redacted draft of a bulletin entry: what the bulletin redactor leaves of a case.

It starts from the case file's bulletin profile (:func:`reports.selectors.redactor.
build_redactor`: every party in every recorded spelling, in Latin words in any order and in
Chinese in either script; the customer, their reference and contact; every member of staff)
and adds what a bulletin read by the whole institution must not carry: the case's reference
and any other case reference, and the name and code of a department smaller than
``ACCOUNTABILITY["BULLETIN_MIN_UNIT_SIZE"]``. Each value becomes a marker in square
brackets ("[Person A]", "[Customer]", "[withheld]", "[reference]", "[a small unit]"), shown
in the reader's language (:func:`reports.labels.markers`).

Any e-mail address or phone number, known or not, is withheld too. The redactor finds what
the system knows; a name it has never been told (a colleague
mentioned in passing) only a person can find, which is why a bulletin is published only as
a person approved it.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import prefetch_related_objects

from violations import audit
from violations import selectors as case_selectors
from violations.models import Case, Employee

from ..casefile import WITHHELD, Profile
from ..redaction import Redactor, scrub_contacts
from ..selectors import people
from ..selectors.casefile import LATER_RECORDS
from ..selectors.redactor import build_redactor, case_user_ids

REFERENCE_MARKER = "[reference]"
SMALL_UNIT_MARKER = "[a small unit]"


def _bracketed(shown: str) -> str:
    return shown if shown.startswith("[") else f"[{shown}]"


def unit_is_small(department) -> bool:
    """Whether naming the department would point at the few people in it."""
    minimum = settings.ACCOUNTABILITY["BULLETIN_MIN_UNIT_SIZE"]
    return Employee.objects.filter(department=department).count() < minimum


def case_redactor(case: Case) -> Redactor:
    """The redactor for one case's bulletin entry (reads the case whole)."""
    case = case_selectors.case_page(case.reference)
    prefetch_related_objects([case], *LATER_RECORDS)
    events = list(audit.events_of(case))
    known = people.staff(
        [*case_user_ids(case), *(e.actor_id for e in events)],
        set().union(*(people.logins_in(e.action, e.payload) for e in events)),
    )
    base, _reporter_withheld = build_redactor(
        case, events, profile=Profile.BULLETIN, viewer=None, known=known
    )
    replacements = {value: _bracketed(shown) for value, shown in base.replacements.items()}
    replacements[case.reference] = REFERENCE_MARKER
    if case.customer_reference:
        replacements[case.customer_reference] = WITHHELD
    if unit_is_small(case.department):
        for value in (case.department.name, case.department.code):
            replacements.setdefault(value, SMALL_UNIT_MARKER)
    return Redactor(replacements=replacements)


def references() -> re.Pattern[str]:
    """Any case reference ("VC-2026-000123"), of this case or another."""
    prefix = re.escape(settings.ACCOUNTABILITY["REFERENCE_PREFIX"])
    return re.compile(rf"(?<![0-9A-Za-z]){prefix}\s*-\s*\d{{4}}\s*-\s*\d{{1,9}}(?![0-9])", re.I)


def redact(text: str, redactor: Redactor) -> str:
    """The case's known values by their markers; then any case reference, e-mail address
    or phone number, whoever's, as no contact detail belongs in a bulletin."""
    text = references().sub(REFERENCE_MARKER, redactor.text(text))
    return scrub_contacts(text, WITHHELD)
