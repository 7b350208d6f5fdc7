"""The outbox forgets what went out after the retention period; notifications stay, and a
purged digest is not sent again."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from jobs.registry import job_named
from notifications.digests import digests_send_due
from notifications.models import Notification, OutboxMessage
from notifications.outbox import dispatch
from notifications.purge import outbox_purge
from notifications.services import notify
from tests.violations.factories import UserFactory

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_purge_deletes_finished_rows_older_than_the_retention_in_batches(settings):
    settings.ACCOUNTABILITY["NOTIFICATIONS"]["PURGE_AFTER_DAYS"] = 30
    ann = UserFactory(email="ann@bank.example")
    with time_machine.travel(START, tick=False):
        for i in range(5):
            notify(ann, "case.overdue", case_reference=f"VC-2026-{i:05d}", context={"what": []})
        assert dispatch().sent == 5
        notify(ann, "case.overdue", case_reference="VC-2026-00009", context={"what": []})
        given_up = OutboxMessage.objects.order_by("-pk").first()
        OutboxMessage.objects.filter(pk=given_up.pk).update(failed_at=timezone.now())
    with time_machine.travel(START + dt.timedelta(days=29), tick=False):
        notify(ann, "case.overdue", case_reference="VC-2026-00010", context={"what": []})
        assert dispatch().sent == 1
        notify(ann, "case.overdue", case_reference="VC-2026-00011", context={"what": []})

    with time_machine.travel(START + dt.timedelta(days=30, hours=1), tick=False):
        deleted = outbox_purge(batch=2)

    assert deleted == 6
    # The recent sent one and the one still waiting are kept; every notification stays.
    assert sorted(OutboxMessage.objects.values_list("notification__case_reference", flat=True)) == [
        "VC-2026-00010",
        "VC-2026-00011",
    ]
    assert Notification.objects.filter(recipient=ann).count() == 8
    with time_machine.travel(START + dt.timedelta(days=30, hours=1), tick=False):
        assert outbox_purge() == 0


@pytest.mark.django_db
def test_a_purged_digest_is_not_sent_again():
    ann = UserFactory(email="ann@bank.example")
    with time_machine.travel(START, tick=False):
        notify(ann, "task.queued", case_reference="VC-2026-00001", context={"task": "Verify"})
    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        assert digests_send_due() == 1
        assert dispatch().sent == 1
    with time_machine.travel(START + dt.timedelta(days=40), tick=False):
        assert (
            job_named("purge_outbox").run()
            == "1 finished outbox message(s) and webhook deliveries deleted"
        )
        assert digests_send_due() == 0

    assert OutboxMessage.objects.count() == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=ann, kind="task.queued").count() == 1


@pytest.mark.django_db
def test_purge_deletes_finished_webhook_deliveries_too():
    from notifications import webhooks
    from notifications.models import WebhookDelivery

    webhooks.webhook_subscriber_create(
        name="HR", url="https://hr.bank.example/hook", scope="hr-system",
        events=[webhooks.SANCTION_EXECUTED],
    )  # fmt: skip
    with time_machine.travel(START, tick=False):
        for n in range(3):
            webhooks.webhook_event(
                webhooks.SANCTION_EXECUTED, case_reference=f"VC-{n}", reported_by=None,
                facts=lambda: {"sanctions": []},
            )  # fmt: skip
        old, given_up, waiting = WebhookDelivery.objects.order_by("pk")
        WebhookDelivery.objects.filter(pk=old.pk).update(delivered_at=timezone.now())
        WebhookDelivery.objects.filter(pk=given_up.pk).update(failed_at=timezone.now())

    with time_machine.travel(START + dt.timedelta(days=31), tick=False):
        assert outbox_purge(batch=1) == 2

    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [waiting.pk]
