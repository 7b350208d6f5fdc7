"""notify(): the in-app notification and its outbox row, written with the caller's change."""

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Delivery, Notification, OutboxMessage
from notifications.outbox import dispatch
from notifications.services import notify, preference_update
from tests.violations.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_writes_notification_and_outbox_row():
    user = UserFactory(email="ann@bank.example")

    with transaction.atomic():
        n = notify(
            user,
            "task.assigned",
            case_reference="VC-2026-00001",
            link="/cases/x/",
            context={"task": "Verify the report", "by": "Bob"},
        )

    assert n is not None
    assert n.email == Delivery.IMMEDIATE
    row = OutboxMessage.objects.get()
    assert (row.notification_id, row.address, row.sent_at) == (n.pk, "ann@bank.example", None)


def test_a_rolled_back_step_sends_nothing():
    user = UserFactory(email="ann@bank.example")

    class StepFailed(Exception):
        pass

    def step():
        with transaction.atomic():
            notify(user, "task.assigned", case_reference="VC-2026-00001", context={"task": "x"})
            raise StepFailed

    with pytest.raises(StepFailed):
        step()

    assert Notification.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert dispatch().sent == 0
    assert mail.outbox == []


def test_dedupe_key_makes_a_repeat_a_no_op_per_recipient():
    ann, bob = UserFactory(), UserFactory()

    first = notify(ann, "case.overdue", case_reference="VC-1", dedupe_key="overdue:1")
    again = notify(ann, "case.overdue", case_reference="VC-1", dedupe_key="overdue:1")
    other = notify(bob, "case.overdue", case_reference="VC-1", dedupe_key="overdue:1")

    assert first is not None
    assert again is None
    assert other is not None
    assert Notification.objects.filter(recipient=ann).count() == 1
    assert OutboxMessage.objects.count() == 2


def test_digest_preference_holds_the_mail_back():
    user = UserFactory()
    preference_update(actor=user, language="", digest_kinds=["task.assigned", "case.outcome"])

    n = notify(user, "task.assigned", context={"task": "x"})
    mandatory = notify(user, "case.outcome", context={"notice": "closed"})

    assert n.email == Delivery.DIGEST
    assert n.digest_due_at is not None
    assert mandatory.email == Delivery.IMMEDIATE
    assert list(OutboxMessage.objects.values_list("notification_id", flat=True)) == [mandatory.pk]


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(LookupError):
        notify(UserFactory(), "no.such.kind")
