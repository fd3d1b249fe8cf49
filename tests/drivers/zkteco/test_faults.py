"""Faults: drops mid-transfer, wrong comm key, timeouts, corrupt and truncated replies,
a log cleared by someone else, and a device that answers garbage."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterator

import pytest

from drivers.base import Anomaly, AnomalyKind
from drivers.errors import AuthRejected, DeviceUnreachable, DriverError, ProtocolViolation
from drivers.zkteco.codec import TcpDeframer, frame_tcp
from drivers.zkteco.simulator import ZKSimulator

from .conftest import make_driver


def ids(punches: list) -> list:  # type: ignore[type-arg]
    return [p.id for p in punches]


@pytest.fixture(params=[False, True], ids=["tcp", "udp"])
def big(request: pytest.FixtureRequest) -> Iterator[ZKSimulator]:
    with ZKSimulator(users=20, records=6000, seed=11, udp=request.param) as s:
        yield s


def test_drop_mid_transfer_then_resume_without_loss_or_duplicates(big: ZKSimulator) -> None:
    driver = make_driver(big, timeout=1.0, chunk_size=4096)
    first = driver.read_punches()
    assert len(first.punches) == 6000
    new = big.add_punches(3000)
    big.drop_after(12)  # connect + a few chunks, then the device goes away
    with pytest.raises(DeviceUnreachable, match=f"127.0.0.1:{big.port}"):
        driver.read_punches(first.cursor)
    # the caller keeps first.cursor: nothing was advanced
    resumed = driver.read_punches(first.cursor)
    assert [r.raw.hex() for r in new] == [p.raw for p in resumed.punches]
    everything = ids(first.punches) + ids(resumed.punches)
    assert len(set(everything)) == len(everything) == 9000
    assert driver.read_punches(resumed.cursor).punches == []
    assert not big.disabled  # the read that broke left it disabled; the next one re-enabled it


def test_log_rotated_by_the_device(big: ZKSimulator) -> None:
    driver = make_driver(big)
    first = driver.read_punches()
    new = big.add_punches(700)
    big.delete_oldest(1000)
    after = driver.read_punches(first.cursor)
    assert [p.raw for p in after.punches] == [r.raw.hex() for r in new]


def test_drop_on_the_first_full_read_then_full_read(big: ZKSimulator) -> None:
    driver = make_driver(big, timeout=1.0)
    big.drop_after(8)
    with pytest.raises(DeviceUnreachable):
        driver.read_punches()
    assert len(driver.read_punches().punches) == 6000


def test_wrong_comm_key_says_so() -> None:
    with ZKSimulator(users=2, records=1, comm_key=1234) as sim:
        with pytest.raises(AuthRejected, match="rejected the comm key"):
            make_driver(sim, comm_key=4321).info()
        with pytest.raises(AuthRejected, match="none set"):
            make_driver(sim, comm_key=0).read_punches()


@pytest.mark.parametrize("udp", [False, True], ids=["tcp", "udp"])
def test_timeout_is_device_unreachable_naming_host_and_port(udp: bool) -> None:
    with ZKSimulator(users=2, records=5, udp=udp) as sim:
        sim.answer_slowly(1.5)
        with pytest.raises(DeviceUnreachable, match=rf"127\.0\.0\.1:{sim.port} unreachable"):
            make_driver(sim, timeout=0.3).read_punches()


def test_nobody_listening_is_device_unreachable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from drivers.zkteco.driver import ZKTecoDriver

    d = ZKTecoDriver.from_settings({"host": "127.0.0.1", "port": port, "timeout": 1})
    with pytest.raises(DeviceUnreachable, match=f"127.0.0.1:{port}"):
        d.info()


def test_a_truncated_reply_is_retried(big: ZKSimulator) -> None:
    driver = make_driver(big, timeout=1.0)
    big.truncate_replies(2)
    result = driver.read_punches()
    assert [p.raw for p in result.punches] == [r.raw.hex() for r in big.attendance()]


def test_persistently_truncated_replies_are_a_protocol_violation(big: ZKSimulator) -> None:
    driver = make_driver(big, timeout=1.0)
    big.truncate_replies(10_000)
    with pytest.raises(ProtocolViolation, match="failed 3 times"):
        driver.read_punches()


def test_a_checksum_of_neither_form_is_accepted_on_tcp_and_asked_again_on_udp(
    big: ZKSimulator,
) -> None:
    driver = make_driver(big, timeout=1.0)
    notes: list[Anomaly] = []
    driver.watch_anomalies(notes.append)
    big.corrupt_checksums(2)
    result = driver.read_punches()
    assert [p.raw for p in result.punches] == [r.raw.hex() for r in big.attendance()]
    kind = "neither_retried" if big.udp else "neither_accepted"
    assert notes == [Anomaly(AnomalyKind.CHECKSUM, kind)] * 2


def test_persistent_checksums_of_neither_form_are_accepted_and_counted(
    big: ZKSimulator,
) -> None:
    """Nothing is lost for a checksum: TCP checks its own; UDP asks `retries` times first."""
    driver = make_driver(big, timeout=1.0)
    notes: list[Anomaly] = []
    driver.watch_anomalies(notes.append)
    big.corrupt_checksums(10_000)
    result = driver.read_punches()
    assert [p.raw for p in result.punches] == [r.raw.hex() for r in big.attendance()]
    details = {n.detail for n in notes}
    assert details == ({"neither_retried", "neither_accepted"} if big.udp else {"neither_accepted"})


def test_log_cleared_by_someone_else(big: ZKSimulator) -> None:
    driver = make_driver(big)
    first = driver.read_punches()
    big.clear_log()
    fresh = [big.punch_now("3"), big.punch_now("4")]
    after = driver.read_punches(first.cursor)
    assert [p.raw for p in after.punches] == [r.raw.hex() for r in fresh]
    assert driver.read_punches(after.cursor).punches == []


def test_log_cleared_and_refilled_beyond_the_old_count(big: ZKSimulator) -> None:
    driver = make_driver(big)
    first = driver.read_punches()
    big.clear_log()
    refill = big.add_punches(6500)
    after = driver.read_punches(first.cursor)
    assert [p.raw for p in after.punches] == [r.raw.hex() for r in refill]


def test_emptied_log_resets_the_cursor(big: ZKSimulator) -> None:
    driver = make_driver(big)
    first = driver.read_punches()
    big.clear_log()
    empty = driver.read_punches(first.cursor)
    assert empty.punches == []
    one = big.punch_now("2")
    assert [p.raw for p in driver.read_punches(empty.cursor).punches] == [one.raw.hex()]


def test_reboot_between_reads(big: ZKSimulator) -> None:
    driver = make_driver(big)
    first = driver.read_punches()
    big.reboot()
    new = big.add_punches(5)
    assert [p.raw for p in driver.read_punches(first.cursor).punches] == [r.raw.hex() for r in new]


class GarbageDevice:
    """Answers every TCP frame with random bytes (framed or not)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(5)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        conn.settimeout(5)
        deframer = TcpDeframer()
        with conn:
            while True:
                try:
                    chunk = conn.recv(4096)
                except OSError:
                    return
                if not chunk:
                    return
                for _ in deframer.feed(chunk):
                    junk = self.rng.randbytes(self.rng.randrange(0, 40))
                    try:
                        conn.sendall(frame_tcp(junk) if self.rng.random() < 0.7 else junk)
                    except OSError:
                        return

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=5)


@pytest.mark.parametrize("seed", range(8))
def test_garbage_replies_raise_only_driver_errors(seed: int) -> None:
    dev = GarbageDevice(seed)
    try:
        from drivers.zkteco.driver import ZKTecoDriver

        d = ZKTecoDriver.from_settings({"host": "127.0.0.1", "port": dev.port, "timeout": 0.5})
        with pytest.raises(DriverError):
            d.read_punches()
    finally:
        dev.close()
