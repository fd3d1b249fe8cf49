"""Special additional deductions (专项附加扣除) for monthly withholding, and their rules.

Amounts from 国发〔2018〕41号 and 国发〔2022〕8号 as raised by 国发〔2023〕13号 (from
2023-01-01). A claim that breaks a rule is refused with the rule; nothing is silently capped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from hrcore.payroll.errors import InvalidClaim
from hrcore.payroll.money import ZERO, show
from hrcore.payroll.trace import LineKind, PayLine, inputs

SOURCE = "国发〔2018〕41号; 国发〔2022〕8号; amounts per 国发〔2023〕13号 (from 2023-01-01)"


class DeductionKind(StrEnum):
    CHILD_EDUCATION = "child_education"  # age 3 to the end of full-time study
    INFANT_CARE = "infant_care"  # under 3
    CONTINUING_EDUCATION = "continuing_education"  # degree study, up to 48 months
    HOUSING_LOAN_INTEREST = "housing_loan_interest"  # first home, up to 240 months
    HOUSING_RENT = "housing_rent"
    ELDERLY_SUPPORT = "elderly_support"  # a parent aged 60 or more
    SERIOUS_ILLNESS = "serious_illness"  # annual settlement only


class RentTier(StrEnum):
    """The city of work, which sets the rent deduction."""

    LARGE = "large"  # municipalities, provincial capitals, cities listed separately: 1,500
    MEDIUM = "medium"  # registered population above 1 million: 1,100
    SMALL = "small"  # other cities: 800


PER_CHILD = Decimal(2000)
CONTINUING_EDUCATION = Decimal(400)
HOUSING_LOAN = Decimal(1000)
RENT = {RentTier.LARGE: Decimal(1500), RentTier.MEDIUM: Decimal(1100), RentTier.SMALL: Decimal(800)}
ELDERLY_ONLY_CHILD = Decimal(3000)
ELDERLY_SHARE_CAP = Decimal(1500)
_SHARES = (Decimal(1), Decimal("0.5"))


@dataclass(frozen=True, slots=True)
class Claim:
    """One monthly claim. ``share`` is the parent's (or spouse's) part: 1 or 0.5.
    ``amount`` is only for elderly support of a non-only child (the agreed monthly share)."""

    kind: DeductionKind
    children: int = 1
    share: Decimal = Decimal(1)
    rent_tier: RentTier = RentTier.LARGE
    only_child: bool = True
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ClaimAmount:
    claim: Claim
    amount: Decimal
    rule: str


def _amount(claim: Claim) -> ClaimAmount:
    k = claim.kind
    if k in (DeductionKind.CHILD_EDUCATION, DeductionKind.INFANT_CARE):
        if claim.children < 1:
            raise InvalidClaim(f"{k}: children must be at least 1")
        if claim.share not in _SHARES:
            raise InvalidClaim(
                f"{k}: a parent claims 100 % or 50 % per child (share 1 or 0.5), not {claim.share}"
            )
        amount = PER_CHILD * claim.children * claim.share
        return ClaimAmount(claim, amount, f"2000 per child per month x {claim.children} x share")
    if k is DeductionKind.CONTINUING_EDUCATION:
        return ClaimAmount(claim, CONTINUING_EDUCATION, "400 per month of degree study")
    if k is DeductionKind.HOUSING_LOAN_INTEREST:
        if claim.share not in _SHARES:
            raise InvalidClaim(
                f"{k}: one spouse claims 100 %, or each 50 % for a home bought before marriage"
            )
        return ClaimAmount(claim, HOUSING_LOAN * claim.share, "1000 per month x share")
    if k is DeductionKind.HOUSING_RENT:
        if claim.share != 1:
            raise InvalidClaim(f"{k}: one claim per household in a city; it is not shared")
        return ClaimAmount(claim, RENT[claim.rent_tier], f"rent in a {claim.rent_tier} city")
    if k is DeductionKind.ELDERLY_SUPPORT:
        if claim.only_child:
            if claim.amount not in (None, ELDERLY_ONLY_CHILD):
                raise InvalidClaim(f"{k}: an only child deducts exactly 3000 per month")
            return ClaimAmount(claim, ELDERLY_ONLY_CHILD, "only child: 3000 per month")
        if claim.amount is None or claim.amount <= 0:
            raise InvalidClaim(f"{k}: a non-only child states the agreed share (at most 1500)")
        if claim.amount > ELDERLY_SHARE_CAP:
            raise InvalidClaim(
                f"{k}: siblings share 3000 per month and each may deduct at most 1500; "
                f"{show(claim.amount)} is over that"
            )
        return ClaimAmount(claim, claim.amount, "share of 3000 among siblings, each <= 1500")
    raise InvalidClaim(
        f"{k}: serious-illness costs are deducted at the annual settlement, not monthly"
    )


def validate(claims: Sequence[Claim]) -> tuple[ClaimAmount, ...]:
    """Every claim's monthly amount, or :class:`InvalidClaim` naming the broken rule."""
    kinds = [c.kind for c in claims]
    if DeductionKind.HOUSING_LOAN_INTEREST in kinds and DeductionKind.HOUSING_RENT in kinds:
        raise InvalidClaim(
            "housing_loan_interest and housing_rent exclude each other: claim one of them"
        )
    for kind in set(kinds):
        if kinds.count(kind) > 1:
            raise InvalidClaim(f"{kind} is claimed twice; merge the claims (children=N)")
    return tuple(_amount(c) for c in claims)


def monthly_total(claims: Sequence[Claim]) -> Decimal:
    return sum((a.amount for a in validate(claims)), ZERO)


def deduction_line(claims: Sequence[Claim]) -> PayLine:
    amounts = validate(claims)
    total = sum((a.amount for a in amounts), ZERO)
    return PayLine(
        code="iit.special_deductions",
        label="Special additional deductions (this month)",
        kind=LineKind.TOTAL,
        amount=total,
        formula=" + ".join(f"{a.claim.kind} {show(a.amount)}" for a in amounts) or "none",
        inputs=inputs(**{a.claim.kind.value: a.rule for a in amounts}),
        source=SOURCE,
    )
