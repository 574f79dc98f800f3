"""The drafting rules, as tables: one place to read and amend what the drafter recognises.

Every pattern is a regular expression matched case-insensitively on one sentence. Patterns are
French and English; a rule's comment says why it exists when that is not obvious.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "ACTORS",
    "ACTOR_MARKERS",
    "AIR_DEFENCE",
    "CIVILIAN_TARGETS",
    "CLAIMANTS",
    "CLAIM_MARKERS",
    "DISPUTE_MARKERS",
    "EVENT_RULES",
    "EXPLICIT_CLAIM_MARKERS",
    "GROUP_MARKERS",
    "INJURED_WORDS",
    "KILLED_WORDS",
    "MILITARY_TARGETS",
    "NAMED_FORCES",
    "NEAR_MARKERS",
    "NOT_PLACES",
    "NUMBER_WORDS",
    "STRONG_PLACE_MARKERS",
    "UPDATE_MARKERS",
    "VETOES",
    "WEAK_PLACE_MARKERS",
    "ZERO_PHRASES",
    "Actor",
    "Claimant",
    "EventRule",
]


class EventRule(NamedTuple):
    """A word that makes a sentence an incident, and how ACLED codes it.

    ``territory`` rules are captures and recaptures: their sub-event type depends on who takes
    the place (see :func:`incidents.draft.core.territory_sub_event`).
    """

    pattern: str
    event_type: str
    sub_event_type: str | None  # None: decided by the actor (territory)
    confidence: float


#: In priority order: the first rule matching a sentence decides its type.
EVENT_RULES: tuple[EventRule, ...] = (
    # captures and recaptures (who takes the place decides the sub-event type)
    EventRule(
        r"\b(?:prise|reprise|conquête|capture|contrôle) d[e'’]|\b(?:s'|s’)?(?:est|sont) empar\w+"
        r"|\b(?:a|ont|avoir) (?:re)?pris\b|\breconqu\w+|\blibér(?:é|ée|és|ation) (?:la|le|de)\b",
        "Battles",
        None,
        0.85,
    ),
    EventRule(
        r"\b(?:re)?captur(?:ed|ing|e of)\b|\b(?:took|taken|retook|retaken|regained|seized)\b"
        r"(?: full)?(?: control of)?|\bliberat(?:ed|ion of)\b|\btook control\b",
        "Battles",
        None,
        0.85,
    ),
    # air and drone strikes (named weapon)
    EventRule(
        r"\bdrones?\b|\bfrappes? aériennes?|\bbombes? (?:planantes?|aériennes?|guidées?)"
        r"|\bair ?strikes?\b|\bairstrikes?\b|\bglide bombs?\b|\baerial bombs?\b|\braids? aériens?",
        "Explosions/Remote violence",
        "Air/drone strike",
        0.9,
    ),
    # missiles, rockets, artillery
    EventRule(
        r"\bmissiles?\b|\broquettes?\b|\brockets?\b|\bballisti\w+",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        0.85,
    ),
    EventRule(
        r"\bbombardements?\b|\bbombardé\w*|\bpilonn\w+|\bartillerie\b|\bobus\b|\bmortiers?\b"
        r"|\bshell(?:ing|ed|s)\b|\bartillery\b|\bmortars?\b",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        0.8,
    ),
    # a strike whose weapon is not named: coded as ACLED's air/drone strike, with less confidence
    EventRule(
        r"\bfrapp?es?\b|\bfrappé\w*|\battaques?\b|\bstrikes?\b|\bstruck\b|\battack(?:s|ed)?\b",
        "Explosions/Remote violence",
        "Air/drone strike",
        0.6,
    ),
    EventRule(
        r"\bcombats?\b|\baffrontements?\b|\baccrochages?\b|\bfighting\b|\bclash(?:es|ed)?\b"
        r"|\bbattles?\b|\bassauts?\b|\bassaults?\b",
        "Battles",
        "Armed clash",
        0.75,
    ),
)

AIR_DEFENCE = "air-defence count (drones or missiles shot down), not an incident"
#: A sentence matching one of these is not an incident, whatever else it says
#: (drones shot down are a count, not a place; aggregates span many places; talks are not violence).
VETOES: tuple[tuple[str, str], ...] = (
    (
        r"\b(?:abattu|abattus|intercepté|interceptés|neutralisé|neutralisés|détruit|détruits)\b"
        r"(?!.*\b(?:débris|blessé|tué|morts?|endommag))",
        AIR_DEFENCE,
    ),
    (
        r"\b(?:shot down|intercepted|downed|neutrali[sz]ed)\b"
        r"(?!.*\b(?:debris|injur|wound|killed|dead|damag))",
        AIR_DEFENCE,
    ),
    (
        r"\b(?:\d+|dozens|hundreds|des dizaines|des centaines)\s+(?:de\s+)?"
        r"(?:localités|villages|settlements|localities|towns|villes)\b",
        "aggregate over many places, not one incident",
    ),
    (
        r"\b(?:conversation|entretien|appel) téléphonique|\bau téléphone\b|\bphone call\b"
        r"|\bspoke by phone\b|\bnégociations?\b|\bpourparlers\b|\bnegotiations?\b|\bpeace talks\b"
        r"|\bcessez-le-feu\b|\bceasefire\b|\bcease-fire\b",
        "diplomacy, not an incident",
    ),
)

#: Places: a capitalised name after one of these words is a place mention. "Strong" markers
#: announce a place for sure (an unplaced draft is kept with the gazetteer's candidates);
#: after a "weak" one the name is kept only if the gazetteer knows it.
STRONG_PLACE_MARKERS = (
    r"(?:la |de la )?ville d[e'’]\s*|(?:le |du )?village d[e'’]\s*|(?:la |de la )?localité d[e'’]\s*"
    r"|(?:la )?(?:re)?prise d[e'’]\s*|(?:la )?capture d[e'’]\s*|(?:the )?(?:city|town|village) of "
    r"|(?:re)?captured |(?:re)?took |seized |liberated |libéré |repris |conquis "
)
WEAK_PLACE_MARKERS = (
    r"à |a |sur |de |d['’]|vers |dans |près de |in |on |at |near |of |into |outside |around "
    r"|targeted |struck |hit |attacked |shelled |frappé |visé |touché |bombardé |pilonné "
)
#: A mention right after these words is near the place, not in it (ACLED geo_precision 2).
NEAR_MARKERS = r"(?:près de|aux abords de|en périphérie de|dans la banlieue de|near|outside|on the outskirts of)\s*$"

#: Capitalised words that are never the place of an incident in our reports.
NOT_PLACES = frozenset(
    {
        "ukraine",
        "russie",
        "russia",
        "ukrainian",
        "russian",
        "europe",
        "otan",
        "nato",
        "kremlin",
        "maison-blanche",
        "white house",
        "ue",
        "eu",
        "afp",
        "reuters",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "poutine",
        "putin",
        "zelensky",
        "zelenskyy",
        "trump",
        "macron",
    }
)


#: Who fights (ACLED naming). ``side`` is the side of the war the actor fights on (its opponent
#: is the other side's state forces); ``state`` the ISO alpha-2 of the state whose forces these
#: are, None for a group that is not a state's forces (its captures are "Non-state actor
#: overtakes territory" wherever they are).
class Actor(NamedTuple):
    name: str
    side: str  # "RU" or "UA"
    state: str | None
    pattern: str  # nationality words (ACTORS) or the group's own names (NAMED_FORCES)


#: A nationality next to a force or weapon word ("frappes russes", "Russian drones").
ACTORS: tuple[Actor, ...] = (
    Actor(
        "Military Forces of Russia (2000-)", "RU", "RU", r"russes?|russian|russia['’]s|de la russie"
    ),
    Actor(
        "Military Forces of Ukraine (2019-)",
        "UA",
        "UA",
        r"ukrainiens?|ukrainiennes?|ukrainian|ukraine['’]s|de l['’]ukraine",
    ),
)
#: Units and forces named in the text, matched before nationalities ("the Russian Volunteer
#: Corps" is not Russia's army). A unit of a state's forces is coded as those forces (ACLED
#: names the state's military, not its brigades); groups ACLED names on their own keep their name.
NAMED_FORCES: tuple[Actor, ...] = (
    Actor("Wagner Group", "RU", None, r"(?:groupe |group |mercenaires |mercenaries )?wagner"),
    Actor(
        "Russian Volunteer Corps",
        "UA",
        None,
        r"russian volunteer corps|corps des volontaires russes|\bRDK\b",
    ),
    Actor(
        "Freedom of Russia Legion",
        "UA",
        None,
        r"freedom of russia legion|légion (?:«\s*)?liberté (?:pour|de) la russie(?:\s*»)?",
    ),
    Actor(
        "Military Forces of Russia (2000-)",
        "RU",
        "RU",
        r"(?:unités? |units? |forces |bataillon |battalion )?akhmat"
        r"|(?:the |les )?(?:VDV|troupes aéroportées russes|russian airborne (?:troops|forces))",
    ),
    Actor(
        "Military Forces of Ukraine (2019-)",
        "UA",
        "UA",
        r"(?:la |the )?(?:brigade |régiment |regiment )?azov(?: brigade| regiment)?"
        r"|(?:the |la )?(?:3rd|third|troisième|3e) (?:separate )?(?:assault brigade|brigade d['’]assaut)"
        r"|(?:ukrainian |ukraine['’]s )?(?<!russian )(?<!russia's )military intelligence(?: \(?(?:HUR|GUR)\)?)?"
        r"|renseignement militaire ukrainien|\b(?:HUR|GUR)\b"
        r"|(?:the )?\bSBU\b|security service of ukraine|services? de sécurité (?:ukrainiens?|de l['’]ukraine)",
    ),
)
#: Force and weapon words that a nationality qualifies ("frappes russes", "Russian drones").
ACTOR_MARKERS = (
    r"frappes?|drones?|missiles?|bombardements?|attaques?|armée|forces|troupes|soldats|aviation"
    r"|militaires|unités|army|military|troops|soldiers|units?|strikes?|attacks?|shelling"
    r"|artillery|brigades?|raids?"
)
#: The attacker's target is the other side's military: ACLED then names it as actor2.
MILITARY_TARGETS = (
    r"centre de recrutement|bureau de recrutement|\bcaserne|base (?:militaire|aérienne)"
    r"|positions?|dépôt de munitions|de l['’]armée|recruitment (?:centre|center|office)"
    r"|military (?:base|unit|airfield|positions?)|\bbarracks|ammunition depot|\btroops\b"
    r"|air ?base|airfield|aérodrome militaire"
)

#: People who are not fighting: a strike that hits them names "Civilians (<the place's country>)"
#: as actor2 (ACLED). Only people words: damaged buildings alone do not name a victim.
CIVILIAN_TARGETS = (
    r"\bcivil(?:s|es)\b|\bun civil\b|\bune civile\b|\bcivilians?\b(?! infrastructure)"
    r"|\bhabitants?\b|\brésidents\b|\bresidents\b|\binhabitants\b|\bpassants\b|\bpassers-by\b"
    r"|\bpassagers\b|\bpassengers\b|\benfants?\b|\bchildren\b|\bchild\b|\bpensioners\b"
    r"|\bretraités\b|\bfamil(?:y|ies|les?)\b"
)

#: Claims: the words that make a fact someone's claim, and who claims.
CLAIM_MARKERS = (
    r"\brevendiqu\w+|\baffirm\w* avoir|\b(?:a|ont) (?:annoncé|affirmé|déclaré) avoir"
    r"|\bselon (?:le ministère|l['’]armée|l['’]état-major|moscou|kiev)"
    r"|\bclaim(?:ed|s|ing)?\b|\bsaid (?:it|they) (?:had )?(?:captured|taken|liberated|struck|hit|destroyed|took|recaptured|retook)"
    r"|\baccording to (?:the )?(?:russian|ukrainian|russia['’]s|ukraine['’]s|moscow|kyiv)"
    r"|\b(?:russia|ukraine)['’]s (?:defen[cs]e ministry|general staff|army|military) said"
    r"|\b(?:defen[cs]e ministry|general staff) said"
    r"|\bsaid (?:its|their) (?:forces|troops|army) (?:had )?(?:captured|taken|liberated|took|recaptured|retook)"
)
#: Words that make a claim whoever speaks (the rest of CLAIM_MARKERS only when the acting side speaks).
EXPLICIT_CLAIM_MARKERS = (
    r"\brevendiqu\w+|\baffirm\w* avoir|\b(?:a|ont) (?:annoncé|affirmé|déclaré) avoir|\bclaim(?:ed|s|ing)?\b"
    r"|\bsaid (?:it|they) (?:had )?(?:captured|taken|liberated|struck|hit|destroyed|took|recaptured|retook)"
    r"|\bsaid (?:its|their) (?:forces|troops|army) (?:had )?(?:captured|taken|liberated|took|recaptured|retook)"
)
DISPUTE_MARKERS = (
    r"\bdémenti\w*|\bdément\w*|\bcontest\w+|\bdenied\b|\bdisputed\b|\brejected the claim"
)


class Claimant(NamedTuple):
    """Who makes a claim, on which side, and which actor that makes the acting side."""

    pattern: str
    claimed_by: str
    side: str  # "RU" or "UA"
    actor: str | None = None  # a named force; None: the side's state forces


#: In order: the first that matches the sentence names the claimant (named forces first).
CLAIMANTS: tuple[Claimant, ...] = (
    Claimant(r"wagner", "Wagner Group", "RU", "Wagner Group"),
    Claimant(
        r"russian volunteer corps|corps des volontaires russes|\bRDK\b",
        "Russian Volunteer Corps",
        "UA",
        "Russian Volunteer Corps",
    ),
    Claimant(
        r"freedom of russia legion|légion (?:«\s*)?liberté (?:pour|de) la russie",
        "Freedom of Russia Legion",
        "UA",
        "Freedom of Russia Legion",
    ),
    Claimant(r"akhmat", "Akhmat special forces (Russia)", "RU"),
    Claimant(
        r"\bSBU\b|security service of ukraine|services? de sécurité (?:ukrainiens?|de l['’]ukraine)",
        "Security Service of Ukraine (SBU)",
        "UA",
    ),
    Claimant(
        r"(?<!russian )(?<!russia's )military intelligence|renseignement militaire ukrainien"
        r"|\b(?:HUR|GUR)\b",
        "Ukrainian military intelligence (HUR)",
        "UA",
    ),
    Claimant(
        r"armée russe|ministère russe de la défense|russian (?:army|military|defen[cs]e ministry|forces|ministry of defen[cs]e)"
        r"|russia['’]s (?:defen[cs]e ministry|army|military)|moscou|moscow",
        "Russian armed forces (Ministry of Defence)",
        "RU",
    ),
    Claimant(
        r"armée ukrainienne|état-major ukrainien|forces ukrainiennes|ukrainian (?:army|military|general staff|forces)"
        r"|ukraine['’]s (?:general staff|army|military|defen[cs]e ministry)|kiev|kyiv",
        "Ukrainian armed forces (General Staff)",
        "UA",
    ),
)

#: Casualties.
KILLED_WORDS = (
    r"tué(?:e|s|es)?|morts?|mortes?|décédé(?:e|s|es)?|ont péri|killed|dead|died|deaths?"
    r"|fatalities|lives"
)
INJURED_WORDS = r"blessé(?:e|s|es)?|injured|wounded|hurt|injuries"
#: Words allowed between a figure and its verb ("Huit personnes ont été tuées").
FILLER_WORDS = (
    r"personnes?|people|persons?|civils?|civilians?|soldats|soldiers|militaires|servicemen"
    r"|autres|others?|other|d['’]autres|more|further|ont|a|été|have|has|been|were|was|sont|is|are"
    r"|enfants|children|habitants|residents"
)
#: Phrases that mean a real zero: (pattern, which figures are zero).
ZERO_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        r"sans (?:faire de )?victimes?|aucune victime|pas de victimes?|no casualties|without casualties"
        r"|no victims",
        ("fatalities", "injured"),
    ),
    (
        r"no one was (?:killed|hurt or killed)|nobody was killed|aucun mort|pas de morts?",
        ("fatalities",),
    ),
    (
        r"no one was (?:hurt|injured)|nobody was (?:hurt|injured)|aucun blessé|pas de blessés?",
        ("injured",),
    ),
)
#: A later figure with these words replaces an earlier one for the same incident.
UPDATE_MARKERS = (
    r"\bbilan\b|\btoll\b|\brose to\b|\brisen to\b|\bclimbed to\b|\bs['’]est alourdi|\bpassé à"
    r"|\bnow stands at\b|\bupdated\b|\bnouveau bilan"
)
#: A figure given for several strikes at once: one shared casualty group.
GROUP_MARKERS = (
    r"plusieurs frappes|plusieurs attaques|série de frappes|several strikes|a series of strikes"
    r"|across|au total|in total|altogether|en tout"
)

#: Number words up to what the press writes in words.
NUMBER_WORDS: dict[str, int] = {
    **{
        w: i
        for i, w in enumerate(
            [
                "zéro",
                "un",
                "deux",
                "trois",
                "quatre",
                "cinq",
                "six",
                "sept",
                "huit",
                "neuf",
                "dix",
                "onze",
                "douze",
                "treize",
                "quatorze",
                "quinze",
                "seize",
                "dix-sept",
                "dix-huit",
                "dix-neuf",
                "vingt",
            ]
        )
    },
    "une": 1,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "cent": 100,
    **{
        w: i
        for i, w in enumerate(
            [
                "zero",
                "one",
                "two",
                "three",
                "four",
                "five",
                "six",
                "seven",
                "eight",
                "nine",
                "ten",
                "eleven",
                "twelve",
                "thirteen",
                "fourteen",
                "fifteen",
                "sixteen",
                "seventeen",
                "eighteen",
                "nineteen",
                "twenty",
            ]
        )
    },
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "hundred": 100,
}
