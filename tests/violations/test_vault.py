"""The reporter identity vault: stored apart, shown to nobody, unmasked by four eyes, logged."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from casework import services as work
from ledger.models import AuditEvent
from tests.violations.factories import UserFactory
from violations import audit, policy, services
from violations.exceptions import InvalidState, NotAllowed
from violations.models import ReporterIdentity, UnmaskRequest


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def amy(world):
    return UserFactory(username="amy.wong", first_name="Amy", last_name="Wong", roles=["Reporter"])


@pytest.fixture
def anonymous_case(world, amy):
    return work.case_report(
        actor=amy,
        source="staff_report",
        category=world.category,
        title="Sold a fund",
        description="Sold a high-risk fund.",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        department=world.dept,
        subjects=[world.subject],
        is_anonymous=True,
        attachments=[SimpleUploadedFile("note.txt", b"what I saw", "text/plain")],
    )


def test_anonymous_report_names_nobody_on_the_case(world, amy, anonymous_case):
    case = anonymous_case
    assert case.reported_by_id is None
    assert case.is_anonymous is True
    identity = ReporterIdentity.objects.get(case=case)
    assert identity.user_id == amy.pk
    assert case.evidence.get().collected_by_id is None
    assert set(case.history.values_list("history_user_id", flat=True)) == {None}
    reported = audit.events_of(case).get(action="case.reported")
    assert reported.actor_id is None
    assert reported.actor_name == "reporter (identity protected)"
    assert "amy" not in str(reported.payload)


def test_whistleblower_reports_go_to_the_vault_too(world):
    case = work.case_report(
        actor=world.reporter,
        source="whistleblower",
        category=world.category,
        title="Kickbacks",
        description="x",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        department=world.dept,
        subjects=[world.subject],
    )
    assert case.reported_by_id is None
    assert case.is_anonymous
    assert ReporterIdentity.objects.filter(case=case, user=world.reporter).exists()


def test_named_report_keeps_no_vault_entry(walk, world):
    case = walk.report()
    assert case.reported_by_id == world.reporter.pk
    assert not ReporterIdentity.objects.filter(case=case).exists()


def test_policy_still_knows_the_reporter_for_segregation_of_duties(world, amy, anonymous_case):
    assert policy.is_reporter(amy, anonymous_case) is True
    assert policy.is_reporter(world.officer, anonymous_case) is False
    with pytest.raises(NotAllowed):
        policy.require_not_party(amy, anonymous_case)


def test_reporter_finds_the_anonymous_report_in_my_reports_and_nobody_sees_who(
    world, amy, anonymous_case
):
    mine = client_for(amy).get("/cases/mine/").content.decode()
    assert anonymous_case.reference in mine
    page = client_for(world.manager).get(anonymous_case.get_absolute_url())
    assert page.status_code == 200
    # Every login is offered in the reassignment drop-down; nowhere else may the reporter show.
    body = re.sub(r"<option[^>]*>[^<]*</option>", "", page.content.decode())
    assert amy.username not in body
    assert "Amy Wong" not in body
    assert "Identity protected" in body
    assert "Reporter (identity protected)" in body  # the timeline and the evidence register


def test_unmasking_needs_a_reason_a_case_manager_and_a_second_person(world, amy, anonymous_case):
    case = anonymous_case
    manager2 = UserFactory(username="manager2", roles=["Case manager"])
    with pytest.raises(ValidationError):
        services.reporter_unmask_request(case=case, actor=world.manager, reason="  ")
    for outsider in (world.officer, world.senior, world.auditor, world.investigator):
        with pytest.raises(NotAllowed):
            services.reporter_unmask_request(case=case, actor=outsider, reason="Need it")
    assert UnmaskRequest.objects.count() == 0

    request = services.reporter_unmask_request(
        case=case, actor=world.manager, reason="Retaliation complaint needs the reporter"
    )
    with pytest.raises(InvalidState):
        services.reporter_unmask_request(case=case, actor=manager2, reason="Me too")
    with pytest.raises(NotAllowed):  # before approval
        services.reporter_identity_view(case=case, actor=world.manager)
    with pytest.raises(NotAllowed):  # not by the one who asked
        services.reporter_unmask_decide(unmask_request=request, actor=world.manager, approve=True)
    with pytest.raises(NotAllowed):  # approvers are case managers or senior management
        services.reporter_unmask_decide(unmask_request=request, actor=world.officer, approve=True)
    request.refresh_from_db()
    assert request.status == "pending"

    services.reporter_unmask_decide(unmask_request=request, actor=world.senior, approve=True)
    with pytest.raises(NotAllowed):  # the approver does not get to look
        services.reporter_identity_view(case=case, actor=world.senior)
    before = audit.events_of(case).filter(action="identity.viewed").count()
    identity = services.reporter_identity_view(case=case, actor=world.manager)
    assert identity.user == amy
    services.reporter_identity_view(case=case, actor=world.manager)
    views = audit.events_of(case).filter(action="identity.viewed")
    assert views.count() == before + 2
    assert set(views.values_list("actor_id", flat=True)) == {world.manager.pk}
    assert all(amy.username not in str(e.payload) for e in views)

    # An approval does not last for ever.
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=8), tick=False),
        pytest.raises(NotAllowed),
    ):
        services.reporter_identity_view(case=case, actor=world.manager)


def test_a_refused_request_reveals_nothing(world, amy, anonymous_case):
    request = services.reporter_unmask_request(
        case=anonymous_case, actor=world.manager, reason="Why"
    )
    with pytest.raises(ValidationError):
        services.reporter_unmask_decide(unmask_request=request, actor=world.senior, approve=False)
    services.reporter_unmask_decide(
        unmask_request=request,
        actor=world.senior,
        approve=False,
        reason="Not needed for the investigation",
    )
    with pytest.raises(NotAllowed):
        services.reporter_identity_view(case=anonymous_case, actor=world.manager)
    assert not AuditEvent.objects.filter(action="identity.viewed").exists()


def test_named_cases_have_nothing_to_unmask(walk, world):
    case = walk.report()
    with pytest.raises(InvalidState):
        services.reporter_unmask_request(case=case, actor=world.manager, reason="x")


def test_unmasking_through_the_case_page(world, amy, anonymous_case):
    case = anonymous_case
    manager = client_for(world.manager)
    assert (
        manager.post(
            f"/cases/{case.reference}/reporter/unmask/", {"reason": "Retaliation"}
        ).status_code
        == 302
    )
    request = UnmaskRequest.objects.get(case=case)
    senior = client_for(world.senior)
    page = senior.get(case.get_absolute_url()).content.decode()
    assert "Retaliation" in page
    assert (
        senior.post(
            f"/cases/{case.reference}/reporter/decide/",
            {"request": request.pk, "decision": "approve", "reason": ""},
        ).status_code
        == 302
    )
    request.refresh_from_db()
    assert request.status == "approved"
    assert manager.get(f"/cases/{case.reference}/reporter/reveal/").status_code == 405
    shown = manager.post(f"/cases/{case.reference}/reporter/reveal/")
    assert shown.status_code == 200
    assert amy.username in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    refused = senior.post(f"/cases/{case.reference}/reporter/reveal/")
    assert refused.status_code == 302
    assert audit.events_of(case).filter(action="identity.viewed").count() == 1
