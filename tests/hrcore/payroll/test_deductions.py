"""Special additional deductions: current amounts and the rules that refuse a claim."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hrcore.payroll.deductions import (
    Claim,
    DeductionKind,
    RentTier,
    deduction_line,
    monthly_total,
)
from hrcore.payroll.errors import InvalidClaim

D = Decimal
K = DeductionKind


def test_amounts_from_2023() -> None:
    claims = [
        Claim(K.CHILD_EDUCATION, children=2),
        Claim(K.INFANT_CARE, share=D("0.5")),
        Claim(K.CONTINUING_EDUCATION),
        Claim(K.HOUSING_LOAN_INTEREST),
        Claim(K.ELDERLY_SUPPORT, only_child=False, amount=D(1500)),
    ]
    assert monthly_total(claims) == D(4000 + 1000 + 400 + 1000 + 1500)


@pytest.mark.parametrize(
    ("tier", "amount"), [(RentTier.LARGE, 1500), (RentTier.MEDIUM, 1100), (RentTier.SMALL, 800)]
)
def test_rent_by_city_tier(tier: RentTier, amount: int) -> None:
    assert monthly_total([Claim(K.HOUSING_RENT, rent_tier=tier)]) == D(amount)


def test_loan_interest_and_rent_exclude_each_other() -> None:
    with pytest.raises(InvalidClaim, match="exclude each other"):
        monthly_total([Claim(K.HOUSING_LOAN_INTEREST), Claim(K.HOUSING_RENT)])


def test_non_only_child_share_capped_at_1500() -> None:
    with pytest.raises(InvalidClaim, match="at most 1500"):
        monthly_total([Claim(K.ELDERLY_SUPPORT, only_child=False, amount=D(2000))])


def test_only_child_gets_3000_exactly() -> None:
    assert monthly_total([Claim(K.ELDERLY_SUPPORT)]) == D(3000)
    with pytest.raises(InvalidClaim, match="exactly 3000"):
        monthly_total([Claim(K.ELDERLY_SUPPORT, amount=D(2500))])


def test_child_share_is_all_or_half() -> None:
    with pytest.raises(InvalidClaim, match="100 % or 50 %"):
        monthly_total([Claim(K.CHILD_EDUCATION, share=D("0.3"))])


def test_serious_illness_only_at_annual_settlement() -> None:
    with pytest.raises(InvalidClaim, match="annual settlement"):
        monthly_total([Claim(K.SERIOUS_ILLNESS)])


def test_same_kind_twice_refused() -> None:
    with pytest.raises(InvalidClaim, match="claimed twice"):
        monthly_total([Claim(K.CHILD_EDUCATION), Claim(K.CHILD_EDUCATION)])


def test_line_traces_each_claim() -> None:
    line = deduction_line([Claim(K.HOUSING_RENT), Claim(K.ELDERLY_SUPPORT)])
    assert line.amount == D(4500)
    assert "housing_rent 1500.00" in line.formula
    assert "国发〔2023〕13号" in line.source
