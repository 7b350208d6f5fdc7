"""Records after close: a closed case past its retention loses its personal data, keeps its
statistics and still verifies; a held case, or one not yet due, is untouched."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from casework.retention import ERASABLE, ERASED, case_erase, erase_expired, expired_cases
from reports.supervision import dashboard
from tests.reports.conftest import walk_to_close
from violations import audit
from violations.models import (
    Case,
    Erasure,
    Evidence,
    ReporterIdentity,
    ResponsiblePerson,
)
from violations.services.retention import case_retention, legal_hold_lift, legal_hold_set

# What the walked case says that names or describes someone (tests/walk.py).
PERSONAL = [
    "Sold a high-risk fund to a retiree.",
    "Madam Wong",
    "Admitted the sale.",
    "Call transcript",
    "call.txt",
    "Interviewed and reviewed the call.",
    "Mis-sold.",
    "Mis-selling of a high-risk product",
    "Transfer to back office",
    "I accept the findings.",
    "Retrain the desk 0",
    "Outcome explained",
    "Major mis-selling",
    "Unsuitable product sold",
]


def where_found(strings):
    """``(table, string)`` for every string that any column of any row still holds."""
    found = set()
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cur.fetchall():
                text = " ".join(str(v) for v in row if v is not None)
                found |= {(table, s) for s in strings if s in text}
    return sorted(found)


def years_later(case, years, days=1):
    return case.closed_at.replace(year=case.closed_at.year + years) + dt.timedelta(days=days)


@pytest.fixture
def closed(walk, world):
    return walk_to_close(walk, world, anonymous=True)


def verify_passes():
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit", stdout=out, stderr=err)  # exits non-zero on a problem
    return audit.verify().problems


def snapshot(case):
    """Everything the statistics read of the case."""
    c = Case.objects.get(pk=case.pk)
    return (
        c.category_id,
        c.department_id,
        c.source,
        c.severity,
        c.stage,
        c.outcome,
        c.reported_at,
        c.stage_entered_at,
        c.closed_at,
        sorted(
            ResponsiblePerson.objects.filter(finding__case=c).values_list(
                "employee_id", "responsibility"
            )
        ),
        sorted(c.sanction_proposals.values_list("items__sanction_type", "items__status")),
    )


def test_a_closed_case_past_retention_is_erased_and_still_verifies_and_counts(
    closed, django_capture_on_commit_callbacks
):
    case = closed
    assert where_found(PERSONAL)  # the walk wrote them all somewhere
    assert ReporterIdentity.objects.filter(case=case).exists()
    evidence = Evidence.objects.get(case=case)
    stored = evidence.file.name
    assert default_storage.exists(stored)
    before = snapshot(case)
    since = case.reported_at.date() - dt.timedelta(days=1)
    with time_machine.travel(years_later(case, 7), tick=False):
        figures = dashboard(since=since)
        with django_capture_on_commit_callbacks(execute=True):
            done = erase_expired()

        assert done.cases == [case.reference]
        assert where_found(PERSONAL) == []
        assert not ReporterIdentity.objects.filter(case=case).exists()
        erased = Case.objects.get(pk=case.pk)
        assert erased.title == ERASED
        assert erased.customer_name == ""
        assert list(erased.subjects.all()) == []
        evidence.refresh_from_db()
        assert evidence.file.name == ""
        assert evidence.sha256
        assert evidence.size == len(b"call transcript")
        assert not default_storage.exists(stored)
        assert verify_passes() == []
        assert audit.verify(case=case).problems == []
        assert snapshot(case) == before
        assert dashboard(since=since) == figures
        event = audit.events_of(case).last()
        assert event.action == "case.personal_data_erased"
        assert event.payload["files"] == 1
        assert any(entry.get("redacted") for entry in event.records)
        assert Erasure.objects.get(case=case).erased_at == erased.erasure.erased_at
        # Idempotent: a second pass finds nothing.
        assert erase_expired().cases == []
        assert audit.events_of(case).last().pk == event.pk


def test_a_held_case_is_untouched_until_the_hold_is_lifted(closed, world):
    case = closed
    hold = legal_hold_set(case=case, actor=world.manager, reason="Litigation pending")
    with time_machine.travel(years_later(case, 20), tick=False):
        assert list(expired_cases()) == []
        assert case_erase(case=case) is None
        assert erase_expired().cases == []
        assert Case.objects.get(pk=case.pk).description == "Sold a high-risk fund to a retiree."
        assert not Erasure.objects.filter(case=case).exists()
        assert case_retention(case).hold == hold
        legal_hold_lift(case=case, actor=world.manager, reason="Litigation settled")
        assert case_retention(case).due
        assert erase_expired().cases == [case.reference]
        assert where_found(PERSONAL) == []
        assert verify_passes() == []
    actions = list(audit.events_of(case).values_list("action", flat=True))
    assert actions[-3:] == ["legal_hold.set", "legal_hold.lifted", "case.personal_data_erased"]


def test_a_case_not_yet_past_retention_is_untouched(closed):
    case = closed
    with time_machine.travel(years_later(case, 7, days=-1), tick=False):
        assert erase_expired().cases == []
    assert Case.objects.get(pk=case.pk).customer_name == "Madam Wong"
    assert not Erasure.objects.filter(case=case).exists()


def test_an_open_case_is_never_erased(walk, world):
    case = walk.report(customer=True)
    with time_machine.travel(dt.datetime(2100, 1, 1, tzinfo=dt.UTC), tick=False):
        assert erase_expired().cases == []
    assert Case.objects.get(pk=case.pk).customer_name == "Madam Wong"


def test_the_dry_run_lists_and_changes_nothing(closed):
    case = closed
    events = audit.events_of(case).count()
    out = io.StringIO()
    with time_machine.travel(years_later(case, 7), tick=False):
        call_command("erase_expired", "--dry-run", stdout=out)
    assert case.reference in out.getvalue()
    assert audit.events_of(case).count() == events
    assert Case.objects.get(pk=case.pk).customer_name == "Madam Wong"


def test_every_erasable_field_exists_and_is_text_or_a_link():
    for model, names in ERASABLE.items():
        for name in names:
            f = model._meta.get_field(name)
            assert f.is_relation or f.get_internal_type() in {
                "CharField",
                "TextField",
                "FileField",
            }, (model, name)


def test_the_reporters_messages_and_receipt_code_are_erased_with_the_case(
    closed, world, django_capture_on_commit_callbacks
):
    from violations.models import ReporterReceipt
    from violations.services import mailbox

    case = closed
    code = mailbox.receipt_issue(case=case)
    question = mailbox.reporter_message_send(
        case=case, actor=world.manager, kind="question", text="Which branch was it, Madam?"
    )
    mailbox.reporter_message_receive(
        case=case, text="The Mong Kok branch, on Nathan Road.", in_reply_to=question
    )
    said = ["Which branch was it, Madam?", "The Mong Kok branch, on Nathan Road."]
    assert where_found(said)
    assert mailbox.case_by_receipt(code) == case
    with time_machine.travel(years_later(case, 7), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert erase_expired().cases == [case.reference]
        assert where_found(said) == []
        assert not ReporterReceipt.objects.filter(case=case).exists()
        assert mailbox.case_by_receipt(code) is None
        assert verify_passes() == []


# Text fields of a case's records that hold no one's words or names, each with its reason.
KEPT_TEXT = {
    ("Case", "reference"),  # the case's identifier
    ("Evidence", "content_type"),  # a MIME type
    ("Evidence", "sha256"),  # the erased file's digest, kept on purpose
    ("Assessment", "comparison"),  # a short code: lighter, alike or heavier than precedent
    ("CorrectiveAction", "proof_link"),  # a link into the institution's own systems
    ("CustomerInformationRequest", "channel"),  # "telephone", "letter"
    ("CustomerFeedback", "channel"),
    ("RegulatorNotification", "regulator"),  # an authority's name
    ("RegulatorNotification", "reference_number"),  # the authority's file number
}


def test_every_text_field_of_a_cases_records_is_erased_or_kept_for_a_reason():
    """A record added to the case later (a message, a request) must join the erasure table
    or this list: nothing is kept by forgetting it."""
    from django.db import models

    from casework.retention import DELETED

    forgotten = []
    for model in audit.case_scope(Case(pk=1)):
        if model in DELETED:
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, (models.CharField, models.TextField)) or f.choices:
                continue
            if f.name not in ERASABLE.get(model, ()) and (model.__name__, f.name) not in KEPT_TEXT:
                forgotten.append((model.__name__, f.name))
    assert forgotten == []
