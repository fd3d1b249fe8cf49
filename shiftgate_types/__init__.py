"""Codes every layer shares, in a leaf package that imports nothing but the standard library.

``drivers`` may import nothing of ours and ``hrcore`` only itself; both may import this, so a
code that a driver produces and the store keeps is defined once, here.
"""

from shiftgate_types.punch import PunchState

__all__ = ["PunchState"]
