"""The gateway's ADMS receiver with the ADMS device simulator posting to it over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from drivers.adms import commands
from drivers.adms.simulator import AdmsDeviceSimulator
from drivers.errors import ProtocolViolation
from drivers.files.attlog import format_line, parse_line
from drivers.punch import DeviceUser, punch_id
from gateway.push.store import CommandStatus, DeviceStatus
from tests.gateway.push.conftest import ADMS_SN, TZ, Gateway, GatewayFactory

ZONE = ZoneInfo(TZ)


def device(gw: Gateway, **kw: object) -> AdmsDeviceSimulator:
    opts: dict[str, object] = {
        "serial": ADMS_SN,
        "records": 120,
        "seed": 4,
        "batch_size": 25,
        "timezone": TZ,
        "max_wait_s": 0.05,
    }
    opts.update(kw)
    return AdmsDeviceSimulator(gw.url, **opts)  # type: ignore[arg-type]


def ids_of(sim: AdmsDeviceSimulator) -> set[str]:
    return {str(punch_id(sim.serial, r.pin, r.wall.replace(tzinfo=ZONE))) for r in sim.log}


class DropFirst(httpx.BaseTransport):
    """Forwards every request; for the first ``n`` matching POSTs the answer is lost on the
    way back (the server did the work, the device sees a timeout)."""

    def __init__(self, path: str, n: int, forward: bool = True) -> None:
        self.inner = httpx.HTTPTransport()
        self.path, self.n, self.forward = path, n, forward

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.n > 0 and request.method == "POST" and request.url.path == self.path:
            self.n -= 1
            if self.forward:
                self.inner.handle_request(request).read()
            raise httpx.ReadTimeout("answer lost", request=request)
        return self.inner.handle_request(request)


def test_punches_stored_once_after_lost_acks_and_timeouts(gateway: Gateway) -> None:
    with device(gateway, lost_acks=3) as sim:
        stats = sim.run(polls=1)
        assert stats.lost_acks == 3 and stats.resends >= 3
        assert gateway.stored_ids() == ids_of(sim)
        assert gateway.outbox.depth() == 120
        # the whole log again (the device lost its stamp): nothing new
        sim.acked = 0
        sim.upload()
        assert gateway.outbox.depth() == 120
    # timeouts after the server stored (the answer was lost): re-sent, stored once
    with device(gateway, seed=5, transport=DropFirst("/iclock/cdata", 4)) as sim2:
        stats2 = sim2.run(polls=0)
    assert stats2.errors == 4 and stats2.resends == 4
    assert gateway.outbox.depth() == len(ids_of(sim) | ids_of(sim2))
    assert gateway.metric("shiftgate_push_punches_total", device=ADMS_SN) >= 240 + 4 * 25


def test_handshake_answers_options_and_date(gateway: Gateway) -> None:
    resp = httpx.get(
        f"{gateway.url}/iclock/cdata",
        params={"SN": ADMS_SN, "options": "all", "pushver": "2.4.1", "language": "69"},
    )
    assert resp.status_code == 200 and resp.headers["Date"]
    lines = resp.text.split("\n")
    assert lines[0] == f"GET OPTION FROM: {ADMS_SN}"
    assert {"ATTLOGStamp=0", "Delay=1", "ErrorDelay=1", "Realtime=1", "TimeZone=8"} <= set(lines)
    old = httpx.get(f"{gateway.url}/iclock/cdata", params={"SN": ADMS_SN, "options": "all"})
    assert "Stamp=0" in old.text.split("\n")


def test_commands_run_once_and_results_are_recorded(gateway_factory: GatewayFactory) -> None:
    gw = gateway_factory(resend_after_s=0.0)  # every poll re-sends what is not acknowledged
    store = gw.push.store

    ids = [
        store.enqueue(ADMS_SN, commands.user_update(DeviceUser("77", "New Hire"))),
        store.enqueue(ADMS_SN, commands.user_delete("1")),
        store.enqueue(ADMS_SN, commands.info()),
        store.enqueue(ADMS_SN, commands.set_option("Delay", "15")),
        store.enqueue(ADMS_SN, commands.user_delete("nobody")),
    ]
    # the results of the first poll never reach the server (2 attempts): it sends them again
    drop = DropFirst("/iclock/devicecmd", 2, forward=False)
    with device(gw, records=10, max_attempts=2, transport=drop) as sim:
        sim.run(polls=1)
        assert sim.stats.executed == 5
        sim.poll()
    assert sim.stats.executed == 5  # re-sent ids were reported again, never executed twice
    assert sim.stats.repeated == 5
    assert "77" in sim.user_table and "1" not in sim.user_table
    done = {c.id: c for c in store.commands(ADMS_SN)}
    assert [done[i].status for i in ids] == [CommandStatus.DONE] * 4 + [CommandStatus.FAILED]
    assert done[ids[4]].return_code == -10
    assert "UserCount=" in done[ids[2]].answer
    assert all(done[i].attempts == 2 and done[i].done_at for i in ids)
    assert sim.options["Delay"] == "15"


def test_clear_log_waits_for_its_backfill(gateway: Gateway) -> None:
    store = gateway.push.store
    with device(gateway, records=30) as sim:
        sim.handshake()
        # the device holds punches the gateway never got (lost before the gateway existed)
        sim.acked = len(sim.log)
        first, last = sim.log[0].wall, sim.log[-1].wall
        guard, clear = store.enqueue_clear_log(
            ADMS_SN,
            commands.query_attlog(first - timedelta(days=1), last + timedelta(days=1)),
            commands.clear_log(),
        )
        sent = sim.poll()
        assert [c.id for c in sent] == [guard]  # the clear is held
        assert gateway.stored_ids() == ids_of(sim)  # backfill stored before its result
        second = sim.poll()
        assert [c.id for c in second] == [clear]
    assert sim.log == []
    statuses = {c.id: c.status for c in store.commands(ADMS_SN)}
    assert statuses == {guard: CommandStatus.DONE, clear: CommandStatus.DONE}


def test_unknown_serial_refused_or_quarantined_then_admitted(
    gateway_factory: GatewayFactory,
) -> None:
    gw = gateway_factory()
    with device(gw, serial="STRANGER1", records=5) as sim, pytest.raises(ProtocolViolation):
        sim.run(polls=0)
    assert gw.outbox.depth() == 0
    (row,) = [d for d in gw.push.store.devices() if d.serial == "STRANGER1"]
    assert row.status == DeviceStatus.REFUSED
    assert gw.metric("shiftgate_push_unknown_device_requests_total", status="refused") >= 1

    q = gateway_factory(auto_enrol=True)
    post = httpx.post(
        f"{q.url}/iclock/cdata",
        params={"SN": "NEW1", "table": "ATTLOG"},
        content=b"1\t2026-11-02 08:00:00\t0\t1\n",
    )
    assert post.status_code == 403 and q.outbox.depth() == 0
    assert q.push.store.device("NEW1").status == DeviceStatus.QUARANTINED  # type: ignore[union-attr]
    q.push.store.admit("NEW1", timezone=TZ)
    again = httpx.post(
        f"{q.url}/iclock/cdata",
        params={"SN": "NEW1", "table": "ATTLOG"},
        content=b"1\t2026-11-02 08:00:00\t0\t1\n",
    )
    assert again.text == "OK: 1" and q.outbox.depth() == 1


@pytest.mark.parametrize(
    ("params", "body", "status"),
    [
        ({"SN": ADMS_SN, "table": "ATTLOG"}, b"garbage without tabs\n\x00\x01", 400),
        ({"SN": ADMS_SN, "table": "ATTLOG"}, b"\xff\xfe\x80\x80\xff\x00", 400),
        ({"SN": ADMS_SN, "table": "ATTLOG"}, b"1\t2026-02-30 08:00:00\t0\t1\n", 400),
        ({"SN": ADMS_SN, "table": "ATTLOG"}, b"1\t2026-11-02 08:00:00\n" * 80_000, 413),
        ({"SN": "bad serial!", "table": "ATTLOG"}, b"1\t2026-11-02 08:00:00\n", 400),
        ({"table": "ATTLOG"}, b"1\t2026-11-02 08:00:00\n", 400),
        ({"SN": ADMS_SN}, b"1\t2026-11-02 08:00:00\n", 400),
        ({"SN": ADMS_SN, "table": "../etc"}, b"1\t2026-11-02 08:00:00\n", 400),
    ],
)
def test_malformed_input_is_refused_and_nothing_stored(
    gateway: Gateway, params: dict[str, str], body: bytes, status: int
) -> None:
    resp = httpx.post(f"{gateway.url}/iclock/cdata", params=params, content=body)
    assert resp.status_code == status
    assert resp.text.startswith("ERROR: ") or status == 413
    assert gateway.outbox.depth() == 0
    assert gateway.push.store.rejects() == []


def test_bad_lines_among_good_ones_are_kept_and_the_good_stored(gateway: Gateway) -> None:
    body = (
        "1\t2026-11-02 08:00:00\t0\t1\r\n2\t2026-13-02 08:00:00\t0\t1\r\n3\t2026-11-02 08:01:00\r\n"
    )
    resp = httpx.post(
        f"{gateway.url}/iclock/cdata",
        params={"SN": ADMS_SN, "table": "ATTLOG", "Stamp": "9"},
        content=body.encode(),
        headers={"Content-Type": "text/plain"},
    )
    assert resp.text == "OK: 3"
    assert gateway.outbox.depth() == 2
    ((serial, kind, line, text, reason),) = gateway.push.store.rejects()
    assert (serial, kind, line, text) == (ADMS_SN, "attlog", 2, "2\t2026-13-02 08:00:00\t0\t1")
    assert "2026-13-02" in reason
    assert gateway.push.store.device(ADMS_SN).att_stamp == "9"  # type: ignore[union-attr]
    assert gateway.metric("shiftgate_push_rejected_lines_total", device=ADMS_SN) == 1


def test_push_3x_firmware_and_gb2312_users(gateway: Gateway) -> None:
    with device(gateway, firmware="3.1", records=12, language=83) as sim:
        sim.run(polls=1, users=True)
    assert gateway.stored_ids() == ids_of(sim)
    assert gateway.push.store.device(ADMS_SN).pushver == "3.1.2"  # type: ignore[union-attr]


def test_same_id_by_push_backfill_and_usb_export(gateway: Gateway) -> None:
    with device(gateway, records=5) as sim:
        sim.run(polls=0)
        rec = sim.log[2]
        usb = parse_line(
            format_line(rec.pin, rec.wall, rec.status, rec.verify),
            device_sn=ADMS_SN,
            zone=ZONE,
            source="usb",
        )
        assert str(usb.id) in gateway.stored_ids()
        gateway.push.store.enqueue(
            ADMS_SN, commands.query_attlog(rec.wall, rec.wall + timedelta(seconds=1))
        )
        before = gateway.outbox.depth()
        sim.poll()
    assert gateway.outbox.depth() == before == 5


def test_replayed_and_out_of_order_batches_store_nothing_twice(gateway: Gateway) -> None:
    lines = [f"{i}\t2026-11-02 08:00:{i:02d}\t0\t1\t\t0\t0\t" for i in range(1, 21)]
    first, second = "\r\n".join(lines[:10]), "\r\n".join(lines[10:])
    post = lambda body, stamp: httpx.post(  # noqa: E731
        f"{gateway.url}/iclock/cdata",
        params={"SN": ADMS_SN, "table": "ATTLOG", "Stamp": stamp},
        content=body.encode(),
    )
    assert post(second, "20").text == "OK: 10"
    assert post(first, "10").text == "OK: 10"  # older batch after a newer one
    assert post(second, "20").text == "OK: 10"  # replayed
    assert post(first + "\r\n" + second, "20").text == "OK: 20"
    assert gateway.outbox.depth() == 20


def test_3x_tabledata_transactions_are_stored_and_other_tables_acknowledged(
    gateway: Gateway,
) -> None:
    from drivers.zkteco.timecodec import pack_time_value

    packed = pack_time_value(datetime(2026, 11, 2, 8, 0, 0))  # noqa: DTZ001
    url = f"{gateway.url}/iclock/cdata"
    tx = httpx.post(
        url,
        params={"SN": ADMS_SN, "table": "tabledata", "tablename": "transaction", "count": "1"},
        content=f"transaction pin=3\tverified=1\teventtype=0\tinoutstate=0\t"
        f"time_second={packed}\r\n".encode(),
        headers={"Content-Type": "application/push;charset=UTF-8"},
    )
    assert tx.text == "OK: 1" and gateway.outbox.depth() == 1
    users = httpx.post(
        url,
        params={"SN": ADMS_SN, "table": "tabledata", "tablename": "user"},
        content=b"user uid=1\tpin=3\tname=Ann\tprivilege=0\n",
    )
    assert users.text == "OK: 1"
    assert [u.user_id for u in gateway.push.store.users(ADMS_SN)] == ["3"]
    photo = httpx.post(
        url,
        params={"SN": ADMS_SN, "table": "tabledata", "tablename": "biophoto"},
        content=b"biophoto pin=3\n",
    )
    assert photo.text == "OK" and gateway.outbox.depth() == 1


def test_attphoto_with_jpeg_bytes_is_acknowledged(gateway: Gateway) -> None:
    body = b"PIN=20261102080000-3.jpg\nSN=X\nsize=6\nCMD=uploadphoto\x00\xff\xd8\xff\xe0\x80\xff"
    resp = httpx.post(
        f"{gateway.url}/iclock/cdata",
        params={"SN": ADMS_SN, "table": "ATTPHOTO", "PhotoStamp": "1"},
        content=body,
    )
    assert resp.status_code == 200 and resp.text == "OK"
    assert gateway.outbox.depth() == 0
