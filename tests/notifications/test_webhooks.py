"""Webhooks: each case event POSTed once to a local receiver, signed; a receiver that is down
gets the backlog afterwards in order per case; a rolled-back step queues nothing; a payload
carries no more than its scope; two dispatchers at once on PostgreSQL deliver each once."""

import datetime as dt
import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from notifications import webhooks
from notifications.models import WebhookDelivery
from notifications.webhooks import (
    SIGNATURE_HEADER,
    dispatch,
    verify,
    webhook_event,
    webhook_subscriber_create,
)
from tests.reports.conftest import walk_to_close

PORT = 8171


class Receiver:
    """An HTTP server in a thread recording each POST; ``status`` is what it answers."""

    def __init__(self, port=PORT):
        self.received: list[dict] = []
        self.status = 200
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    status = receiver.status
                    receiver.received.append(
                        {
                            "path": self.path,
                            "signature": self.headers[SIGNATURE_HEADER],
                            "body": body,
                            "status": status,
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def accepted(self, path):
        return [
            json.loads(r["body"]) for r in self.received if r["path"] == path and r["status"] < 300
        ]


@pytest.fixture
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


def complaint_system(receiver, account):
    return webhook_subscriber_create(
        name="Complaint system",
        url=receiver.url("/complaints"),
        scope="complaint-system",
        events=[webhooks.CASE_REPORTED, webhooks.STAGE_CHANGED, webhooks.CASE_CLOSED],
        account=account,
    )


def hr_system(receiver):
    return webhook_subscriber_create(
        name="HR system",
        url=receiver.url("/hr"),
        scope="hr-system",
        events=[webhooks.SANCTION_APPROVED, webhooks.SANCTION_EXECUTED],
    )


@pytest.mark.django_db
def test_a_receiver_gets_each_event_of_a_case_once_signed_and_scoped(receiver, walk, world):
    complaints, complaints_secret = complaint_system(receiver, world.reporter)
    hr, hr_secret = hr_system(receiver)

    case = walk_to_close(walk, world)
    # The walk travels to the effectiveness review 91 days on: its events are due then.
    later = timezone.now() + dt.timedelta(days=92)
    first = dispatch(now=later)
    again = dispatch(now=later)

    assert (first.retried, first.failed, again.delivered) == (0, 0, 0)
    for r in receiver.received:
        secret = complaints_secret if r["path"] == "/complaints" else hr_secret
        assert verify(secret, r["signature"], r["body"])
        assert not verify("whsec_wrong", r["signature"], r["body"])
        assert not verify(secret, r["signature"], r["body"] + b" ")
    heard = receiver.accepted("/complaints")
    assert [e["event"] for e in heard] == (
        ["case.reported"] + ["case.stage_changed"] * 7 + ["case.closed"]
    )
    assert [e["data"]["stage"] for e in heard[1:-1]] == [
        "team",
        "investigation",
        "fact_finding",
        "sanction_proposal",
        "approval",
        "post_approval",
        "effectiveness_review",
    ]
    assert heard[-1]["data"] == {
        "reference": case.reference,
        "stage": "closed",
        "outcome": "sanctioned",
    }
    assert len({e["id"] for e in heard}) == len(heard)
    # The complaint system hears of stage and outcome: never a staff number or a name.
    for e in heard:
        assert set(e["data"]) <= {"reference", "stage", "previous_stage", "outcome"}
        assert e["data"]["reference"] == case.reference
        text = json.dumps(e)
        assert world.subject.staff_number not in text
        assert world.subject.name not in text
        assert world.reporter.username not in text
    # HR hears of the sanctions by staff number, and of nothing else.
    approved, executed = receiver.accepted("/hr")
    assert (approved["event"], executed["event"]) == ("sanction.approved", "sanction.executed")
    assert set(approved["data"]) == {"reference", "sanctions"}
    [sanction] = executed["data"]["sanctions"]
    assert sanction["staff_number"] == world.subject.staff_number
    assert sanction["sanction"] == "demotion"
    assert sanction["status"] == "executed"
    assert sanction["effective_date"] == timezone.localdate().isoformat()
    assert world.subject.name not in json.dumps(executed)
    assert set(
        WebhookDelivery.objects.filter(subscriber__in=[complaints, hr]).values_list(
            "attempts", "response_code"
        )
    ) == {(1, 200)}


@pytest.mark.django_db
def test_the_complaint_system_hears_only_of_the_cases_its_account_reported(receiver, walk, world):
    complaint_system(receiver, world.officer)

    walk.report()

    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_a_rolled_back_step_queues_nothing(walk, world):
    webhook_subscriber_create(
        name="Complaint system",
        url="http://127.0.0.1:8172/",
        scope="complaint-system",
        events=[webhooks.CASE_REPORTED],
        account=world.reporter,
    )
    case = walk.report()
    assert WebhookDelivery.objects.count() == 1

    def failing_step():
        with transaction.atomic():
            walk.report()
            assert WebhookDelivery.objects.count() == 2
            raise RuntimeError("the step fails after its audit event")

    with pytest.raises(RuntimeError):
        failing_step()

    assert list(WebhookDelivery.objects.values_list("case_reference", flat=True)) == [
        case.reference
    ]


@pytest.mark.django_db
def test_a_receiver_down_for_a_while_gets_the_backlog_in_order_per_case(receiver, walk, world):
    complaint_system(receiver, world.reporter)
    receiver.status = 503
    first, second = walk.report(), walk.report()
    walk.verify(first)
    walk.verify(second)
    walk.form_team(first)
    queued = WebhookDelivery.objects.count()
    assert queued == 5  # reported and the team stage for both, the investigation for one

    down = dispatch()

    # Only the oldest event of each case was tried; the later ones wait behind it.
    assert (down.delivered, down.retried) == (0, 2)
    assert sorted(r["path"] for r in receiver.received) == ["/complaints", "/complaints"]
    assert {json.loads(r["body"])["event"] for r in receiver.received} == {"case.reported"}
    assert dispatch().retried == 0  # backing off: nothing due yet
    failed = WebhookDelivery.objects.filter(attempts=1)
    assert set(failed.values_list("response_code", flat=True)) == {503}
    assert all("503" in e for e in failed.values_list("last_error", flat=True))

    receiver.status = 200
    later = dispatch(now=timezone.now() + dt.timedelta(minutes=5))

    assert (later.delivered, later.failed) == (queued, 0)
    by_case = defaultdict(list)
    for e in receiver.accepted("/complaints"):
        by_case[e["data"]["reference"]].append((e["event"], e["data"]["stage"]))
    assert by_case[first.reference] == [
        ("case.reported", "verification"),
        ("case.stage_changed", "team"),
        ("case.stage_changed", "investigation"),
    ]
    assert by_case[second.reference] == [
        ("case.reported", "verification"),
        ("case.stage_changed", "team"),
    ]
    assert WebhookDelivery.objects.filter(delivered_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_closed_port_is_retried_and_given_up_after_the_last_attempt(settings, walk, world):
    settings.ACCOUNTABILITY["NOTIFICATIONS"]["WEBHOOK_MAX_ATTEMPTS"] = 2
    webhook_subscriber_create(
        name="Complaint system",
        url="http://127.0.0.1:8173/nobody-listens",
        scope="complaint-system",
        events=[webhooks.CASE_REPORTED],
        account=world.reporter,
    )
    walk.report()

    assert dispatch().retried == 1
    assert dispatch(now=timezone.now() + dt.timedelta(hours=1)).failed == 1

    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 2
    assert delivery.failed_at is not None
    assert delivery.response_code is None
    assert "Connection refused" in delivery.last_error or "URLError" in delivery.last_error


@pytest.mark.django_db
def test_a_scope_refuses_events_it_does_not_allow(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        webhook_subscriber_create(
            name="HR system",
            url="https://hr.bank.example/hook",
            scope="hr-system",
            events=[webhooks.CASE_REPORTED],
        )
    assert "events" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        webhook_subscriber_create(
            name="Complaint system",
            url="https://complaints.bank.example/hook",
            scope="complaint-system",
            events=[webhooks.CASE_REPORTED],
        )
    assert "account" in refused.value.message_dict
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_a_rotated_secret_signs_from_then_on(receiver, walk, world):
    subscriber, old = complaint_system(receiver, world.reporter)
    new = webhooks.webhook_secret_rotate(subscriber=subscriber)

    walk.report()
    dispatch()

    [r] = receiver.received
    assert new != old
    assert verify(new, r["signature"], r["body"])
    assert not verify(old, r["signature"], r["body"])


def test_verify_refuses_a_stale_timestamp():
    body = b'{"event":"case.reported"}'
    header = webhooks.signature("whsec_x", 1_700_000_000, body)

    assert verify("whsec_x", header, body, now=1_700_000_100)
    assert not verify("whsec_x", header, body, now=1_700_000_000 + 301)
    assert not verify("whsec_x", "garbage", body, now=1_700_000_000)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED: PostgreSQL only")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_at_once_deliver_each_event_once_in_order_per_case(settings, receiver):
    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "NOTIFICATIONS": {**settings.ACCOUNTABILITY["NOTIFICATIONS"], "BATCH": 5},
    }
    hr, _secret = hr_system(receiver)
    for step in range(4):
        for n in range(30):
            webhook_event(
                webhooks.SANCTION_EXECUTED,
                case_reference=f"VC-2026-{n:05d}",
                reported_by=None,
                facts=lambda n=n, step=step: {"reference": f"VC-2026-{n:05d}", "sanctions": [step]},
            )
    results, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            results.append(dispatch())
        except Exception as error:  # surfaced below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    heard = receiver.accepted("/hr")
    assert len(heard) == 120
    assert len({e["id"] for e in heard}) == 120
    assert sum(r.delivered for r in results) == 120
    assert all(r.delivered for r in results)  # both took part
    by_case = defaultdict(list)
    for e in heard:
        by_case[e["data"]["reference"]].append(e["data"]["sanctions"][0])
    assert all(steps == [0, 1, 2, 3] for steps in by_case.values())
    assert len(by_case) == 30
    assert WebhookDelivery.objects.filter(subscriber=hr, attempts=1).count() == 120


@pytest.mark.django_db
def test_a_given_up_delivery_sent_again_arrives_before_the_cases_later_events(
    receiver, walk, world
):
    complaint_system(receiver, world.reporter)
    case = walk.report()
    reported = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=reported.pk).update(
        attempts=12, failed_at=timezone.now(), last_error="HTTP 503: down"
    )
    walk.verify(case)  # the team stage: queued after the given-up report

    assert webhooks.webhook_resend(deliveries=[reported]) == 1  # as a command would
    sent = dispatch()

    assert (sent.delivered, sent.failed) == (2, 0)
    assert [e["event"] for e in receiver.accepted("/complaints")] == [
        "case.reported",
        "case.stage_changed",
    ]
    reported.refresh_from_db()
    assert reported.attempts == 1
    assert reported.delivered_at is not None
