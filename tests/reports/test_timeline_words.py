"""The timeline speaks like a person: a sentence per event in English, Traditional and
Simplified Chinese; no stored payload, ISO timestamp, Python literal or login; times in the
institution's time zone to the minute; people by name and position."""

import re

import opencc
import pytest
from django.utils import translation

from reports import labels as L
from reports import timeline
from reports.casefile import ChainEvent, Profile
from reports.pdf import render_casefile_pdf, section_title
from reports.selectors import build_casefile
from tests.reports.conftest import pdf_text
from tests.reports.full_case import LOGINS, walk_everything

LANGUAGES = ("en", "zh-hant", "zh-hans")
MACHINE_WORDS = [
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "ISO timestamp"),
    (re.compile(r"\d{2}:\d{2}:\d{2}"), "seconds"),
    (re.compile(r"[+-]\d{2}:\d{2}\b|\bUTC\b"), "UTC offset"),
    (re.compile(r"\b(True|False|None)\b"), "Python literal"),
    (re.compile(r"\[\[|\['|\[\d|\{'|'\]"), "Python list or dict"),
    (re.compile(r"\b[a-z]+_[a-z_]+\b"), "code"),
]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _machine_words(text: str) -> list[str]:
    found = [
        f"{what}: {m.group()}" for pattern, what in MACHINE_WORDS for m in pattern.finditer(text)
    ]
    found += [f"login: {login}" for login in LOGINS.values() if login in text]
    return found


@pytest.fixture
def full_case(walk, world):
    return walk_everything(walk, world)


def test_timeline_of_a_full_case_has_no_machine_words_in_any_language(full_case, world):
    casefile = build_casefile(full_case, profile=Profile.INTERNAL, viewer=world.auditor)
    actions = {e.action for e in casefile.events}
    assert {"defence.recorded", "appeal.filed", "appeal.upheld", "training.recorded"} <= actions
    assert {"evidence.superseded", "case.exported", "remediation.planned"} <= actions

    for lang in LANGUAGES:
        with translation.override(lang):
            lines = [
                f"{L.when(e.occurred_at)} {timeline.actor(e)} {timeline.sentence(e)}"
                for e in casefile.events
            ]
        for line in lines:
            assert _machine_words(line) == [], (lang, line)
        text = pdf_text(render_casefile_pdf(casefile, lang=lang))
        title = section_title("timeline", lang)
        start = text.index(title, text.index(title) + 1)  # first in the contents, then itself
        section = text[start : text.index(section_title("evidence", lang), start)]
        assert _machine_words(section) == [], lang
        assert len(lines) == len(casefile.events) == len(set(lines))  # no event without words
        # People by name and position, not by login.
        assert "Wing Sze Ho, Compliance officer" in section
        assert "Chan Tai Man 陳大文" in section

    with translation.override("en"):
        told = {e.action: timeline.sentence(e) for e in casefile.events}
    assert told["defence.recorded"] == (
        "Recorded the answers to the proposed sanctions (round 1): "
        "Chan Tai Man 陳大文: Statement of defence received."
    )
    assert told["evidence.superseded"] == "Replaced evidence item 1 with item 2."
    with translation.override("zh-hant"):
        assert (
            timeline.sentence(_event("evidence.superseded", casefile)) == "以第2項證據取代第1項。"
        )
    with translation.override("zh-hans"):
        assert (
            timeline.sentence(_event("evidence.superseded", casefile)) == "以第2项证据取代第1项。"
        )


def _event(action: str, casefile) -> ChainEvent:
    return next(e for e in casefile.events if e.action == action)


def test_times_are_in_the_institution_time_zone_to_the_minute(settings):
    import datetime as dt

    settings.TIME_ZONE = "Asia/Hong_Kong"
    moment = dt.datetime(2026, 12, 3, 22, 5, 59, 123456, tzinfo=dt.UTC)  # 06:05 next day in HK
    expected = {
        "en": "4 Dec 2026 06:05",
        "zh-hant": "2026年12月4日 06:05",
        "zh-hans": "2026年12月4日 06:05",
    }
    for lang, shown in expected.items():
        with translation.override(lang):
            assert L.when(moment) == shown
    dates = {"en": "3 Dec 2026", "zh-hant": "2026年12月3日", "zh-hans": "2026年12月3日"}
    for lang, shown in dates.items():
        with translation.override(lang):
            assert L.when(dt.date(2026, 12, 3)) == shown


# Facts of every shape the sentences read: people and values as the selector hands them over
# (in capitals, so that any Latin word left in a Chinese sentence is one not translated).
FACTS = {
    "source": "customer_complaint",
    "subjects": ["PERSON A", "PERSON B"],
    "anonymous": True,
    "on_time": False,
    "to": "approval",
    "due": "2026-12-03T22:05:59.123456+00:00",
    "outcome": "sanctioned",
    "duplicate_of": "",
    "lead": "STAFF 1",
    "members": ["STAFF 2"],
    "conflict": True,
    "role": "lead",
    "added": ["STAFF 3"],
    "removed": ["STAFF 4"],
    "step": "decide_appeal",
    "evidence": 3,
    "name": "NOTES.PDF",
    "old": 1,
    "new": 2,
    "interviewee": "PERSON C",
    "record": "LEDGER",
    "round": 2,
    "established": True,
    "severity": "major",
    "recipient": "reporter",
    "format": "bundle",
    "profile": "regulator",
    "requested_by": "STAFF 5",
    "what": "stage",
    "stage": "approval",
    "answers": [["PERSON A", "statement"], ["PERSON B", "waived"]],
    "no_statement": ["PERSON B"],
    "level": "senior",
    "sanctions": [4, 5],
    "on": "2026-12-04",
    "employee": "PERSON A",
    "decide_by": "2027-01-08T09:00:00+00:00",
    "causes": ["training", "system"],
    "actions": [["training", "STAFF 6", "2026-12-31"]],
    "verdict": "partly",
    "topic": "KYC",
    "held_on": "2026-12-01",
    "apology": True,
    "compensation": "1200.00",
    "satisfaction": 4,
    "regulator": "HKMA",
    "reference": "R-1",
    "from_days": 30,
    "to_days": 60,
}


OWN_FACTS = {
    "verification.completed": {"outcome": "duplicate", "duplicate_of": "VC-2026-000009"},
    "case.exported": {"recipient": "HKMA ENFORCEMENT"},
    "task.reassigned": {"to": "STAFF 7"},
}


@pytest.mark.parametrize("action", sorted(timeline.SENTENCES))
def test_every_action_has_a_sentence_in_three_languages(action):
    event = ChainEvent(
        seq=1,
        occurred_at=None,
        action=action,
        actor="STAFF 1",
        reason="",
        hash="",
        prev_hash="",
        content={},
        facts={**FACTS, **OWN_FACTS.get(action, {})},
    )
    told = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            told[lang] = timeline.sentence(event)
            label = L.action(action)
        assert told[lang] != label, (lang, "fell back to the label")
        assert _machine_words(told[lang]) == [], (lang, told[lang])
    assert not CJK.search(told["en"])
    for lang in ("zh-hant", "zh-hans"):
        assert CJK.search(told[lang]), told[lang]
        # Every word of the sentence is translated: what stays Latin is the facts' values.
        assert not re.search(r"[a-z]{3,}", told[lang]), told[lang]
    # Simplified is Simplified through and through (nothing Traditional left to convert).
    assert opencc.OpenCC("t2s").convert(told["zh-hans"]) == told["zh-hans"]


def test_every_labelled_action_has_a_sentence():
    """An audit action given a label (the case page's, in the apps' ACTION_LABELS) must be
    told in the case file's timeline too, not fall back to its label."""
    assert set(timeline.SENTENCES) == set(L._ACTION_EN)
