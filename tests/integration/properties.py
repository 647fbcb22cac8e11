"""The Hypothesis settings of the property tests over the whole graph."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def property_settings(max_examples: int) -> settings:
    """`max_examples` examples, the same on every run (CI is repeatable), no deadline, no database."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
