"""ZKTeco binary protocol: packets, framing, checksum, comm key and command payloads.

Pure functions and small value types; no sockets. Every parser raises only
:class:`drivers.errors.ProtocolViolation` on bad input. Layouts follow
``research/devices.md`` section 1 (all integers little-endian).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum, IntFlag, StrEnum

from drivers.errors import ProtocolViolation

#: TCP wrapper magic: u16 0x5050, u16 0x7D82, then u32 payload length.
TCP_MAGIC = b"\x50\x50\x82\x7d"
TCP_TOP_SIZE = 8
HEADER_SIZE = 8
#: Largest TCP payload we accept (a DATA frame of one 0xFFC0 chunk is ~64 KiB).
MAX_TCP_PAYLOAD = 1 << 20
#: Chunk sizes of the buffered read (device limits).
MAX_CHUNK_TCP = 0xFFC0
MAX_CHUNK_UDP = 16 * 1024
#: UDP DATA datagrams carry at most this many data bytes.
UDP_DATA_SIZE = 1024
USHRT_MAX = 0xFFFF
#: Reply id a client uses before CONNECT (so CONNECT goes out with reply id 0).
INITIAL_REPLY_ID = USHRT_MAX - 1

_HEADER = struct.Struct("<4H")
_TCP_TOP = struct.Struct("<HHI")
_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_READ_CHUNK = struct.Struct("<ii")
_PREPARE_BUFFER = struct.Struct("<BHII")
_FREE_SIZES = struct.Struct("<23i")


class Cmd(IntEnum):
    """Command and reply codes (names as in the public SDK / pyzk)."""

    DB_RRQ = 7
    USER_WRQ = 8
    USERTEMP_RRQ = 9
    OPTIONS_RRQ = 11
    OPTIONS_WRQ = 12
    ATTLOG_RRQ = 13
    CLEAR_DATA = 14
    CLEAR_ATTLOG = 15
    DELETE_USER = 18
    GET_FREE_SIZES = 50
    STARTVERIFY = 60
    CANCELCAPTURE = 62
    GET_PINWIDTH = 69
    GET_TIME = 201
    SET_TIME = 202
    REG_EVENT = 500
    CONNECT = 1000
    EXIT = 1001
    ENABLEDEVICE = 1002
    DISABLEDEVICE = 1003
    RESTART = 1004
    REFRESHDATA = 1013
    GET_VERSION = 1100
    AUTH = 1102
    PREPARE_DATA = 1500
    DATA = 1501
    FREE_DATA = 1502
    PREPARE_BUFFER = 1503
    READ_BUFFER = 1504
    ACK_OK = 2000
    ACK_ERROR = 2001
    ACK_DATA = 2002
    ACK_RETRY = 2003
    ACK_REPEAT = 2004
    ACK_UNAUTH = 2005
    ACK_ERROR_DATA = 0xFFFB
    ACK_ERROR_INIT = 0xFFFC
    ACK_ERROR_CMD = 0xFFFD
    ACK_UNKNOWN = 0xFFFF


class EventFlag(IntFlag):
    ATTLOG = 1
    FINGER = 2
    ENROLLUSER = 4
    ENROLLFINGER = 8
    BUTTON = 16
    UNLOCK = 32
    VERIFY = 128
    FPFTR = 256
    ALARM = 512


#: FCT values of PREPARE_BUFFER.
FCT_ATTLOG = 0
FCT_FINGERTMP = 2
FCT_USER = 5


class ChecksumForm(StrEnum):
    """The two checksums found in the field.

    ``ones``: the protocol manual's, the ones' complement of the folded 16-bit sum. ``pyzk``:
    the routine of pyzk, php-zklib and node-zklib applied to the bytes on the wire, one less
    (``0xFFFE`` where the ones' complement is 0). Those clients compute it before they
    increment the reply id in the header, so the requests they send carry the ones'
    complement after all; device emulators and clones built on the same routine answer
    with the pyzk form.
    """

    ONES = "ones"
    PYZK = "pyzk"


@dataclass(frozen=True, slots=True)
class Packet:
    """One protocol packet (UDP datagram or TCP payload without the 8-byte wrapper)."""

    command: int
    session_id: int
    reply_id: int
    data: bytes = b""
    checksum: int = 0
    #: which form the checksum has (``None``: not checked, or neither form)
    form: ChecksumForm | None = None


def _folded_sum(payload: bytes) -> int:
    if len(payload) % 2:
        payload += b"\x00"
    total = sum(memoryview(payload).cast("H")) if payload else 0
    while total > USHRT_MAX:
        total = (total & USHRT_MAX) + (total >> 16)
    return total


def _as_form(ones: int, form: ChecksumForm) -> int:
    if form is ChecksumForm.ONES:
        return ones
    return ones - 1 if ones else USHRT_MAX - 1


def checksum(payload: bytes, form: ChecksumForm = ChecksumForm.ONES) -> int:
    """Device checksum over ``payload`` (header with checksum 0, then data).

    Sum of the 16-bit little-endian words (odd length padded with 0), carries folded back,
    ones' complement; in the ``pyzk`` form one less (see :class:`ChecksumForm`).
    """
    return _as_form(_folded_sum(payload) ^ USHRT_MAX, form)


def checksum_form(payload: bytes) -> ChecksumForm | None:
    """Which form the checksum field of a packet has, ``None`` when neither."""
    if len(payload) < HEADER_SIZE:
        return None
    command, got, session_id, reply_id = _HEADER.unpack_from(payload)
    ones = checksum(_HEADER.pack(command, 0, session_id, reply_id) + payload[HEADER_SIZE:])
    if got == ones:
        return ChecksumForm.ONES
    if got == _as_form(ones, ChecksumForm.PYZK):
        return ChecksumForm.PYZK
    return None


def build_packet(
    command: int,
    session_id: int,
    reply_id: int,
    data: bytes = b"",
    form: ChecksumForm = ChecksumForm.ONES,
) -> bytes:
    """Header + data with a checksum of ``form`` (the UDP datagram / TCP payload)."""
    for name, value in (("command", command), ("session id", session_id), ("reply id", reply_id)):
        if not 0 <= value <= USHRT_MAX:
            raise ValueError(f"{name} {value} does not fit 16 bits")
    body = _HEADER.pack(command, 0, session_id, reply_id) + data
    return _HEADER.pack(command, checksum(body, form), session_id, reply_id) + data


def parse_packet(
    payload: bytes,
    *,
    verify: bool = True,
    forms: frozenset[ChecksumForm] = frozenset(ChecksumForm),
) -> Packet:
    """Split header and data. With ``verify`` a checksum of none of ``forms`` (by default
    either) is a :class:`ProtocolViolation`, and :attr:`Packet.form` says which it was."""
    if len(payload) < HEADER_SIZE:
        raise ProtocolViolation(f"packet of {len(payload)} bytes is shorter than the 8-byte header")
    command, got, session_id, reply_id = _HEADER.unpack_from(payload)
    data = bytes(payload[HEADER_SIZE:])
    form = None
    if verify:
        form = checksum_form(payload)
        if form not in forms:
            want = checksum(_HEADER.pack(command, 0, session_id, reply_id) + data)
            raise ProtocolViolation(
                f"packet command {command} reply {reply_id}: checksum 0x{got:04x}, "
                f"expected 0x{want:04x} ({' or '.join(sorted(f.value for f in forms))} form)"
            )
    return Packet(command, session_id, reply_id, data, got, form)


def next_reply_id(reply_id: int) -> int:
    """The reply id of the next request: increment, wrapping at 65535 to 0."""
    nxt = reply_id + 1
    return 0 if nxt >= USHRT_MAX else nxt


# -- TCP framing -----------------------------------------------------------------------------


def frame_tcp(payload: bytes) -> bytes:
    """Wrap a payload for TCP: magic + u32 length."""
    return TCP_MAGIC + _U32.pack(len(payload)) + payload


class TcpDeframer:
    """Splits a TCP byte stream into payloads by the length in each wrapper.

    Handles frames split across reads and several frames coalesced in one read. Bytes between
    frames that do not start a wrapper are skipped (counted in :attr:`skipped`), as the
    open-source clients ignore them; a wrapper announcing an impossible length is refused.
    """

    __slots__ = ("_buf", "skipped")

    def __init__(self) -> None:
        self._buf = bytearray()
        self.skipped = 0

    @property
    def pending(self) -> int:
        """Bytes received that do not yet form a whole frame."""
        return len(self._buf)

    def feed(self, chunk: bytes) -> list[bytes]:
        self._buf += chunk
        out: list[bytes] = []
        while len(self._buf) >= TCP_TOP_SIZE:
            if self._buf[:4] != TCP_MAGIC:
                at = self._buf.find(TCP_MAGIC, 1)
                junk = at if at > 0 else len(self._buf) - 3  # keep what may start a wrapper
                self.skipped += junk
                del self._buf[:junk]
                continue
            (length,) = _U32.unpack_from(self._buf, 4)
            if length < HEADER_SIZE or length > MAX_TCP_PAYLOAD:
                self._buf.clear()
                raise ProtocolViolation(f"TCP frame announces an impossible length {length}")
            end = TCP_TOP_SIZE + length
            if len(self._buf) < end:
                break
            out.append(bytes(self._buf[TCP_TOP_SIZE:end]))
            del self._buf[:end]
        return out


# -- comm key --------------------------------------------------------------------------------


def make_commkey(key: int, session_id: int, ticks: int = 50) -> bytes:
    """The 4-byte CMD_AUTH payload proving knowledge of the numeric comm key."""
    if not 0 <= key <= 0xFFFFFFFF:
        raise ValueError(f"comm key {key} must be between 0 and 4294967295")
    reversed_key = int(f"{key:032b}"[::-1], 2)
    mixed = (reversed_key + session_id) & 0xFFFFFFFF
    b = bytes(x ^ y for x, y in zip(_U32.pack(mixed), b"ZKSO", strict=True))
    b = bytes((b[2], b[3], b[0], b[1]))
    t = ticks & 0xFF
    return bytes((b[0] ^ t, b[1] ^ t, t, b[3] ^ t))


def check_commkey(proof: bytes, key: int, session_id: int) -> bool:
    """Device side: does ``proof`` match ``key`` for this session (any ticks)?"""
    if len(proof) != 4:
        return False
    return make_commkey(key, session_id, proof[2]) == bytes(proof)


# -- payloads ------------------------------------------------------------------------------


def encode_prepare_buffer(subcommand: int, fct: int = 0, ext: int = 0) -> bytes:
    """PREPARE_BUFFER (1503) request data: 01, u16 sub-command, u32 fct, u32 ext."""
    return _PREPARE_BUFFER.pack(1, subcommand, fct, ext)


@dataclass(frozen=True, slots=True)
class PrepareBufferRequest:
    subcommand: int
    fct: int
    ext: int


def parse_prepare_buffer(data: bytes) -> PrepareBufferRequest:
    if len(data) < _PREPARE_BUFFER.size:
        raise ProtocolViolation(f"PREPARE_BUFFER request of {len(data)} bytes, expected 11")
    _, sub, fct, ext = _PREPARE_BUFFER.unpack_from(data)
    return PrepareBufferRequest(sub, fct, ext)


def encode_data_stat(size: int) -> bytes:
    """ACK_OK data answering PREPARE_BUFFER: 00, u32 size, u32 size, u32 0."""
    return b"\x00" + _U32.pack(size) + _U32.pack(size) + _U32.pack(0)


def parse_data_stat(data: bytes) -> int:
    """Total buffered size announced in the ACK_OK answering PREPARE_BUFFER."""
    if len(data) < 5:
        raise ProtocolViolation(f"buffer announcement of {len(data)} bytes, expected >= 5")
    size: int = _U32.unpack_from(data, 1)[0]
    return size


def encode_read_chunk(start: int, size: int) -> bytes:
    """READ_BUFFER (1504) request data: i32 start, i32 size."""
    return _READ_CHUNK.pack(start, size)


def parse_read_chunk(data: bytes) -> tuple[int, int]:
    if len(data) < _READ_CHUNK.size:
        raise ProtocolViolation(f"READ_BUFFER request of {len(data)} bytes, expected 8")
    start, size = _READ_CHUNK.unpack_from(data)
    if start < 0 or size <= 0:
        raise ProtocolViolation(f"READ_BUFFER asks for {size} bytes at {start}")
    return start, size


def encode_prepare_data(size: int) -> bytes:
    """PREPARE_DATA data: u32 size, u32 0 (pyzk insists on 8 bytes)."""
    return _U32.pack(size) + _U32.pack(0)


def parse_prepare_data(data: bytes) -> int:
    if len(data) < 4:
        raise ProtocolViolation(f"PREPARE_DATA of {len(data)} bytes, expected >= 4")
    size: int = _U32.unpack_from(data)[0]
    return size


def encode_u32(value: int) -> bytes:
    return _U32.pack(value)


def parse_u32(data: bytes, what: str) -> int:
    if len(data) < 4:
        raise ProtocolViolation(f"{what}: {len(data)} bytes, expected 4")
    value: int = _U32.unpack_from(data)[0]
    return value


def dataset_view(data: bytes | bytearray | memoryview) -> memoryview:
    """The record bytes of a buffered dataset (u32 byte length, then that many bytes), as a
    view: a 200,000-record log is not copied for it."""
    if len(data) < 4:
        raise ProtocolViolation(f"dataset of {len(data)} bytes lacks its 4-byte length")
    (length,) = _U32.unpack_from(data)
    if length > len(data) - 4:
        raise ProtocolViolation(
            f"dataset announces {length} record bytes but carries {len(data) - 4}"
        )
    return memoryview(data)[4 : 4 + length]


def split_dataset(data: bytes | bytearray | memoryview) -> bytes:
    """Records of a buffered dataset: u32 byte length, then that many record bytes."""
    return bytes(dataset_view(data))


def build_dataset(records: bytes) -> bytes:
    return _U32.pack(len(records)) + records


@dataclass(frozen=True, slots=True)
class FreeSizes:
    """The counters of GET_FREE_SIZES (92 bytes = 23 int32)."""

    users: int = 0
    fingers: int = 0
    records: int = 0
    oplog: int = 0
    admins: int = 0
    passwords: int = 0
    fingers_cap: int = 0
    users_cap: int = 0
    records_cap: int = 0
    faces: int = 0
    faces_cap: int = 0


def encode_free_sizes(s: FreeSizes) -> bytes:
    f = [0] * 23
    f[4], f[6], f[8], f[10] = s.users, s.fingers, s.records, s.oplog
    f[12], f[13], f[14], f[15], f[16] = (
        s.admins,
        s.passwords,
        s.fingers_cap,
        s.users_cap,
        s.records_cap,
    )
    f[17] = s.fingers_cap - s.fingers
    f[18] = s.users_cap - s.users
    f[19] = s.records_cap - s.records
    f[20], f[22] = s.faces, s.faces_cap
    return _FREE_SIZES.pack(*f)


def parse_free_sizes(data: bytes) -> FreeSizes:
    if len(data) < 80:
        raise ProtocolViolation(f"GET_FREE_SIZES reply of {len(data)} bytes, expected >= 80")
    f = list(struct.unpack_from("<20i", data))
    faces = faces_cap = 0
    if len(data) >= 92:
        faces, _, faces_cap = struct.unpack_from("<3i", data, 80)
    s = FreeSizes(
        users=f[4],
        fingers=f[6],
        records=f[8],
        oplog=f[10],
        admins=f[12],
        passwords=f[13],
        fingers_cap=f[14],
        users_cap=f[15],
        records_cap=f[16],
        faces=faces,
        faces_cap=faces_cap,
    )
    if s.users < 0 or s.records < 0:
        raise ProtocolViolation(f"GET_FREE_SIZES reports negative counts ({s.users}, {s.records})")
    return s


def encode_option_request(name: str) -> bytes:
    return name.encode("ascii") + b"\x00"


def parse_option_request(data: bytes) -> str:
    return data.split(b"\x00", 1)[0].decode("ascii", errors="replace")


def encode_option_reply(name: str, value: str) -> bytes:
    return f"{name}={value}".encode() + b"\x00"


def parse_option_reply(data: bytes) -> str:
    """Value of a ``Name=Value\\0`` reply (split on the first ``=``; a reply without ``=`` is
    the value alone, as pyzk and php-zklib read it)."""
    text = data.split(b"\x00", 1)[0]
    return text.split(b"=", 1)[-1].decode("utf-8", errors="replace")


def parse_option_write(data: bytes) -> tuple[str, str]:
    text = data.split(b"\x00", 1)[0].decode("utf-8", errors="replace")
    name, sep, value = text.partition("=")
    if not sep:
        raise ProtocolViolation(f"option write {text[:40]!r} lacks '='")
    return name, value


def parse_cstring(data: bytes) -> str:
    return data.split(b"\x00", 1)[0].decode("utf-8", errors="replace")


def parse_i32(data: bytes, what: str) -> int:
    if len(data) < 4:
        raise ProtocolViolation(f"{what}: {len(data)} bytes, expected 4")
    value: int = _I32.unpack_from(data)[0]
    return value
