"""Seeded random streams: one independent PCG64 generator per domain (and per block of rows).

Every part of the scenario draws from its own stream, named here, so that adding draws to one
domain never shifts the numbers another domain sees, and a block of transactions is the same
whichever chunk it is written in.
"""

from __future__ import annotations

import numpy as np

# Stable numbers for the streams; never renumber (that would change every scenario).
_DOMAINS = {
    "population": 1,
    "accounts": 2,
    "networks": 3,
    "illicit_money": 4,
    "trade": 5,
    "seizures": 6,
    "noise": 7,
    "behaviour": 8,
    "order": 9,
}


def stream(seed: int, domain: str, *keys: int) -> np.random.Generator:
    """A generator for ``domain`` (and optional sub-keys such as a block number).

    The same (seed, domain, keys) always gives the same sequence of numbers.
    """
    spawn_key = (_DOMAINS[domain], *keys)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=spawn_key)))
