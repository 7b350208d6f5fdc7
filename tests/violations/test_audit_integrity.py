"""The audit trail is tamper-evident: every edit made behind the application's back (raw SQL
on the audit table, on a case record or on its history) is found by ``verify_audit``."""

import io
import random
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client

from ledger import chain as ledger_chain
from ledger import digest
from ledger.models import AuditChain, AuditEvent
from remediation.models import CorrectiveAction
from sanctions.models import ProposedSanction
from tests.violations.factories import DepartmentFactory, UserFactory
from violations import audit
from violations.audit import verify
from violations.exceptions import NotAllowed
from violations.models import (
    Case,
    Department,
    Evidence,
    Finding,
    Interview,
    RecordReview,
)
from violations.services.reference import reference_save

q = connection.ops.quote_name


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The world fixture creates 17 users; the production hasher would spend ~13 s on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def raw_sql():
    """A cursor for tampering. On PostgreSQL the ledger tables' append-only triggers are
    switched off first; the test's transaction rolls that back with everything else."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses to run while deferred foreign-key checks are pending.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE violations_auditevent DISABLE TRIGGER auditevent_append_only")
            cur.execute("ALTER TABLE violations_auditchain DISABLE TRIGGER auditchain_append_only")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        yield cur


def set_column(model, pk, column, value, cur):
    table = model._meta.db_table
    cur.execute(
        f"UPDATE {q(table)} SET {q(column)} = %s WHERE {q(model._meta.pk.column)} = %s", [value, pk]
    )
    assert cur.rowcount == 1


def delete_row(model, pk, cur):
    cur.execute(
        f"DELETE FROM {q(model._meta.db_table)} WHERE {q(model._meta.pk.column)} = %s", [pk]
    )
    assert cur.rowcount == 1


def event(case, seq):
    return AuditEvent.objects.get(chain__key=f"case:{case.pk}", seq=seq)


def first_problem():
    report = verify()
    assert not report.intact
    return str(report.problems[0])


def run_verify(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def case(walk):
    """A case at approval: report, verification, team, investigation, facts, proposal."""
    case = walk.report()
    walk.to_approval(case)
    return walk.refresh(case)


@pytest.fixture
def closed_case(walk, world):
    """A case through every step: customer feedback, regulator notice, remediation, review."""
    case = walk.report(customer=True)
    walk.to_approval(case, severity="major")
    walk.decide(case)
    walk.execute(case)
    walk.feedback(case)
    walk.notify_regulator(case)
    walk.plan(case, actions=2)
    walk.complete_actions(case)
    walk.fire_timers(case)
    walk.review(case)
    return walk.refresh(case)


# --- an untouched trail ----------------------------------------------------------------------


def test_a_case_through_every_step_verifies_intact(closed_case):
    code, out, err = run_verify()

    assert (code, err) == (0, "")
    chain = AuditChain.objects.get(key=f"case:{closed_case.pk}")
    # Besides the case's chain, the system chain holds the reference data's genesis and the
    # accounts the fixtures made.
    assert out.startswith(
        f"intact: {AuditChain.objects.count()} chains, {AuditEvent.objects.count()} events, "
    )
    assert out.endswith(f" {Evidence.objects.filter(case=closed_case).count()} files\n")
    assert chain.length == audit.events_of(closed_case).count() > 20


def test_every_event_carries_the_digest_of_what_it_changed(case):
    """Each record an action wrote is named with its digest, and every history row of every
    record of the case was written by exactly one audited action."""
    events = list(audit.events_of(case).order_by("seq"))
    by_action = {e.action: e for e in events}
    assert [r["model"] for r in by_action["case.reported"].records] == ["violations.case"]
    assert {r["model"] for r in by_action["facts.determined"].records} == {
        "violations.case",
        "violations.finding",
        "violations.responsibleperson",
    }
    assert {r["model"] for r in by_action["sanctions.proposed"].records} >= {
        "sanctions.sanctionproposal",
        "sanctions.proposedsanction",
    }
    refs: dict[tuple[str, int], list[int]] = {}
    for e in events:
        for r in e.records:
            refs.setdefault((r["model"], r["pk"]), []).extend(hid for hid, _digest in r["history"])
    for (label, pk), hids in refs.items():
        written = digest.history_model(digest.model_of(label))._default_manager.filter(id=pk)
        assert sorted(hids) == sorted(written.values_list("history_id", flat=True)), label
    assert {label for label, _pk in refs} >= {
        "violations.case",
        "violations.verification",
        "violations.teammember",
        "violations.interview",
        "violations.evidence",
        "violations.investigationreport",
        "violations.finding",
        "violations.responsibleperson",
        "sanctions.sanctionproposal",
        "sanctions.proposedsanction",
    }


def test_the_trail_is_intact_per_case_and_against_its_recorded_head(case):
    head = audit.chain_head(case)

    code, out, _ = run_verify(
        "--case", case.reference, "--head", head.hash, "--head-seq", str(head.seq)
    )

    assert code == 0
    assert out.startswith(f"intact: 1 chains, {head.seq} events, ")
    assert audit.chain_head(case) == head


# --- tampering with the audit table ----------------------------------------------------------


def test_an_edited_event_in_the_middle_is_named(case):
    with raw_sql() as cur:
        set_column(AuditEvent, event(case, 4).pk, "reason", "nothing to see", cur)

    code, out, err = run_verify()

    assert (code, out) == (1, "")
    assert err.startswith(f"BROKEN: case:{case.pk} ({case.reference}) event #4 ")
    assert "content does not match its hash (the event was edited)" in err


def test_an_edited_payload_with_a_recomputed_own_hash_breaks_the_link(case):
    """Rewriting an event and its own hash still breaks the next event's link."""
    e = event(case, 3)
    e.payload = {**e.payload, "outcome": "dismiss"}
    with raw_sql() as cur:
        set_column(
            AuditEvent,
            e.pk,
            "payload",
            AuditEvent._meta.get_field("payload").get_db_prep_save(e.payload, connection),
            cur,
        )
        set_column(AuditEvent, e.pk, "hash", ledger_chain.event_hash(e), cur)

    assert first_problem() == (
        f"case:{case.pk} ({case.reference}) event #4 {event(case, 4).action}: "
        "does not link to event #3 (its previous-hash differs)"
    )


def test_an_event_deleted_in_the_middle_is_named(case):
    with raw_sql() as cur:
        delete_row(AuditEvent, event(case, 5).pk, cur)

    assert first_problem().endswith("event #5 is missing (the chain jumps to #6)")


def test_an_event_moved_to_another_case_is_named(case, walk):
    other = walk.report()
    other_chain = AuditChain.objects.get(key=audit.chain_key(other))
    with raw_sql() as cur:
        set_column(AuditEvent, event(case, 10).pk, "chain_id", other_chain.pk, cur)

    assert "event #10 is missing (the chain jumps to #11)" in first_problem()


def test_truncating_the_newest_events_is_caught_against_the_recorded_head(case, world):
    """Events that change no record (an export, a view) leave nothing else behind: only the
    head recorded in a bundle shows they existed."""
    with transaction.atomic():
        audit.record(action="case.exported", actor=world.auditor, case=case, payload={"to": "HKMA"})
    with transaction.atomic():
        audit.record(
            action="case.exported", actor=world.auditor, case=case, payload={"to": "court"}
        )
    head = audit.chain_head(case)
    with raw_sql() as cur:
        delete_row(AuditEvent, event(case, head.seq).pk, cur)
        delete_row(AuditEvent, event(case, head.seq - 1).pk, cur)
        previous = event(case, head.seq - 2)
        chain = AuditChain.objects.get(key=head.chain)
        set_column(AuditChain, chain.pk, "length", previous.seq, cur)
        set_column(AuditChain, chain.pk, "head_hash", previous.hash, cur)

    assert run_verify()[0] == 0  # a consistent, shorter chain
    code, _, err = run_verify(
        "--case", case.reference, "--head", head.hash, "--head-seq", str(head.seq)
    )
    assert code == 1
    assert err.strip() == (
        f"BROKEN: chain case:{case.pk}: truncated: the recorded head is event "
        f"#{head.seq} but the chain ends at #{head.seq - 2}"
    )


def test_deleting_the_newest_event_without_fixing_the_chain_row_is_caught(case):
    chain = AuditChain.objects.get(key=f"case:{case.pk}")
    with raw_sql() as cur:
        delete_row(AuditEvent, event(case, chain.length).pk, cur)

    assert first_problem().startswith(f"chain case:{case.pk}: chain row says {chain.length} events")


def test_a_rewritten_chain_does_not_match_the_recorded_head(case):
    head = audit.chain_head(case)
    with raw_sql() as cur:
        set_column(AuditEvent, event(case, head.seq).pk, "hash", "f" * 64, cur)
        set_column(
            AuditChain, AuditChain.objects.get(key=head.chain).pk, "head_hash", "f" * 64, cur
        )

    code, _, err = run_verify(
        "--head", head.hash, "--head-seq", str(head.seq), "--case", case.reference
    )

    assert code == 1
    assert "content does not match its hash" in err


# --- tampering with case records and their history -------------------------------------------


@pytest.mark.parametrize(
    ("model", "column", "value"),
    [
        (Case, "title", "A harmless matter"),
        (Case, "severity", "minor"),
        (Evidence, "sha256", "0" * 64),
        (Finding, "established", False),
        (ProposedSanction, "sanction_type", "termination"),
    ],
)
def test_a_record_changed_by_raw_sql_is_named(case, model, column, value):
    row = model._base_manager.filter(
        **(
            {"pk": case.pk}
            if model is Case
            else {"case": case}
            if model in (Evidence, Finding)
            else {"proposal__case": case}
        )
    ).first()
    with raw_sql() as cur:
        set_column(model, row.pk, column, value, cur)

    assert first_problem().startswith(
        f"{digest.record_label(model)} #{row.pk}: row differs from the digest recorded by case:{case.pk}"
    )


def test_a_record_deleted_by_raw_sql_is_named(case):
    interview = Interview.objects.get(case=case)
    with raw_sql() as cur:
        delete_row(Interview, interview.pk, cur)

    assert first_problem().startswith(f"violations.interview #{interview.pk}: row is missing")


def test_a_record_written_past_the_services_is_named(case, world):
    row = RecordReview.objects.create(
        case=case, record="Ledger", reviewed_by=world.investigator, findings="Planted"
    )

    assert first_problem() == (
        f"violations.recordreview #{row.pk}: no audit event vouches for this "
        "row (written behind the application's back)"
    )


def test_an_old_history_row_changed_by_raw_sql_is_named(case):
    """History is how a past state is rebuilt: rewriting who changed a case, or what it said
    then, is caught even though the live row is untouched."""
    first = Case.history.filter(id=case.pk).order_by("history_id").first()
    with raw_sql() as cur:
        set_column(Case.history.model, first.history_id, "description", "Nothing happened.", cur)

    assert first_problem() == (
        f"violations.case #{case.pk}: history row #{first.history_id} differs "
        f"from the digest recorded by case:{case.pk} ({case.reference}) event #1 case.reported"
    )


def test_a_deleted_history_row_is_named(case):
    hist = Finding.history.filter(case_id=case.pk).order_by("history_id").first()
    with raw_sql() as cur:
        delete_row(Finding.history.model, hist.history_id, cur)

    assert f"history row #{hist.history_id} written by" in first_problem()
    assert first_problem().endswith("is missing")


def test_a_save_that_skipped_the_trail_leaves_an_unvouched_history_row(case):
    live = Case.objects.get(pk=case.pk)
    live.title = "Quietly renamed"
    live.save()  # history row written, no audit event
    live.title = case.title
    live.save()  # and back: the live row matches its digest again

    problem = first_problem()
    assert problem.startswith(f"violations.case #{case.pk}: history row #")
    assert problem.endswith("was written by no audited action")


# --- the append-only table ---------------------------------------------------------------------


def test_audit_rows_are_refused_by_the_database_or_caught(case):
    """PostgreSQL refuses UPDATE and DELETE on the audit table outright; SQLite has no such
    trigger, so there the change goes through and verification catches it."""
    target = event(case, 2)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for sql in (
                "UPDATE violations_auditevent SET reason = 'x' WHERE id = %s",
                "DELETE FROM violations_auditevent WHERE id = %s",
            ):
                with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                    cur.execute(sql, [target.pk])
            assert AuditEvent.objects.get(pk=target.pk).reason == target.reason
            assert verify().intact
        else:
            assert connection.vendor == "sqlite"
            cur.execute("UPDATE violations_auditevent SET reason = 'x' WHERE id = %s", [target.pk])
            assert first_problem().endswith(
                "content does not match its hash (the event was edited)"
            )


# --- mutation test ---------------------------------------------------------------------------


def _flip(field, value):
    """A different value of the same type (not a plausible one: any change must show)."""
    import datetime as dt
    from decimal import Decimal

    internal = field.get_internal_type()
    if field.is_relation:
        return None if value is not None and field.null else (value or 0) + 1
    if internal == "BooleanField":
        return not value
    if internal in ("DateTimeField",):
        return value + dt.timedelta(seconds=1) if value else dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    if internal == "DateField":
        return value + dt.timedelta(days=1) if value else dt.date(2020, 1, 1)
    if internal == "DecimalField":
        return (value or Decimal(0)) + 1
    if internal in (
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "BigIntegerField",
        "SmallIntegerField",
    ):
        return (value or 0) + 1000  # clear of unique neighbours such as (chain, seq)
    if internal == "JSONField":
        return {"tampered": value}
    text = getattr(value, "name", value) or ""  # a FieldFile is stored as its name
    limit = field.max_length or 10_000
    return (text[:-1] + ("y" if text[-1:] == "x" else "x")) if len(text) >= limit else text + "x"


def test_flipping_one_field_in_random_rows_is_always_detected(closed_case):
    """Seeded: the same 40 mutations every run, four in each of audit events, case rows,
    evidence, findings, sanction items, corrective actions and the history of four of them."""
    rng = random.Random(20260505)
    models = [
        AuditEvent,
        Case,
        Evidence,
        Finding,
        ProposedSanction,
        CorrectiveAction,
        Case.history.model,
        Evidence.history.model,
        Finding.history.model,
        ProposedSanction.history.model,
    ]
    picked = []
    for model in models:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        # The case's own events: the system chain's (accounts made by the fixtures) are not
        # what verify(case=...) checks.
        rows = list(
            audit.events_of(closed_case) if model is AuditEvent else model._base_manager.all()
        )
        assert rows, model
        picked += rng.sample([(model, row, f) for row in rows for f in fields], 4)
    missed, refused = [], []
    with raw_sql() as cur:
        for model, row, field in picked:
            name = f"{model._meta.label}.{field.name} #{row.pk}"
            value = _flip(field, field.value_from_object(row))
            try:
                with transaction.atomic():
                    set_column(
                        model, row.pk, field.column, field.get_db_prep_save(value, connection), cur
                    )
                    if verify(case=closed_case).intact:
                        missed.append(name)
                    transaction.set_rollback(True)
            except IntegrityError:  # a unique constraint refused the change: nothing to detect
                refused.append(name)

    assert missed == []
    assert len(refused) <= 2, refused


# --- configuration changes through the admin ---------------------------------------------------


@pytest.fixture
def admin_client(db):
    user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client, user


def system_events():
    """Configuration changes on the system chain (which also holds security events)."""
    return list(
        AuditEvent.objects.filter(
            chain__key=audit.chain_key(), action__startswith="config."
        ).order_by("seq")
    )


def test_reference_data_edited_in_the_admin_lands_on_the_system_chain(admin_client):
    client, user = admin_client

    names = {"name_en": "Cards", "name_zh_hant": "信用卡部", "name_zh_hans": "信用卡部"}
    response = client.post("/admin/violations/department/add/", {"code": "CARDS", **names})
    assert response.status_code == 302
    dept = Department.objects.get(code="CARDS")
    response = client.post(
        f"/admin/violations/department/{dept.pk}/change/",
        {"code": "CARDS", **names, "name_en": "Cards and Payments"},
    )
    assert response.status_code == 302
    response = client.post(f"/admin/violations/department/{dept.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302

    # Migrations vouch for the reference catalogue, then for the deadline rules they load.
    catalogue, genesis, *events = system_events()
    assert (catalogue.action, catalogue.actor_id) == ("config.genesis", None)
    assert (genesis.action, genesis.actor_id) == ("config.genesis", None)
    assert [(e.action, e.actor_id) for e in events] == [
        ("config.created", user.pk),
        ("config.changed", user.pk),
        ("config.deleted", user.pk),
    ]
    assert [e.seq - events[0].seq for e in events] == [0, 1, 2]
    assert events[1].payload == {
        "model": "violations.department",
        "pk": dept.pk,
        "name": "CARDS Cards and Payments",
        "fields": ["name_en"],
    }
    assert events[2].records[0]["digest"] is None
    assert [
        h.history_type for h in Department.history.filter(id=dept.pk).order_by("history_id")
    ] == ["+", "~", "-"]
    assert [h.history_user_id for h in Department.history.filter(id=dept.pk)] == [user.pk] * 3
    # Between the genesis and them only security events: the admin's account being made, its
    # password set, its authenticator (the test login's second factor) and its login
    # (security.receivers).
    earlier = AuditEvent.objects.filter(
        chain__key=audit.chain_key(), seq__gt=genesis.seq, seq__lt=events[0].seq
    )
    assert sorted(earlier.values_list("action", flat=True)) == [
        "login.succeeded",
        "second_factor.enrolled",
        "user.created",
        "user.password_changed",
    ]
    total = events[-1].seq
    vouched = len(catalogue.records) + len(genesis.records)
    # The deadline rules and calendar the migration loaded keep history rows of their own.
    from deadlines.models import DeadlineRule, InstitutionDay, WorkingCalendar

    loaded = sum(m.history.count() for m in (DeadlineRule, InstitutionDay, WorkingCalendar))
    assert run_verify() == (
        0,
        f"intact: 1 chains, {total} events, {vouched + 1} records, "
        f"{loaded + 3} history rows, 0 files\n",
        "",
    )


def test_reference_data_changed_behind_the_admin_is_caught(admin_client):
    client, _user = admin_client
    client.post(
        "/admin/violations/violationcategory/add/",
        {
            "code": "FRAUD",
            "name_en": "Fraud",
            "name_zh_hant": "欺詐",
            "name_zh_hans": "欺诈",
            "active": "on",
        },
    )
    category = digest.model_of("violations.violationcategory").objects.get(code="FRAUD")
    with raw_sql() as cur:
        set_column(type(category), category.pk, "active", False, cur)

    assert first_problem().startswith(f"violations.violationcategory #{category.pk}: row differs")


def test_reference_data_needs_the_model_permission(db):
    clerk = UserFactory(username="clerk", is_staff=True)
    dept = DepartmentFactory(code="FX", name="FX", name_zh_hant="外匯", name_zh_hans="外汇")
    dept.name = "Renamed"

    with pytest.raises(NotAllowed):
        reference_save(obj=dept, actor=clerk, changed_fields=["name"])

    assert Department.objects.get(pk=dept.pk).name == "FX"
    assert [e.action for e in system_events()] == ["config.genesis"] * 2
    clerk.user_permissions.add(Permission.objects.get(codename="change_department"))
    clerk = type(clerk).objects.get(pk=clerk.pk)
    reference_save(obj=dept, actor=clerk, changed_fields=["name"])
    assert [e.action for e in system_events()] == ["config.genesis"] * 2 + ["config.changed"]


def test_the_audit_trail_is_read_only_in_the_admin(case, world):
    world.auditor.is_staff = True
    world.auditor.save()
    client = Client()
    client.force_login(world.auditor)
    target = event(case, 1)

    assert client.get("/admin/ledger/auditevent/").status_code == 200
    assert client.get(f"/admin/ledger/auditevent/{target.pk}/change/").status_code == 200
    assert client.get("/admin/ledger/auditevent/add/").status_code == 403
    assert (
        client.post(f"/admin/ledger/auditevent/{target.pk}/change/", {"reason": "x"}).status_code
        == 403
    )
    assert (
        client.post(f"/admin/ledger/auditevent/{target.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.get(pk=target.pk).reason == target.reason
    assert verify().intact


# --- the command ------------------------------------------------------------------------------


def test_the_command_refuses_bad_arguments(case):
    with pytest.raises(CommandError, match="No case VC-1999-000001"):
        call_command("verify_audit", "--case", "VC-1999-000001")
    with pytest.raises(CommandError, match="--head and --head-seq go together"):
        call_command("verify_audit", "--head", "abc")


def test_the_command_counts_every_problem_but_names_the_first(case):
    with raw_sql() as cur:
        set_column(AuditEvent, event(case, 2).pk, "reason", "x", cur)
        set_column(Case, case.pk, "title", "x", cur)

    code, _, err = run_verify()

    assert code == 1
    first, second = err.strip().splitlines()
    assert first.startswith(f"BROKEN: case:{case.pk} ({case.reference}) event #2 ")
    assert second.startswith(f"(2 problems in all; checked {AuditChain.objects.count()} chains")
