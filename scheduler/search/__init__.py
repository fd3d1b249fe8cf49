"""The searches `scheduler.solve` chooses between: price and dive (`dive`, with its master
LP in `master` and its pricing problems in `pricing` and `row_dp`), large-neighbourhood
search (`lns`), the block-by-block construction of long horizons (`construct`) and the
person-by-person construction and search (`by_employee`)."""

from __future__ import annotations

from collections.abc import Callable

from scheduler.model import Problem, SolveOptions, SolveResult

#: how a search solves its sub-problems (`scheduler.solve.solve`, passed in: the searches
#: are below the strategy that picks them, so they never import it)
Solver = Callable[[Problem, SolveOptions], SolveResult]
