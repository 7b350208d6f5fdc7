"""Words printed in a case file: labels, choices, audit actions and dates, in the active
language.

Every label is a ``gettext_lazy`` string; its Traditional and Simplified Chinese live in the
catalogues under ``locale/`` and nowhere else. Dates and times are told in the institution's
time zone (``settings.TIME_ZONE``), to the minute, in one format per language.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import dateformat, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from remediation.selectors import ACTION_LABELS as REMEDIATION_ACTIONS
from sanctions.selectors import ACTION_LABELS as SANCTION_ACTIONS
from violations.selectors import ACTION_LABELS as CASE_ACTIONS

LANGUAGES = ("en", "zh-hant", "zh-hans")
_ALIASES = {
    "zh-tw": "zh-hant",
    "zh-hk": "zh-hant",
    "zh-mo": "zh-hant",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh": "zh-hans",
}


def normalise_language(lang: str | None) -> str:
    code = (lang or "en").lower().replace("_", "-")
    code = _ALIASES.get(code, code)
    if code in LANGUAGES:
        return code
    if code.split("-")[0] == "en":
        return "en"
    raise ValueError(f"unsupported language {lang!r}: use one of {', '.join(LANGUAGES)}")


# key: the English, a gettext string (its Chinese is in the catalogues)
_TEXT: dict[str, Any] = {
    "case_file": _("Case file"),
    "reference": _("Reference"),
    "institution": _("Institution"),
    "classification": _("Classification"),
    "status": _("Status"),
    "stage": _("Stage"),
    "outcome": _("Outcome"),
    "severity": _("Severity"),
    "export_date": _("Export date"),
    "profile": _("Recipient profile"),
    "recipient": _("Recipient"),
    "prepared_by": _("Prepared by"),
    "times_in": _("Times are shown in"),
    "title": _("Title"),
    "description": _("Description"),
    "source": _("Source"),
    "category": _("Category"),
    "department": _("Department"),
    "occurred_at": _("Occurred"),
    "reported_at": _("Reported"),
    "ack_due": _("Acknowledgement due"),
    "acknowledged": _("Acknowledged"),
    "closed_at": _("Closed"),
    "anonymous": _("Anonymous report"),
    "reporting_person": _("Reported by"),
    "subjects": _("Subject employees"),
    "name": _("Name"),
    "staff_number": _("Staff number"),
    "position": _("Position"),
    "customer": _("Affected customer"),
    "customer_reference": _("Customer reference"),
    "contact": _("Contact"),
    "team": _("Investigation team"),
    "member": _("Member"),
    "role": _("Role"),
    "declaration": _("Conflict-of-interest declaration"),
    "no_conflict": _("No conflict"),
    "conflict": _("Conflict declared"),
    "pending": _("Pending"),
    "verification": _("Preliminary verification"),
    "reason": _("Reason"),
    "first_evidence": _("First evidence"),
    "duplicate_of": _("Duplicate of"),
    "by": _("By"),
    "seq": _("No."),
    "hash_col": "SHA-256",
    "when": _("When"),
    "actor": _("Actor"),
    "event": _("Event"),
    "file": _("File"),
    "kind": _("Kind"),
    "collected": _("Collected"),
    "superseded_by": _("Superseded by item"),
    "size": _("Size"),
    "interviewee": _("Interviewee"),
    "interviewer": _("Interviewer"),
    "summary_text": _("Summary"),
    "record_reviews": _("Record reviews"),
    "record": _("Record"),
    "findings_text": _("Findings"),
    "investigation_report": _("Investigation report"),
    "conclusion": _("Conclusion"),
    "round": _("Round"),
    "established": _("Violation established"),
    "nature": _("Nature"),
    "customer_loss": _("Customer loss"),
    "legal_matter": _("Legal matter involved"),
    "responsible": _("Responsible persons"),
    "four_principles": _("Four-principle attestation"),
    "facts_clear": _("Facts clear"),
    "evidence_conclusive": _("Evidence conclusive"),
    "characterization_accurate": _("Characterization accurate"),
    "handling_appropriate": _("Handling appropriate"),
    "fact_finder": _("Fact finder"),
    "proposal": _("Sanction proposal"),
    "approval_level": _("Approval level"),
    "justification": _("Justification"),
    "proposed_by": _("Proposed by"),
    "person": _("Person"),
    "sanction": _("Sanction"),
    "detail": _("Detail"),
    "execution": _("Execution"),
    "approvals": _("Approvals"),
    "approver": _("Approver"),
    "decision": _("Decision"),
    "root_causes": _("Root causes"),
    "actions": _("Corrective actions"),
    "owner": _("Owner"),
    "due": _("Due"),
    "proof": _("Proof"),
    "verdict": _("Verdict"),
    "timeliness": _("Timeliness"),
    "pertinence": _("Pertinence"),
    "effectiveness": _("Effectiveness"),
    "reviewer": _("Reviewer"),
    "channel": _("Channel"),
    "notice": _("Outcome notice"),
    "apology": _("Apology made"),
    "compensation": _("Compensation"),
    "paid_on": _("Paid on"),
    "customer_response": _("Customer's response"),
    "satisfaction": _("Satisfaction (1-5)"),
    "recorded_by": _("Recorded by"),
    "regulator": _("Regulator"),
    "notified_at": _("Notified"),
    "regulator_reference": _("Regulator reference"),
    "outcome_notices": _("Outcome notices"),
    "reporter_messages": _("Messages with the reporter"),
    "from_reporter": _("The reporter"),
    "to_reporter": _("The case team"),
    "written_by": _("Written by"),
    "message": _("Message"),
    "attached": _("Files:"),
    "chain": _("Chain"),
    "chain_length": _("Events in the chain"),
    "head_hash": _("Head hash (SHA-256)"),
    "integrity": _("Integrity when exported"),
    "intact": _("Every hash recomputed and every link checked: intact"),
    "broken": _("BROKEN"),
    "chain_note": _(
        "The chain head identifies the audit trail this file was built from. A recipient of the signed bundle recomputes every event hash from events.json and compares the last one with this value."
    ),
    "redacted_events": _("Events with withheld content (checked by their links only)"),
    "none": _("None recorded."),
    "yes": _("Yes"),
    "no": _("No"),
    "withheld": _("withheld"),  # printed "[withheld]", as free text has it
    "system": _("System"),
    "page": _("Page %(page)s of %(pages)s"),
    "generated": _("Generated"),
    "left_team": _("left the team"),
    "not_included": _("not included in this profile"),
    "profile_internal": _("Internal"),
    "profile_regulator": _("Regulator"),
    "profile_bulletin": _("Bulletin (anonymised)"),
    "class_internal": _("Confidential: internal use only"),
    "class_regulator": _("Confidential: for the regulator"),
    "class_bulletin": _("Anonymised: for staff education"),
    "defence": _("Right to be heard"),
    "defence_notice": _("Notice sent"),
    "defence_due": _("Answer due by"),
    "defence_statement": _("Statement of defence"),
    "defence_received": _("Answer received"),
    "appeal": _("Appeal"),
    "appeal_grounds": _("Grounds of appeal"),
    "appeal_filed": _("Appeal recorded"),
    "appeal_decide_by": _("Decision due by"),
    "appeal_decision": _("Reasons for the decision"),
    "appeal_decided": _("Decided"),
    "superseded_evidence": _("Superseded evidence"),
    "ended_sanctions": _("Sanctions that ended"),
    "cancelled_actions": _("Cancelled corrective actions"),
    "training": _("Training held"),
    "training_topic": _("Topic"),
    "training_held_on": _("Held on"),
    "trainer": _("Trainer"),
    "training_attendees": _("Attendees"),
    "training_notes": _("Notes"),
    "complaint_extensions": _("Complaint deadline extensions"),
    "extension_days": _("New limit (days)"),
    "appeal_none": _("No defence or appeal was recorded."),
}

_ACTION_EN = {
    **CASE_ACTIONS,
    **SANCTION_ACTIONS,
    **REMEDIATION_ACTIONS,
    "case.exported": _("Case file exported"),
}


def text(key: str) -> str:
    return str(_TEXT[key])


def choice(enum: type[models.TextChoices], code: str) -> str:
    if not code:
        return "—"
    try:
        return str(enum(code).label)
    except ValueError:
        return code


def action(code: str) -> str:
    label = _ACTION_EN.get(code)
    if label is None:
        # An action added after this table: "defence.recorded" reads "Defence recorded".
        return code.replace(".", " ").replace("_", " ").capitalize()
    return str(label)


def when(value) -> str:
    """A date, or a date and time to the minute in the institution's time zone, in the
    active language's format ("3 Dec 2026 14:05", "2026年12月3日 14:05")."""
    if value is None:
        return "—"
    zh = (translation.get_language() or "en").startswith("zh")
    # The file's own formats, written out: the pages' short numeric format (config/formats)
    # is for screens; a regulator's file reads as a letter would.
    date_format = "Y年n月j日" if zh else "j M Y"
    if isinstance(value, dt.datetime):
        local = value.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return dateformat.format(local, f"{date_format} H:i")
    return dateformat.format(value, date_format)


def yes_no(value: bool) -> str:
    return text("yes") if value else text("no")


def named(names: Mapping[str, str], english: str) -> str:
    """A reference-data name (category, department) in the active language, as the case
    file carries it in every language; the English one for a file made before names were
    translated."""
    return names.get(normalise_language(translation.get_language() or "en")) or english


# Markers a redactor leaves in free text, in square brackets so that they are told apart
# from the words around them: "[withheld]", and the pseudonyms of a bulletin.
_MARKER = re.compile(
    r"\[(withheld|Customer|Person [A-Z]{1,3}|Staff \d{1,4}|reference|a small unit)\]"
)


def markers(value: str) -> str:
    """Free text with each redaction marker in the active language, so a document in
    Chinese says "[已隱去]" wherever the English one says "[withheld]"."""
    if not value or "[" not in value:
        return value
    return _MARKER.sub(_marker, value)


def _marker(match: re.Match[str]) -> str:
    word = match.group(1)
    if word == "withheld":
        shown = text("withheld")
    elif word == "Customer":
        shown = pgettext("anonymised party", "Customer")
    elif word.startswith("Person "):
        shown = pgettext("anonymised party", "Person %(letter)s") % {"letter": word[7:]}
    elif word.startswith("Staff "):
        shown = pgettext("anonymised party", "Staff %(number)s") % {"number": word[6:]}
    elif word == "reference":
        shown = pgettext("anonymised party", "reference withheld")
    else:
        shown = pgettext("anonymised party", "a small unit")
    return f"[{shown}]"
