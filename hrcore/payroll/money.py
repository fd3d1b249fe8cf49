"""Money helpers: Decimal from text, rounding with the mode spelled out."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from hrcore.payroll.errors import InvalidPayInput

CENT = Decimal("0.01")
YUAN = Decimal("1")
ZERO = Decimal("0.00")


class Rounding(StrEnum):
    """How a contribution is rounded (cities differ; the template says which)."""

    CENT = "cent"  # to 0.01, half up
    YUAN = "yuan"  # to a whole yuan, half up


def to_cent(amount: Decimal) -> Decimal:
    """Round to the cent, half up (the one rounding of an amount that the rules call for)."""
    return amount.quantize(CENT, ROUND_HALF_UP)


def rounded(amount: Decimal, rounding: Rounding) -> Decimal:
    step = YUAN if rounding is Rounding.YUAN else CENT
    return amount.quantize(step, ROUND_HALF_UP).quantize(CENT)


def parse_amount(text: str, what: str, *, allow_negative: bool = False) -> Decimal:
    """An amount from text (``"8700"``, ``"8700.50"``); never from a float."""
    if not isinstance(text, str):
        raise InvalidPayInput(f"{what}: expected an amount as text, got {type(text).__name__}")
    cleaned = text.strip().replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidPayInput(f"{what} {text!r} is not an amount; write e.g. 8700.00") from None
    if not value.is_finite():
        raise InvalidPayInput(f"{what} {text!r} is not an amount; write e.g. 8700.00")
    if value < 0 and not allow_negative:
        raise InvalidPayInput(f"{what} {text!r} is negative; amounts here are >= 0")
    return value


def show(amount: Decimal) -> str:
    """An amount as text with two decimals (``"1850.00"``)."""
    return str(to_cent(amount))
