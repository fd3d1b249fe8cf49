"""Serial-line punch terminals (RS-232/RS-485, pyserial)."""
