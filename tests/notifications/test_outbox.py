"""The dispatcher: each message sent once, failures retried with back-off, delivery
recorded; through a real SMTP server; two dispatchers at once on PostgreSQL."""

import datetime as dt
import email
import threading

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.utils import timezone

from notifications.models import Notification, OutboxMessage
from notifications.outbox import backoff, dispatch
from notifications.services import notify
from tests.violations.factories import UserFactory

SMTP_PORT = 8251


class FailingBackend:
    """An e-mail backend whose server refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def queue(n, *, user=None):
    user = user or UserFactory(email="ann@bank.example")
    for i in range(n):
        notify(user, "case.overdue", case_reference=f"VC-2026-{i:05d}", context={"what": []})
    return user


@pytest.mark.django_db
def test_dispatch_sends_each_message_once_and_records_delivery():
    queue(3)

    first = dispatch()
    second = dispatch()

    assert (first.sent, second.sent) == (3, 0)
    assert len(mail.outbox) == 3
    assert sorted(m.subject for m in mail.outbox) == [
        "Overdue: VC-2026-00000",
        "Overdue: VC-2026-00001",
        "Overdue: VC-2026-00002",
    ]
    rows = list(OutboxMessage.objects.values_list("attempts", "last_error", "failed_at"))
    assert rows == [(1, "", None)] * 3
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_failed_send_is_retried_with_exponential_back_off_then_given_up(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.FailingBackend"
    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "NOTIFICATIONS": {
            **settings.ACCOUNTABILITY["NOTIFICATIONS"],
            "RETRY_BASE_SECONDS": 60,
            "MAX_ATTEMPTS": 3,
        },
    }
    queue(1)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        assert dispatch().retried == 1
        assert dispatch().retried == 0  # not due again yet
    row = OutboxMessage.objects.get()
    assert row.attempts == 1
    assert row.available_at == start + dt.timedelta(seconds=60)
    assert row.last_error == "ConnectionRefusedError: mail server down"

    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert dispatch().retried == 1
    row.refresh_from_db()
    assert row.available_at == start + dt.timedelta(seconds=61 + 120)

    with time_machine.travel(start + dt.timedelta(seconds=200), tick=False):
        assert dispatch().failed == 1
    row.refresh_from_db()
    assert (row.attempts, row.sent_at) == (3, None)
    assert row.failed_at is not None
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        assert dispatch().sent + dispatch().retried == 0  # given up: never tried again


def test_backoff_doubles_and_is_capped(settings):
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(30).total_seconds() == 6 * 3600


@pytest.mark.django_db
def test_a_claimed_message_is_left_alone_until_its_lease_runs_out():
    queue(1)
    row = OutboxMessage.objects.get()
    now = timezone.now()
    # Another dispatcher took it a moment ago and died before sending.
    OutboxMessage.objects.filter(pk=row.pk).update(
        claimed_until=now + dt.timedelta(minutes=5), claimed_by="elsewhere"
    )

    assert dispatch().sent == 0
    with time_machine.travel(now + dt.timedelta(minutes=6), tick=False):
        assert dispatch().sent == 1
    assert len(mail.outbox) == 1


class Inbox:
    """aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.mark.django_db
def test_delivery_through_a_real_smtp_server(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", SMTP_PORT
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "accountability@bank.example"
    user = UserFactory(email="mei@bank.example")
    notify(
        user,
        "case.overdue",
        case_reference="VC-2026-00042",
        context={"what": []},
        link="/cases/VC-2026-00042/",
    )

    assert dispatch().sent == 1

    assert len(smtp_server.messages) == 1
    sender, recipients, raw = smtp_server.messages[0]
    message = email.message_from_bytes(raw)
    assert (sender, recipients) == ("accountability@bank.example", ["mei@bank.example"])
    assert message["Subject"] == "Overdue: VC-2026-00042"
    body = message.get_payload(decode=True).decode()
    assert "http://127.0.0.1:8000/cases/VC-2026-00042/" in body
    assert OutboxMessage.objects.get().sent_at is not None


class Recording(BaseEmailBackend):
    """Keeps what it was asked to send, per dispatcher."""

    def __init__(self, sink, **kwargs):
        super().__init__(**kwargs)
        self.sink = sink

    def send_messages(self, messages):
        self.sink.extend(m.to[0] for m in messages)
        return len(messages)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_deliver_each_of_1000_messages_exactly_once(settings):
    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "NOTIFICATIONS": {**settings.ACCOUNTABILITY["NOTIFICATIONS"], "BATCH": 20},
    }
    user = UserFactory(email="ann@bank.example")
    notes = Notification.objects.bulk_create(
        Notification(recipient=user, kind="case.overdue", case_reference=f"VC-{i}")
        for i in range(1000)
    )
    OutboxMessage.objects.bulk_create(
        OutboxMessage(notification=n, recipient=user, address=f"person{i}@bank.example")
        for i, n in enumerate(notes)
    )
    delivered: list[list[str]] = [[], []]
    results, errors = [], []
    start = threading.Barrier(2)

    def run(slot):
        # Each thread has its own database connection: its own transactions and locks.
        try:
            start.wait()
            results.append(dispatch(backend=Recording(delivered[slot])))
        except Exception as error:  # surfaced below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sum(r.sent for r in results) == 1000
    everyone = delivered[0] + delivered[1]
    assert len(everyone) == 1000
    assert len(set(everyone)) == 1000
    assert delivered[0]
    assert delivered[1]  # both took part
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
