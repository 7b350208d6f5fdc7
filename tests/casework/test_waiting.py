"""Every waiting state says what the case waits for, until when, and whom to ask."""

import datetime as dt

from django.utils import timezone

from casework.selectors import waiting
from deadlines.models import DeadlineRule, Kind
from sanctions import conf


def test_the_case_page_names_the_appeal_window_and_hides_the_stale_stage_due(
    client, walk, world, settings
):
    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "DEADLINE_OVERRIDES": {"review_delay": dt.timedelta(days=1)},
    }
    case = walk.to_approval(walk.report())
    walk.decide(case)
    walk.execute(case, close_appeal_window=False)
    walk.plan(case)
    walk.complete_actions(case)
    walk.fire_timers(case, days=2)
    walk.review(case)
    case = walk.refresh(case)
    [wait] = waiting(case, [])
    assert wait.kind == "appeal_window"
    closes = timezone.localtime(wait.until).strftime("%Y-%m-%d %H:%M")

    client.force_login(world.manager)
    page = client.get(case.get_absolute_url()).content.decode()

    assert f"Appeal window open until {closes}; the case closes after it" in page
    assert "Stage due" not in page
    assert "ask a case manager" in page


def test_the_wait_before_the_review_is_named(client, walk, world):
    case = walk.to_approval(walk.report())
    walk.decide(case)
    walk.execute(case)
    walk.plan(case)
    walk.complete_actions(case)
    case = walk.refresh(case)

    [wait] = waiting(case, [])

    assert wait.kind == "review_delay"
    client.force_login(world.manager)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "the effectiveness review opens on" in page


def test_the_appeal_window_is_a_deadline_rule_and_the_demo_counts_it_in_minutes(db, settings):
    DeadlineRule.objects.filter(kind=Kind.APPEAL_FILING).update(amount=7)
    assert conf.appeal_window() == dt.timedelta(days=7)
    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "DEADLINE_OVERRIDES": {"appeal_filing": dt.timedelta(minutes=3)},
    }
    assert conf.appeal_window() == dt.timedelta(minutes=3)


def test_the_environment_sets_every_wait_of_the_flow(monkeypatch):
    import importlib

    import config.settings as config

    monkeypatch.setenv("ACCOUNTABILITY_APPEAL_WINDOW_MINUTES", "3")
    monkeypatch.setenv("ACCOUNTABILITY_REVIEW_DELAY_MINUTES", "2")
    monkeypatch.setenv("ACCOUNTABILITY_DEFENCE_WORKING_DAYS", "2")
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    try:
        fresh = importlib.reload(config).ACCOUNTABILITY
    finally:
        monkeypatch.undo()
        importlib.reload(config)
    assert fresh["SANCTIONS"]["APPEAL_WINDOW_MINUTES"] == 3
    assert fresh["SANCTIONS"]["DEFENCE_WORKING_DAYS"] == 2
    assert fresh["DEADLINE_OVERRIDES"] == {
        "review_delay": dt.timedelta(minutes=2),
        "appeal_filing": dt.timedelta(minutes=3),
    }
