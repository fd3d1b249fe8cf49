"""The searches `scheduler.solve` chooses between: price and dive (`dive`, with its master
LP in `master` and its pricing problems in `pricing` and `row_dp`), large-neighbourhood
search (`lns`), the block-by-block construction of long horizons (`construct`) and the
person-by-person construction and search (`by_employee`)."""
