"""The scheduler: every job in one registry, each run when due, on one machine at a time."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from jobs import registry
from jobs.models import JobRun
from jobs.registry import JOBS, Job
from jobs.runner import run_job, take

pytestmark = pytest.mark.django_db


def counting_job(calls, *, fail=False):
    def run():
        calls.append(timezone.now())
        if fail:
            raise RuntimeError("broken")
        return f"run {len(calls)}"

    return Job("counting", dt.timedelta(minutes=10), run, "test job")


def test_the_registry_holds_every_scheduled_job():
    assert [j.name for j in JOBS] == [
        "workflow_timers",
        "close_defence_windows",
        "expire_sanctions",
        "scan_deadlines",
        "ledger_checkpoint",
        "announce_queues",
        "send_digests",
        "dispatch_outbox",
        "erase_expired",
        "dispatch_webhooks",
        "purge_outbox",
    ]


def test_a_job_runs_when_due_and_not_again_before_its_interval():
    calls = []
    job = counting_job(calls)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        assert run_job(job).ran
        assert not run_job(job).ran
    with time_machine.travel(start + dt.timedelta(minutes=11), tick=False):
        assert run_job(job).ran
    row = JobRun.objects.get(name="counting")
    assert (len(calls), row.runs, row.last_ok, row.last_result) == (2, 2, True, "run 2")
    assert row.locked_until is None


def test_a_job_held_by_another_machine_is_skipped_until_its_lease_runs_out():
    calls = []
    job = counting_job(calls)
    now = timezone.now()
    assert take(job, now=now, token="machine-a")

    assert not run_job(job, now=now).ran  # machine b
    assert calls == []
    later = now + job.lease + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert run_job(job).ran  # machine a died: its lease ran out
    assert len(calls) == 1


def test_a_failing_job_is_recorded_and_tried_again_next_interval():
    calls = []
    job = counting_job(calls, fail=True)

    outcome = run_job(job)

    assert (outcome.ran, outcome.ok) == (True, False)
    row = JobRun.objects.get(name="counting")
    assert row.last_ok is False
    assert "RuntimeError: broken" in row.last_result
    assert row.locked_until is None
    assert row.next_run_at is not None


def test_run_jobs_once_runs_every_job(monkeypatch):
    ran = []
    fakes = [
        Job(j.name, j.every, (lambda name=j.name: ran.append(name) or "ok"), j.description)
        for j in JOBS
    ]
    monkeypatch.setattr(registry, "JOBS", fakes)
    monkeypatch.setattr("jobs.runner.JOBS", fakes)
    monkeypatch.setattr("jobs.management.commands.run_jobs.JOBS", fakes)
    out = StringIO()

    call_command("run_jobs", "--once", stdout=out)
    call_command("run_jobs", "--once", stdout=out)  # nothing is due again yet

    assert ran == [j.name for j in JOBS]
    assert "dispatch_outbox: ok" in out.getvalue()


@pytest.fixture
def signing_key(settings, tmp_path):
    from ledger import signing

    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "SIGNING_KEY_PATH": str(tmp_path / "keys" / "signing.pem"),
    }
    return signing.generate()


def test_run_jobs_runs_the_real_jobs_on_an_empty_database(signing_key):
    out = StringIO()
    call_command("run_jobs", "--once", stdout=out)
    text = out.getvalue()
    assert "dispatch_outbox: 0 sent, 0 to retry, 0 given up" in text
    assert "close_defence_windows: 0 defence window(s) closed" in text
    assert "ledger_checkpoint: checkpoint #1" in text
    assert JobRun.objects.filter(last_ok=True).count() == len(JOBS)


def test_one_failing_job_does_not_stop_the_others(settings, tmp_path):
    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "SIGNING_KEY_PATH": str(tmp_path / "missing.pem"),
    }
    out = StringIO()

    with pytest.raises(CommandError, match="A job failed"):
        call_command("run_jobs", "--once", stdout=out)

    assert JobRun.objects.get(name="ledger_checkpoint").last_ok is False
    assert JobRun.objects.filter(last_ok=True).count() == len(JOBS) - 1


def test_run_jobs_refuses_an_unknown_job_and_a_bad_sleep():
    with pytest.raises(CommandError, match="Unknown job"):
        call_command("run_jobs", "--once", "--job", "nope")
    with pytest.raises(CommandError, match="--sleep"):
        call_command("run_jobs", "--sleep", "0")
    with pytest.raises(CommandError, match="--force"):
        call_command("run_jobs", "--once", "--force")
    assert JobRun.objects.count() == 0


# serialized_rollback: the rows migrations made (content types, roles) come back for the
# transactional tests after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_machines_at_once_run_a_due_job_once():
    import threading
    import time

    from django.db import connections

    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.3)
        return "done"

    job = Job("slow", dt.timedelta(minutes=10), slow, "test job")
    start = threading.Barrier(2)
    outcomes = []

    def machine():
        try:
            start.wait()
            outcomes.append(run_job(job))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=machine) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(calls) == 1
    assert sorted(o.ran for o in outcomes) == [False, True]
    assert JobRun.objects.get(name="slow").runs == 1
