"""Deadline rules and calendar days are reference data: edited in the admin, each change a
configuration event, the ledger still intact; what the clocks count changes with them."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.test import Client

from deadlines.models import DeadlineRule, InstitutionDay, Kind, WorkingCalendar
from deadlines.rules import deadline
from ledger.chain import SYSTEM_CHAIN
from ledger.models import AuditEvent
from violations import audit


def admin_client():
    root = get_user_model().objects.create_superuser("root", "root@bank.example", "pw")
    client = Client()
    client.force_login(root)
    return client, root


def form_data(client, url):
    form = client.get(url).context["adminform"].form
    return {f: ("" if form[f].value() is None else form[f].value()) for f in form.fields}


def test_the_seeded_rules_and_calendar_are_vouched_for_and_verification_passes(db):
    assert audit.verify().problems == []
    assert DeadlineRule.objects.filter(kind=Kind.DEFENCE).get().basis == "working_days"


def test_a_rule_changed_and_a_typhoon_day_added_in_the_admin_are_configuration_events(world):
    client, root = admin_client()
    rule = DeadlineRule.objects.get(kind=Kind.STAGE_INVESTIGATION, severity="", source="")
    url = f"/admin/deadlines/deadlinerule/{rule.pk}/change/"
    data = form_data(client, url)
    data["amount"] = 45
    assert client.post(url, data).status_code == 302
    event = AuditEvent.objects.filter(chain__key=SYSTEM_CHAIN, action="config.changed").latest(
        "seq"
    )
    assert (event.actor, event.payload["model"], event.payload["fields"]) == (
        root,
        "deadlines.deadlinerule",
        ["amount"],
    )
    assert deadline(Kind.STAGE_INVESTIGATION).amount == 45
    assert rule.history.count() == 1  # the edit (the seeded rule was vouched for, not historied)

    calendar = WorkingCalendar.objects.get(is_default=True)
    response = client.post(
        "/admin/deadlines/institutionday/add/",
        {"calendar": calendar.pk, "date": "2026-09-15", "kind": "closure", "name": "Typhoon 10"},
    )
    assert response.status_code == 302
    assert InstitutionDay.objects.get().date == dt.date(2026, 9, 15)
    assert audit.verify().problems == []


def test_a_nonsensical_rule_is_refused_with_a_message_and_nothing_changes(world):
    client, _root = admin_client()
    rule = DeadlineRule.objects.get(kind=Kind.COMPLAINT, severity="", source="")
    url = f"/admin/deadlines/deadlinerule/{rule.pk}/change/"
    data = form_data(client, url)
    data.update(amount=0, manager_after_hours=48, head_after_hours=24)
    before = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "compliance head is told after the manager" in response.content.decode()
    assert AuditEvent.objects.count() == before
    assert DeadlineRule.objects.get(pk=rule.pk).amount == 15
