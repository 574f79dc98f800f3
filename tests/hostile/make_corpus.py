"""Writes the checked-in corpus of nasty input files (``corpus/``).

Run ``python tests/hostile/make_corpus.py`` after changing it.

Each file holds one class of problem found by fuzzing the importer, next to a good row that
must still import. What each file must do is in ``test_corpus.py`` (``EXPECTED``).
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent / "corpus"
HEADER = (
    "event_id,event_date,time_precision,event_type,sub_event_type,country,location,"
    "latitude,longitude,geo_precision,fatalities,notes\n"
)


def row(event_id: str, **cells: str) -> str:
    values = {
        "event_id": event_id,
        "event_date": "2025-07-03",
        "time_precision": "1",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "country": "Ukraine",
        "location": "Pokrovsk",
        "latitude": "48.2826",
        "longitude": "37.1758",
        "geo_precision": "1",
        "fatalities": "2",
        "notes": "Clashes near Pokrovsk.",
    }
    values.update(cells)
    return ",".join(values.values()) + "\n"


def props(event_id: str, **extra) -> dict:
    base = {
        "event_id": event_id,
        "event_date": "2025-07-03",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "country": "Ukraine",
        "location": "Pokrovsk",
        "geo_precision": 1,
    }
    return base | extra


def feature(event_id: str, coords=(37.1758, 48.2826), **extra) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(coords)},
        "properties": props(event_id, **extra),
    }


def collection(*features: dict) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


GOOD = row("OK-1")
FILES: dict[str, bytes] = {
    "geo_precision_1_5.csv": (HEADER + row("BAD-1", geo_precision="1.5") + GOOD).encode(),
    "time_precision_1_5.csv": (HEADER + row("BAD-1", time_precision="1.5") + GOOD).encode(),
    "fatalities_2_63.csv": (HEADER + row("BAD-1", fatalities=str(2**63)) + GOOD).encode(),
    "fatalities_1e308.csv": (HEADER + row("BAD-1", fatalities="1e308") + GOOD).encode(),
    "fatalities_1e308.geojson": collection(
        feature("BAD-1", fatalities=1e308), feature("OK-1")
    ).encode(),
    "date_with_time_zone.csv": (
        HEADER
        + row("TZ-1", event_date="2025-07-03T10:00:00+02:00")
        + row("TZ-2", event_date="2025-07-03T23:30:00-05:00")
        + row("TZ-3", event_date="2025-07-03T01:00:00Z")
    ).encode(),
    "header_spaces_after_commas.csv": (HEADER.replace(",", ", ") + GOOD).encode(),
    "coordinate_1e400.geojson": (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
        '{"type": "Point", "coordinates": [1' + "0" * 400 + ", 48.2]}, "
        '"properties": ' + json.dumps(props("BAD-1")) + "}, " + json.dumps(feature("OK-1")) + "]}"
    ).encode(),
    "coordinate_1e400.json": (
        '{"incidents": ['
        + json.dumps(props("BAD-1", longitude=37.1))[:-1]
        + ', "latitude": 1'
        + "0" * 400
        + "}, "
        + json.dumps(props("OK-1", latitude=48.2, longitude=37.1))
        + "]}"
    ).encode(),
    "lone_surrogate.geojson": collection(
        feature("BAD-1", notes="Pokrovsk \ud800 front"), feature("OK-1")
    ).encode(),
    "lone_surrogate.json": json.dumps(
        {
            "incidents": [
                props("BAD-1", latitude=48.2, longitude=37.1, location="Pokr\udc00ovsk"),
                props("OK-1", latitude=48.2, longitude=37.1),
            ]
        }
    ).encode(),
    "nul_escape.json": json.dumps(
        {
            "incidents": [
                props("BAD-1", latitude=48.2, longitude=37.1, location="Donets\x00\x00k"),
                props("OK-1", latitude=48.2, longitude=37.1),
            ]
        }
    ).encode(),
    # 70 KiB of good rows, then NUL bytes in a cell: beyond the first 64 KiB that were checked.
    "nul_after_64k.csv": (
        HEADER
        + "".join(row(f"FILL-{i}") for i in range(1000))
        + row("BAD-1", location="Donets\x00\x00k")
    ).encode(),
    # Two files joined with cat: the second one's BOM starts a line in the middle.
    "bom_on_a_later_line.csv": ("\ufeff" + HEADER + GOOD + "\ufeff" + row('"BOM-2"')).encode(),
    "latin1_late.csv": (HEADER + "".join(row(f"FILL-{i}") for i in range(2000))).encode()
    + row("BAD-1", location="Kherson é").encode("latin-1"),
    # Terminal escapes and control characters in text: imported as text, printed escaped.
    "terminal_escapes.csv": (
        HEADER + row("ESC-1", location="\x1b]0;pwned\x07\x1b[2J\x1b[31mKyiv\u202e", notes='"a\rb"')
    ).encode(),
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)
    print(f"{len(FILES)} files written to {HERE}")


if __name__ == "__main__":
    main()
