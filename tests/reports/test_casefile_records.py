"""Every record the case holds is in the PDF and case.json, as far as the profile allows:
the right to be heard (notice, due date, statement), appeals (grounds, decision and its
reasons), training, superseded evidence."""

import datetime as dt
import io
import json

import pytest

from reports import services
from reports.casefile import Profile, to_json
from reports.pdf import render_casefile_pdf
from reports.selectors import build_casefile
from sanctions.models import Appeal, DefenceRecord
from tests.reports.conftest import pdf_text, zip_members
from tests.reports.full_case import walk_everything

# Words of the person's own statement, the grounds of appeal and the decision's reasons
# that no withheld value touches, so each profile that may see them sees them whole.
STATEMENT = "I sold the fund because the customer insisted."
GROUNDS = "The demotion is out of proportion; ask"
DECISION = "The sale was unsuitable whatever"
NOTICE = "You may submit a statement of defence until"


@pytest.fixture
def full_case(walk, world, signing_key):
    return walk_everything(walk, world)


def _bundle(case, world, profile, lang="en") -> dict[str, bytes]:
    buf = io.BytesIO()
    services.bundle_export(case=case, actor=world.auditor, dest=buf, profile=profile, lang=lang)
    return zip_members(buf.getvalue())


@pytest.mark.parametrize("profile", [Profile.INTERNAL, Profile.REGULATOR])
def test_defence_and_appeal_are_in_the_pdf_and_case_json(full_case, world, profile):
    defence = DefenceRecord.objects.get(proposal__case=full_case)
    appeal = Appeal.objects.get(case=full_case)
    members = _bundle(full_case, world, profile)
    doc = json.loads(members["case.json"])
    text = pdf_text(members["casefile.pdf"])

    (heard,) = doc["defences"]
    assert heard["round"] == 1
    assert heard["status"] == "statement"
    assert heard["notified_at"] == to_json(defence.notified_at)
    assert heard["due_at"] == to_json(defence.due_at)
    assert heard["received_at"] == to_json(defence.received_at)
    assert heard["statement"].startswith(STATEMENT)
    assert NOTICE in heard["notice"]
    assert heard["recorded_by"] == "Wing Sze Ho, Compliance officer"
    (appealed,) = doc["appeals"]
    assert appealed["status"] == "upheld"
    assert appealed["grounds"].startswith(GROUNDS)
    assert appealed["decision_reason"].startswith(DECISION)
    assert appealed["decide_by"] == to_json(appeal.decide_by)
    assert appealed["decided_at"] == to_json(appeal.decided_at)
    assert appealed["filed_by"] == "Hoi Ting Lau, HR officer"
    assert appealed["decided_by"] == "Lai Ping So, Senior management"
    for words in (STATEMENT, GROUNDS, DECISION, NOTICE, "Right to be heard", "Grounds of appeal"):
        assert words in text, words


@pytest.mark.parametrize("profile", [Profile.INTERNAL, Profile.REGULATOR])
def test_defence_and_appeal_are_in_the_signed_events(full_case, world, profile):
    """events.json holds the notice as sent with its due date, the statement, the grounds
    and the decision's reasons, in the content each event's hash (or commitment) covers."""
    defence = DefenceRecord.objects.get(proposal__case=full_case)
    events = json.loads(_bundle(full_case, world, profile)["events.json"])["events"]
    by_action = {e["content"]["action"]: e["content"] for e in events}

    ((staff, due, notice),) = by_action["sanctions.proposed"]["payload"]["notices"]
    assert staff == defence.employee.staff_number
    assert dt.datetime.fromisoformat(due) == defence.due_at
    assert by_action["sanctions.proposed"]["payload"]["defence_due"] == due
    assert NOTICE in notice
    if profile == Profile.INTERNAL:
        assert notice == defence.notice
    ((staff, statement),) = by_action["defence.recorded"]["payload"]["statements"]
    assert staff == defence.employee.staff_number
    assert statement.startswith(STATEMENT)
    assert by_action["appeal.filed"]["reason"].startswith(GROUNDS)
    assert by_action["appeal.upheld"]["reason"].startswith(DECISION)
    if profile == Profile.REGULATOR:  # the customer's phone in the statement stays withheld
        assert "6123" not in statement


def test_bulletin_tells_that_a_person_was_heard_and_appealed_but_not_their_words(full_case, world):
    members = _bundle(full_case, world, Profile.BULLETIN)
    doc = json.loads(members["case.json"])

    assert [(d["status"], d["statement"], d["notice"]) for d in doc["defences"]] == [
        ("statement", "[withheld]", "[withheld]")
    ]
    assert [(a["status"], a["grounds"], a["decision_reason"]) for a in doc["appeals"]] == [
        ("upheld", "[withheld]", "[withheld]")
    ]
    places = [data.decode("utf-8", errors="replace") for data in members.values()]
    places.append(pdf_text(members["casefile.pdf"]))
    for lang in ("zh-hant", "zh-hans"):
        casefile = build_casefile(full_case, profile=Profile.BULLETIN, viewer=world.auditor)
        places.append(pdf_text(render_casefile_pdf(casefile, lang=lang)))
    for place in places:
        for words in (STATEMENT, GROUNDS, DECISION, NOTICE):
            assert words not in place, words
    assert "Right to be heard" in places[-3]  # the section is there, with dates and status


def test_every_record_of_the_case_is_in_the_file(full_case, world):
    casefile = build_casefile(full_case, profile=Profile.REGULATOR, viewer=world.auditor)
    text = pdf_text(render_casefile_pdf(casefile, lang="en"))

    (training,) = casefile.training
    assert training.topic == "Suitability of high-risk funds"
    assert training.attendees == ["Chan Tai Man 陳大文", "Lee Siu Ming"]
    assert training.root_causes == ["training"]
    assert [(e.number, e.superseded_by, e.superseded_reason) for e in casefile.evidence] == [
        (1, 2, "The first notes missed the last page."),
        (2, None, ""),
        (3, None, ""),
    ]
    assert len(casefile.interviews) == 2
    assert len(casefile.record_reviews) == 1
    assert [r.round for r in casefile.reviews] == [1]
    for words in (
        "Suitability of high-risk funds",
        "Compliance training unit",
        "Superseded evidence",
        "The first notes missed the last page.",
        "Branch call log",
        "HKMA",
        "No recurrence",
    ):
        assert words in text, words
