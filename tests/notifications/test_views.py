"""The notification centre: the header's count, the list, marking read, following a link
only while it may be followed, and the preferences page."""

import pytest
from django.urls import reverse

from notifications.models import Notification, Preference
from notifications.services import notify
from tests.violations.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_header_shows_the_unread_count(client, world):
    for i in range(3):
        notify(world.officer, "case.overdue", case_reference=f"VC-{i}", context={"what": []})
    client.force_login(world.officer)

    body = client.get(reverse("notifications:list")).content.decode()

    assert 'class="acc-bell__count"' in body
    assert ">3</span>" in body


def test_the_list_shows_only_the_users_own_notifications(client, world):
    notify(world.officer, "case.overdue", case_reference="VC-2026-000111", context={"what": []})
    notify(world.manager, "case.overdue", case_reference="VC-2026-000222", context={"what": []})
    client.force_login(world.officer)

    body = client.get(reverse("notifications:list")).content.decode()

    assert "Overdue: VC-2026-000111" in body
    assert "VC-2026-000222" not in body


def test_mark_one_and_mark_all_read(client, world):
    a = notify(world.officer, "case.overdue", case_reference="VC-1", context={"what": []})
    b = notify(world.officer, "case.overdue", case_reference="VC-2", context={"what": []})
    theirs = notify(world.manager, "case.overdue", case_reference="VC-3", context={"what": []})
    client.force_login(world.officer)

    client.post(reverse("notifications:mark_read"), {"id": [a.pk, theirs.pk]})
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert Notification.objects.get(pk=theirs.pk).read_at is None  # not the officer's

    response = client.post(reverse("notifications:mark_read"), {"all": "1"})
    assert response.status_code == 302
    assert Notification.objects.get(pk=b.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_marking_read_needs_a_post(client, world):
    client.force_login(world.officer)
    assert client.get(reverse("notifications:mark_read")).status_code == 405


def test_a_link_into_a_case_is_followed_only_while_the_case_is_visible(client, walk, world):
    case = walk.report()
    seen = notify(
        world.officer,
        "case.overdue",
        case_reference=case.reference,
        context={"what": []},
        link=case.get_absolute_url(),
    )
    hidden = notify(
        world.outsider,
        "case.overdue",
        case_reference=case.reference,
        context={"what": []},
        link=case.get_absolute_url(),
    )

    client.force_login(world.officer)
    page = client.get(reverse("notifications:list")).content.decode()
    assert reverse("notifications:open", args=[seen.pk]) in page
    response = client.post(reverse("notifications:open", args=[seen.pk]))
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert Notification.objects.get(pk=seen.pk).read_at is not None

    client.force_login(world.outsider)
    page = client.get(reverse("notifications:list")).content.decode()
    assert reverse("notifications:open", args=[hidden.pk]) not in page
    response = client.post(reverse("notifications:open", args=[hidden.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_someone_elses_notification_cannot_be_opened(client, world):
    theirs = notify(world.manager, "case.overdue", case_reference="VC-3", context={"what": []})
    client.force_login(world.officer)

    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_preferences_page_saves_language_and_digest_kinds(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("notifications:preferences")).status_code == 200

    response = client.post(
        reverse("notifications:preferences"),
        {"language": "zh-hant", "digest_kinds": ["task.assigned"]},
    )

    assert response.status_code == 302
    preference = Preference.objects.get(user=user)
    assert (preference.language, preference.digest_kinds) == ("zh-hant", ["task.assigned"])


def test_a_mandatory_kind_cannot_be_put_in_the_digest(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("notifications:preferences"),
        {"language": "xx", "digest_kinds": ["sanction.defence_notice"]},
    )

    assert response.status_code == 200  # the form again, with its errors
    assert "digest_kinds" in response.context["form"].errors
    assert "language" in response.context["form"].errors
    assert not Preference.objects.filter(user=user).exists()


def test_the_centre_needs_a_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
