"""The held-out press table: place names as the news prints them, written by hand.

    python tests/geodata/heldout.py      # score it and list every row not right

``heldout_press.tsv`` was typed from newspapers' usage (AFP, dpa, PAP, Ukrainian and Russian
outlets) and from general knowledge of where the places lie, not from the settlement data
the gazetteer ships: ``expected`` is a point (``lat,lon``, rounded to 0.01°) with a tolerance
in km, or ``ABSTAIN``. A row is *right* when the answer lies within the tolerance of the
point (or abstains when it must), *wrong* when it answers anywhere else, and otherwise
*abstained*. The rows are never turned into rules: a miss is fixed by a rule or data that
also holds for places not in the table.
"""

from __future__ import annotations

import csv
import math
import sys
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "heldout_press.tsv"


@dataclass(frozen=True)
class Row:
    query: str
    country: str
    admin1: str
    context: str
    expected: str
    km: str
    lang: str
    category: str

    @property
    def point(self) -> tuple[float, float] | None:
        if self.expected == "ABSTAIN":
            return None
        lat, lon = self.expected.split(",")
        return float(lat), float(lon)


def read() -> list[Row]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return [Row(**d) for d in csv.DictReader(fh, delimiter="\t")]


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def score(gaz, rows: list[Row]) -> dict[str, object]:
    right = wrong = 0
    must_abstain = must_abstain_ok = 0
    wrong_rows: list[str] = []
    abstained_rows: list[str] = []
    for r in rows:
        res = gaz.geocode(r.query, country=r.country or None, admin1=r.admin1 or None,
                          context=r.context or None)  # fmt: skip
        point = r.point
        label = f"{r.query!r} [{r.country}|{r.admin1}|{r.context}]"
        if point is None:
            must_abstain += 1
            if res.ok:
                wrong += 1
                wrong_rows.append(
                    f"{label}: {res.name} ({res.country}, {res.admin1}): {res.reason}"
                )
            else:
                right += 1
                must_abstain_ok += 1
        elif not res.ok:
            abstained_rows.append(f"{label}: {res.reason}")
        elif _km(point, (res.lat, res.lon)) <= float(r.km):
            right += 1
        else:
            wrong += 1
            d = _km(point, (res.lat, res.lon))
            wrong_rows.append(f"{label}: {res.name} ({res.country}, {res.admin1}) {d:.0f} km off")
    n = len(rows)
    return {
        "rows": n,
        "right": right,
        "wrong": wrong,
        "abstained": len(abstained_rows),
        "must_abstain": must_abstain,
        "must_abstain_ok": must_abstain_ok,
        "right_share": round(right / n, 4),
        "wrong_rows": wrong_rows,
        "abstained_rows": abstained_rows,
    }


def main() -> int:
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:
        sys.path.insert(0, root)
    from geodata import Gazetteer

    res = score(Gazetteer.default(), read())
    for key in (
        "rows",
        "right",
        "wrong",
        "abstained",
        "must_abstain",
        "must_abstain_ok",
        "right_share",
    ):
        print(f"{key:16} {res[key]}")
    for line in res["wrong_rows"]:
        print("WRONG    ", line)
    for line in res["abstained_rows"]:
        print("ABSTAINED", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
