"""Build the compact settlement tables shipped in ``geodata/data/`` from the source downloads.

Usage::

    python -m geodata.build_data SOURCE_DIR [OUT_DIR]   # OUT_DIR defaults to geodata/data

``SOURCE_DIR`` holds the files named below (OCHA COD-AB Ukraine as cleaned by DRC-UA/ua-locations,
and Who's On First localities of Ukraine). The output is deterministic (same input, same bytes) and
small: only the columns the gazetteer uses, gzip-compressed. The application never reads
``SOURCE_DIR``; it reads the files this script writes.

Outputs
-------
``ua_settlements.tsv.gz``: one row per settlement of Ukraine's register (KATOTTG), OCHA's
  coordinates (outline centre), with Russian names, alternate and old names and GeoNames id
  joined from Who's On First (``population`` is left empty: see :func:`build`). Columns: ``pcode name_en name_uk name_ru lat lon
  geonames_id population centre alt_names old_names`` (``centre``: 2 raion centre, 1 hromada
  centre, 0 other; names separated by ``|``).
``ua_admin.tsv.gz``: oblasts, raions and hromadas: ``pcode level name_en name_uk``.

Joining Who's On First to OCHA: a WOF locality belongs to an OCHA settlement when its Ukrainian
name (or its main name) folds to the same skeleton (:func:`geodata.normalize.skeleton`) and it
lies within :data:`JOIN_KM` of the OCHA point; the nearest wins. Its Russian name is then the
Russian form of the current name; its variants are alternate names; a WOF main name that differs
from the current Ukrainian name (a renamed place, e.g. Дзержинськ -> Торецьк), and every name of
a WOF record that is not current or deprecated, are old (historical) names.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import math
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from anyascii import anyascii

from geodata.normalize import skeleton

__all__ = ["JOIN_KM", "build", "main"]

SETTLEMENTS = "ua_settlements_ocha_katottg_2026_02.tsv"
ADMIN = (
    "ukr_admin_2026_02_admin1.tsv",
    "ukr_admin_2026_02_admin2.tsv",
    "ukr_admin_2026_02_admin3.tsv",
)
WOF = "wof_ua_localities.tsv"
JOIN_KM = 3.0
#: A city's outline centre can lie further from its point: WOF localities of 50,000+ people
#: join within this distance.
JOIN_KM_CITY = 15.0
OUT_SETTLEMENTS = "ua_settlements.tsv.gz"
OUT_ADMIN = "ua_admin.tsv.gz"


def _sk(name: str) -> str:
    return skeleton(anyascii(name.casefold()))


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 111.2
    dx = (lon2 - lon1) * 111.2 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _stem_match(name: str, adjective: str) -> bool:
    """Is *adjective* (a raion/hromada name, "Vilkhuvatska") formed from *name* ("Vilkhuvatka")?

    Ukrainian unit names are adjectives of their centre's name; compare skeletons after dropping
    the centre's final vowel or "-ka" and the adjective's "-s'ka"/"-s'kyi" ending."""
    n, a = _sk(name), _sk(adjective)
    if len(n) >= 4 and a.startswith(n) and len(a) - len(n) <= 3:
        return True  # Торецьк -> Торецька, Мілове -> Міловська (after the stem below)
    for end in ("ska", "ski", "ska", "sk", "ka", "ki"):
        if a.endswith(end) and len(a) - len(end) >= 3:
            a = a[: -len(end)]
            break
    for end in ("ka", "e", "a", "o", "i"):
        if n.endswith(end) and len(n) - len(end) >= 3:
            n = n[: -len(end)]
            break
    return len(n) >= 3 and (a == n or (a.startswith(n) and len(a) - len(n) <= 1))


def _admin_rows(
    src: Path,
) -> tuple[list[tuple[str, int, str, str]], dict[str, str], dict[str, str]]:
    out: list[tuple[str, int, str, str]] = []
    raions: dict[str, str] = {}
    hromadas: dict[str, str] = {}
    cols = (
        ("Admin1 Pcode", "Oblast", "Oblast UKR"),
        ("Admin2 Pcode", "Raion", "Raion UKR"),
        ("Admin3 Pcode", "Hromada", "Hromada UKR"),
    )
    for level, (fname, (pc, en, uk)) in enumerate(zip(ADMIN, cols), start=1):
        for row in _read(src / fname):
            out.append((row[pc], level, row[en], row[uk]))
            if level == 2:
                raions[row[pc]] = row[uk]
            elif level == 3:
                hromadas[row[pc]] = row[uk]
    out.sort()
    return out, raions, hromadas


def _wof_by_skeleton(src: Path) -> dict[str, list[dict[str, str]]]:
    by: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _read(src / WOF):
        keys = {_sk(row["name_uk"])} if row["name_uk"] else set()
        keys.add(_sk(row["name"]))
        for k in keys:
            if k:
                by[k].append(row)
    return by


def build(src: Path, out: Path) -> dict[str, int]:
    """Write the two tables into *out*; returns counts for the log."""
    admin, raions, hromadas = _admin_rows(src)
    wof = _wof_by_skeleton(src)
    settlements = _read(src / SETTLEMENTS)
    # one centre per unit: the settlement whose name the unit's adjective is formed from
    raion_centre: dict[str, str] = {}
    hromada_centre: dict[str, str] = {}
    for s in settlements:
        if _stem_match(s["name_uk"], hromadas.get(s["hromada_pcode"], "")):
            hromada_centre.setdefault(s["hromada_pcode"], s["pcode"])
        if _stem_match(s["name_uk"], raions.get(s["raion_pcode"], "")):
            raion_centre.setdefault(s["raion_pcode"], s["pcode"])
    centres = {p: 1 for p in hromada_centre.values()} | {p: 2 for p in raion_centre.values()}
    lines = []
    joined = 0
    for s in settlements:
        lat, lon = float(s["lat"]), float(s["lon"])
        current = {_sk(s["name_uk"]), _sk(s["name_en"])}
        near = [
            (d, w)
            for w in wof.get(_sk(s["name_uk"]), ())
            if (d := _km(lat, lon, float(w["lat"]), float(w["lon"])))
            <= (JOIN_KM_CITY if int(w["population"] or 0) >= 50_000 else JOIN_KM)
        ]
        near.sort(key=lambda t: (t[0], t[1]["wof_id"]))
        # WOF populations are not used: some are another place's (a village near Lviv carries
        # the figure of the city of Mykolaiv); populations come from GeoNames at index time.
        name_ru, gid, pop = "", "", ""
        alt: list[str] = []
        old: list[str] = []
        for _, w in near:
            live = w["is_current"] != "0" and not w["deprecated"]
            names_here = [w["name"], w["name_uk"], w["name_ru"], w["name_en"]]
            variants = [v for v in w["variants_uk_ru_en"].split("|") if v]
            if not live:
                old.extend(n for n in names_here + variants if n)
                continue
            if not name_ru and w["name_ru"] and _sk(w["name_uk"]) in current:
                name_ru = w["name_ru"]
            gid = gid or w["gn_id"]
            if w["name"] and _sk(w["name"]) not in current and _sk(w["name"]) != _sk(name_ru):
                old.append(w["name"])
            alt.extend(n for n in [w["name_en"], *variants] if n)
        if near:
            joined += 1
        keep = {_sk(s["name_uk"]), _sk(s["name_en"]), _sk(name_ru)} if name_ru else current
        old_u = sorted({n for n in old if _sk(n) not in keep})
        alt_u = sorted({n for n in alt if _sk(n) not in keep and n not in old_u} - {name_ru})
        lines.append(
            "\t".join(
                [
                    s["pcode"],
                    s["name_en"],
                    s["name_uk"],
                    name_ru,
                    f"{lat:.5f}",
                    f"{lon:.5f}",
                    gid,
                    pop,
                    str(centres.get(s["pcode"], 0)),
                    "|".join(alt_u),
                    "|".join(old_u),
                ]
            )
        )
    out.mkdir(parents=True, exist_ok=True)
    head = "pcode\tname_en\tname_uk\tname_ru\tlat\tlon\tgeonames_id\tpopulation\tcentre\talt_names\told_names"
    _write_gz(out / OUT_SETTLEMENTS, [head, *lines])
    admin_lines = ["pcode\tlevel\tname_en\tname_uk", *("\t".join(map(str, r)) for r in admin)]
    _write_gz(out / OUT_ADMIN, admin_lines)
    return {
        "settlements": len(lines),
        "joined_wof": joined,
        "admin_units": len(admin),
        "raion_centres": len(raion_centre),
        "hromada_centres": len(hromada_centre),
    }


def _write_gz(path: Path, lines: list[str]) -> None:
    buf = io.BytesIO()
    # mtime=0: identical input gives identical bytes
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    path.write_bytes(buf.getvalue())


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m geodata.build_data", description=__doc__.split("\n")[0]
    )
    p.add_argument(
        "source_dir", type=Path, help="folder with the OCHA and Who's On First TSV files"
    )
    p.add_argument(
        "out",
        type=Path,
        nargs="?",
        default=Path(__file__).resolve().parent / "data",
        help="output folder (default: geodata/data)",
    )
    args = p.parse_args(argv)
    missing = [f for f in (SETTLEMENTS, WOF, *ADMIN) if not (args.source_dir / f).exists()]
    if missing:
        print(f"error: {args.source_dir} lacks {', '.join(missing)}", file=sys.stderr)
        return 2
    print(build(args.source_dir, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
