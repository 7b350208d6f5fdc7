"""Subscribers in the admin: the secret is shown once, on creation and on rotation; the
deliveries are listed read-only with their status."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client

from notifications import webhooks
from notifications.models import WebhookDelivery, WebhookSubscriber

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
