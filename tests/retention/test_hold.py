"""Legal holds: set and lifted by a case manager with a reason, each an event on the case's
chain; every refusal changes nothing. Retention rules per category, and tampering around an
erasure still caught."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from casework.retention import erase_expired
from ledger.models import AuditEvent
from tests.ledger.tamper import set_column
from tests.reports.conftest import walk_to_close
from violations import audit
from violations.exceptions import InvalidState, NotAllowed
from violations.models import Case, Evidence, Finding, LegalHold, RetentionRule, ViolationCategory
from violations.services.reference import reference_save
from violations.services.retention import legal_hold_lift, legal_hold_set, retention_years

from .test_erasure import years_later


@pytest.fixture
def admin(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@bank.example", "pw")


def state(case):
    return (
        list(LegalHold.objects.filter(case=case).values_list("pk", "lifted_at", "reason")),
        audit.events_of(case).count(),
    )


@pytest.fixture
def reported(walk):
    return walk.report(customer=True)


@pytest.mark.parametrize("who", ["officer", "investigator", "auditor", "reporter"])
def test_only_a_case_manager_sets_a_hold(reported, world, who):
    before = state(reported)
    with pytest.raises(NotAllowed):
        legal_hold_set(case=reported, actor=getattr(world, who), reason="Litigation")
    assert state(reported) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_hold_needs_a_reason(reported, world, reason):
    before = state(reported)
    with pytest.raises(ValidationError):
        legal_hold_set(case=reported, actor=world.manager, reason=reason)
    assert state(reported) == before


def test_set_on_an_open_case_then_lift_each_an_event_and_refusals_change_nothing(reported, world):
    hold = legal_hold_set(case=reported, actor=world.manager, reason="Police inquiry")
    assert hold.active
    assert hold.set_by == world.manager
    event = audit.events_of(reported).last()
    assert (event.action, event.reason, event.payload["hold"]) == (
        "legal_hold.set",
        "Police inquiry",
        hold.pk,
    )
    before = state(reported)
    with pytest.raises(InvalidState):
        legal_hold_set(case=reported, actor=world.manager, reason="Again")
    with pytest.raises(NotAllowed):
        legal_hold_lift(case=reported, actor=world.officer, reason="Done")
    with pytest.raises(ValidationError):
        legal_hold_lift(case=reported, actor=world.manager, reason="")
    assert state(reported) == before

    lifted = legal_hold_lift(case=reported, actor=world.manager, reason="Inquiry closed")
    assert not lifted.active
    assert lifted.lifted_by == world.manager
    assert audit.events_of(reported).last().action == "legal_hold.lifted"
    before = state(reported)
    with pytest.raises(InvalidState):
        legal_hold_lift(case=reported, actor=world.manager, reason="Twice")
    assert state(reported) == before
    assert audit.verify(case=reported).problems == []


def test_the_case_page_sets_and_lifts_a_hold_for_a_manager_only(reported, world, client):
    url = reverse("casework:legal_hold_set", args=[reported.reference])
    page = reverse("casework:case_detail", args=[reported.reference])
    client.force_login(world.officer)
    client.post(url, {"reason": "Litigation"})
    assert not LegalHold.objects.filter(case=reported).exists()
    assert "Put the case on legal hold" not in client.get(page).content.decode()

    client.force_login(world.manager)
    assert "Put the case on legal hold" in client.get(page).content.decode()
    client.post(url, {"reason": ""})
    assert not LegalHold.objects.filter(case=reported).exists()
    response = client.post(url, {"reason": "Litigation"})
    assert response.status_code == 302
    assert LegalHold.objects.get(case=reported).active
    body = client.get(page).content.decode()
    assert "On legal hold" in body
    assert "Litigation" in body
    client.post(
        reverse("casework:legal_hold_lift", args=[reported.reference]),
        {"lift_reason": "Settled"},
    )
    assert not LegalHold.objects.get(case=reported).active


def test_a_category_rule_wins_over_the_default_and_covers_its_sub_categories(
    world, settings, admin
):
    settings.ACCOUNTABILITY = {**settings.ACCOUNTABILITY, "RETENTION_YEARS": 9}
    child = ViolationCategory.objects.create(
        code="MS-SUB", name_en="Sub", name_zh_hant="子", name_zh_hans="子", parent=world.category
    )
    assert retention_years(child) == 9
    reference_save(obj=RetentionRule(category=world.category, years=3), actor=admin)
    assert retention_years(world.category) == retention_years(child) == 3
    event = AuditEvent.objects.filter(action="config.created").last()
    assert event.payload["model"] == "violations.retentionrule"
    with pytest.raises(NotAllowed):
        reference_save(obj=RetentionRule(category=child, years=1), actor=world.manager)
    assert retention_years(child) == 3


def test_a_shorter_rule_erases_sooner_and_the_page_says_so(
    walk, world, client, admin, django_capture_on_commit_callbacks
):
    reference_save(obj=RetentionRule(category=world.category, years=2), actor=admin)
    case = walk_to_close(walk, world)
    with time_machine.travel(years_later(case, 2, days=-1), tick=False):
        assert erase_expired().cases == []
    with (
        time_machine.travel(years_later(case, 2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert erase_expired().cases == [case.reference]
    client.force_login(world.manager)
    body = client.get(reverse("casework:case_detail", args=[case.reference])).content.decode()
    erased_on = Case.objects.get(pk=case.pk).erasure.erased_at
    # The page shows the date in the institution's time zone, not in UTC.
    assert f"Personal data erased on {timezone.localtime(erased_on):%Y-%m-%d}" in body
    assert "Put the case on legal hold" not in body
    evidence = Evidence.objects.get(case=case)
    download = client.get(
        reverse("violations:evidence_download", args=[case.reference, evidence.pk])
    )
    assert download.status_code == 404
    assert "erased with the case" in download.content.decode()
    with pytest.raises(InvalidState):
        legal_hold_set(case=case, actor=world.manager, reason="Too late")


def test_a_history_row_changed_before_the_erasure_is_still_caught(walk, world):
    case = walk_to_close(walk, world)
    finding = Finding.objects.get(case=case)
    hist = finding.history.order_by("history_id").first()
    set_column(type(hist), hist.history_id, "nature", "planted before erasure")
    with time_machine.travel(years_later(case, 7), tick=False):
        assert erase_expired().cases == [case.reference]
        problems = [str(p) for p in audit.verify(files=False).problems]
    assert any(
        p.startswith(
            f"violations.finding #{finding.pk}: history row #{hist.history_id} was rewritten"
        )
        for p in problems
    ), problems


def test_erased_event_content_cannot_be_rewritten_unnoticed(walk, world):
    case = walk_to_close(walk, world)
    with time_machine.travel(years_later(case, 7), tick=False):
        assert erase_expired().cases == [case.reference]
    event = audit.events_of(case).filter(action="defence.recorded").get()
    assert set(event.withheld) == {"payload"}
    assert set(event.payload) == {"case_reference"}
    assert audit.verify(files=False).problems == []
    payload = AuditEvent._meta.get_field("payload")
    set_column(
        AuditEvent,
        event.pk,
        "payload",
        payload.get_db_prep_save({**event.payload, "statements": "forged"}, connection),
    )
    problems = [str(p) for p in audit.verify(files=False).problems]
    assert any("content does not match its hash" in p for p in problems), problems


def test_an_old_due_date_before_retention_is_not_enough_for_an_open_case(walk, world):
    case = walk.report()
    with time_machine.travel(case.reported_at + dt.timedelta(days=365 * 30), tick=False):
        assert erase_expired().cases == []
