"""A short outage soak (issue #26): 20 devices punch through a 72-hour cut of the centre on a
simulated clock; then the outboxes drain into PostgreSQL: 20 gateway boxes (a site and a
site-bound token each) over loopback HTTP, or one box straight into the store, with lost
answers on the way. Every punch arrives once, in each device's order. ``bench.outage_soak`` runs the
million-punch version."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.sync.outbox import OutboxBudget
from gateway.testing.outage_soak import Via, run_outage_soak


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize(("via", "gateways"), [(Via.HTTP, 20), (Via.STORE, 1)])
def test_a_72_hour_cut_loses_and_duplicates_nothing(
    tmp_path: Path, postgres_url: str, via: Via, gateways: int
) -> None:
    budget = OutboxBudget(max_bytes=16 * 2**20, alarm_fraction=0.8, prune_to_fraction=0.7)
    report = run_outage_soak(
        tmp_path,
        postgres_url,
        punches=20_000,
        devices=20,
        gateways=gateways,
        hours=72,
        poll_s=3600,
        batch_size=500,
        via=via,
        budget=budget,
        lost_acks=2,
    )
    assert report.produced == 20_000
    assert report.read > report.produced  # every read repeated the previous one's last punches
    assert report.failed_uploads > 0
    assert report.peak_outbox_pending == 20_000  # all of it waited out the cut
    assert report.delivered == report.produced
    assert (report.missing, report.unexpected, report.duplicates) == (0, 0, 0)
    assert report.order_violations == 0
    assert report.resent_duplicates == 2 * 500  # the two batches whose answer was lost
    assert not report.budget_alarm_raised and report.pruned_delivered == 0
    assert report.exact
