"""Sans-IO PUSH (ADMS) server side: one HTTP request in, one typed :class:`Message` out.

The gateway's HTTP routes hand over method, path, query, content type and body; this module
says what the device asked for, and its parsing functions turn the body into records. It never
stores, never answers on its own: the caller stores first and then answers with the encoders
of :mod:`drivers.adms.codec` (so a device only hears ``OK`` for what is durably stored).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from enum import StrEnum

from drivers.adms.codec import (
    MAX_BODY_BYTES,
    BadBody,
    CommandResult,
    OperlogBatch,
    PunchBatch,
    decode_body,
    parse_attlog,
    parse_devicecmd,
    parse_operlog,
    parse_rtlog,
    parse_transactions,
)


class MessageKind(StrEnum):
    HANDSHAKE = "handshake"  # GET cdata?options=all
    ATTLOG = "attlog"  # POST cdata?table=ATTLOG
    RTLOG = "rtlog"  # POST cdata?table=rtlog (3.x)
    OPERLOG = "operlog"  # POST cdata?table=OPERLOG
    TABLEDATA = "tabledata"  # POST cdata?table=tabledata&tablename=transaction|user (3.x)
    OTHER_TABLE = "other_table"  # ATTPHOTO, options, rtstate, tabledata...: acknowledged
    POLL = "poll"  # GET getrequest
    RESULTS = "results"  # POST devicecmd
    REGISTRY = "registry"  # POST registry (3.x)
    PUSH_CONFIG = "push_config"  # POST/GET push (3.x)
    PING = "ping"  # GET ping (3.x)
    TIME = "time"  # GET cdata?type=time / rtdata?type=time


class BadRequest(BadBody):
    """The request is not one the protocol has (path, method, serial, table); 4xx."""

    def __init__(self, reason: str, *, status: int = 400) -> None:
        self.status = status
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class AdmsRequest:
    method: str
    path: str
    query: Mapping[str, str]
    content_type: str | None = None
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class Message:
    kind: MessageKind
    serial: str
    pushver: str | None
    table: str | None
    stamp: str | None
    language: str | None
    text: str
    query: Mapping[str, str]


_TEXT_KINDS = frozenset(
    {
        MessageKind.ATTLOG,
        MessageKind.RTLOG,
        MessageKind.OPERLOG,
        MessageKind.TABLEDATA,
        MessageKind.RESULTS,
    }
)
_SERIAL = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_STAMP_KEYS = ("stamp", "opstamp", "photostamp")


def _lower_query(query: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in query.items()}


def endpoint_of(path: str) -> str:
    """``/iclock/cdata.aspx`` -> ``cdata``; the old ``fdata`` alias is ``cdata``."""
    name = path.rstrip("/").rsplit("/", 1)[-1].lower().removesuffix(".aspx").removesuffix(".php")
    return "cdata" if name == "fdata" else name


def classify(req: AdmsRequest, *, max_body: int = MAX_BODY_BYTES) -> Message:
    """What the device asks; :class:`BadRequest` (4xx) for anything the protocol does not have."""
    q = _lower_query(req.query)
    serial = q.get("sn", "").strip()
    if not serial:
        raise BadRequest("missing SN= query parameter (the device's serial number)")
    if not _SERIAL.fullmatch(serial):
        raise BadRequest(f"SN {serial[:80]!r} is not a serial number (1-64 letters, digits, ._:-)")
    method = req.method.upper()
    name = endpoint_of(req.path)
    if len(req.body) > max_body:
        raise BadRequest(f"body of {len(req.body)} bytes exceeds {max_body}", status=413)
    table = q.get("table")
    stamp = next((q[k] for k in _STAMP_KEYS if k in q), None)
    kind = _kind(method, name, q, table)
    # photos and other tables may be binary (ATTPHOTO carries JPEG bytes): read only text ones
    text = (
        decode_body(req.body, req.content_type, max_bytes=max_body)
        if req.body and kind in _TEXT_KINDS
        else ""
    )
    return Message(kind, serial, q.get("pushver"), table, stamp, q.get("language"), text, q)


def _kind(method: str, name: str, q: Mapping[str, str], table: str | None) -> MessageKind:
    if name in {"cdata", "rtdata"}:
        if q.get("type", "").lower() == "time":
            return MessageKind.TIME
        if method == "GET":
            if name == "cdata" and table is None:
                return MessageKind.HANDSHAKE
            return MessageKind.OTHER_TABLE  # e.g. table=RemoteAtt: nothing to serve
        if method != "POST":
            raise BadRequest(f"{method} is not allowed on /iclock/{name}", status=405)
        t = (table or "").upper()
        if t == "ATTLOG":
            return MessageKind.ATTLOG
        if t == "RTLOG":
            return MessageKind.RTLOG
        if t == "OPERLOG":
            return MessageKind.OPERLOG
        if t == "TABLEDATA":
            return MessageKind.TABLEDATA
        if not t:
            raise BadRequest("POST /iclock/cdata needs table= (ATTLOG, OPERLOG, rtlog...)")
        if not re.fullmatch(r"[A-Za-z_]{1,32}", t):
            raise BadRequest(f"table {t[:40]!r} is not a table name")
        return MessageKind.OTHER_TABLE
    if name == "getrequest":
        return MessageKind.POLL
    if name in {"devicecmd", "querydata"}:
        if method != "POST":
            raise BadRequest(f"{method} is not allowed on /iclock/{name}", status=405)
        return MessageKind.RESULTS if name == "devicecmd" else MessageKind.OTHER_TABLE
    if name == "registry":
        return MessageKind.REGISTRY
    if name == "push":
        return MessageKind.PUSH_CONFIG
    if name == "ping":
        return MessageKind.PING
    raise BadRequest(f"/iclock/{name} is not a PUSH endpoint", status=404)


def punches_of(msg: Message, zone: tzinfo) -> PunchBatch:
    """The punches of an ATTLOG or rtlog upload; :class:`BadBody` when no line is readable."""
    if msg.kind == MessageKind.ATTLOG:
        batch = parse_attlog(msg.text, device_sn=msg.serial, zone=zone)
        other = 0
    elif msg.kind == MessageKind.RTLOG:
        batch, other = parse_rtlog(msg.text, device_sn=msg.serial, zone=zone)
    elif msg.kind == MessageKind.TABLEDATA and table_name(msg) == "transaction":
        batch, other = parse_transactions(msg.text, device_sn=msg.serial, zone=zone)
    else:
        raise BadRequest(f"{msg.kind} carries no punches")
    if batch.bad and not batch.punches and not other:
        first = batch.bad[0]
        raise BadBody(
            f"no readable line in {msg.table} upload ({len(batch.bad)} bad); line "
            f"{first.number}: {first.reason}"
        )
    return batch


def table_name(msg: Message) -> str:
    """``tablename=`` of a 3.x ``table=tabledata`` upload, lower-cased."""
    return msg.query.get("tablename", "").strip().lower()


def operlog_of(msg: Message, zone: tzinfo) -> OperlogBatch:
    batch = parse_operlog(msg.text, zone=zone)
    if batch.bad and batch.lines == len(batch.bad):
        first = batch.bad[0]
        raise BadBody(f"no readable line in OPERLOG upload; line {first.number}: {first.reason}")
    return batch


def results_of(msg: Message) -> tuple[CommandResult, ...]:
    results, bad = parse_devicecmd(msg.text)
    if not results:
        reason = bad[0].reason if bad else "empty body"
        raise BadBody(f"devicecmd without a result line: {reason}")
    return results
