"""Draft incidents from a French or English dispatch, offline, every field traced to its words.

>>> report = draft_report(text, published=datetime.date(2025, 7, 3), outlet="AFP")
>>> [d.record["location"] for d in report.drafts]
['Poltava', 'Odesa', 'Lipetsk Oblast', 'Yelets', 'Milove']

How it reads (the rules are tables in :mod:`incidents.draft.rules`, :mod:`~.dates` and
:mod:`~.figures`):

1. The text is checked and cleaned (:mod:`~.text`): HTML becomes its visible text; empty, binary,
   over-long or non-French/English text raises :class:`DraftInputError`.
2. Sentence by sentence: an event word (``rules.EVENT_RULES``) and a named place make an
   incident; vetoes (``rules.VETOES``: drones shot down, aggregates, diplomacy) and earlier years
   make none. Each place named gets its own draft.
3. Places go through the gazetteer with the region named nearby as hint; a place it cannot
   settle stays unplaced with its candidates.
4. Dates resolve against the publication date; a sentence with none takes the last one named.
5. Figures: a figure before the places of a several-place sentence is one shared casualty group;
   a later toll for the same incident supersedes the earlier one.

The library chooses nothing silently: each draft's ``evidence`` gives the characters of the
report each field came from, ``confidence`` a 0..1 score per field and ``warnings`` what a
person must check.
"""

from __future__ import annotations

from .core import Draft, DraftReport, Evidence, draft_report, format_report, territory_sub_event
from .save import (
    MATCH_DAYS,
    MATCH_KM,
    RECONCILED,
    Difference,
    SaveResult,
    find_matches,
    merge_differences,
    save_drafts,
)
from .text import MAX_REPORT_BYTES, MAX_REPORT_CHARS, DraftInputError, decode_report

__all__ = [
    "MATCH_DAYS",
    "MATCH_KM",
    "MAX_REPORT_BYTES",
    "MAX_REPORT_CHARS",
    "RECONCILED",
    "Difference",
    "Draft",
    "DraftInputError",
    "DraftReport",
    "Evidence",
    "SaveResult",
    "decode_report",
    "draft_report",
    "find_matches",
    "format_report",
    "merge_differences",
    "save_drafts",
    "territory_sub_event",
]
