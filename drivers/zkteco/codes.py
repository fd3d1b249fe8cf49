"""The ZKTeco state and verify code table: one source for every reader of ZKTeco records.

The same bytes reach shiftgate over the network (:mod:`drivers.zkteco.driver`, port 4370) and
from a USB export (:mod:`drivers.files.attlog`); both map the codes here, so a punch read
either way gets the same state and verify mode (and the same id).
"""

from __future__ import annotations

from types import MappingProxyType

from drivers.punch import PunchState, VerifyMode

#: The state byte ("punch" in pyzk, "status" in attlog.dat).
STATES = MappingProxyType(
    {
        0: PunchState.IN,
        1: PunchState.OUT,
        2: PunchState.BREAK_OUT,
        3: PunchState.BREAK_IN,
        4: PunchState.OVERTIME_IN,
        5: PunchState.OVERTIME_OUT,
    }
)

#: The verify byte ("status" in pyzk). 2 is the card of fingerprint terminals, 4 the RF card
#: of the SDK's verify-mode list; other codes are model-specific combinations.
VERIFY_MODES = MappingProxyType(
    {
        0: VerifyMode.PASSWORD,
        1: VerifyMode.FINGERPRINT,
        2: VerifyMode.CARD,
        4: VerifyMode.CARD,
        15: VerifyMode.FACE,
        25: VerifyMode.PALM,
    }
)


def map_state(code: int | None) -> PunchState:
    """The state of a state byte; unknown codes (255 is common) and none are ``undefined``."""
    if code is None:
        return PunchState.UNDEFINED
    return STATES.get(code, PunchState.UNDEFINED)


def map_verify(code: int | None) -> VerifyMode:
    """The verify mode of a verify byte: ``other`` for an unknown code, ``unknown`` for none."""
    if code is None:
        return VerifyMode.UNKNOWN
    return VERIFY_MODES.get(code, VerifyMode.OTHER)
