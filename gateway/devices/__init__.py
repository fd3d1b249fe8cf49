"""The clocks: one worker per device (poll or live), clock watch, user sync, direct commands."""
