"""Folding: press spellings in several languages fold to the same skeleton key."""

from __future__ import annotations

import pytest

from geodata.normalize import clean_text, has_mixed_scripts, skeleton_keys

SAME = [
    # (spellings that must share at least one skeleton key)
    ("Yelets", "Ielets", "Jelez", "Елец", "Jelec"),
    ("Odesa", "Odessa", "Одеса", "Одесса"),
    ("Poltava", "Połtawa", "Полтава"),
    ("Kharkiv", "Charkiw", "Харків"),
    ("Zaporizhzhia", "Zaporijjia", "Saporischschja", "Запоріжжя"),
    ("Kupiansk", "Koupiansk", "Kupjansk", "Kupyansk", "Куп'янськ", "Kupiańsk"),
    ("Lipetsk", "Lipezk", "Липецк"),
    ("Milove", "Milové", "Milowe", "Мілове"),
    ("Mykolaiv", "Миколаїв", "Mykolajiw", "Mykolaïv"),
    ("Kyiv", "Київ", "Kiew"),
    # German "s" before a vowel stands for С as well as З
    ("Siwerskodonezk", "Сіверськодонецьк", "Siverskodonetsk"),
    ("Sumy", "Суми", "Sumy"),
    ("Sewastopol", "Севастополь", "Sevastopol"),
    ("Schebekino", "Шебекино", "Shebekino", "Szebiekino"),
    ("Tschassiw Jar", "Часів Яр", "Czasiw Jar", "Tchassiv Iar"),
    ("Sudscha", "Суджа", "Sudża", "Soudja"),
]


@pytest.mark.parametrize("spellings", SAME, ids=lambda s: s[0])
def test_spellings_share_a_key(spellings: tuple[str, ...]) -> None:
    keysets = [set(skeleton_keys(clean_text(s))) for s in spellings]
    common = set.intersection(*keysets)
    assert common, {s: k for s, k in zip(spellings, keysets)}


@pytest.mark.parametrize(
    ("a", "b"),
    [("Kharkiv", "Kherson"), ("Odesa", "Oleshky"), ("Lipetsk", "Livny"), ("Milove", "Mylne")],
)
def test_different_places_do_not_fold_together(a: str, b: str) -> None:
    assert not set(skeleton_keys(a)) & set(skeleton_keys(b))


def test_clean_text_strips_controls_and_emoji() -> None:
    assert clean_text("  Kharkiv\x00\x07 💥 ") == "Kharkiv"
    assert clean_text("🔥🔥") == ""
    assert clean_text("Kup’yans’k") == "Kup'yans'k"


def test_mixed_scripts_detected() -> None:
    assert has_mixed_scripts("Kharkiв")
    assert not has_mixed_scripts("Харків")
    assert not has_mixed_scripts("Kharkiv")


@pytest.mark.parametrize(
    "names",
    [
        [],
        [""],
        ["a\nb", "c"],
        ["Ёлка", "Київ", "  x  ", "東京", "Ǆemal", "qh", "Kupjansk", "Słowiańsk", "Mariupol’"],
        ["\u2028", "a", "İstanbul", "Straße", "Dnipro—Rudne"],
        ["Київ", "Одеса", "Ёлки"],  # no ASCII name
        ["i", "aou", "ss", "s", "Tschernihiw", "tsh", "ckh", "Chhh"],  # steps at name borders
        ["a\u00a0 b", "\tx\u3000y ", "Мари\u0301уполь", "ﬁ"],  # odd spaces, not in NFKC
    ],
)
def test_index_keys_many_is_index_keys_of_each(names: list[str]) -> None:
    from geodata.normalize import index_keys, index_keys_many, key_hash, key_hashes

    assert index_keys_many(names) == [index_keys(n) for n in names]
    assert key_hashes(names) == [key_hash(n) for n in names]


def test_runs_of_a_letter_fold_to_one_as_the_backreference_pattern_has_it() -> None:
    import random
    import re

    from geodata.normalize import _RUNS, _SKELETON_ALPHABET, _first_letter, skeleton

    doubles = re.compile(r"(.)\1+")
    rng = random.Random(11)
    letters = "".join(_SKELETON_ALPHABET)
    samples = ["", "a", "zatiSSa", "CerneCCina", "aabbbcc99", "Ss", "abab", "kirrillovvka"]
    samples += ["".join(rng.choice(letters[: rng.randint(2, len(letters))]) for _ in range(9))]
    samples += [
        "".join(rng.choice("aSC1b") for _ in range(rng.randint(0, 12))) for _ in range(3000)
    ]
    for s in samples:
        assert _RUNS.sub(_first_letter, s) == doubles.sub(r"\1", s), s
    # every letter a skeleton step can write is in the alphabet
    assert set(skeleton("Zatyshshia Chernechchyna Schtschutschyn qwxy 2024")) <= set(letters)
    assert skeleton("Zatyshshia") == "zatiSa"
