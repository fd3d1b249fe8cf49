"""ZKTeco standalone binary protocol (UDP/TCP port 4370): codec, client, driver, simulator."""
