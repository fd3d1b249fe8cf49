"""Hikvision ISAPI access-control terminals: ``codec`` (event search, notifications, XML),
``client`` (HTTP digest), ``driver`` (pull, clock, users), ``simulator`` (a terminal)."""
