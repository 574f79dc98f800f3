"""From one report to draft incidents: the sentence-by-sentence reading (see the package doc)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..casualties import Count
from ..countries import find_country
from ..schema import COLUMN_NAMES
from ..taxonomy import default_disorder_type
from . import rules
from .dates import DateMatch, find_dates
from .figures import Figure, attached_place, find_figures
from .places import PlaceMention, ascii_name, find_places, region_location
from .text import DraftInputError, Sentence, clean_report, detect_language, split_sentences

if TYPE_CHECKING:
    from geodata import Gazetteer
    from geodata.admin1 import Admin1

__all__ = [
    "Draft",
    "DraftReport",
    "Evidence",
    "draft_report",
    "format_report",
    "territory_sub_event",
]

LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class Evidence:
    """Where a field's value comes from: ``report[start:end] == text``."""

    start: int
    end: int
    text: str
    why: str = ""


@dataclass
class Draft:
    """One drafted incident: our columns (``record``), and per field its evidence and confidence.

    ``record["latitude"]`` is None for a place the gazetteer could not settle: ``candidates``
    then lists what it considered, and the draft cannot be saved until a person places it.
    """

    record: dict[str, Any]
    evidence: dict[str, Evidence]
    confidence: dict[str, float]
    sentence: Evidence
    candidates: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        return self.record.get("latitude") is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            **{name: self.record.get(name) for name in COLUMN_NAMES},
            "evidence": {k: asdict(v) for k, v in self.evidence.items()},
            "confidence": self.confidence,
            "sentence": asdict(self.sentence),
            "candidates": self.candidates,
            "warnings": self.warnings,
        }


@dataclass
class DraftReport:
    """The drafts of one report, the shared casualty figures they point to, and what was skipped."""

    text: str
    language: str
    published: dt.date
    outlet: str
    drafts: list[Draft]
    groups: list[dict[str, Any]]
    skipped: list[tuple[Evidence, str]]
    notices: list[str]

    def json_lines(self) -> list[str]:
        groups = {g["group_id"]: g for g in self.groups}
        lines = []
        for d in self.drafts:
            item = d.to_dict()
            if d.record.get("casualty_group"):
                item["shared_casualties"] = groups[d.record["casualty_group"]]
            lines.append(json.dumps(item, ensure_ascii=False, default=str))
        return lines


def territory_sub_event(actor_country: str | None, place_country: str | None) -> str:
    """ACLED: a state's forces taking territory of their own state "regain" it; a foreign
    state's forces taking it are coded "Non-state actor overtakes territory"."""
    if actor_country and place_country and actor_country == place_country:
        return "Government regains territory"
    return "Non-state actor overtakes territory"


_EVENT_RX = [(re.compile(r.pattern, re.IGNORECASE), r) for r in rules.EVENT_RULES]
_VETO_RX = [(re.compile(p, re.IGNORECASE), why) for p, why in rules.VETOES]
_CLAIM_RX = re.compile(rules.CLAIM_MARKERS, re.IGNORECASE)
_EXPLICIT_CLAIM_RX = re.compile(rules.EXPLICIT_CLAIM_MARKERS, re.IGNORECASE)
_DISPUTE_RX = re.compile(rules.DISPUTE_MARKERS, re.IGNORECASE)
_CLAIMANT_RX = [(re.compile(c.pattern, re.IGNORECASE), c) for c in rules.CLAIMANTS]
_MILITARY_RX = re.compile(rules.MILITARY_TARGETS, re.IGNORECASE)
_CIVILIAN_RX = re.compile(rules.CIVILIAN_TARGETS, re.IGNORECASE)
_NAMED_RX = [(actor, re.compile(actor.pattern, re.IGNORECASE)) for actor in rules.NAMED_FORCES]
_GROUP_RX = re.compile(rules.GROUP_MARKERS, re.IGNORECASE)
_UPDATE_RX = re.compile(rules.UPDATE_MARKERS, re.IGNORECASE)
#: two places listed together ("Kharkiv and Sumy", "Poltava, et à Odessa")
_LISTED = re.compile(
    r"\s*(?:,|\band\b|\bet\b|&)\s*(?:(?:in|at|à|au|dans|sur|on)\s+)?(?:the\s+)?", re.IGNORECASE
)
_ACTOR_RX = [
    (
        actor,
        re.compile(
            rf"\b(?:{rules.ACTOR_MARKERS})(?:\s+(?:de\s+|d['’])?[\w'’-]+){{0,2}}?\s+(?:{actor.pattern})\b"
            rf"|\b(?:{actor.pattern})\s+(?:[\w'’-]+\s+){{0,2}}?(?:{rules.ACTOR_MARKERS})\b"
            rf"|\b(?:{actor.pattern.replace('russes?|', '').replace('ukrainiens?|ukrainiennes?|', '')})\s+(?:has |have |a |ont )?"
            r"(?:launched|fired|struck|attacked|captured|shelled|hit|took|retook|recaptured|lancé|frappé|tiré|pris|repris)\b",
            re.IGNORECASE,
        ),
    )
    for actor in rules.ACTORS
]
_SUBJECT_STATE = {
    "RU": re.compile(
        r"\b(?:russia|moscow)\s+said\s+(?:that\s+)?its\s+(?:troops|forces|army)\b"
        r"|\b(?:russia['’]s|russian)\s+(?:defen[cs]e ministry|ministry of defen[cs]e)\b"
        r"|\bminist[eè]re russe de la d[ée]fense\b|\b(?:russia|la russie|moscou|moscow)\s+(?:has |a )?(?:launched|fired|struck|attacked|captured|shelled|hit|took|lancé|frappé|tiré|pris|attaqué)\b",
        re.I,
    ),
    "UA": re.compile(
        r"\b(?:ukraine|kyiv|kiev)\s+said\s+(?:that\s+)?its\s+(?:troops|forces|army)\b"
        r"|\b(?:ukraine|l['’]ukraine|kyiv|kiev)\s+(?:has |a )?(?:launched|fired|struck|attacked|captured|shelled|hit|took|retook|recaptured|lancé|frappé|tiré|pris|repris|attaqué)\b",
        re.I,
    ),
}
_ACTOR_BY_COUNTRY = {a.side: a for a in rules.ACTORS}  # each side's state forces
_ACTOR_BY_NAME = {a.name: a for a in (*rules.NAMED_FORCES, *rules.ACTORS)}


def _opponent(actor: rules.Actor) -> rules.Actor:
    """The state forces an actor fights: the other side's."""
    return _ACTOR_BY_COUNTRY["UA" if actor.side == "RU" else "RU"]


_DATELINE = re.compile(r"^[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ' .-]+,\s+[^()\n]{0,40}?\([^)\n]{1,40}\)\s*[-–—]\s*")


def _is_heading(s: Sentence, text: str) -> bool:
    """A title line: a line of its own with no closing punctuation."""
    line_start = text.rfind("\n", 0, s.start) + 1
    line_end = text.find("\n", s.end)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    return line == s.text and not re.search(r"[.!?…:»”\"')]$", s.text)


def _find_actor(text: str) -> tuple[rules.Actor, re.Match] | None:
    """The first actor named in the sentence. A named force ("the Russian Volunteer Corps",
    "Wagner") is read first and its words are then hidden from the nationality rules."""
    best: tuple[rules.Actor, re.Match] | None = None
    for actor, rx in _NAMED_RX:
        for named in rx.finditer(text):
            if best is None or named.start() < best[1].start():
                best = (actor, named)
            a, b = named.span()
            text = text[:a] + " " * (b - a) + text[b:]
    for actor, rx in _ACTOR_RX:
        m = rx.search(text)
        if m and (best is None or m.start() < best[1].start()):
            best = (actor, m)
    for country, rx in _SUBJECT_STATE.items():
        m = rx.search(text)
        if m and (best is None or m.start() < best[1].start()):
            best = (_ACTOR_BY_COUNTRY[country], m)
    return best


def _event_rule(text: str) -> tuple[rules.EventRule, re.Match] | None:
    for rx, rule in _EVENT_RX:
        m = rx.search(text)
        if m:
            return rule, m
    return None


def _slug(outlet: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", ascii_name(outlet)).upper()[:16] or "REPORT"


def _count_fields(prefix: str, count: Count) -> dict[str, int | None]:
    return {prefix: count.best, f"{prefix}_low": count.low, f"{prefix}_high": count.high}


@dataclass
class _Reading:
    """What the reader carries from sentence to sentence."""

    last_date: DateMatch | None = None
    last_region: Admin1 | None = None
    last_actor: tuple[rules.Actor, Evidence, int] | None = None  # actor, evidence, sentence index
    last_event_sentence: int = -10


def draft_report(
    text: str,
    *,
    published: dt.date,
    language: str = "auto",
    outlet: str = "AFP",
    url: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> DraftReport:
    """Draft incidents from a French or English report published on ``published``.

    Raises :class:`~incidents.draft.DraftInputError` for text that cannot be a report (empty,
    too long, binary, another language). Nothing is stored: see :func:`incidents.draft.save_drafts`.
    """
    if language not in ("auto", *LANGUAGES):
        raise DraftInputError(f"language must be auto, fr or en, not {language!r}")
    if not isinstance(published, dt.date):
        raise DraftInputError("published must be a date")
    text, notices = clean_report(text)
    detected = detect_language(text)
    if detected is None:
        raise DraftInputError(
            "the report does not read as French or English; only those two languages are drafted"
        )
    if language != "auto" and language != detected:
        notices.append(f"language given as {language} but the text reads as {detected}")
    lang = detected if language == "auto" else language
    if gazetteer is None:
        from geodata import Gazetteer

        gazetteer = Gazetteer.default()

    sentences = split_sentences(text)
    drafts: list[Draft] = []
    groups: list[dict[str, Any]] = []
    skipped: list[tuple[Evidence, str]] = []
    state = _Reading()
    slug = _slug(outlet)
    for s in sentences:
        dateline = _DATELINE.match(s.text)
        dates = find_dates(s.text, published, offset=s.start)
        if dateline:  # "KYIV, July 8 (Reuters) -": the filing date, not the event's
            dates = [d for d in dates if d.start >= s.start + dateline.end()]
        current = [d for d in dates if not d.background]
        found = _event_rule(s.text)
        if found is not None and _is_heading(s, text):
            skipped.append(
                (Evidence(s.start, s.end, s.text), "heading: the body tells the incident")
            )
            continue
        figures = find_figures(s.text)
        s_ev = Evidence(s.start, s.end, s.text)
        if found is not None:
            veto = next((why for rx, why in _VETO_RX if rx.search(s.text)), None)
            if veto == rules.AIR_DEFENCE and any(f.count.high != 0 for f in figures):
                veto = None  # "drones killed two civilians ..., and 30 were shot down": people hit
            if veto:
                skipped.append((s_ev, veto))
            elif any(d.background for d in dates) and not any(
                d.time_precision == 1 for d in current
            ):
                skipped.append((s_ev, "background: an earlier year, not a new incident"))
            else:
                places = find_places(s.text, gazetteer, context_region=state.last_region)
                if places:
                    made = _drafts_for_sentence(
                        s,
                        places,
                        found,
                        figures,
                        current,
                        state,
                        published,
                        lang,
                        outlet,
                        url,
                        drafts,
                        groups,
                        slug,
                    )
                    if made:
                        state.last_event_sentence = s.index
                elif figures and drafts:
                    _update_figures(s, figures, drafts, groups, state)
                else:
                    skipped.append((s_ev, "no place named: not drafted"))
        elif figures and drafts and _UPDATE_RX.search(s.text):
            _update_figures(s, figures, drafts, groups, state)
        if found is None or not drafts or drafts[-1].sentence.start < s.start:
            _mark_disputed(s, drafts, state)
        if current:
            state.last_date = current[0]
    return DraftReport(text, lang, published, outlet, drafts, groups, skipped, notices)


def _mark_disputed(s: Sentence, drafts: list[Draft], state: _Reading) -> None:
    """ "Ukraine denied the claim" right after a claim makes the claim disputed."""
    m = _DISPUTE_RX.search(s.text)
    if m is None or s.index - state.last_event_sentence != 1:
        return
    last = drafts[-1].sentence.start
    for d in drafts:
        if d.sentence.start == last and d.record["claim_status"] == "claimed":
            d.record["claim_status"] = "disputed"
            d.evidence["claim_status"] = Evidence(
                s.start + m.start(), s.start + m.end(), m.group(), "denied by the other side"
            )
            d.record["notes"] = d.record["notes"].replace("claimed by", "disputed; claimed by")


def _update_figures(
    s: Sentence, figures: list[Figure], drafts: list[Draft], groups: list[dict], state: _Reading
) -> None:
    """A later figure for an incident already drafted (an updated toll) replaces the earlier one."""
    if s.index - state.last_event_sentence > 3:
        return
    target = drafts[-1]
    _apply_figures(target, figures, s, groups, superseding=True)


def _apply_figures(
    draft: Draft, figures: list[Figure], s: Sentence, groups: list[dict], *, superseding: bool
) -> None:
    group_id = draft.record.get("casualty_group")
    seen: set[str] = set()
    for f in figures:
        if f.kind in seen:
            continue
        seen.add(f.kind)
        ev = Evidence(
            s.start + f.start,
            s.start + f.end,
            f.text,
            "updated toll, supersedes the earlier figure" if superseding else "",
        )
        values = _count_fields(f.kind, f.count)
        if group_id:
            group = next(g for g in groups if g["group_id"] == group_id)
            group.update(values)
        else:
            draft.record.update(values)
        draft.evidence[f.kind] = ev
        draft.confidence[f.kind] = 0.8 if f.count.best == f.count.low == f.count.high else 0.65


def _drafts_for_sentence(
    s: Sentence,
    places: list[PlaceMention],
    found: tuple[rules.EventRule, re.Match],
    figures: list[Figure],
    current: list[DateMatch],
    state: _Reading,
    published: dt.date,
    lang: str,
    outlet: str,
    url: str | None,
    drafts: list[Draft],
    groups: list[dict],
    slug: str,
) -> int:
    rule, trigger = found
    # actor: named in this sentence, or carried from an incident drafted just before
    named = _find_actor(s.text)
    if named:
        actor, am = named
        why = ""
        if actor in rules.NAMED_FORCES:
            why = f"named unit, coded as {actor.name}" if actor.state else "named armed group"
        actor_ev = Evidence(s.start + am.start(), s.start + am.end(), am.group(), why)
        actor_conf = 0.85
        state.last_actor = (actor, actor_ev, s.index)
    elif state.last_actor and s.index - state.last_actor[2] <= 2:
        actor, actor_ev, _ = state.last_actor
        actor_ev = Evidence(
            actor_ev.start, actor_ev.end, actor_ev.text, "carried from the previous sentence"
        )
        actor_conf = 0.6
    else:
        actor, actor_ev, actor_conf = None, None, 0.0
    # date
    if current:
        date_m = min(current, key=lambda d: abs(d.start - (s.start + trigger.start())))
        date_ev = Evidence(date_m.start, date_m.end, date_m.text)
        date_conf = date_m.confidence
    elif state.last_date is not None:
        date_m = state.last_date
        date_ev = Evidence(
            date_m.start, date_m.end, date_m.text, "the last date named before this sentence"
        )
        date_conf = date_m.confidence * 0.75
    else:
        date_m = DateMatch(published, 2, s.start, s.start, "", 0.4)
        date_ev = Evidence(
            s.start, s.start, "", "no date in the text: the publication date, within a week"
        )
        date_conf = 0.4
    # claim
    claim = _CLAIM_RX.search(s.text)
    dispute = _DISPUTE_RX.search(s.text)
    claimed_by = None
    claimant = next((c for rx, c in _CLAIMANT_RX if rx.search(s.text)), None) if claim else None
    # "according to"/"said": a claim only when the side that acted says so
    if (
        claim
        and not _EXPLICIT_CLAIM_RX.search(s.text)
        and (actor is None or claimant is None or claimant.side != actor.side)
    ):
        claim = None
    if claim and actor is None and claimant is not None:
        actor = (
            _ACTOR_BY_NAME[claimant.actor] if claimant.actor else _ACTOR_BY_COUNTRY[claimant.side]
        )
        actor_ev = Evidence(
            s.start + claim.start(), s.start + claim.end(), claim.group(), "the side that claims it"
        )
        actor_conf = 0.6
    if claim:
        if claimant is None and actor is not None:
            claimant = next(c for c in rules.CLAIMANTS if c.side == actor.side and c.actor is None)
        claimed_by = claimant.claimed_by if claimant else None
    claim_status = "disputed" if (claim and dispute) else "claimed" if claim else "confirmed"
    if claim_status != "confirmed" and not claimed_by:
        claimed_by = "unnamed source"
    # casualties: per place segment, or shared by several places
    segments = [
        (p.start, places[i + 1].start if i + 1 < len(places) else len(s.text))
        for i, p in enumerate(places)
    ]
    per_place: list[list[Figure]] = [[] for _ in places]
    shared: list[Figure] = []
    starts = [p.start for p in places]
    for f in figures:
        # "three killed in Poltava and two in Odesa": each figure is its place's
        attached = attached_place(s.text, f, starts)
        if attached is not None:
            listed = attached + 1 < len(places) and _LISTED.fullmatch(
                s.text, places[attached].end, places[attached + 1].start
            )
            # "two killed in Kharkiv and Sumy": one figure for the places listed
            (shared if listed else per_place[attached]).append(f)
            continue
        owner = next((i for i, (a, b) in enumerate(segments) if a <= f.start < b), None)
        if owner is None or (
            len(places) > 1 and owner == len(places) - 1 and not all(per_place[:-1])
        ):
            shared.append(f)
        else:
            per_place[owner].append(f)
    group_id = None
    if len(places) > 1 and shared:
        group_id = f"{slug.lower()}-{published:%Y%m%d}-g{len(groups) + 1}"
        counts: dict[str, Any] = {
            "fatalities": None,
            "fatalities_low": None,
            "fatalities_high": None,
            "injured": None,
            "injured_low": None,
            "injured_high": None,
        }
        for f in shared:
            if counts[f.kind] is None:
                counts.update(_count_fields(f.kind, f.count))
        groups.append(
            {
                "group_id": group_id,
                **counts,
                "description": f"One figure given for {len(places)} incidents ({', '.join(p.name for p in places)}); "
                "not split between them.",
                "sources": [_source(outlet, url, published, lang, s.text)],
            }
        )
    elif shared:
        per_place[0].extend(shared)

    made = 0
    for i, place in enumerate(places):
        record, evidence, confidence, candidates, warnings = _place_fields(place, s)
        # a second mention of an incident already drafted (same place and type): update it
        same = next(
            (
                d
                for d in drafts
                if d.record["location"] == record["location"]
                and d.record["event_type"] == rule.event_type
                and d.record.get("latitude") == record.get("latitude")
            ),
            None,
        )
        if same is not None:
            if per_place[i]:
                _apply_figures(same, per_place[i], s, groups, superseding=True)
            continue
        place_country = record.get("_iso2")
        sub = rule.sub_event_type or territory_sub_event(
            actor.state if actor else None, place_country
        )
        actor2 = None
        if rule.event_type == "Battles" and actor is not None:
            actor2 = _opponent(actor).name
        else:
            a, b = segments[i]
            if actor is not None and (
                m := _MILITARY_RX.search(s.text, a, b)
                or _MILITARY_RX.search(s.text, 0, places[0].start)
            ):
                actor2 = _opponent(actor).name
                evidence["actor2"] = Evidence(
                    s.start + m.start(), s.start + m.end(), m.group(), "military target"
                )
                confidence["actor2"] = 0.6
            elif record.get("country") and (m := _civilians_hit(s.text, a, b, places[0].start)):
                actor2 = f"Civilians ({record['country']})"
                evidence["actor2"] = Evidence(
                    s.start + m.start(), s.start + m.end(), m.group(), "civilians hit"
                )
                confidence["actor2"] = 0.65
        record.pop("_iso2", None)
        n = len(drafts) + 1
        record.update(
            {
                "event_id": f"{slug}-{published:%Y%m%d}-{n:02d}",
                "event_date": date_m.date.isoformat(),
                "time_precision": date_m.time_precision,
                "disorder_type": default_disorder_type(sub),
                "event_type": rule.event_type,
                "sub_event_type": sub,
                "actor1": actor.name if actor else None,
                "actor2": actor2,
                "source": outlet,
                "casualty_group": group_id,
                "claim_status": claim_status,
                "claimed_by": claimed_by,
                "sources": [_source(outlet, url, published, lang, s.text)],
                **{
                    k: None
                    for k in (
                        "fatalities",
                        "fatalities_low",
                        "fatalities_high",
                        "injured",
                        "injured_low",
                        "injured_high",
                    )
                },
            }
        )
        evidence["event_type"] = evidence["sub_event_type"] = Evidence(
            s.start + trigger.start(), s.start + trigger.end(), trigger.group()
        )
        confidence["event_type"] = confidence["sub_event_type"] = rule.confidence
        evidence["event_date"] = date_ev
        confidence["event_date"] = date_conf
        if actor_ev is not None:
            evidence["actor1"] = actor_ev
        else:
            warnings.append("the attacker is not named in the text")
        confidence["actor1"] = actor_conf
        if claim:
            evidence["claim_status"] = Evidence(
                s.start + claim.start(), s.start + claim.end(), claim.group()
            )
            confidence["claim_status"] = 0.85
        else:
            confidence["claim_status"] = 0.7
        draft = Draft(
            record, evidence, confidence, Evidence(s.start, s.end, s.text), candidates, warnings
        )
        if group_id:
            for f in shared:
                draft.evidence.setdefault(
                    f.kind, Evidence(s.start + f.start, s.start + f.end, f.text, "shared figure")
                )
                draft.confidence.setdefault(f.kind, 0.75)
            draft.evidence["casualty_group"] = Evidence(
                s.start + shared[0].start,
                s.start + shared[0].end,
                shared[0].text,
                "one figure for several strikes",
            )
            draft.confidence["casualty_group"] = 0.75
        else:
            _apply_figures(draft, per_place[i], s, groups, superseding=False)
        draft.record["notes"] = _notes(draft.record, place, group_id is not None, len(places))
        drafts.append(draft)
        made += 1
        if place.admin1 is not None:
            state.last_region = place.admin1
        elif place.hint is not None:
            state.last_region = place.hint.admin1
    return made


def _civilians_hit(text: str, a: int, b: int, first_place: int) -> re.Match | None:
    """People who are not fighting named in this place's part of the sentence, or before the
    first place (which speaks of every place listed)."""
    return _CIVILIAN_RX.search(text, a, b) or _CIVILIAN_RX.search(text, 0, first_place)


def _source(outlet: str, url: str | None, published: dt.date, lang: str, quote: str) -> dict:
    out = {"outlet": outlet, "published": published.isoformat(), "language": lang, "quote": quote}
    if url:
        out["url"] = url
    return out


def _place_fields(place: PlaceMention, s: Sentence):
    result = place.result
    record: dict[str, Any] = {"admin2": None}
    evidence: dict[str, Evidence] = {}
    confidence: dict[str, float] = {}
    warnings: list[str] = []
    candidates = [c.to_dict() for c in result.candidates] if result is not None else []
    mention = Evidence(s.start + place.start, s.start + place.end, s.text[place.start : place.end])
    evidence["location"] = evidence["latitude"] = evidence["longitude"] = mention
    iso2 = None
    if place.kind == "region" and place.admin1 is not None:
        admin1 = place.admin1
        iso2 = admin1.country
        record.update(location=region_location(admin1), admin1=admin1.name, geo_precision=3)
        if result is not None and result.ok:
            record.update(
                latitude=result.lat,
                longitude=result.lon,
                geo_source="gazetteer",
                geonames_id=result.geonames_id,
            )
        else:
            record.update(
                latitude=None, longitude=None, geo_source=None, geonames_id=admin1.geonames_id
            )
        evidence["geo_precision"] = Evidence(
            mention.start, mention.end, mention.text, "region-level wording"
        )
        confidence.update(location=0.9, geo_precision=0.9)
    elif result is not None and result.ok:
        iso2 = result.country
        record.update(
            location=result.name,
            admin1=result.admin1,
            latitude=result.lat,
            longitude=result.lon,
            geo_precision=2 if place.near else result.precision,
            geo_source="gazetteer",
            geonames_id=result.geonames_id,
        )
        confidence.update(location=result.confidence, geo_precision=0.8)
    else:
        hint = place.hint.admin1 if place.hint is not None else None
        iso2 = hint.country if hint is not None else None
        record.update(
            location=ascii_name(place.name),
            admin1=hint.name if hint else None,
            latitude=None,
            longitude=None,
            geo_precision=None,
            geo_source=None,
            geonames_id=None,
        )
        confidence.update(location=0.0, geo_precision=0.0)
        reason = result.reason if result is not None else "not in the gazetteer"
        warnings.append(
            f"place not settled by the gazetteer ({reason}): choose a candidate or set a point"
        )
    if place.hint is not None:
        h = place.hint
        evidence["admin1"] = Evidence(
            s.start + h.start, s.start + h.end, s.text[h.start : h.end], "region named nearby"
        )
        confidence["admin1"] = 0.9
    country = find_country(iso2) if iso2 else None
    record["country"] = country.name if country else None
    record["iso"] = country.iso_numeric if country else None
    record["_iso2"] = iso2
    confidence["latitude"] = confidence["longitude"] = confidence["location"]
    warnings.extend(place.notes)
    return record, evidence, confidence, candidates, warnings


def _notes(record: dict, place: PlaceMention, shared: bool, n_places: int) -> str:
    who = record.get("actor1") or "an unnamed actor"
    parts = [f"{record['sub_event_type']} by {who} at {record['location']}"]
    if record.get("geo_precision") == 3:
        parts.append("region-level location, placed on the regional capital")
    if record.get("claim_status") != "confirmed":
        parts.append(f"{record['claim_status']} by {record.get('claimed_by')}")
    if shared:
        parts.append(f"casualties are one figure shared with {n_places - 1} other incident(s)")
    return "; ".join(parts) + ". Drafted from the report; check against the quote."


def format_report(report: DraftReport) -> str:
    """A readable listing of the drafts (the CLI's default output)."""
    out = [
        f"{len(report.drafts)} draft(s) from a {report.language} report of {report.published} ({report.outlet})"
    ]
    out += [f"note: {n}" for n in report.notices]
    groups = {g["group_id"]: g for g in report.groups}
    for d in report.drafts:
        r = d.record
        where = f"{r['latitude']:.5f}, {r['longitude']:.5f}" if d.placed else "UNPLACED"
        out.append("")
        out.append(
            f"{r['event_id']}  {r['event_date']} (precision {r['time_precision']})  {r['sub_event_type']}"
        )
        out.append(
            f"  place   {r['location']}, {r['admin1'] or '?'}, {r['country'] or '?'}  {where}  geo_precision {r['geo_precision']}"
        )
        out.append(f"  actors  {r['actor1'] or '?'} / {r['actor2'] or '-'}")
        if r.get("casualty_group"):
            g = groups[r["casualty_group"]]
            out.append(
                f"  casualties  shared figure {g['group_id']}: killed {g['fatalities']}, injured {g['injured']}"
            )
        else:
            killed = "unknown" if r["fatalities"] is None else r["fatalities"]
            injured = "unknown" if r["injured"] is None else r["injured"]
            out.append(f"  casualties  killed {killed}, injured {injured}")
        out.append(
            f"  claim   {r['claim_status']}"
            + (f" by {r['claimed_by']}" if r.get("claimed_by") else "")
        )
        out.append(f"  quote   {d.sentence.text}")
        for c in [] if d.placed else d.candidates[:5]:
            out.append(
                f"  candidate  {c['name']} ({c['country']}, {c['admin1']}) {c['lat']:.5f}, {c['lon']:.5f}"
            )
        for w in d.warnings:
            out.append(f"  check   {w}")
    return "\n".join(out)
