"""A punch from a driver to the store: the one mapping, the wire format, intake and file import."""
