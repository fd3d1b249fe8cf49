"""What each rule *is*, written once: the rest between two shifts and which rule a pair of
shifts breaks, a person's limits with the policy's defaults, the blocks that overtime is
counted over and their regular minutes, the weekends of a horizon, the roles of a shift.

The CP-SAT constraints (`scheduler.constraints`), the independent evaluator
(`scheduler.evaluate`), the row program of column generation (`scheduler.search.row_dp`)
and the greedy rosters (`scheduler.greedy`) all read the rules from here, so a change to
a rule's definition reaches every one of them. They stay independent in how they apply it
(clauses, a walk over the roster, a dynamic program, a check per candidate)."""
