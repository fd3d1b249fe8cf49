"""Combining the flags of one employee into green / amber / red, and explaining it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from itertools import pairwise

from hrcore.risk.model import (
    Assessment,
    CombineRule,
    RiskConfig,
    RiskInput,
    RiskKind,
    RiskLevel,
)
from hrcore.risk.rules import RULES


def _first_match(rules: Iterable[CombineRule], kinds: frozenset[RiskKind]) -> CombineRule | None:
    return next((r for r in rules if r.matches(kinds)), None)


def assess(inp: RiskInput, as_of: date, config: RiskConfig | None = None) -> Assessment:
    """Every rule on ``inp`` as of a date, and the level the combination rule gives."""
    config = config or RiskConfig()
    if any(a.date > b.date for a, b in pairwise(inp.days)):
        inp = replace(inp, days=tuple(sorted(inp.days, key=lambda d: d.date)))
    flags = tuple(f for rule in RULES if (f := rule(inp, as_of, config.thresholds)) is not None)
    kinds = frozenset(f.kind for f in flags)
    level, reason = RiskLevel.GREEN, "no signal"
    if (rule := _first_match(config.red, kinds)) is not None:
        level, reason = RiskLevel.RED, f"red: {rule.words()}"
    elif (rule := _first_match(config.amber, kinds)) is not None:
        level, reason = RiskLevel.AMBER, f"amber: {rule.words()}"
    elif flags:
        reason = "signals below the amber rule"
    return Assessment(
        employee=inp.employee, as_of=as_of, level=level, flags=flags, reason=reason, site=inp.site
    )


def assess_all(
    inputs: Iterable[RiskInput], as_of: date, config: RiskConfig | None = None
) -> list[Assessment]:
    config = config or RiskConfig()
    return [assess(inp, as_of, config) for inp in inputs]


def explain(assessment: Assessment) -> list[str]:
    """The assessment in lines of text: the level and why, then each flag and its facts."""
    lines = [
        f"{assessment.employee}: {assessment.level.value.upper()} as of {assessment.as_of} "
        f"({assessment.reason})"
    ]
    for flag in assessment.flags:
        lines.append(f"  {flag.kind.value}: {flag.summary}")
        lines.extend(f"    {e}" for e in flag.evidence)
    if not assessment.flags:
        lines.append("  no flags")
    return lines
