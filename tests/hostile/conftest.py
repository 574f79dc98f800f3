"""Hypothesis settings for the property tests, chosen with ``HYPOTHESIS_PROFILE``:

- ``ci`` (the default, ``make test``): 10 generated cases per test plus the explicit examples,
  derandomized, so every run checks the same cases in a few seconds per test;
- ``thorough`` (``make test-slow``, so CI): 100 cases per test, derandomized as well;
- ``fuzz``: 2,000 cases per test (or ``FUZZ_EXAMPLES``), new ones each run, for long runs.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

_SUITE = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    # No shrinking in the suite: a failure prints its case at once (shrinking can take minutes).
    "phases": [Phase.explicit, Phase.reuse, Phase.generate],
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
settings.register_profile("ci", max_examples=10, **_SUITE)
settings.register_profile("thorough", max_examples=100, **_SUITE)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
