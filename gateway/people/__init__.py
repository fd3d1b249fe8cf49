"""People in the gateway: running an HR import, and the screens of a profile and of risk.

- ``importing``: read a file through its mapping, check it, store it (or only report)
- ``render``: rich tables for `shiftgate people show` and `shiftgate risk list|explain`
"""
