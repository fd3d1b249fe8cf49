"""The balanced scorecard: KPI values of one period in, a score per perspective and a
composite on a 10-point scale out.

Each KPI scores its attainment of the target in percent: ``actual / target`` when higher is
better, ``target / actual`` when lower is better (ACoS, error rate), floored at 0 and capped
(120 % by default) so one KPI cannot carry the card. A perspective is the weighted mean of
its KPIs; the composite is the perspectives weighted by the role's weights (financial 40,
customer 30, internal process 20, learning and growth 10 by default), renormalised over the
perspectives that have values. 10 points = every KPI on target; rounding happens once, at
the end (one decimal, half up).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


class Perspective(StrEnum):
    FINANCIAL = "financial"
    CUSTOMER = "customer"
    INTERNAL_PROCESS = "internal_process"
    LEARNING_GROWTH = "learning_growth"


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


DEFAULT_WEIGHTS: Mapping[Perspective, Decimal] = {
    Perspective.FINANCIAL: Decimal(40),
    Perspective.CUSTOMER: Decimal(30),
    Perspective.INTERNAL_PROCESS: Decimal(20),
    Perspective.LEARNING_GROWTH: Decimal(10),
}


@dataclass(frozen=True, slots=True)
class KpiDefinition:
    code: str
    perspective: Perspective
    target: Decimal
    better: Better = Better.HIGHER
    weight: Decimal = Decimal(1)  # inside its perspective
    title: str = ""

    def __post_init__(self) -> None:
        if self.target <= 0:
            raise ValueError(f"KPI {self.code}: target must be above 0")
        if self.weight <= 0:
            raise ValueError(f"KPI {self.code}: weight must be above 0")


@dataclass(frozen=True, slots=True)
class ScorecardConfig:
    kpis: Mapping[str, KpiDefinition]
    weights: Mapping[Perspective, Decimal] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    role_weights: Mapping[str, Mapping[Perspective, Decimal]] = field(default_factory=dict)
    cap_percent: Decimal = Decimal(120)

    def weights_for(self, role: str | None) -> Mapping[Perspective, Decimal]:
        if role is not None and role in self.role_weights:
            return self.role_weights[role]
        return self.weights


@dataclass(frozen=True, slots=True)
class KpiValue:
    period: str  # YYYY-MM
    kpi: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class KpiScore:
    kpi: str
    perspective: Perspective
    value: Decimal
    target: Decimal
    better: Better
    attainment: Decimal  # percent before the cap (and floor)
    percent: Decimal  # what counts: floored at 0, capped


@dataclass(frozen=True, slots=True)
class PerspectiveScore:
    perspective: Perspective
    weight: Decimal  # percent after renormalising over the perspectives with values
    percent: Decimal


@dataclass(frozen=True, slots=True)
class Scorecard:
    employee: str
    period: str
    kpis: tuple[KpiScore, ...]
    perspectives: tuple[PerspectiveScore, ...]
    composite_percent: Decimal
    points: Decimal  # 10-point scale, one decimal: 10.0 = on target, cap / 10 at most
    missing: tuple[Perspective, ...] = ()  # perspectives with weight but no values
    ignored: tuple[str, ...] = ()  # KPI codes the config does not define


def score_kpi(definition: KpiDefinition, value: Decimal, cap_percent: Decimal) -> KpiScore:
    if definition.better is Better.HIGHER:
        attainment = value / definition.target * HUNDRED
    elif value <= 0:
        attainment = cap_percent  # nothing of a lower-is-better cost: the best there is
    else:
        attainment = definition.target / value * HUNDRED
    percent = min(max(attainment, Decimal(0)), cap_percent)
    return KpiScore(
        kpi=definition.code,
        perspective=definition.perspective,
        value=value,
        target=definition.target,
        better=definition.better,
        attainment=attainment,
        percent=percent,
    )


def score_period(
    employee: str,
    period: str,
    values: Mapping[str, Decimal],
    config: ScorecardConfig,
    role: str | None = None,
) -> Scorecard:
    """The scorecard of one employee and period from its KPI values (code -> value)."""
    scores = [
        score_kpi(config.kpis[code], value, config.cap_percent)
        for code, value in sorted(values.items())
        if code in config.kpis
    ]
    ignored = tuple(sorted(code for code in values if code not in config.kpis))
    by_perspective: dict[Perspective, list[KpiScore]] = defaultdict(list)
    for score in scores:
        by_perspective[score.perspective].append(score)
    weights = config.weights_for(role)
    present = [p for p in Perspective if by_perspective.get(p) and weights.get(p, 0) > 0]
    total_weight = sum((weights[p] for p in present), Decimal(0))
    perspectives = []
    composite = Decimal(0)
    for p in present:
        kpis = by_perspective[p]
        kpi_weight = sum((config.kpis[k.kpi].weight for k in kpis), Decimal(0))
        percent = sum((k.percent * config.kpis[k.kpi].weight for k in kpis), Decimal(0))
        percent /= kpi_weight
        weight = weights[p] / total_weight * HUNDRED
        perspectives.append(PerspectiveScore(perspective=p, weight=weight, percent=percent))
        composite += percent * weight / HUNDRED
    missing = tuple(p for p in Perspective if weights.get(p, 0) > 0 and p not in present)
    return Scorecard(
        employee=employee,
        period=period,
        kpis=tuple(scores),
        perspectives=tuple(perspectives),
        composite_percent=composite,
        points=(composite / 10).quantize(TENTH, ROUND_HALF_UP),
        missing=missing,
        ignored=ignored,
    )


def scorecards(
    employee: str,
    values: Iterable[KpiValue],
    config: ScorecardConfig,
    role: str | None = None,
) -> tuple[Scorecard, ...]:
    """One scorecard per period that has values, oldest first."""
    by_period: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for v in values:
        by_period[v.period][v.kpi] = v.value
    return tuple(
        score_period(employee, period, by_period[period], config, role)
        for period in sorted(by_period)
    )
