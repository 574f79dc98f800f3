"""Drafting speed: ``python -m benchmarks.bench_draft``.

Times, in one process: importing the drafting library, loading the gazetteer, the first draft
of a report of about 1,000 words (paragraphs of the English and French test reports, in turn)
and the next five, and the seed dispatch. The target is under 2 s per 1,000-word report after
the first. Wall time and this process's CPU time are both given: on a shared machine the CPU
time is the one other jobs do not inflate.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

REPORTS = Path(__file__).resolve().parent.parent / "tests" / "incidents" / "reports"


def main() -> int:
    t0 = time.perf_counter()
    from geodata import Gazetteer
    from incidents.draft import draft_report

    t1 = time.perf_counter()
    gazetteer = Gazetteer.default()
    t2 = time.perf_counter()
    paragraphs = [
        para
        for p in sorted(REPORTS.glob("*.txt"))
        if not p.name.startswith("afp_")
        for para in p.read_text(encoding="utf-8").split("\n\n")
        if para.strip()
    ]
    chosen: list[str] = []
    while sum(len(x.split()) for x in chosen) < 1_000:
        chosen.append(paragraphs[len(chosen) % len(paragraphs)])
    text = "\n\n".join(chosen)
    published = dt.date(2025, 7, 12)
    start = time.perf_counter()
    draft_report(text, published=published, gazetteer=gazetteer)
    first = time.perf_counter() - start
    runs, cpu = [], []
    for _ in range(5):
        start, start_cpu = time.perf_counter(), time.process_time()
        report = draft_report(text, published=published, gazetteer=gazetteer)
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    seed = (REPORTS / "afp_20250703.txt").read_text(encoding="utf-8")
    start = time.perf_counter()
    draft_report(seed, published=dt.date(2025, 7, 3), gazetteer=gazetteer)
    seed_time = time.perf_counter() - start
    print("| What | Time |\n| --- | --- |")
    print(f"| import incidents.draft and geodata | {t1 - t0:.2f} s |")
    print(f"| load the gazetteer | {t2 - t1:.2f} s |")
    words = f"{len(text.split()):,} words ({len(report.drafts)} drafts)"
    print(f"| first draft, {words} | {first:.3f} s |")
    print(f"| next five drafts, wall | {min(runs):.3f}-{max(runs):.3f} s |")
    print(f"| next five drafts, CPU | {min(cpu):.3f}-{max(cpu):.3f} s |")
    print(f"| seed dispatch, {len(seed.split())} words | {seed_time:.3f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
