"""`make bench`: every benchmark of the project, one table each.

Run one area alone with ``python -m benchmarks.bench_io`` (or bench_geocode, bench_store,
bench_map, bench_app, bench_sessions). ``BENCH_SIZES`` (comma-separated) overrides the sizes, e.g. ``BENCH_SIZES=10000``
for a quick look.
"""

from __future__ import annotations

import importlib
import os
import sys
import time

#: Each area's module, and whether its ``main`` takes the sizes (the gazetteer has none).
AREAS = {
    "bench_geocode": False,
    "bench_io": True,
    "bench_store": True,
    "bench_map": True,
    "bench_app": True,
    "bench_sessions": False,  # 10 browser sessions at once on 100k incidents (its own sizes)
}
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)


def main(argv: list[str] | None = None) -> int:
    wanted = (argv if argv is not None else sys.argv[1:]) or list(AREAS)
    sizes = (
        tuple(int(s) for s in os.environ.get("BENCH_SIZES", "").split(",") if s.strip())
        or DEFAULT_SIZES
    )
    for name in wanted:
        module = importlib.import_module(f"benchmarks.{name}")
        started = time.perf_counter()
        print(f"\n=== {name} ===", flush=True)
        if AREAS[name]:
            module.main(sizes=sizes)
        else:
            module.main()
        print(f"({name}: {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
