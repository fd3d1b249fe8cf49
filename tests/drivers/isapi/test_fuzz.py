"""Hypothesis: the ISAPI parsers turn any bytes into events or a ProtocolViolation."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import DriverError
from drivers.isapi.codec import parse_notification, parse_search, parse_user_search

ZONE = ZoneInfo("Asia/Shanghai")
FUZZ = settings(max_examples=200, deadline=None)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda kids: (
        st.lists(kids, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "AcsEvent",
                    "InfoList",
                    "responseStatusStrg",
                    "major",
                    "minor",
                    "time",
                    "serialNo",
                    "employeeNoString",
                    "AccessControllerEvent",
                    "majorEventType",
                    "subEventType",
                    "dateTime",
                    "statusCode",
                    "UserInfoSearch",
                    "UserInfo",
                    "employeeNo",
                ]
            ),
            kids,
            max_size=6,
        )
    ),
    max_leaves=20,
)


@FUZZ
@given(
    st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())),
    st.sampled_from(
        [None, "application/json", "application/xml", "multipart/form-data; boundary=MIME_boundary"]
    ),
)
def test_parsers_raise_only_driver_errors(raw: bytes, ctype: str | None) -> None:
    for parse in (
        lambda: parse_notification(raw, ctype, ZONE),
        lambda: parse_search(raw, ZONE),
        lambda: parse_user_search(raw),
    ):
        try:
            parse()
        except DriverError:
            pass
