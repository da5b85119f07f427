"""Synthetic scenarios with known ground truth: the "Operation Jaguar" world.

Real financial data on wildlife trafficking is never public, so Onca's analyses, demos and
benchmarks run on a seeded synthetic world: persons, companies and banks across the Americas
and the trafficking destinations, their ordinary payments, and trafficking networks whose
money, shipments, permits and seizures are embedded in it, with the truth kept apart.

>>> from onca.synth import generate_scenario
>>> summary = generate_scenario("world/", transactions=100_000, seed=7)  # doctest: +SKIP
>>> summary.counts["transactions"]  # doctest: +SKIP
100000
"""

from onca.synth._scenario import GENERATOR_VERSION, ScenarioSummary, generate_scenario
from onca.synth._truth import Role, Truth

__all__ = ["GENERATOR_VERSION", "Role", "ScenarioSummary", "Truth", "generate_scenario"]
