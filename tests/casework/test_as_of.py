"""The case as it was on a past date, rebuilt from history; subject changes kept in it."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from violations import audit, services
from violations.exceptions import NotAllowed
from violations.models import Case


def url(case, at=None):
    base = reverse("casework:case_as_of", args=[case.reference])
    return f"{base}?{urlencode({'at': at.isoformat()})}" if at else base


def change_subjects(case, actor, subjects, reason="The report named the wrong teller."):
    return services.case_subjects_change(case=case, actor=actor, subjects=subjects, reason=reason)


def test_subject_change_is_kept_in_history_with_the_links(walk, world):
    case = walk.report()
    first = list(Case.history.filter(id=case.pk).order_by("history_id"))
    # Every row since the report names the subject, the first one included.
    assert {tuple(h.subjects.values_list("employee_id", flat=True)) for h in first} == {
        (world.subject.pk,)
    }
    change_subjects(case, world.officer, [world.subject2])
    rows = list(Case.history.filter(id=case.pk).order_by("history_id"))
    assert len(rows) == len(first) + 1
    assert list(rows[-1].subjects.values_list("employee_id", flat=True)) == [world.subject2.pk]
    assert rows[-1].history_change_reason == "subjects changed"
    assert rows[-1].history_user_id == world.officer.pk
    event = audit.events_of(case).get(action="case.subjects_changed")
    assert event.payload == {
        "case_reference": case.reference,
        "from": [world.subject.staff_number],
        "to": [world.subject2.staff_number],
    }
    assert list(case.subjects.all()) == [world.subject2]
    assert audit.verify(case=case).intact


@pytest.mark.parametrize(
    ("who", "subjects", "reason", "error"),
    [
        ("officer", [], "x", ValidationError),
        ("officer", ["subject"], "x", ValidationError),  # the same subjects
        ("officer", ["subject2"], " ", ValidationError),
        ("outsider", ["subject2"], "x", NotAllowed),
    ],
)
def test_a_refused_subject_change_changes_nothing(walk, world, who, subjects, reason, error):
    case = walk.report()
    before = (Case.history.filter(id=case.pk).count(), audit.events_of(case).count())
    with pytest.raises(error):
        change_subjects(
            case, getattr(world, who), [getattr(world, s) for s in subjects], reason=reason
        )
    assert list(case.subjects.all()) == [world.subject]
    assert (Case.history.filter(id=case.pk).count(), audit.events_of(case).count()) == before


def test_the_as_of_page_shows_the_earlier_subject_read_only(walk, world, client):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    between = timezone.now()
    change_subjects(walk.refresh(case), world.manager, [world.subject2])
    client.force_login(world.manager)

    earlier = client.get(url(case, between))
    assert earlier.status_code == 200
    page = earlier.content.decode()
    assert "read only" in page
    past = earlier.context["past"]
    assert past.subjects == [world.subject]
    assert {m.user for m in past.team} == {m.user for m in case.team.all()}
    assert world.subject.staff_number in page
    assert world.subject2.staff_number not in page.split("as-of-subjects")[1].split("</dd>")[0]

    now = client.get(url(case, timezone.now()))
    assert now.context["past"].subjects == [world.subject2]
    assert "<form" not in now.content.decode().split("as-of-banner")[1]  # nothing to submit


def test_before_the_case_existed_and_in_the_future_say_so(walk, world, client):
    case = walk.report()
    client.force_login(world.manager)
    before = client.get(url(case, case.reported_at - dt.timedelta(days=1)))
    assert before.status_code == 200
    assert before.context["past"] is None
    assert "did not exist yet" in before.context["form"].errors["at"][0]
    future = client.get(url(case, timezone.now() + dt.timedelta(days=1)))
    assert "in the past" in future.context["form"].errors["at"][0]
    # A minute from the picker includes what was done in it: the report itself.
    minute = timezone.localtime(case.reported_at).strftime("%Y-%m-%dT%H:%M")
    same_minute = client.get(url(case) + "?" + urlencode({"at": minute}))
    assert same_minute.context["past"].subjects == [world.subject]
    garbage = client.get(url(case) + "?at=yesterday")
    assert garbage.status_code == 200
    assert garbage.context["form"].errors["at"]


def test_only_those_who_may_see_the_case_see_its_past(walk, world, client):
    case = walk.report()
    client.force_login(world.outsider)
    assert client.get(url(case, timezone.now())).status_code == 404


def test_sanctions_and_actions_as_they_were(walk, world, client):
    from tests.remediation.helpers import to_plan

    case = to_plan(walk)
    before_plan = timezone.now()
    walk.plan(case)
    client.force_login(world.manager)
    past = client.get(url(case, before_plan)).context["past"]
    assert past.actions == []
    assert [s.status for p in past.proposals for s in p.items] == ["executed"]
    assert [p.proposal.status for p in past.proposals] == ["approved"]
    now = client.get(url(case, timezone.now())).context["past"]
    assert [a.description for a in now.actions] == ["Retrain the desk 0"]
