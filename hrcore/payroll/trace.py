"""The trace of a payslip: every line keeps its formula, its inputs and the rule it applies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class LineKind(StrEnum):
    """What a payslip line is; the sign of its amount follows from the kind."""

    EARNING = "earning"  # adds to gross
    DEDUCTION = "deduction"  # subtracts from gross (absence) or from net (SI, HF, IIT)
    TOTAL = "total"  # gross, taxable, net
    EMPLOYER = "employer"  # employer's cost, not on the employee's pay


@dataclass(frozen=True, slots=True)
class Input:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class PayLine:
    """One traceable line: ``amount`` is what ``formula`` gives with ``inputs``, per ``source``."""

    code: str  # e.g. "base", "overtime.workday", "si.pension.employee", "iit", "net"
    label: str
    kind: LineKind
    amount: Decimal
    formula: str
    inputs: tuple[Input, ...] = ()
    source: str = ""
    site: str | None = None  # cost centre: the site whose clock the hours were punched on
    unconfirmed: bool = False  # a rate or base not verified against its official notice

    def basis_json(self) -> str:
        """What the store keeps in ``PayrollLine.basis``: formula, inputs, source as JSON."""
        return json.dumps(
            {
                "kind": self.kind.value,
                "formula": self.formula,
                "inputs": {i.name: i.value for i in self.inputs},
                "source": self.source,
                "site": self.site,
                "unconfirmed": self.unconfirmed,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_basis(cls, code: str, label: str, amount: Decimal, basis: str) -> PayLine:
        data = json.loads(basis) if basis else {}
        return cls(
            code=code,
            label=label,
            kind=LineKind(data.get("kind", LineKind.TOTAL.value)),
            amount=amount,
            formula=str(data.get("formula", "")),
            inputs=tuple(Input(str(k), str(v)) for k, v in data.get("inputs", {}).items()),
            source=str(data.get("source", "")),
            site=data.get("site"),
            unconfirmed=bool(data.get("unconfirmed", False)),
        )


def inputs(**values: object) -> tuple[Input, ...]:
    return tuple(Input(name, str(value)) for name, value in values.items())
