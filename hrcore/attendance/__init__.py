"""Attendance core: punches and shifts in, judged days with a why-trace out. Pure (no Session)."""
