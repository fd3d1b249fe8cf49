"""Exponential backoff with full jitter, shared by the device workers and the uploader."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class Backoff:
    """Delay before the next attempt: uniform in ``[base/2, min(cap, base * factor**n)]``.

    The half-base floor keeps a fleet of workers from hammering a device that just rebooted,
    the jitter keeps them from retrying in lock-step. ``reset()`` after a success.
    """

    base_s: float = 1.0
    cap_s: float = 60.0
    factor: float = 2.0
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap_s, self.base_s * self.factor**self.failures)
        self.failures += 1
        return self.rng.uniform(min(self.base_s / 2, ceiling), ceiling)

    def reset(self) -> None:
        self.failures = 0
