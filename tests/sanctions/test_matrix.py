"""The matrix arithmetic: each factor, their combination, clamping, and the explanation."""

from decimal import Decimal

import pytest

from sanctions.matrix import Band, Factors, add_months, add_working_days, compute_range

ORDER = ["warning", "criticism", "suspension", "deduction", "demotion", "termination", "judicial"]
STEPS = {
    "repeat": 1,
    "repeat_multiple": 2,
    "leadership": 1,
    "self_reported": -1,
    "cooperation": -1,
    "loss_repaid": -1,
}
LOSS = [(Decimal("50000"), 1), (Decimal("500000"), 2)]
GENERAL = Band("criticism", "deduction", "suspension")


def rng(factors, base=GENERAL):
    return compute_range(
        base=base,
        factors=factors,
        order=ORDER,
        steps=STEPS,
        loss_thresholds=LOSS,
        lookback_months=12,
    )


def test_no_factor_keeps_the_cell():
    r = rng(Factors())
    assert (r.lightest, r.recommended, r.gravest, r.steps) == (
        "criticism",
        "suspension",
        "deduction",
        0,
    )
    assert r.allowed == ["criticism", "suspension", "deduction"]
    assert [x.factor for x in r.reasons] == ["none"]


@pytest.mark.parametrize(
    ("factors", "steps", "factor"),
    [
        (Factors(prior_cases=1), 1, "repeat"),
        (Factors(prior_cases=2), 2, "repeat"),
        (Factors(prior_cases=5), 2, "repeat"),
        (Factors(customer_loss=Decimal("49999.99")), 0, "none"),
        (Factors(customer_loss=Decimal("50000")), 1, "customer_loss"),
        (Factors(customer_loss=Decimal("500000")), 2, "customer_loss"),
        (Factors(leadership=True), 1, "leadership"),
        (Factors(self_reported=True), -1, "self_reported"),
        (Factors(cooperated=True), -1, "cooperation"),
        (Factors(customer_loss=Decimal("100"), loss_repaid=True), -1, "loss_repaid"),
        (Factors(loss_repaid=True), 0, "none"),  # nothing to repay: no mitigation
    ],
)
def test_each_factor_moves_the_band_by_its_steps(factors, steps, factor):
    r = rng(factors)
    assert r.steps == steps
    assert [x.factor for x in r.reasons] == [factor]
    lo = ORDER.index("criticism") + steps
    assert (r.lightest, r.recommended, r.gravest) == (ORDER[lo], ORDER[lo + 1], ORDER[lo + 2])


def test_factors_add_up_and_each_is_explained():
    r = rng(
        Factors(prior_cases=1, customer_loss=Decimal("600000"), leadership=True, cooperated=True)
    )
    assert r.steps == 1 + 2 + 1 - 1
    assert [x.factor for x in r.reasons] == ["repeat", "customer_loss", "leadership", "cooperation"]
    assert (r.lightest, r.recommended, r.gravest) == ("demotion", "termination", "judicial")


def test_band_is_clamped_at_the_grave_end():
    r = rng(Factors(prior_cases=2, customer_loss=Decimal("600000"), leadership=True))
    assert r.steps == 5
    assert (r.lightest, r.recommended, r.gravest) == ("judicial", "judicial", "judicial")


def test_mitigation_cancels_aggravation():
    r = rng(Factors(leadership=True, self_reported=True))
    assert r.steps == 0
    assert (r.lightest, r.gravest) == ("criticism", "deduction")
    assert len(r.reasons) == 2


def test_band_is_clamped_at_the_light_end():
    r = rng(
        Factors(self_reported=True, cooperated=True, customer_loss=Decimal("1"), loss_repaid=True),
        base=Band("warning", "criticism", "warning"),
    )
    assert r.steps == -3
    assert (r.lightest, r.recommended, r.gravest) == ("warning", "warning", "warning")


def test_legal_matter_keeps_judicial_referral_open_and_compare():
    r = rng(Factors(legal_matter=True))
    assert r.allows("judicial")
    assert r.compare("judicial") == "within"
    assert not r.allows("termination")
    assert r.compare("termination") == "heavier"
    assert r.compare("warning") == "lighter"


def test_calendar_helpers():
    import datetime as dt

    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 3, 15), -12) == dt.date(2025, 3, 15)
    friday = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
    assert add_working_days(friday, 5) == dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
