"""The press-spelling table: build it (once, from the settlement table) and score the gazetteer.

    python tests/geodata/press_table.py generate   # rewrites press_spellings.tsv
    python tests/geodata/press_table.py score      # precision and coverage, per category

Each row: ``query, country, admin1, context, expected, lang, category``. ``expected`` is an
OCHA pcode (``UA...``), a GeoNames id (``gn:NNN``) or ``ABSTAIN``. Spellings are generated
from the place's Ukrainian name by the transliteration rules the French, German and Polish
press follow (tables below), its English (OCHA) and Russian (Who's On First) names; the
expected place is the one the spelling was made from, so the table does not depend on the
gazetteer's own folding rules. A bare name is expected to abstain when Ukraine's register has
more than one settlement of that Ukrainian name, unless the entry is marked as the city the
news means (``CITY`` below: Lyman, Pokrovsk ...). Hand-written rows cover historical names,
the Russian press's country for occupied towns, places in no source, and non-places.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "press_spellings.tsv"
FIELDS = ("query", "country", "admin1", "context", "expected", "lang", "category")

# (Ukrainian name, oblast pcode, raion pcode or "") of the places in the news.
PLACES = [
    ("Харків", "UA63", ""), ("Куп'янськ", "UA63", ""), ("Ізюм", "UA63", ""),
    ("Вовчанськ", "UA63", ""), ("Балаклія", "UA63", ""), ("Чугуїв", "UA63", ""),
    ("Мілове", "UA63", ""), ("Глушківка", "UA63", ""), ("Синьківка", "UA63", ""),
    ("Масютівка", "UA63", ""), ("Куп'янськ-Вузловий", "UA63", ""), ("Кислівка", "UA63", ""),
    ("Табаївка", "UA63", ""), ("Краматорськ", "UA14", ""), ("Слов'янськ", "UA14", ""),
    ("Бахмут", "UA14", ""), ("Покровськ", "UA14", ""), ("Мирноград", "UA14", ""),
    ("Костянтинівка", "UA14", "UA1412"), ("Торецьк", "UA14", ""), ("Часів Яр", "UA14", ""),
    ("Авдіївка", "UA14", "UA1416"), ("Вугледар", "UA14", ""), ("Лиман", "UA14", "UA1412"),
    ("Сіверськ", "UA14", ""), ("Дружківка", "UA14", ""), ("Курахове", "UA14", ""),
    ("Селидове", "UA14", ""), ("Очеретине", "UA14", "UA1416"), ("Кліщіївка", "UA14", ""),
    ("Нетайлове", "UA14", ""), ("Тоненьке", "UA14", ""), ("Уманське", "UA14", ""),
    ("Бердичі", "UA14", ""), ("Новомихайлівка", "UA14", "UA1416"),
    ("Новомихайлівка", "UA14", "UA1412"),
    ("Красногорівка", "UA14", "UA1416"), ("Ямполівка", "UA14", ""),
    ("Маріуполь", "UA14", ""), ("Горлівка", "UA14", ""), ("Макіївка", "UA14", ""),
    ("Донецьк", "UA14", ""), ("Сіверськодонецьк", "UA44", ""), ("Лисичанськ", "UA44", ""),
    ("Рубіжне", "UA44", ""), ("Старобільськ", "UA44", ""), ("Сватове", "UA44", "UA4410"),
    ("Кремінна", "UA44", "UA4412"), ("Мілове", "UA44", ""),
    ("Білогорівка", "UA44", "UA4412"), ("Луганськ", "UA44", ""), ("Роботине", "UA23", ""),
    ("Оріхів", "UA23", ""), ("Гуляйполе", "UA23", "UA2310"), ("Енергодар", "UA23", ""),
    ("Мелітополь", "UA23", ""), ("Бердянськ", "UA23", ""), ("Вербове", "UA23", "UA2310"),
    ("Запоріжжя", "UA23", "UA2306"), ("Кринки", "UA65", ""), ("Херсон", "UA65", ""),
    ("Нова Каховка", "UA65", ""), ("Олешки", "UA65", "UA6510"), ("Нікополь", "UA12", ""),
    ("Марганець", "UA12", ""), ("Кривий Ріг", "UA12", ""), ("Суми", "UA59", ""),
    ("Охтирка", "UA59", ""), ("Одеса", "UA51", ""), ("Ізмаїл", "UA51", ""),
    ("Сімферополь", "UA01", ""), ("Джанкой", "UA01", ""), ("Керч", "UA01", ""),
    ("Севастополь", "UA85", ""), ("Чернігів", "UA74", ""), ("Полтава", "UA53", ""),
    ("Кременчук", "UA53", ""),
]  # fmt: skip
#: Names the news means by a bare name although smaller namesakes exist.
CITY = {"Лиман", "Покровськ", "Костянтинівка", "Авдіївка", "Сватове", "Кремінна", "Харків",
        "Запоріжжя", "Одеса", "Херсон", "Суми", "Полтава", "Чернігів", "Луганськ", "Донецьк",
        "Маріуполь", "Горлівка", "Сіверськодонецьк", "Красногорівка", "Рубіжне", "Макіївка", "Мелітополь", "Бердянськ", "Нікополь",
        "Кременчук", "Кривий Ріг", "Балаклія", "Гуляйполе", "Олешки"}  # fmt: skip

# Region names per oblast: (en, fr, de, pl phrase, uk adjective, ru adjective)
REGIONS = {
    "UA63": ("Kharkiv", "Kharkiv", "Charkiw", "obwodzie charkowskim", "Харківська", "Харьковская"),
    "UA14": ("Donetsk", "Donetsk", "Donezk", "obwodzie donieckim", "Донецька", "Донецкая"),
    "UA44": ("Luhansk", "Louhansk", "Luhansk", "obwodzie ługańskim", "Луганська", "Луганская"),
    "UA23": ("Zaporizhzhia", "Zaporijjia", "Saporischschja", "obwodzie zaporoskim", "Запорізька", "Запорожская"),
    "UA65": ("Kherson", "Kherson", "Cherson", "obwodzie chersońskim", "Херсонська", "Херсонская"),
    "UA12": ("Dnipropetrovsk", "Dnipropetrovsk", "Dnipropetrowsk", "obwodzie dniepropietrowskim", "Дніпропетровська", "Днепропетровская"),
    "UA59": ("Sumy", "Soumy", "Sumy", "obwodzie sumskim", "Сумська", "Сумская"),
    "UA51": ("Odesa", "Odessa", "Odessa", "obwodzie odeskim", "Одеська", "Одесская"),
    "UA01": ("Crimea", "Crimée", "Krim", "Krymie", "Кримська", "Крымская"),
    "UA85": ("Sevastopol", "Sébastopol", "Sewastopol", "Sewastopolu", "Севастопольська", "Севастопольская"),
    "UA74": ("Chernihiv", "Tchernihiv", "Tschernihiw", "obwodzie czernihowskim", "Чернігівська", "Черниговская"),
    "UA53": ("Poltava", "Poltava", "Poltawa", "obwodzie połtawskim", "Полтавська", "Полтавская"),
}  # fmt: skip

_FR = dict(а="a", б="b", в="v", г="h", ґ="g", д="d", е="e", є="ie", ж="j", з="z", и="y", і="i",
           ї="ï", й="ï", к="k", л="l", м="m", н="n", о="o", п="p", р="r", с="s", т="t", у="ou",
           ф="f", х="kh", ц="ts", ч="tch", ш="ch", щ="chtch", ь="", ю="iou", я="ia")  # fmt: skip
_DE = dict(а="a", б="b", в="w", г="h", ґ="g", д="d", е="e", є="je", ж="sch", з="s", и="y", і="i",
           ї="ji", й="j", к="k", л="l", м="m", н="n", о="o", п="p", р="r", с="s", т="t", у="u",
           ф="f", х="ch", ц="z", ч="tsch", ш="sch", щ="schtsch", ь="", ю="ju", я="ja")  # fmt: skip
_PL = dict(а="a", б="b", в="w", г="h", ґ="g", д="d", е="e", є="je", ж="ż", з="z", и="y", і="i",
           ї="ji", й="j", к="k", л="ł", м="m", н="n", о="o", п="p", р="r", с="s", т="t", у="u",
           ф="f", х="ch", ц="c", ч="cz", ш="sz", щ="szcz", ь="", ю="iu", я="ia")  # fmt: skip
_PL_SOFT = {"н": "ń", "с": "ś", "ц": "ć", "л": "l", "з": "ź"}


def translit(uk: str, lang: str) -> str:
    """Ukrainian name -> press spelling in French, German or Polish."""
    table = {"fr": _FR, "de": _DE, "pl": _PL}[lang]
    out: list[str] = []
    low = uk.replace("’", "'")
    for i, ch in enumerate(low):
        lower = ch.lower()
        nxt = low[i + 1].lower() if i + 1 < len(low) else ""
        if ch == "'":
            continue
        if lang == "pl" and lower in _PL_SOFT and nxt == "ь":
            piece = _PL_SOFT[lower]
        elif lang == "pl" and lower == "л" and nxt in "іяює":
            piece = "l"
        elif lower in ("я", "ю", "є") and (i == 0 or not low[i - 1].isalpha()):
            piece = {"fr": {"я": "ia", "ю": "iou", "є": "ie"}, "de": {"я": "ja", "ю": "ju", "є": "je"},
                     "pl": {"я": "ja", "ю": "ju", "є": "je"}}[lang][lower]  # fmt: skip
        else:
            piece = table.get(lower, ch)
        if (
            lang == "de"
            and lower == "с"
            and i > 0
            and low[i - 1] in "аеиіоуяюєї"
            and nxt in "аеиіоуяюєї"
        ):
            piece = "ss"
        out.append(piece.capitalize() if ch.isupper() else piece)
    return "".join(out)


@dataclass
class Row:
    query: str
    country: str = ""
    admin1: str = ""
    context: str = ""
    expected: str = "ABSTAIN"
    lang: str = ""
    category: str = ""


HAND = [
    # historical and renamed
    Row("Artemivsk", expected="UA1402001001", lang="en", category="historical"),
    Row("Артёмовск", expected="UA1402001001", lang="ru", category="historical"),
    Row("Artiomovsk", expected="UA1402001001", lang="fr", category="historical"),
    Row("Krasnoarmiisk", expected="UA1416021001", lang="en", category="historical"),
    Row("Красноармейск", admin1="Донецкая область", expected="UA1416021001", lang="ru", category="historical"),
    Row("Dzerzhynsk", admin1="Donetsk", expected="UA1402011001", lang="en", category="historical"),
    Row("Dzerzhinsk", expected="gn:563708", lang="en", category="historical (current elsewhere)"),
    # a village is currently called Krasnyi Lyman: the current name wins over Lyman's old one
    Row("Krasnyi Lyman", expected="UA4402003010", lang="en", category="historical vs current"),
    Row("Красный Лиман", expected="UA1412011001", lang="ru", category="historical"),
    Row("Dnipropetrovsk", expected="gn:709930", lang="en", category="historical"),
    Row("Kirovohrad", expected="gn:705812", lang="en", category="historical"),
    Row("Kirovograd", expected="gn:705812", lang="en", category="historical"),
    Row("Pokrovsk", expected="UA1416021001", lang="en", category="namesake city"),
    Row("Pokrowsk", expected="UA1416021001", lang="de", category="namesake city"),
    Row("Sloviansk", expected="UA1412021001", lang="en", category="namesake city"),
    Row("Słowiańsk", expected="UA1412021001", lang="pl", category="namesake city"),
    Row("Slawjansk", expected="UA1412021001", lang="de", category="namesake city"),
    Row("Lyman", expected="UA1412011001", lang="en", category="namesake city"),
    Row("Engels", expected="gn:563464", lang="en", category="namesake city"),
    # the seed report
    Row("Milové", context="la prise de Milové, une localité frontalière dans la région ukrainienne de Kharkiv (nord-est)", expected="UA6308003017", lang="fr", category="village, hint in sentence"),
    Row("Milové, dans la région de Kharkiv", expected="UA6308003017", lang="fr", category="village, hint in query"),
    Row("Milove", admin1="Luhansk", expected="UA4414007001", lang="en", category="village, hint"),
    Row("Меловое", admin1="Луганская область", expected="UA4414007001", lang="ru", category="village, hint"),
    Row("Milove", expected="ABSTAIN", lang="en", category="bare namesake"),
    # occupied towns as the Russian press files them
    Row("Мелитополь", country="RU", expected="UA2308007001", lang="ru", category="RU country hint"),
    Row("Севастополь", country="RU", expected="gn:694423", lang="ru", category="RU country hint"),
    Row("Джанкой", country="RU", expected="UA0106005001", lang="ru", category="RU country hint"),
    Row("Sevastopol, Russia", expected="gn:694423", lang="en", category="RU country hint"),
    Row("Мариуполь", context="в Мариуполе (ДНР, Россия)", expected="UA1414005001", lang="ru", category="RU country hint"),
    Row("Sievierodonetsk", expected="UA4412011001", lang="en", category="spelling"),
    Row("Severodonetsk", expected="UA4412011001", lang="en", category="spelling"),
    Row("Северодонецк", expected="UA4412011001", lang="ru", category="spelling"),
    Row("Nevske", admin1="Luhansk", expected="UA4410005006", lang="en", category="renamed 2024"),
    # Seversk (Tomsk, 109,844) or Siversk (Donetsk, 10,875, a hromada centre): ambiguous
    Row("Северск", expected="ABSTAIN", lang="ru", category="namesake city elsewhere"),
    Row("Северск", admin1="Донецкая область", expected="UA1402007001", lang="ru", category="namesake, hint"),
    # places in no source: must abstain, never a namesake
    Row("Krupets", country="RU", expected="ABSTAIN", lang="en", category="not in sources"),
    Row("Крупец", admin1="Курская область", expected="ABSTAIN", lang="ru", category="not in sources"),
    Row("Melovoy", admin1="Kursk", expected="ABSTAIN", lang="en", category="not in sources"),
    Row("Yelets", country="UA", expected="ABSTAIN", lang="en", category="country excludes"),
    # near hints
    Row("Ivanivka", context="near Kupiansk", expected="ABSTAIN", lang="en", category="near hint, namesakes"),
    Row("Hlushkivka", context="près de Koupiansk", expected="UA6308011004", lang="fr", category="near hint"),
    Row("Synkivka", context="bei Kupjansk", expected="UA6308013013", lang="de", category="near hint"),
    Row("Robotyne", context="near Orikhiv", expected="UA2310027015", lang="en", category="near hint"),
    Row("Работино", context="под Орехов", expected="UA2310027015", lang="ru", category="near hint, loose"),
    Row("Работино", admin1="Запорожская область", expected="UA2310027015", lang="ru", category="loose + region"),
    # raion hints
    Row("Novomykhailivka, Pokrovskyi raion", expected="UA1416013013", lang="en", category="raion hint"),
    Row("Новомихайлівка Покровського району", expected="UA1416013013", lang="uk", category="raion hint"),
    Row("Novomykhailivka", context="in the Kramatorsk district of Donetsk region", expected="UA1412011023", lang="en", category="raion hint"),
    Row("Andriivka", context="Andriivka, Bakhmut district", expected="ABSTAIN", lang="en", category="raion hint"),
]  # fmt: skip
NON_PLACES = [
    "Putin", "Zelensky", "Zelenskyy", "Shahed", "HIMARS", "drone", "drones", "missile",
    "ministère de la Défense", "armée russe", "Bundeswehr", "Reuters", "AFP", "la nuit",
    "sans faire de victimes", "Ukrainian army", "the front line", "Kreml", "Kremlin",
    "Verkhovna Rada", "Генштаб", "Минобороны", "ЗСУ", "ВСУ", "СБУ", "обстріл", "обстрел",
    "беспилотник", "ракета", "ostrzał", "Rosjanie", "wojsko", "Angriff", "Luftalarm",
    "Iskander", "Kinjal", "Storm Shadow", "ATACMS", "NATO", "OTAN", "Wagner", "Akhmat",
    "tuesday", "lundi", "Montag", "poniedziałek", "понеділок", "понедельник",
]  # fmt: skip


def _settlements() -> list[dict[str, str]]:
    import gzip

    path = Path(__file__).resolve().parents[2] / "geodata" / "data" / "ua_settlements.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def generate() -> list[Row]:
    rows = _settlements()
    count = Counter(r["name_uk"] for r in rows)
    out: list[Row] = []
    for uk, oblast, raion in PLACES:
        found = [r for r in rows if r["name_uk"] == uk and r["pcode"].startswith(raion or oblast)]
        if len(found) != 1:
            raise SystemExit(f"{uk} in {raion or oblast}: {len(found)} settlements")
        r = found[0]
        pcode = r["pcode"]
        bare = pcode if count[uk] == 1 or uk in CITY else "ABSTAIN"
        en, fr, de, pl, uk_adj, ru_adj = REGIONS.get(oblast, ("",) * 6)
        spellings = [("en", r["name_en"]), ("uk", uk), ("fr", translit(uk, "fr")),
                     ("de", translit(uk, "de")), ("pl", translit(uk, "pl"))]  # fmt: skip
        if r["name_ru"] and r["name_ru"] != "Северск":  # also Seversk, Tomsk (110,000): below
            spellings.append(("ru", r["name_ru"]))
        seen = set()
        for lang, q in spellings:
            if (lang, q) in seen:
                continue
            seen.add((lang, q))
            cat = "bare" if bare != "ABSTAIN" else "bare namesake"
            out.append(Row(q, expected=bare, lang=lang, category=cat))
            if not en:
                continue
            hinted = pcode if (count[uk] == 1 or not raion or uk in CITY) else None
            if hinted is None:
                # namesakes in the same oblast: only a raion hint decides (see HAND rows)
                same = sum(1 for x in rows if x["name_uk"] == uk and x["pcode"][:4] == oblast)
                hinted = pcode if same == 1 else "ABSTAIN"
            ctx = {
                "en": f"{q}, in the {en} region",
                "fr": f"à {q}, dans la région de {fr}",
                "de": f"in {q} im Gebiet {de}",
                "pl": f"w miejscowości {q} w {pl}",
                "uk": f"{q}, {uk_adj} область",
                "ru": f"{q}, {ru_adj} область",
            }[lang]
            out.append(
                Row(q, context=ctx, expected=hinted, lang=lang, category="region in sentence")
            )
    out += HAND
    out += [Row(w, expected="ABSTAIN", lang="", category="non-place") for w in NON_PLACES]
    return out


def write(rows: list[Row]) -> None:
    with TABLE.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(FIELDS)
        for r in rows:
            w.writerow([getattr(r, f) for f in FIELDS])


def read() -> list[Row]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return [Row(**d) for d in csv.DictReader(fh, delimiter="\t")]


def answer_id(res) -> str:
    if not res.ok:
        return "ABSTAIN"
    if res.pcode:
        return res.pcode
    return f"gn:{res.geonames_id}"


def matches(expected: str, res) -> bool:
    if expected == "ABSTAIN":
        return not res.ok
    if not res.ok:
        return False
    if expected.startswith("gn:"):
        return res.geonames_id == int(expected[3:])
    return res.pcode == expected


def score(gaz, rows: list[Row]) -> dict[str, object]:
    """right / wrong / abstained counts; a wrong answer is any coordinate not the expected
    place, or any coordinate where abstention is expected."""
    right = wrong = abstained = 0
    must_abstain = must_abstain_ok = 0
    wrong_rows: list[tuple[Row, str]] = []
    print_abstained: list[tuple[Row, str | None]] = []
    for r in rows:
        res = gaz.geocode(r.query, country=r.country or None, admin1=r.admin1 or None,
                          context=r.context or None)  # fmt: skip
        if r.expected == "ABSTAIN":
            must_abstain += 1
        if res.ok is False and r.expected != "ABSTAIN":
            print_abstained.append((r, res.reason))
        if matches(r.expected, res):
            right += 1
            must_abstain_ok += r.expected == "ABSTAIN"
        elif res.ok:
            wrong += 1
            wrong_rows.append((r, f"{answer_id(res)} {res.name} ({res.admin1}): {res.reason}"))
        else:
            abstained += 1
    n = len(rows)
    return {
        "rows": n,
        "right": right,
        "wrong": wrong,
        "abstained_where_answer_expected": abstained,
        "must_abstain": must_abstain,
        "must_abstain_ok": must_abstain_ok,
        "precision": round(right / max(1, right + wrong), 4),
        "coverage": round(right / n, 4),
        "wrong_rows": wrong_rows,
        "abstained_rows": print_abstained,
    }


def main(argv: list[str]) -> int:
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:
        sys.path.insert(0, root)
    if argv[:1] == ["generate"]:
        rows = generate()
        write(rows)
        print(f"{len(rows)} rows -> {TABLE}")
        return 0
    from geodata import Gazetteer

    gaz = Gazetteer.default()
    result = score(gaz, read())
    for r, got in result.pop("wrong_rows"):  # type: ignore[union-attr]
        print(f"WRONG {r.query!r} ctx={r.context!r} expected {r.expected}: {got}")
    abstained = result.pop("abstained_rows")
    if "-v" in argv:
        for r, why in abstained:  # type: ignore[union-attr]
            print(
                f"ABSTAINED {r.query!r} ctx={r.context!r} a1={r.admin1!r} expected {r.expected}: {why}"
            )
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
