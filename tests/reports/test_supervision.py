"""Dashboard figures are computed right; only supervisors see them (the bulletin:
test_bulletins.py)."""

from django.test import Client

from reports.supervision import dashboard


def closed_case(walk, world, subject=None):
    case = walk.report(subjects=[subject or world.subject])
    walk.to_approval(case)
    walk.decide(case)
    walk.execute(case)
    walk.plan(case)
    walk.complete_actions(case)
    walk.fire_timers(case)
    walk.review(case)
    return walk.refresh(case)


def test_dashboard_counts_rates_and_repeat_offenders(walk, world):
    first = closed_case(walk, world)
    second = closed_case(walk, world)
    walk.verify(walk.report(), outcome="dismiss", reason="No basis")
    open_case = walk.report()
    d = dashboard()
    assert (d.total, d.closed, d.open) == (4, 3, 1)
    assert {b.label: b.value for b in d.by_stage} == {"Preliminary verification": 1, "Closed": 3}
    assert {b.label: b.value for b in d.by_severity} == {"General": 2}
    assert d.recurrence_rate == 50.0  # the second case repeats the first person's violation
    assert d.effectiveness_rate == 100.0
    assert d.acknowledged_on_time_rate == 100.0
    assert [(o.staff_number, o.name, o.cases) for o in d.repeat_offenders] == [
        (world.subject.staff_number, world.subject.name, 2)
    ]
    assert "Preliminary verification" in [s.label for s in d.days_per_stage]
    assert first.reference != second.reference
    assert open_case.stage == "verification"


def test_only_supervisors_see_the_dashboard(walk, world):
    for user, status in [
        (world.manager, 200),
        (world.auditor, 200),
        (world.senior, 200),
        (world.officer, 403),
        (world.reporter, 403),
        (world.investigator, 403),
    ]:
        client = Client()
        client.force_login(user)
        assert client.get("/supervision/").status_code == status, user.username


def test_the_period_starts_at_local_midnight_of_its_first_day(walk, world):
    import datetime as dt

    from django.utils import timezone

    from violations.models import Case

    since = timezone.localdate() - dt.timedelta(days=10)
    midnight = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    inside, outside = walk.report(), walk.report()
    Case.objects.filter(pk=inside.pk).update(reported_at=midnight)
    Case.objects.filter(pk=outside.pk).update(reported_at=midnight - dt.timedelta(seconds=1))

    assert dashboard(since=since).total == 1
    assert dashboard(since=since - dt.timedelta(days=1)).total == 2
