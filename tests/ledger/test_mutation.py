"""The mutation test: one field flipped by raw SQL in a row of every audited table (case
records, their history, reference data), in the ledger's own tables, and in an evidence
file's bytes: each is caught by the full run and, where it concerns the case, by ``--case``,
with a message naming the row or the chain. Seeded, so every run makes the same changes."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ledger import checkpoint
from ledger.digest import history_model, record_label, translated_originals
from ledger.models import AuditChain, AuditEvent, Checkpoint
from remediation.services import training_record
from reports.bulletins.services import bulletin_approve, bulletin_draft, bulletin_publish
from tests.reports.conftest import walk_to_close
from violations import audit
from violations.models import Evidence
from violations.services import record_review_add

from .tamper import raw_sql, set_column

# Audited tables the walked case leaves empty: an appeal, an unmasking request and a
# complaint extension each need a flow of their own; their models are covered by the same
# generic checks (digest of every row, every row vouched for), tested on the tables here.
# A record review is added during investigation: the last test here covers its table.
NOT_WALKED = {
    "violations.recordreview",
    "sanctions.appeal",
    "violations.unmaskrequest",
    "remediation.complaintextension",
    "deadlines.institutionday",  # a new installation records no closures yet
    # Records after close: no retention rule is configured, no hold set, nothing erased
    # (tests/retention covers each).
    "violations.retentionrule",
    "violations.legalhold",
    "violations.erasure",
    # The walked case is reported by staff, not through the portal, and has no customer
    # question: these three are not tampered with here (tests/portal verifies their chain).
    "violations.reporterreceipt",
    "violations.reportermessage",
    "remediation.customerinformationrequest",
}


def _flip(field, value):
    """A different value of the same type (any change must show)."""
    internal = field.get_internal_type()
    if field.is_relation:
        return None if value is not None and field.null else (value or 0) + 1
    if internal == "BooleanField":
        return not value
    if internal == "DateTimeField":
        return value + dt.timedelta(seconds=1) if value else dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    if internal == "DateField":
        return value + dt.timedelta(days=1) if value else dt.date(2020, 1, 1)
    if internal == "DecimalField":
        return (value or Decimal(0)) + 1
    if "Integer" in internal:
        return (value or 0) + 1000
    if internal == "JSONField":
        return {"tampered": value}
    text = getattr(value, "name", value) or ""
    limit = field.max_length or 10_000
    return (text[:-1] + ("y" if text[-1:] == "x" else "x")) if len(text) >= limit else text + "x"


def _unique(model, field) -> bool:
    together = {f for group in model._meta.unique_together for f in group}
    for constraint in model._meta.constraints:
        together |= set(getattr(constraint, "fields", ()))
    return field.unique or field.name in together


@pytest.fixture
def walked(world, walk, signing_key):
    case = walk_to_close(walk, world, anonymous=True)
    case = walk.refresh(case)
    training_record(
        actor=world.manager,
        topic="Suitability",
        held_on=timezone.localdate(),
        trainer="Compliance",
        attendees=[world.subject],
        cases=[case],
    )
    # A published case bulletin: its tables are audited too (system chain).
    today = timezone.localdate()
    bulletin = bulletin_draft(
        actor=world.officer, period_start=today - dt.timedelta(days=30), period_end=today
    )
    bulletin_approve(actor=world.manager, bulletin=bulletin)
    bulletin_publish(actor=world.manager, bulletin=bulletin)
    checkpoint.checkpoint_create()
    return case


def _mutations(case):
    """``(model, row, field, expected prefix of the message, concerns the case)``."""
    rng = random.Random(20261201)
    scope = audit.case_scope(case)
    out, empty = [], []
    for model in sorted(audit.audited_models(), key=record_label):
        label = record_label(model)
        in_case = model in scope
        rows = list(
            model._base_manager.filter(scope[model]) if in_case else model._base_manager.all()
        )
        if not rows:
            empty.append(label)
            continue
        row = rng.choice(rows)
        # The plain column of a translated name is never read (each language has its own,
        # digested instead: ledger.digest.translated_originals).
        fields = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key
            and not _unique(model, f)
            and f.name not in translated_originals(model)
        ]
        out.append((model, row, rng.choice(fields), f"{label} #{row.pk}: ", in_case))
        hist = history_model(model)
        hist_rows = list(hist._default_manager.filter(**{model._meta.pk.attname: row.pk}))
        if hist_rows:
            h = rng.choice(hist_rows)
            h_fields = [
                f
                for f in hist._meta.concrete_fields
                if not f.primary_key and f.name != model._meta.pk.attname
            ]
            out.append(
                (hist, h, rng.choice(h_fields), f"{label} #{row.pk}: history row #", in_case)
            )
    return out, empty


def _caught(prefix, problems) -> bool:
    return any(str(p).startswith(prefix) for p in problems)


def test_every_audited_table_and_the_ledger_itself(walked, monkeypatch):
    case = walked
    mutations, empty = _mutations(case)
    assert set(empty) == NOT_WALKED
    chain = AuditChain.objects.get(key=audit.chain_key(case))
    event = AuditEvent.objects.filter(chain=chain).order_by("seq")[3]
    for field in (
        "payload",
        "actor_name",
        "occurred_at",
        "prev_hash",
        "hash",
        "salt",
        "records",
        "withheld",
    ):
        mutations.append(
            (AuditEvent, event, AuditEvent._meta.get_field(field), f"case:{case.pk} ", True)
        )
    for field in ("length", "head_hash"):
        mutations.append(
            (AuditChain, chain, AuditChain._meta.get_field(field), f"chain case:{case.pk}: ", True)
        )
    stored = Checkpoint.objects.get()
    mutations.append(
        (Checkpoint, stored, Checkpoint._meta.get_field("document"), "checkpoint: stored ", False)
    )

    missed, refused = [], []
    with raw_sql() as cur:
        for model, row, field, prefix, in_case in mutations:
            name = f"{model._meta.label}.{field.name} #{row.pk}"
            value = _flip(field, field.value_from_object(row))
            try:
                with transaction.atomic():
                    set_column(
                        model, row.pk, field.column, field.get_db_prep_save(value, connection), cur
                    )
                    if not _caught(prefix, audit.verify(files=False).problems):
                        missed.append(("full", name, prefix))
                    if in_case and not _caught(
                        prefix, audit.verify(case=case, files=False).problems
                    ):
                        missed.append(("case", name, prefix))
                    transaction.set_rollback(True)
            except IntegrityError:
                refused.append(name)

    assert missed == []
    assert refused == []
    # 30 tables (training attendance, issue 20), a history row of each but the seeded deadline
    # rule and calendar (vouched for by the genesis event, no history until edited), 11 in the
    # ledger (the event's withheld content, issue 20).
    assert len(mutations) == 69


def test_an_evidence_file_changed_is_caught_by_both_runs(walked):
    case = walked
    item = Evidence.objects.filter(case=case).first()
    with default_storage.open(item.file.name, "wb") as fh:
        fh.write(b"other bytes")
    prefix = f"violations.evidence #{item.pk}: file {item.file.name} no longer has"

    assert _caught(prefix, audit.verify().problems)
    assert _caught(prefix, audit.verify(case=case).problems)


def test_the_record_review_table_is_covered_when_a_case_has_one(world, walk):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    row = record_review_add(
        case=walk.refresh(case), actor=world.investigator, record="Ledger", findings="ok"
    )
    set_column(type(row), row.pk, "findings", "planted")

    assert _caught(f"violations.recordreview #{row.pk}: ", audit.verify(case=case).problems)
