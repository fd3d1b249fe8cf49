"""The simulator is faithful enough for the third-party client pyzk, and shiftgate's driver
returns the same users and punches as pyzk does (catches codec bugs shared by both ends)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from zk import ZK

from drivers.punch import Punch
from drivers.zkteco.driver import ZKTecoDriver, map_state, map_verify
from drivers.zkteco.simulator import ZKSimulator
from gateway.testing.waiting import wait_until

from .conftest import make_driver

COMM_KEY = 271828
RECORDS = 20_000


def pyzk(sim: ZKSimulator, password: int = 0) -> Any:
    zk = ZK(
        "127.0.0.1",
        port=sim.port,
        timeout=20,
        password=password,
        force_udp=sim.udp,
        ommit_ping=True,
    )
    return zk.connect()


@pytest.fixture(scope="module")
def big() -> Iterator[ZKSimulator]:
    with ZKSimulator(
        users=60, records=RECORDS, seed=42, comm_key=COMM_KEY, timezone="Asia/Shanghai"
    ) as sim:
        yield sim


def pyzk_rows(att: list[Any]) -> list[tuple[str, datetime, object, object]]:
    return [(a.user_id, a.timestamp, map_state(a.punch), map_verify(a.status)) for a in att]


def our_rows(punches: list[Punch]) -> list[tuple[str, datetime, object, object]]:
    return [(p.device_user, p.local.replace(tzinfo=None), p.state, p.verify_mode) for p in punches]


def user_rows(users: list[Any]) -> list[tuple[int, str, str, int, str, str]]:
    return [(u.uid, u.user_id, u.name, u.privilege, u.password, str(u.group_id)) for u in users]


def test_pyzk_and_driver_agree_on_a_20000_record_log_with_comm_key(big: ZKSimulator) -> None:
    conn = pyzk(big, COMM_KEY)
    try:
        assert conn.get_serialnumber() == big.serial
        theirs = conn.get_attendance()
        their_users = conn.get_users()
    finally:
        conn.disconnect()
    driver = make_driver(big, timezone="Asia/Shanghai")
    ours = driver.read_punches().punches
    assert len(theirs) == len(ours) == RECORDS
    assert pyzk_rows(theirs) == our_rows(ours)
    mine = driver.list_users()
    assert [
        (u.slot, u.user_id, u.name, u.privilege, u.password or "", u.group or "") for u in mine
    ] == user_rows(their_users)
    assert [int(u.card or 0) for u in mine] == [u.card for u in their_users]


def test_pyzk_and_driver_agree_on_the_clock(big: ZKSimulator) -> None:
    driver = make_driver(big, timezone="Asia/Shanghai")
    conn = pyzk(big, COMM_KEY)
    try:
        conn.set_time(datetime(2026, 2, 28, 23, 59, 0))  # noqa: DTZ001 - pyzk takes wall time
        ours = driver.get_clock().replace(tzinfo=None)
        assert datetime(2026, 2, 28, 23, 59) <= ours <= datetime(2026, 3, 1, 0, 0, 5)  # noqa: DTZ001
        driver.set_clock(datetime(2025, 12, 24, 18, 0, tzinfo=driver.zone))
        theirs = conn.get_time()
        assert datetime(2025, 12, 24, 18, 0) <= theirs <= datetime(2025, 12, 24, 18, 0, 5)  # noqa: DTZ001
    finally:
        conn.disconnect()


def test_user_writes_are_seen_by_the_other_client(big: ZKSimulator) -> None:
    from drivers.punch import DeviceUser

    driver = make_driver(big)
    conn = pyzk(big, COMM_KEY)
    try:
        conn.set_user(
            uid=200,
            name="Via Pyzk",
            privilege=0,
            password="77",
            group_id="3",
            user_id="88001",
            card=1234,
        )
        assert ("88001", "Via Pyzk", "1234") in [
            (u.user_id, u.name, u.card) for u in driver.list_users()
        ]
        driver.upsert_user(DeviceUser("88002", "Via Driver", card="99", password="5"))
        theirs = {u.user_id: u for u in conn.get_users()}
        assert (theirs["88002"].name, theirs["88002"].card, theirs["88002"].password) == (
            "Via Driver",
            99,
            "5",
        )
        driver.delete_user("88001")
        conn.delete_user(user_id="88002")
        assert {"88001", "88002"}.isdisjoint(u.user_id for u in driver.list_users())
    finally:
        conn.disconnect()


def test_live_capture_pyzk_and_driver_see_the_same_events(big: ZKSimulator) -> None:
    check_live_agreement(big, COMM_KEY, "Asia/Shanghai")


@pytest.mark.parametrize(
    ("variant", "udp"), [(16, False), (40, True)], ids=["12-byte-tcp", "52-byte-udp"]
)
def test_live_capture_other_event_layouts_and_udp(variant: int, udp: bool) -> None:
    with ZKSimulator(
        users=30, records=20, seed=8, firmware_variant=variant, udp=udp, timezone="UTC"
    ) as sim:
        check_live_agreement(sim, 0, "UTC")


def check_live_agreement(sim: ZKSimulator, key: int, zone: str) -> None:
    conn = pyzk(sim, key)
    driver = make_driver(sim, timezone=zone, live_heartbeat_s=600)
    theirs: list[Any] = []
    ours: list[Punch] = []
    stop = threading.Event()

    def pyzk_loop() -> None:
        for event in conn.live_capture(new_timeout=0.5):
            if event is not None:
                theirs.append(event)
            if stop.is_set():
                conn.end_live_capture = True

    def our_loop() -> None:
        for p in driver.live_punches(stop):
            ours.append(p)

    threads = [threading.Thread(target=f, daemon=True) for f in (pyzk_loop, our_loop)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: sim.live_sessions() == 2, timeout=20)
        sent = []
        for n, user in enumerate(("3", "14", "27")):
            sent.append(sim.punch_now(user, state=n % 2, verify=15))
            wait_until(lambda: len(theirs) == len(ours) == len(sent), timeout=10)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=15)
        conn.disconnect()
    assert pyzk_rows(theirs) == our_rows(ours)
    assert [(r.user_id, r.time) for r in sent] == [
        (p.device_user, p.local.replace(tzinfo=None)) for p in ours
    ]


def test_connect_without_comm_key_and_small_inline_sets() -> None:
    with ZKSimulator(users=3, records=12, seed=5) as sim:
        conn = pyzk(sim)
        try:
            theirs = conn.get_attendance()
            users = conn.get_users()
        finally:
            conn.disconnect()
        assert pyzk_rows(theirs) == our_rows(make_driver(sim).read_punches().punches)
        assert len(users) == 3


@pytest.mark.parametrize(("variant", "udp"), [(8, False), (16, False), (40, True)])
def test_other_layouts_and_udp(variant: int, udp: bool) -> None:
    with ZKSimulator(
        users=15, records=1500, seed=variant, firmware_variant=variant, udp=udp
    ) as sim:
        conn = pyzk(sim)
        try:
            theirs = conn.get_attendance()
            their_users = conn.get_users()
        finally:
            conn.disconnect()
        driver: ZKTecoDriver = make_driver(sim)
        assert pyzk_rows(theirs) == our_rows(driver.read_punches().punches)
        assert [(u.slot, u.user_id, u.name) for u in driver.list_users()] == [
            (u.uid, u.user_id, u.name) for u in their_users
        ]


@pytest.mark.parametrize("variant", [8, 40])
def test_pyzk_device_queries_match_driver_info(variant: int) -> None:
    with ZKSimulator(users=7, records=90, seed=3, firmware_variant=variant) as sim:
        conn = pyzk(sim)
        try:
            facts = {
                "serial": conn.get_serialnumber(),
                "firmware": conn.get_firmware_version(),
                "platform": conn.get_platform(),
                "name": conn.get_device_name(),
                "mac": conn.get_mac(),
                "pin_width": conn.get_pin_width(),
                "fp": conn.get_fp_version(),
                "face": conn.get_face_version(),
                "extend_fmt": conn.get_extend_fmt(),  # unknown on variant 8: pyzk clears the error
                "net": conn.get_network_params()["ip"],
            }
            conn.read_sizes()
            counts = (conn.users, conn.records, conn.users_cap, conn.rec_cap)
            assert conn.get_serialnumber() == sim.serial  # the session survived the error dance
        finally:
            conn.disconnect()
        info = make_driver(sim).info()
        assert (facts["serial"], facts["firmware"], facts["platform"], facts["name"]) == (
            info.serial_number,
            info.firmware,
            info.platform,
            info.name,
        )
        assert counts == (
            info.user_count,
            info.record_count,
            info.user_capacity,
            info.record_capacity,
        )
        assert (facts["pin_width"], facts["fp"], facts["net"]) == (9, 10, "127.0.0.1")
        assert facts["mac"].count(":") == 5
        if variant == 8:
            assert (facts["face"], facts["extend_fmt"]) == (None, None)
        else:
            assert (facts["face"], facts["extend_fmt"]) == (7, 1)
