"""Incident records for dashboard tests: the seed's Yelets record with fields replaced."""

from __future__ import annotations

import copy
import json
from typing import Any

from incidents import Store
from incidents.seed import SEED_PATH, records_to_frames

_SEED = json.loads(SEED_PATH.read_text(encoding="utf-8"))
_BASE = next(r for r in _SEED["incidents"] if r["location"] == "Yelets")

#: Text that would run script if any page put it into HTML or a JS template unescaped.
XSS_LOCATION = '<img src=x onerror="window.__xss=1;alert(1)">'
XSS_NOTES = "${window.__xss=2} `${alert(2)}` </script><script>window.__xss=3</script> [link](javascript:window.__xss=4)"
XSS_ACTOR = "**Bold** <b onmouseover=window.__xss=5>actor</b> :red[x]"


def incident(**fields: Any) -> dict:
    """One valid incident record (a copy of the seed's Yelets strike) with ``fields`` replaced."""
    record = copy.deepcopy(_BASE)
    record.update(fields)
    return record


def add_incidents(store: Store, records: list[dict]) -> None:
    """Validate and insert ``records`` (raises if any is invalid)."""
    incidents, groups = records_to_frames({"incidents": records, "casualty_groups": []})
    result = store.insert(incidents, groups=groups)
    assert not result.errors, result.errors[:3]


def xss_records() -> list[dict]:
    """Two incidents whose texts try to run script in the page, the popups and the table."""
    return [
        incident(
            event_id="XSS-1",
            location=XSS_LOCATION,
            admin1="Test <i>region</i>",
            notes=XSS_NOTES,
            actor1=XSS_ACTOR,
            claim_status="claimed",
            claimed_by="<svg onload=window.__xss=6>",
            source="<script>window.__xss=7</script>",
            sources=[
                {
                    "outlet": "<b>Outlet</b>",
                    "url": "https://news.example/a?x=<script>",
                    "quote": "${window.__xss=8}",
                },
            ],
            latitude=50.45,
            longitude=30.52,
        ),
        incident(
            event_id="XSS-2",
            location="${window.__xss=9}",
            notes="<iframe srcdoc='<script>parent.__xss=10</script>'></iframe>",
            sources=[{"outlet": "X", "url": "https://safe.example/report"}],
            latitude=48.0,
            longitude=35.0,
        ),
    ]
