"""Hypothesis settings for the property tests: ``HYPOTHESIS_PROFILE=fuzz`` runs many more cases
(2,000 per test, or ``FUZZ_EXAMPLES``).

The default profile (``ci``) is derandomized, so every ``make test`` runs the same cases and
stays within a few seconds per test; ``fuzz`` explores new cases each run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking in the suite: a failure prints its case at once (shrinking can take minutes).
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
