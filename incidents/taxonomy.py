"""ACLED's event taxonomy, value for value.

Source: ACLED Codebook (2023 and later editions). Event types and sub-event types are
kept exactly as ACLED spells them so that an analyst's ACLED files and filters carry over.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "DISORDER_TYPES",
    "EVENT_TYPES",
    "LEGACY_EVENT_TYPES",
    "SUB_EVENT_TYPES",
    "default_disorder_type",
    "legacy_event_type",
]

POLITICAL_VIOLENCE = "Political violence"
DEMONSTRATIONS = "Demonstrations"
STRATEGIC = "Strategic developments"
BOTH = "Political violence; Demonstrations"

DISORDER_TYPES: tuple[str, ...] = (POLITICAL_VIOLENCE, DEMONSTRATIONS, BOTH, STRATEGIC)

SUB_EVENT_TYPES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "Battles": (
            "Armed clash",
            "Government regains territory",
            "Non-state actor overtakes territory",
        ),
        "Explosions/Remote violence": (
            "Chemical weapon",
            "Air/drone strike",
            "Suicide bomb",
            "Shelling/artillery/missile attack",
            "Remote explosive/landmine/IED",
            "Grenade",
        ),
        "Violence against civilians": (
            "Sexual violence",
            "Attack",
            "Abduction/forced disappearance",
        ),
        "Protests": (
            "Peaceful protest",
            "Protest with intervention",
            "Excessive force against protesters",
        ),
        "Riots": (
            "Violent demonstration",
            "Mob violence",
        ),
        "Strategic developments": (
            "Agreement",
            "Arrests",
            "Change to group/activity",
            "Disrupted weapons use",
            "Headquarters or base established",
            "Looting/property destruction",
            "Non-violent transfer of territory",
            "Other",
        ),
    }
)

EVENT_TYPES: tuple[str, ...] = tuple(SUB_EVENT_TYPES)

_DISORDER_BY_SUB_EVENT: Mapping[str, str] = MappingProxyType(
    {
        **{s: POLITICAL_VIOLENCE for s in SUB_EVENT_TYPES["Battles"]},
        **{s: POLITICAL_VIOLENCE for s in SUB_EVENT_TYPES["Explosions/Remote violence"]},
        **{s: POLITICAL_VIOLENCE for s in SUB_EVENT_TYPES["Violence against civilians"]},
        "Peaceful protest": DEMONSTRATIONS,
        "Protest with intervention": DEMONSTRATIONS,
        "Excessive force against protesters": BOTH,
        "Violent demonstration": DEMONSTRATIONS,
        "Mob violence": POLITICAL_VIOLENCE,
        **{s: STRATEGIC for s in SUB_EVENT_TYPES["Strategic developments"]},
    }
)


def default_disorder_type(sub_event_type: str) -> str | None:
    """ACLED's disorder type for a sub-event type, or None for an unknown sub-event type."""
    return _DISORDER_BY_SUB_EVENT.get(sub_event_type)


#: ACLED's event types before 2019 (2015-2018 files, upper-case layout) → today's
#: (event type, sub-event type). The old files have no sub-event type: where the old type names
#: one (the three battle types, the strategic ones) it is exact; "Remote violence" and
#: "Riots/Protests" covered several of today's sub-event types, and get the one listed here.
#: Readers keep the original value in ``source_event_type`` so no information is lost.
LEGACY_EVENT_TYPES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "battle-no change of territory": ("Battles", "Armed clash"),
        "battle-government regains territory": ("Battles", "Government regains territory"),
        "battle-non-state actor overtakes territory": (
            "Battles",
            "Non-state actor overtakes territory",
        ),
        "remote violence": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
        "violence against civilians": ("Violence against civilians", "Attack"),
        "riots/protests": ("Protests", "Peaceful protest"),
        "strategic development": ("Strategic developments", "Other"),
        "headquarters or base established": (
            "Strategic developments",
            "Headquarters or base established",
        ),
        "non-violent transfer of territory": (
            "Strategic developments",
            "Non-violent transfer of territory",
        ),
        "non-violent activity by a conflict actor": ("Strategic developments", "Other"),
    }
)


def legacy_event_type(event_type: str) -> tuple[str, str] | None:
    """Today's (event type, sub-event type) for an ACLED event type of before 2019, or None."""
    return LEGACY_EVENT_TYPES.get(" ".join(event_type.split()).lower())
