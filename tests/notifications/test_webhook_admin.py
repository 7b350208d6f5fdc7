"""Subscribers in the admin: the secret is shown once, on creation and on rotation; the
deliveries are listed read-only with their status."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from ledger.chain import SYSTEM_CHAIN
from ledger.models import AuditEvent
from notifications import webhooks
from notifications.models import WebhookDelivery, WebhookSubscriber
from reports.auditor.selectors import KINDS, SECURITY

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    admin = get_user_model().objects.create_superuser("root", "root@bank.example", "pw")
    client = Client()
    client.force_login(admin)
    return client


def test_a_subscriber_added_in_the_admin_shows_its_secret_once(admin_client):
    response = admin_client.post(
        "/admin/notifications/webhooksubscriber/add/",
        {
            "name": "HR system",
            "url": "https://hr.bank.example/hook",
            "scope": "hr-system",
            "events": [webhooks.SANCTION_APPROVED, webhooks.SANCTION_EXECUTED],
            "active": "on",
        },
    )

    assert response.status_code == 302
    subscriber = WebhookSubscriber.objects.get()
    assert subscriber.secret.startswith("whsec_")
    url = f"/admin/notifications/webhooksubscriber/{subscriber.pk}/change/"
    # The next page shows it in its messages; no page after that does.
    assert subscriber.secret in admin_client.get(url).content.decode()
    page = admin_client.get(url)
    assert page.status_code == 200
    assert subscriber.secret not in page.content.decode()


def test_an_event_the_scope_does_not_allow_is_refused_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/notifications/webhooksubscriber/add/",
        {
            "name": "HR system",
            "url": "https://hr.bank.example/hook",
            "scope": "hr-system",
            "events": [webhooks.CASE_REPORTED],
        },
    )

    assert response.status_code == 200
    assert "events" in response.context["adminform"].form.errors
    assert WebhookSubscriber.objects.count() == 0


def test_rotation_in_the_admin_shows_the_new_secret_once(admin_client):
    subscriber, old = webhooks.webhook_subscriber_create(
        name="HR system",
        url="https://hr.bank.example/hook",
        scope="hr-system",
        events=[webhooks.SANCTION_EXECUTED],
    )

    response = admin_client.post(
        "/admin/notifications/webhooksubscriber/",
        {"action": "rotate_secret", "_selected_action": [subscriber.pk]},
    )

    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.secret != old
    assert subscriber.secret_rotated_at is not None
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(subscriber.secret in m for m in shown)


def test_deliveries_are_listed_with_their_status(admin_client):
    webhooks.webhook_subscriber_create(
        name="HR system",
        url="https://hr.bank.example/hook",
        scope="hr-system",
        events=[webhooks.SANCTION_EXECUTED],
    )
    webhooks.webhook_event(
        webhooks.SANCTION_EXECUTED,
        case_reference="VC-2026-000007",
        reported_by=None,
        facts=lambda: {"reference": "VC-2026-000007", "sanctions": []},
    )
    WebhookDelivery.objects.update(attempts=3, response_code=503, last_error="HTTP 503: down")

    page = admin_client.get("/admin/notifications/webhookdelivery/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "VC-2026-000007" in text
    assert "HTTP 503: down" in text
    assert "waiting" in text


def _system_events(action):
    return list(AuditEvent.objects.filter(chain__key=SYSTEM_CHAIN, action=action).order_by("seq"))


def test_registering_changing_and_rotating_are_on_the_system_chain_without_the_secret(
    admin_client,
):
    admin_client.post(
        "/admin/notifications/webhooksubscriber/add/",
        {
            "name": "HR system",
            "url": "https://hr.bank.example/hook",
            "scope": "hr-system",
            "events": [webhooks.SANCTION_APPROVED],
            "active": "on",
        },
    )
    subscriber = WebhookSubscriber.objects.get()
    first_secret = subscriber.secret
    changed = admin_client.post(
        f"/admin/notifications/webhooksubscriber/{subscriber.pk}/change/",
        {
            "name": "HR system",
            "url": "https://hr2.bank.example/hook",
            "scope": "hr-system",
            "events": [webhooks.SANCTION_APPROVED, webhooks.SANCTION_EXECUTED],
        },
    )
    assert changed.status_code == 302
    admin_client.post(
        "/admin/notifications/webhooksubscriber/",
        {"action": "rotate_secret", "_selected_action": [subscriber.pk]},
    )
    subscriber.refresh_from_db()

    [added] = _system_events("webhook.subscribed")
    [edit] = _system_events("webhook.changed")
    [rotated] = _system_events("webhook.secret_rotated")
    assert added.actor.username == "root"
    assert added.payload["url"] == "https://hr.bank.example/hook"
    assert edit.payload["changed"] == {
        "url": {"from": "https://hr.bank.example/hook", "to": "https://hr2.bank.example/hook"},
        "events": {
            "from": [webhooks.SANCTION_APPROVED],
            "to": [webhooks.SANCTION_APPROVED, webhooks.SANCTION_EXECUTED],
        },
        "active": {"from": True, "to": False},
    }
    assert rotated.payload == {"subscriber_id": subscriber.pk, "subscriber": "HR system"}
    text = repr([e.payload for e in (added, edit, rotated)])
    assert first_secret not in text
    assert subscriber.secret not in text
    # The auditor's desk lists them among the security events.
    assert {"webhook.subscribed", "webhook.changed", "webhook.secret_rotated"} <= set(
        KINDS[SECURITY]
    )


def test_a_subscriber_is_deactivated_never_deleted(admin_client):
    subscriber, _ = webhooks.webhook_subscriber_create(
        name="HR system",
        url="https://hr.bank.example/hook",
        scope="hr-system",
        events=[webhooks.SANCTION_EXECUTED],
    )
    page = admin_client.get(f"/admin/notifications/webhooksubscriber/{subscriber.pk}/delete/")
    assert page.status_code == 403
    assert WebhookSubscriber.objects.filter(pk=subscriber.pk).exists()


def test_given_up_deliveries_can_be_sent_again_and_the_resend_is_recorded(admin_client):
    webhooks.webhook_subscriber_create(
        name="HR system",
        url="https://hr.bank.example/hook",
        scope="hr-system",
        events=[webhooks.SANCTION_EXECUTED],
    )
    for reference in ("VC-2026-000007", "VC-2026-000008"):
        webhooks.webhook_event(
            webhooks.SANCTION_EXECUTED,
            case_reference=reference,
            reported_by=None,
            facts=lambda: {"sanctions": []},
        )
    given_up, waiting = WebhookDelivery.objects.order_by("pk")
    WebhookDelivery.objects.filter(pk=given_up.pk).update(
        attempts=8, failed_at=timezone.now(), last_error="HTTP 503: down"
    )
    WebhookDelivery.objects.filter(pk=waiting.pk).update(attempts=2)

    response = admin_client.post(
        "/admin/notifications/webhookdelivery/",
        {"action": "resend", "_selected_action": [given_up.pk, waiting.pk]},
    )

    assert response.status_code == 302
    given_up.refresh_from_db()
    waiting.refresh_from_db()
    assert given_up.failed_at is None
    assert given_up.attempts == 0
    assert waiting.attempts == 2  # a waiting one is left to its back-off
    [resent] = _system_events("webhook.resent")
    assert resent.payload == {"deliveries": [given_up.pk]}
    assert resent.actor.username == "root"


def test_only_those_who_manage_subscribers_may_resend(admin_client):
    clerk = get_user_model().objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_webhookdelivery"))
    client = Client()
    client.force_login(clerk)
    webhooks.webhook_subscriber_create(
        name="HR system",
        url="https://hr.bank.example/hook",
        scope="hr-system",
        events=[webhooks.SANCTION_EXECUTED],
    )
    webhooks.webhook_event(
        webhooks.SANCTION_EXECUTED,
        case_reference="VC-2026-000007",
        reported_by=None,
        facts=lambda: {"sanctions": []},
    )
    given_up = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=given_up.pk).update(attempts=12, failed_at=timezone.now())
    page = client.get("/admin/notifications/webhookdelivery/")
    assert page.status_code == 200
    assert 'value="resend"' not in page.content.decode()
    # Posting the action anyway changes nothing and records nothing.
    client.post(
        "/admin/notifications/webhookdelivery/",
        {"action": "resend", "_selected_action": [given_up.pk]},
    )
    given_up.refresh_from_db()
    assert given_up.failed_at is not None
    assert given_up.attempts == 12
    assert _system_events("webhook.resent") == []


def test_the_services_refuse_whoever_may_not_manage_subscribers_and_change_nothing(admin_client):
    # The admin's permissions, held by the services too: the shell and any other caller
    # meet the same rule.
    subscriber, secret = webhooks.webhook_subscriber_create(
        name="HR system",
        url="https://hr.bank.example/hook",
        scope="hr-system",
        events=[webhooks.SANCTION_EXECUTED],
    )
    webhooks.webhook_event(
        webhooks.SANCTION_EXECUTED,
        case_reference="VC-2026-000007",
        reported_by=None,
        facts=lambda: {"sanctions": []},
    )
    WebhookDelivery.objects.update(attempts=12, failed_at=timezone.now())
    clerk = get_user_model().objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_webhooksubscriber"))
    events_before = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        webhooks.webhook_subscriber_create(
            name="Other", url="https://x.bank.example/", scope="hr-system", events=[], actor=clerk
        )
    subscriber.url = "https://evil.example/hook"
    with pytest.raises(PermissionDenied):
        webhooks.webhook_subscriber_change(subscriber=subscriber, actor=clerk)
    with pytest.raises(PermissionDenied):
        webhooks.webhook_secret_rotate(subscriber=subscriber, actor=clerk)
    with pytest.raises(PermissionDenied):
        webhooks.webhook_resend(deliveries=list(WebhookDelivery.objects.all()), actor=clerk)

    stored = WebhookSubscriber.objects.get()
    assert stored.url == "https://hr.bank.example/hook"
    assert stored.secret == secret
    assert WebhookDelivery.objects.get().failed_at is not None
    assert AuditEvent.objects.count() == events_before
