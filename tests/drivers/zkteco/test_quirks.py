"""A device with every quirk the open-source clients tolerate is read like a clean one, and
each quirk is reported (counted by the gateway, logged once per connection)."""

from __future__ import annotations

import json
import logging
import threading

import pytest

from drivers.base import Anomaly, AnomalyKind
from drivers.punch import Punch
from drivers.zkteco.simulator import Quirk, ZKSimulator
from gateway.testing.waiting import wait_until

from .conftest import make_driver


@pytest.mark.parametrize("udp", [False, True], ids=["tcp", "udp"])
def test_a_quirky_device_reads_like_a_clean_one(udp: bool) -> None:
    quirks = frozenset(Quirk) - {Quirk.ODD_EVENTS} - ({Quirk.TCP_JUNK} if udp else set())
    with ZKSimulator(users=9, records=1200, seed=5, udp=udp, timezone="UTC") as clean:
        expected = make_driver(clean, timezone="UTC").read_punches().punches
    with ZKSimulator(users=9, records=1200, seed=5, udp=udp, timezone="UTC", quirks=quirks) as sim:
        driver = make_driver(sim, timezone="UTC", live_heartbeat_s=600)
        notes: list[Anomaly] = []
        driver.watch_anomalies(notes.append)
        assert driver.info().serial_number == sim.serial  # options without "Name="
        first = driver.read_punches()
        assert [(p.id, p.raw) for p in first.punches] == [(p.id, p.raw) for p in expected]
        more = sim.add_punches(4)
        second = driver.read_punches(first.cursor)
        assert [p.raw for p in second.punches] == [r.raw.hex() for r in more]
        assert json.loads(second.cursor or "")["n"] == len(sim.attendance())  # what was sent
        live: list[Punch] = []
        stop = threading.Event()

        def collect() -> None:
            for p in driver.live_punches(stop):
                live.append(p)

        worker = threading.Thread(target=collect, daemon=True)
        worker.start()
        try:
            wait_until(lambda: sim.live_sessions() == 1, timeout=10)
            sent = sim.punch_now("4", state=1, verify=1)
            # a punch made while the live session catches up may come twice (one id)
            wait_until(lambda: len({p.id for p in live}) == 1, timeout=10)
        finally:
            stop.set()
            worker.join(timeout=10)
        assert (live[0].device_user, live[0].local.replace(tzinfo=None)) == (
            sent.user_id,
            sent.time,
        )
    details = {n.detail for n in notes}
    assert {n.kind for n in notes} == {AnomalyKind.PROTOCOL}
    want = {
        "foreign_reply_id",
        "event_reply_id",
        "option_format",
        "chunk_size",
        "refused_disabledevice",
        "refused_enabledevice",
        "refused_free_data",
        "count_mismatch",
    } | (set() if udp else {"tcp_junk"})
    assert want <= details, want - details


def test_an_event_of_an_unknown_layout_is_skipped_and_the_log_read_delivers_it() -> None:
    with ZKSimulator(
        users=5, records=10, seed=1, timezone="UTC", quirks=frozenset({Quirk.ODD_EVENTS})
    ) as sim:
        driver = make_driver(sim, timezone="UTC", live_heartbeat_s=600)
        notes: list[Anomaly] = []
        driver.watch_anomalies(notes.append)
        stop = threading.Event()
        errors: list[BaseException] = []

        def follow() -> None:
            try:
                for _ in driver.live_punches(stop):
                    pass
            except BaseException as exc:  # noqa: BLE001 - the thread reports what it raised
                errors.append(exc)

        worker = threading.Thread(target=follow, daemon=True)
        worker.start()
        try:
            wait_until(lambda: sim.live_sessions() == 1, timeout=10)
            rec = sim.punch_now("2")
            wait_until(lambda: Anomaly(AnomalyKind.PROTOCOL, "event_layout") in notes, timeout=10)
            assert sim.live_sessions() == 1  # the live connection stays up
        finally:
            stop.set()
            worker.join(timeout=10)
        assert errors == []
        read = driver.read_punches().punches
        assert read[-1].device_user == rec.user_id and read[-1].raw == rec.raw.hex()


def test_a_stale_record_count_costs_no_re_read(caplog: pytest.LogCaptureFixture) -> None:
    """The buffer's size, not GET_FREE_SIZES, says how much of the log is there: a device
    counting one record short is polled from the cursor, without re-reading it all."""
    with ZKSimulator(
        users=5, records=600, seed=2, timezone="UTC", quirks=frozenset({Quirk.STALE_COUNT})
    ) as sim:
        driver = make_driver(sim, timezone="UTC")
        first = driver.read_punches()
        assert len(first.punches) == 600
        caplog.set_level(logging.WARNING, logger="drivers.zkteco.driver")
        again = driver.read_punches(first.cursor)
        assert again.punches == [] and again.cursor == first.cursor
        new = sim.add_punches(2)
        assert [p.raw for p in driver.read_punches(again.cursor).punches] == [
            r.raw.hex() for r in new
        ]
    assert not [r for r in caplog.records if "re-reading" in r.getMessage()]
