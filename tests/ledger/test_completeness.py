"""Without any checkpoint: what is missing altogether (a wiped ledger, a case without its
chain, an erased case among others) and every row of every audited table, reference data
included, is caught; ``--case`` checks everything the full run checks for the case."""

import pytest
from django.db import transaction

from ledger.digest import record_label
from ledger.models import AuditChain, AuditEvent
from sanctions.models import ApprovalDecision, MatrixRule, SanctionKind
from violations import audit
from violations.models import Case, Employee

from .tamper import erase_case, raw_sql, run_verify, set_column, wipe_ledger


def problems(**kw):
    return [str(p) for p in audit.verify(**kw).problems]


def test_a_wiped_ledger_beside_cases_is_broken(case):
    wipe_ledger()

    code, out, err = run_verify()

    assert (code, out) == (1, "")
    assert (
        err.splitlines()[0]
        == "BROKEN: ledger: the ledger is empty but 1 cases exist (it was wiped)"
    )


def test_a_case_without_its_chain_is_named(case, walk):
    other = walk.report()
    chain = AuditChain.objects.get(key=audit.chain_key(other))
    with raw_sql() as cur:
        cur.execute("DELETE FROM violations_auditevent WHERE chain_id = %s", [chain.pk])
        cur.execute("DELETE FROM violations_auditchain WHERE id = %s", [chain.pk])

    assert problems()[0] == f"case {other.reference}: has no audit chain (its events were removed)"
    assert run_verify("--case", other.reference)[2].splitlines()[0] == (
        f"BROKEN: case {other.reference}: has no audit chain (its events were removed)"
    )


def test_an_erased_case_among_others_leaves_a_gap_in_the_references(case, walk):
    """The first of three cases erased in every table with its chain: the references
    after it show it was issued."""
    first = Case.objects.get(pk=case.pk)
    walk.report()
    walk.report()
    erase_case(first, counter=False)

    assert problems()[0] == (
        f"case {first.reference}: is missing: the reference was issued but no such case exists "
        f"(the case was erased; 1 references missing in {first.reference.split('-')[1]})"
    )


def test_the_newest_case_erased_is_caught_by_the_reference_counter(case, walk):
    newest = walk.report()
    erase_case(newest, counter=False)

    assert problems()[0].startswith(f"case {newest.reference}: is missing")


@pytest.mark.parametrize(
    ("model", "column", "value"),
    [
        (SanctionKind, "approval_level", "department"),
        (SanctionKind, "approvers_required", 0),
        (MatrixRule, "gravest_id", None),
        (Employee, "name", "Somebody Else"),
        (Employee, "staff_number", "E999999"),
    ],
)
def test_reference_data_changed_behind_the_admin_is_named(case, model, column, value):
    row = model._base_manager.order_by("-pk").first()
    if value is None:  # another row of the same table
        value = (
            SanctionKind._base_manager.exclude(pk=getattr(row, column))
            .values_list("pk", flat=True)
            .first()
        )
    set_column(model, row.pk, column, value)

    assert problems()[0].startswith(
        f"{record_label(model)} #{row.pk}: row differs from the digest recorded by system"
    )


def test_reference_data_added_behind_the_admin_is_named(case):
    kind = SanctionKind.objects.order_by("grade").last()
    kind.pk = None
    kind.code, kind.grade = "fine", kind.grade + 1
    kind.save()  # no service, no event

    assert problems() == [
        f"sanctions.sanctionkind #{kind.pk}: no audit event vouches for this row (written "
        "behind the application's back)"
    ]


def test_case_run_catches_a_forged_approval(case, world):
    proposal = case.sanction_proposals.get()
    forged = ApprovalDecision.objects.create(
        proposal=proposal, approver=world.senior, level="department", decision="approve"
    )

    for args in ((), ("--case", case.reference)):
        code, _, err = run_verify(*args)
        assert code == 1
        assert err.splitlines()[0].startswith(f"BROKEN: sanctions.approvaldecision #{forged.pk}: ")
    assert "no event of chain" in problems(case=case)[0]


def test_case_run_catches_truncation_of_the_newest_events(case, walk):
    """The newest events deleted and the chain row moved back: the rows and history they
    wrote are then vouched for by nobody, in the full run and the case's alike."""
    walk.decide(case)
    chain = AuditChain.objects.get(key=audit.chain_key(case))
    keep = chain.length - 2
    head = AuditEvent.objects.get(chain=chain, seq=keep)
    with raw_sql() as cur:
        cur.execute(
            "DELETE FROM violations_auditevent WHERE chain_id = %s AND seq > %s", [chain.pk, keep]
        )
        set_column(AuditChain, chain.pk, "length", keep, cur)
        set_column(AuditChain, chain.pk, "head_hash", head.hash, cur)

    full, one = problems(), problems(case=case)
    decision = ApprovalDecision.objects.get(proposal__case=case)
    assert full[0] == one[0]
    assert full[0].startswith("sanctions.proposedsanction #")
    assert full[0].endswith(
        "row differs from the digest recorded by "
        f"case:{case.pk} ({case.reference}) event #{head.seq - 2} sanctions.proposed "
        "(changed behind the application's back)"
    )
    assert full[-1].startswith(f"sanctions.approvaldecision #{decision.pk}: no audit event")
    assert one[-1].startswith(f"sanctions.approvaldecision #{decision.pk}: no event of chain")


def test_an_untouched_ledger_is_intact_per_case_and_in_full(case, walk):
    walk.report()

    assert problems() == []
    assert problems(case=case) == []
    with transaction.atomic():
        audit.record(action="case.viewed", actor=None, case=case)
    assert problems(case=case) == []
