"""``python -m benchmarks.generate N OUT.csv``: write a deterministic ACLED-layout file.

The generator itself is :mod:`tests.support.generate` (the tests build stores with it too).
"""

from __future__ import annotations

from tests.support.generate import main

if __name__ == "__main__":
    raise SystemExit(main())
