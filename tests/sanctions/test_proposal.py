"""Proposals against the matrix, parameters per kind, and precedents."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from casework import services as work
from sanctions import selectors
from sanctions import services as sanc
from sanctions.models import Assessment, MatrixRule, ProposedSanction, SanctionKind, SeverityGrade
from violations import audit
from violations.models import ViolationCategory

from .conftest import snapshot, to_propose

# Sanction periods start soon after the proposal (one in the distant past is refused).
START = dt.date.today() + dt.timedelta(days=7)


def propose(walk, case, items, factors=None, justification="Per the matrix."):
    return work.sanction_propose(
        task=walk.task(case, "propose"),
        actor=walk.w.officer,
        items=items,
        justification=justification,
        factors=factors,
    )


def rp_of(case, employee=None):
    finding = case.findings.order_by("-round").first()
    return finding.responsible.get(employee=employee) if employee else finding.responsible.get()


def test_reference_data_is_seeded(db):
    assert list(SanctionKind.objects.values_list("code", "grade", "approvers_required")) == [
        ("warning", 1, 1),
        ("criticism", 2, 1),
        ("suspension", 3, 1),
        ("deduction", 4, 1),
        ("demotion", 5, 1),
        ("termination", 6, 2),
        ("judicial", 7, 2),
    ]
    assert list(SeverityGrade.objects.values_list("code", flat=True)) == [
        "minor",
        "general",
        "serious",
        "major",
    ]
    tops = ViolationCategory.objects.filter(
        parent__isnull=True, code__in=["SALES", "SERVICE", "PRIVACY", "OPERATIONS", "INTEGRITY"]
    )
    assert tops.count() == 5
    assert all(c.children.count() >= 3 for c in tops)
    assert MatrixRule.objects.count() == 20


def test_inside_the_range_needs_no_item_justification(walk, world):
    case = to_propose(walk)
    propose(
        walk,
        case,
        [
            sanc.SanctionItem(
                responsible=rp_of(case),
                sanction_type="criticism",
                parameters={"scope": "department"},
            )
        ],
    )
    item = ProposedSanction.objects.get(proposal__case=case)
    assert (item.outside_range, item.range_justification, item.parameters) == (
        False,
        "",
        {"scope": "department"},
    )
    a = Assessment.objects.get(proposal__case=case)
    assert (a.lightest, a.recommended, a.gravest, a.prior_cases) == (
        "warning",
        "criticism",
        "deduction",
        0,
    )
    assert walk.open_names(case) == ["defence"]


def test_outside_the_range_is_refused_without_justification_and_flagged_with_one(walk, world):
    case = to_propose(walk)
    before = snapshot(walk, case)
    item = sanc.SanctionItem(
        responsible=rp_of(case),
        sanction_type="demotion",
        parameters={"change": "demotion", "from": "Relationship manager", "to": "Teller"},
    )
    with pytest.raises(ValidationError, match="outside the range"):
        propose(walk, case, [item])
    assert snapshot(walk, case) == before
    propose(
        walk,
        case,
        [sanc.SanctionItem(**{**vars(item), "justification": "Third warning this year."})],
    )
    saved = ProposedSanction.objects.get(proposal__case=case)
    assert (saved.outside_range, saved.range_justification) == (True, "Third warning this year.")
    event = audit.events_of(case).filter(action="sanctions.proposed").get()
    assert event.payload["outside_range"] == [[world.subject.staff_number, "demotion"]]
    assert saved.proposal.required_level == "senior"


def test_mitigating_factors_attested_by_the_proposer_move_the_range(walk, world):
    case = to_propose(walk, severity="serious")  # default band: criticism .. demotion
    rp = rp_of(case)
    propose(
        walk,
        case,
        [
            sanc.SanctionItem(
                responsible=rp, sanction_type="warning", parameters={"form": "written"}
            )
        ],
        factors={rp.pk: sanc.PersonFactors(self_reported=True)},
    )
    a = Assessment.objects.get(proposal__case=case)
    assert (a.lightest, a.gravest, a.self_reported) == ("warning", "deduction", True)
    assert ProposedSanction.objects.get(proposal__case=case).outside_range is False
    assert any("Self-reported" in r for r in a.reasons)


def test_matrix_rule_of_the_parent_category_applies_to_a_sub_category(walk, world):
    case = to_propose(walk)
    finding = case.findings.get()
    finding.category = ViolationCategory.objects.get(code="INTEGRITY.FRAUD")
    finding.save()
    band, note = selectors.base_band(finding.category, "general")
    assert (band.lightest, band.recommended, band.gravest) == ("criticism", "deduction", "demotion")
    assert "Integrity" in note


@pytest.mark.parametrize(
    ("kind", "kw", "message"),
    [
        ("warning", {"parameters": {"form": "loud"}}, "oral or written"),
        ("warning", {"detail": "written"}, "oral or written"),
        ("criticism", {"parameters": {"scope": "branch"}}, "how widely"),
        (
            "suspension",
            {"parameters": {"authorities": ["FX"]}, "period_start": START},
            "start and an end",
        ),
        (
            "suspension",
            {
                "parameters": {"authorities": ["FX"]},
                "period_start": START + dt.timedelta(days=28),
                "period_end": START + dt.timedelta(days=28),
            },
            "end after it starts",
        ),
        (
            "suspension",
            {
                "parameters": {"authorities": ["FX"]},
                "period_start": START + dt.timedelta(days=28),
                "period_end": START + dt.timedelta(days=3650),
            },
            "at most five years",
        ),
        (
            "suspension",
            {"period_start": START, "period_end": START + dt.timedelta(days=28)},
            "authorities",
        ),
        (
            "deduction",
            {
                "amount": Decimal("100"),
                "parameters": {"currency": "HKD", "percentage": "10", "pay_period": "2026"},
            },
            "either an amount",
        ),
        ("deduction", {"amount": Decimal("100"), "parameters": {"currency": "HKD"}}, "period"),
        (
            "deduction",
            {"amount": Decimal("-5"), "parameters": {"currency": "HKD", "pay_period": "2026"}},
            "must be positive",
        ),
        (
            "deduction",
            {"amount": Decimal("100"), "parameters": {"pay_period": "2026"}},
            "currency",
        ),
        (
            "deduction",
            {"amount": Decimal("100"), "parameters": {"currency": "XYZ", "pay_period": "2026"}},
            "currency",
        ),
        ("warning", {"parameters": {"form": "oral"}, "amount": Decimal("5")}, "takes no amount"),
        ("demotion", {"parameters": {"change": "demotion"}}, "from which position"),
        (
            "demotion",
            {"parameters": {"change": "demotion", "from": "Teller", "to": "teller"}},
            "must differ",
        ),
        ("judicial", {}, "judicial authority"),
    ],
)
def test_parameters_are_checked_per_kind(walk, world, kind, kw, message):
    case = to_propose(walk, severity="major")
    before = snapshot(walk, case)
    with pytest.raises(ValidationError, match=message):
        propose(
            walk,
            case,
            [
                sanc.SanctionItem(
                    responsible=rp_of(case), sanction_type=kind, justification="x", **kw
                )
            ],
        )
    assert snapshot(walk, case) == before


def test_several_sanctions_for_one_person_with_structured_parameters(walk, world):
    case = to_propose(walk, severity="serious")
    rp = rp_of(case)
    propose(
        walk,
        case,
        [
            sanc.SanctionItem(
                responsible=rp,
                sanction_type="suspension",
                parameters={"authorities": "FX trading, spot and forward\nWealth products\n"},
                period_start=START,
                period_end=START + dt.timedelta(days=88),
            ),
            sanc.SanctionItem(
                responsible=rp,
                sanction_type="deduction",
                amount=Decimal("20000.50"),
                parameters={"currency": "HKD", "pay_period": "2026 annual bonus"},
            ),
        ],
    )
    params = dict(
        ProposedSanction.objects.filter(proposal__case=case).values_list(
            "sanction_type", "parameters"
        )
    )
    assert params == {
        # One authority per line: a comma inside a name does not split it.
        "suspension": {"authorities": ["FX trading, spot and forward", "Wealth products"]},
        "deduction": {"currency": "HKD", "pay_period": "2026 annual bonus"},
    }
    typed = ProposedSanction.objects.filter(proposal__case=case).order_by("sanction_type")
    assert [(s.amount, s.period_start, s.period_end) for s in typed] == [
        (Decimal("20000.50"), None, None),
        (None, START, START + dt.timedelta(days=88)),
    ]


def close_case(walk, sanction="warning", **kw):
    case = to_propose(walk)
    walk.propose(case, sanction=sanction, **kw)
    walk.decide(case, approver=walk.w.manager)
    walk.execute(case)
    walk.plan(case)
    walk.complete_actions(case)
    walk.fire_timers(case)
    walk.review(case)
    return walk.refresh(case)


def test_precedents_are_closed_same_category_and_severity_recent_and_anonymised(
    walk, world, settings
):
    first = close_case(walk, sanction="criticism")
    second = close_case(walk, sanction="criticism")
    close_case(
        walk,
        sanction="suspension",
        period_start=START,
        period_end=START + dt.timedelta(days=28),
    )
    current = to_propose(walk)
    found = selectors.precedents(current, category=world.category, severity="general")
    assert [p.label for p in found.items] == ["Precedent 1", "Precedent 2", "Precedent 3"]
    assert sorted(s for p in found.items for s in p.sanctions) == sorted(
        [SanctionKind.objects.get(code="criticism").name] * 2
        + [SanctionKind.objects.get(code="suspension").name]
    )
    assert found.usual_label == SanctionKind.objects.get(code="criticism").name
    assert (found.compare(1), found.compare(2), found.compare(3)) == ("lighter", "same", "heavier")
    text = repr(found)
    assert first.reference not in text
    assert world.subject.name not in text
    # Another severity, an open case, or a case closed too long ago is no precedent.
    assert selectors.precedents(current, category=world.category, severity="serious").items == []
    second.closed_at = second.closed_at - dt.timedelta(days=365 * 3 + 1)
    second.save()
    assert (
        len(selectors.precedents(current, category=world.category, severity="general").items) == 2
    )
    settings.ACCOUNTABILITY = {**settings.ACCOUNTABILITY, "SANCTIONS": {"PRECEDENT_YEARS": 5}}
    assert (
        len(selectors.precedents(current, category=world.category, severity="general").items) == 3
    )


def test_proposal_records_comparison_with_precedents(walk, world):
    close_case(walk, sanction="criticism")
    case = to_propose(walk)
    propose(
        walk,
        case,
        [
            sanc.SanctionItem(
                responsible=rp_of(case),
                sanction_type="criticism",
                parameters={"scope": "institution"},
            )
        ],
    )
    a = Assessment.objects.get(proposal__case=case)
    assert (a.comparison, a.prior_cases, a.lightest, a.gravest) == (
        "same",
        1,
        "criticism",
        "demotion",
    )
    assert any("Repeat offence" in r for r in a.reasons)
