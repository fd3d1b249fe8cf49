"""shiftgate driver for the TextClock line protocol: codec, driver and simulator."""
