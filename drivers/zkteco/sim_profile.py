"""What a simulated ZKTeco terminal plays: its firmware variants by record size, the start of
its generated log, and the quirks of clones and old firmware it can imitate."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

#: Datasets up to this size are answered inline (CMD_DATA) instead of through the buffer.
INLINE_DATASET_LIMIT = 1024
VARIANTS = {
    8: ("Ver 6.21 Nov 19 2008", "ZEM500", "F4", 12),
    16: ("Ver 6.60 Apr 28 2015", "ZEM560_TFT", "iClock360", 12),
    40: ("Ver 6.60 Sep 27 2019", "ZMM220_TFT", "MB460", 52),
}
LOG_START = datetime(2024, 1, 1, 6, 0, 0)  # noqa: DTZ001 - device wall time
VERIFY_CHOICES = (1, 1, 1, 1, 15, 15, 2, 0)


class Quirk(StrEnum):
    """Deviations seen in clones and old firmware that the open-source clients read anyway."""

    FOREIGN_REPLY_IDS = "foreign_reply_ids"  # replies carry a reply id the client never sent
    EVENT_REPLY_IDS = "event_reply_ids"  # realtime events carry a reply id other than 0
    TCP_JUNK = "tcp_junk"  # two stray bytes after every TCP frame
    REFUSE_OPTIONAL = "refuse_optional"  # DISABLE/ENABLEDEVICE, REFRESHDATA, FREE_DATA unknown
    BARE_OPTIONS = "bare_options"  # option replies without "Name="
    LONG_CHUNKS = "long_chunks"  # READ_BUFFER answers carry 4 bytes more than asked
    ODD_EVENTS = "odd_events"  # realtime events of a 20-byte layout no client knows
    STALE_COUNT = "stale_count"  # GET_FREE_SIZES counts one record less than the log holds
