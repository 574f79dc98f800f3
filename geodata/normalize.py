"""Name folding: turn press spellings of a place into lookup keys.

Three kinds of key are produced, each a short string:

``r:`` *raw* key
    NFKC case-folded text with whitespace and apostrophes normalised. Exact
    spellings in any script (Arabic, Chinese, Cyrillic, ...) match on this key.
``k:`` *skeleton* key
    The text is transliterated to ASCII with :mod:`anyascii` (Cyrillic,
    diacritics, Polish ``ł`` ...), then folded by :func:`skeleton`, which
    merges the letters transliteration conventions disagree on (``zh/sh/sch``,
    ``kh``, ``ch``, ``ts/c``, ``h/g``, ``w/v``, ``y/i/j``), drops an ``i``/``y``
    before a vowel (``Kupiansk``/``Kupyansk``/``Kupjansk``; ``ie``/``ye``/``e``)
    and collapses doubled letters (``Odessa``/``Odesa``).
*readings*
    Before transliteration a query is also read under French, German and
    Polish conventions (``ou``->``u``, ``tch``->``ch``, ``j``->``zh`` in
    French; ``sch``->``sh``, ``tsch``->``ch``, ``ch``->``kh``, ``w``->``v``,
    ``z``->``ts``, ``j``->``y`` in German; ``cz``, ``sz``, ``rz``/``ż``, ``c``,
    ``w``, ``ł`` in Polish). Each reading yields its own skeleton key; the
    index stores one skeleton per GeoNames name and the query probes all of
    them. Readings are tagged so a match under a foreign reading can weigh a
    little less than a match under the plain one.

The index side only builds skeleton keys for names written in Latin, Cyrillic
or Greek script: transliterating Chinese or Arabic exonyms to ASCII produces
strings that collide with unrelated Latin names.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from anyascii import anyascii
from xxhash import xxh3_64_intdigest

__all__ = [
    "MAX_QUERY_CHARS",
    "NORMALIZE_VERSION",
    "READINGS",
    "clean_text",
    "has_mixed_scripts",
    "index_key_columns",
    "index_keys",
    "index_keys_many",
    "is_foldable_script",
    "key_hash",
    "key_hashes",
    "loose_key",
    "loose_key_of_skeleton",
    "query_keys",
    "raw_key",
    "skeleton",
    "skeleton_keys",
]

#: Bump whenever folding rules change: the on-disk index is keyed on it.
NORMALIZE_VERSION = 5

#: Longest query accepted (characters, after cleaning). Place names are short;
#: anything longer is a pasted paragraph or an attack, not a name.
MAX_QUERY_CHARS = 200

#: Skeletons shorter than this are not probed ("Аааааааа" folds to "a", as does "Yaya"):
#: short names match by their exact spelling only.
MIN_SKELETON = 3

#: Reading names in the order they are tried; "en" is plain transliteration.
READINGS = ("en", "fr", "de", "pl")

_APOSTROPHES = dict.fromkeys(map(ord, '’ʼʻ`´‘′ʹ\u02bc\u2019\u201d\u201c"'), "'")
_WS = re.compile(r"\s+")
# Characters kept by clean_text: letters, combining marks, digits, and a few
# separators. Everything else (emoji, symbols, control characters) -> space.
_KEEP_CATEGORIES = ("L", "M", "N")
_KEEP_PUNCT = set(" -'.,()/")

# Letters outside Latin, Latin-1/Extended, IPA, Greek, Cyrillic, Latin Ext. Additional.
_NON_FOLDABLE = re.compile("[^\u0000-\u052f\u1e00-\u1eff\u2000-\u206f]")
_CYRILLIC = re.compile("[\u0400-\u052f]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")

_SKELETON_MAP = {
    "shch": "S",
    "sch": "S",
    "zh": "S",
    "sh": "S",
    "kh": "x",
    "ch": "C",
    "ts": "C",
    "tz": "C",
    "ck": "k",
    "ph": "f",
    "c": "C",
    "h": "g",
    "w": "v",
    "y": "i",
    "j": "i",
    "q": "k",
}
# _SKELETON_MAP's rules in two passes: its multi-letter rules, scanning left to right; then its
# one-letter rules by a table (a lone "c" or "h" is one no multi-letter rule took: where none
# applies the scan moves on by one letter, as it does past a one-letter rule).
_SKELETON_PAIRS_RE = re.compile("shch|sch|zh|sh|kh|ch|ts|tz|ck|ph")
_SKELETON_LETTERS = str.maketrans({k: v for k, v in _SKELETON_MAP.items() if len(k) == 1})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_I_BEFORE_VOWEL = re.compile(r"i(?=[aeou])")
_DOUBLES = re.compile(r"(.)\1+")
#: What a skeleton is made of by its last step: what _NON_ALNUM keeps, what _SKELETON_MAP writes.
_SKELETON_ALPHABET = sorted(
    set("abcdefghijklmnopqrstuvwxyz0123456789").union(*_SKELETON_MAP.values())
)
#: _DOUBLES over that alphabet, spelled out letter by letter: the same runs, found without a
#: backreference (twice as fast; the last step of every skeleton of every query).
_RUNS = re.compile("|".join(re.escape(c + c) + "+" for c in _SKELETON_ALPHABET))

_FR_MAP = {"tch": "ch", "ch": "sh", "ou": "u", "j": "zh"}
_FR_RE = re.compile("tch|ch|ou|j")
_DE_MAP = {
    "tsch": "ch",
    "sch": "sh",
    "ch": "kh",
    "ie": "i",
    "ss": "s",
    "ß": "s",
    "w": "v",
    "z": "ts",
    "j": "y",
}
_DE_RE = re.compile("tsch|sch|ch|ie|ss|ß|w|z|j")
_DE_INITIAL_S = re.compile(r"\bs(?=[aeiouyäöü])")
_PL_MAP = {
    "szcz": "shch",
    "cz": "ch",
    "sz": "sh",
    "rz": "zh",
    "ż": "zh",
    "ź": "zh",
    "ch": "kh",
    "ć": "ts",
    "c": "ts",
    "w": "v",
    "j": "y",
    "ł": "l",
}
_PL_RE = re.compile("szcz|cz|sz|rz|ż|ź|ch|ć|c|w|j|ł")
_PL_MARKERS = re.compile("[łżźśćńąę]|cz|sz|rz|w")
_DE_MARKERS = re.compile("sch|w|z|j|ß|ä|ö|ü|ch")
_FR_MARKERS = re.compile("ou|tch|ch|j|ï|é|è")


class _CleanTable(dict[int, str]):
    """``str.translate`` table of :func:`clean_text`: apostrophe look-alikes -> ``'``, letters,
    marks, digits and a few separators kept, every other character -> space. Filled on first
    sight of a character (up to :attr:`LIMIT` entries, so hostile text cannot grow it without
    bound; rarer characters are decided each time)."""

    LIMIT = 20_000

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if code in _APOSTROPHES:
            out = "'"
        elif ch in _KEEP_PUNCT or unicodedata.category(ch)[0] in _KEEP_CATEGORIES:
            out = ch
        else:
            out = " "
        if len(self) < self.LIMIT:
            self[code] = out
        return out


_CLEAN = _CleanTable()


def clean_text(text: str) -> str:
    """Return *text* in NFC with control characters, emoji and symbols replaced
    by spaces, apostrophe look-alikes unified and whitespace collapsed."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return _WS.sub(" ", text.translate(_CLEAN)).strip()


def raw_key(text: str) -> str:
    """Exact key: case-folded NFKC, apostrophes unified, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    return _WS.sub(" ", text).strip()


_YO = str.maketrans("ёЁ", "еЕ")


def _translit(text: str) -> str:
    """ASCII transliteration; ё is written е (Артёмовск = Артемовск), as most Russian text does."""
    return anyascii(text.translate(_YO))


def skeleton(ascii_text: str) -> str:
    """Fold an ASCII (already transliterated) name to its skeleton key."""
    s = _NON_ALNUM.sub("", ascii_text.lower())
    s = _SKELETON_PAIRS_RE.sub(_skeleton_pair, s).translate(_SKELETON_LETTERS)
    s = _I_BEFORE_VOWEL.sub("", s)
    return _RUNS.sub(_first_letter, s)  # = _DOUBLES.sub(r"\1", s)


def _skeleton_pair(m: re.Match[str], _get=_SKELETON_MAP.__getitem__) -> str:
    return _get(m[0])


def _first_letter(m: re.Match[str]) -> str:
    return m[0][0]


_VOWEL_RUNS = re.compile("[aeiou]+")


def loose_key(text: str) -> str | None:
    """Skeleton with every run of vowels made one ``a``: a *loose* key on which the Russian and
    Ukrainian forms of a name meet (Олександрівка / Александровка, Роботине / Работино,
    Мілове / Меловое). Too loose to answer alone without a hint; see docs/geocoding.md."""
    if not is_foldable_script(text):
        return None
    return loose_key_of_skeleton(skeleton(_translit(text.casefold())))


def loose_key_of_skeleton(sk: str) -> str | None:
    """:func:`loose_key` of a name whose skeleton is *sk* (as :func:`index_keys` gives it,
    with or without its ``k:`` prefix)."""
    sk = sk.removeprefix("k:")
    return "v:" + _VOWEL_RUNS.sub("a", sk) if len(sk) >= 4 else None


def is_foldable_script(text: str) -> bool:
    """True when every character is Latin, Greek or Cyrillic (or punctuation)."""
    return _NON_FOLDABLE.search(text) is None


def has_mixed_scripts(text: str) -> bool:
    """True when *text* mixes Latin and Cyrillic letters (e.g. ``Kharkiв``)."""
    return bool(_CYRILLIC.search(text)) and bool(_LATIN.search(text))


def _reading(text: str, reading: str) -> str | None:
    """Re-spell lowercase *text* under one language's convention, or None if
    the convention cannot change it."""
    if reading == "fr":
        if not _FR_MARKERS.search(text):
            return None
        return _FR_RE.sub(lambda m: _FR_MAP[m.group(0)], text)
    if reading == "de":
        if not _DE_MARKERS.search(text) and not _DE_INITIAL_S.search(text):
            return None
        # Upper-case placeholder so the z -> ts rule below leaves it alone;
        # skeleton() lower-cases it back to "z".
        text = _DE_INITIAL_S.sub("Z", text)
        return _DE_RE.sub(lambda m: _DE_MAP[m.group(0)], text)
    if reading == "pl":
        if not _PL_MARKERS.search(text):
            return None
        return _PL_RE.sub(lambda m: _PL_MAP[m.group(0)], text)
    return text


def skeleton_keys(text: str, *, readings: tuple[str, ...] = READINGS) -> dict[str, str]:
    """Skeleton key of *text* under each reading: ``{skeleton: first reading}``.

    Readings other than ``en`` only apply to Latin-script text (a Cyrillic
    name has one transliteration)."""
    lowered = text.casefold()
    out: dict[str, str] = {}
    latin = not _CYRILLIC.search(lowered)
    for reading in readings:
        if reading != "en" and not latin:
            continue
        spellings = [_reading(lowered, reading)]
        if reading == "de" and _DE_INITIAL_S.search(lowered):
            # German writes both С and З as "s" before a vowel (Sumy, Saporischschja):
            # read an initial "s" both ways.
            spellings.append(_DE_RE.sub(lambda m: _DE_MAP[m.group(0)], lowered))
        for spelled in spellings:
            if spelled is None:
                continue
            key = skeleton(_translit(spelled))
            if key and key not in out:
                out[key] = reading
    return out


def index_keys(name: str) -> tuple[str, str | None]:
    """Keys stored in the index for one GeoNames name: (raw, skeleton or None)."""
    raw = "r:" + raw_key(name)
    if not is_foldable_script(name):
        return raw, None
    sk = skeleton(_translit(name.casefold()))
    return raw, ("k:" + sk if sk else None)


_APOSTROPHE_RE = re.compile("[" + re.escape("".join(map(chr, _APOSTROPHES))) + "]")
# index_key_columns' skeleton steps over ASCII bytes: the characters kept, the vowels an "i"
# before which is dropped, the newline between names
_KEEP_BYTES = np.zeros(256, dtype=bool)
_KEEP_BYTES[list(b"abcdefghijklmnopqrstuvwxyz0123456789\n")] = True
_VOWEL_BYTES = np.zeros(256, dtype=bool)
_VOWEL_BYTES[list(b"aeou")] = True


def _skeletons_joined(ascii_text: str) -> str:
    """:func:`skeleton` of each line of ASCII *ascii_text* (names joined by newlines)."""
    b = np.frombuffer(ascii_text.lower().encode("ascii"), dtype=np.uint8)
    s = b[_KEEP_BYTES[b]].tobytes().decode("ascii")
    s = _SKELETON_PAIRS_RE.sub(_skeleton_pair, s).translate(_SKELETON_LETTERS)
    b = np.frombuffer(s.encode("ascii"), dtype=np.uint8)
    if len(b) > 1:
        keep = np.ones(len(b), dtype=bool)
        keep[:-1] = ~((b[:-1] == ord("i")) & _VOWEL_BYTES[b[1:]])  # _I_BEFORE_VOWEL
        b = b[keep]
        keep = np.ones(len(b), dtype=bool)
        keep[1:] = (b[1:] != b[:-1]) | (b[1:] == ord("\n"))  # _DOUBLES ("." is not a newline)
        b = b[keep]
    return b.tobytes().decode("ascii")


def index_keys_many(names: list[str]) -> list[tuple[str, str | None]]:
    """``[index_keys(n) for n in names]``, computed a few hundred times faster per name."""
    raws, sks = index_key_columns(names)
    return list(zip(raws, sks))


def index_key_columns(names: list[str]) -> tuple[list[str], list[str | None]]:
    """The raw keys and the skeleton keys (or None) of :func:`index_keys` of each of *names*.

    The names are joined by newlines and most folding steps run once over the joined text
    (every step maps characters or runs a pattern that cannot cross a newline; the last
    skeleton steps run over its bytes with numpy). When a name itself holds a newline, or a
    step turns a character into one, the names are folded one by one instead."""
    joined = "\n".join(names)
    if "\n" in joined and joined.count("\n") != len(names) - 1:
        return _key_columns_one_by_one(names)
    if not joined.isascii():  # NFKC of each name that needs it (most are in NFKC already)
        nfkc, is_nfkc = unicodedata.normalize, unicodedata.is_normalized
        joined = "\n".join([n if is_nfkc("NFKC", n) else nfkc("NFKC", n) for n in names])
    folded = _APOSTROPHE_RE.sub("'", joined).casefold()
    raws = ["r:" + " ".join(r.split()) for r in folded.split("\n")]
    plain = [i for i, n in enumerate(names) if n.isascii()]
    other = [i for i, n in enumerate(names) if not n.isascii() and _NON_FOLDABLE.search(n) is None]
    # anyascii walks a text character by character unless it is all ASCII: keep those apart.
    parts = ["\n".join([names[i] for i in plain])] if plain else []
    if other:
        parts.append(anyascii("\n".join([names[i] for i in other]).casefold().replace("ё", "е")))
    foldable = plain + other
    skeletons = _skeletons_joined("\n".join(parts)).split("\n") if foldable else []
    if len(raws) != len(names) or len(skeletons) != len(foldable):
        return _key_columns_one_by_one(names)
    sks: list[str | None] = [None] * len(names)
    for i, sk in zip(foldable, skeletons):
        if sk:
            sks[i] = "k:" + sk
    return raws, sks


def _key_columns_one_by_one(names: list[str]) -> tuple[list[str], list[str | None]]:
    keys = [index_keys(n) for n in names]
    return [raw for raw, _ in keys], [sk for _, sk in keys]


def query_keys(text: str) -> list[tuple[str, str]]:
    """Keys to probe for a cleaned query: ``[(key, how), ...]`` best first.

    ``how`` is ``"exact"`` for the raw key and the reading name for skeletons.
    """
    keys: list[tuple[str, str]] = [("r:" + raw_key(text), "exact")]
    if is_foldable_script(text):
        for sk, reading in skeleton_keys(text).items():
            if len(sk) >= MIN_SKELETON:
                keys.append(("k:" + sk, reading))
    else:
        # Non-Latin/Cyrillic query: its transliteration may still match a
        # Latin name, but only as the weakest kind of match.
        sk = skeleton(_translit(text))
        if len(sk) >= MIN_SKELETON:
            keys.append(("k:" + sk, "translit"))
    return keys


def key_hash(key: str) -> int:
    """Stable 64-bit hash of a key (XXH3; Python's ``hash`` is salted per process).

    Not collision-resistant against crafted text: a query built to collide with a stored key
    would match that key's places, which it could as well have named (no other effect)."""
    return xxh3_64_intdigest(key.encode("utf-8"))


def key_hashes(keys: list[str]) -> list[int]:
    """``[key_hash(k) for k in keys]``."""
    h = xxh3_64_intdigest
    return [h(k.encode("utf-8")) for k in keys]
