"""The matcher on a small synthetic list: scripts, spellings, name order, particles, facts."""

from __future__ import annotations

import pytest

from qalxan.screening import text
from qalxan.screening.index import Index
from qalxan.screening.matcher import Matcher
from qalxan.screening.model import ListEntry, new_entity
from qalxan.screening.query import Query
from qalxan.settings import Settings


def _entry(source_id: str, schema: str, names: list[str], **props: str | list[str]) -> ListEntry:
    entity = new_entity(schema, "test", source_id)
    entity.add("name", names[0])
    for alias in names[1:]:
        entity.add("alias", alias)
    for prop, values in props.items():
        entity.add(prop, values)
    return ListEntry("test", source_id, entity)


ENTRIES = [
    _entry("P1", "Person", ["Saddam Hussein AL-TIKRITI"], birthDate="1937-04-28"),
    _entry("P2", "Person", ["Ilham Heydar oglu ALIYEV"], gender="male", nationality="az"),
    _entry("P3", "Person", ["Mammadov Ali Hasan"], passportNumber="C01234567"),
    _entry("P4", "Person", ["Abd al-Rahman YASIN"], birthDate="1960"),
    _entry("P5", "Person", ["Sergei Ivanovich PETROV"], birthDate="1975-01-02"),
    _entry("P6", "Person", ["John SMITH"], birthDate="1980"),
    _entry("P7", "Person", ["Maria GARCIA LOPEZ"], gender="female"),
    _entry("O1", "Organization", ["Gazprom Transgaz Saratov, OOO"]),
    _entry("O2", "Organization", ["Aerocaribbean Airlines"]),
    _entry("V1", "Vessel", ["OCEAN STAR"], imoNumber="IMO9187629"),
    # Padding, so that word rarity means something.
    *[
        _entry(f"X{i}", "Person", [f"{first} {last}"])
        for i, (first, last) in enumerate(
            (f, la)
            for f in ("Ali", "Hasan", "Mohammed", "Ivan", "Anna", "Peter", "Omar", "Leyla")
            for la in ("Karimov", "Huseynov", "Rahimi", "Novak", "Weber", "Haddad", "Quliyev")
        )
    ],
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Index.build(ENTRIES))


def _best(
    matcher: Matcher, name: str, schema: str = "Person", **facts: object
) -> tuple[str, float]:
    results = matcher.match(Query("q", (name,), schema=schema, **facts), top=3)  # type: ignore[arg-type]
    assert results, f"nothing found for {name!r}"
    return results[0].source_id, results[0].score


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("صدام حسين التكريتي", "P1"),  # Arabic
        ("Саддам Хусейн", "P1"),  # Cyrillic
        ("Hussein Saddam", "P1"),  # order
        ("Ильхам Алиев", "P2"),
        ("Əliyev İlham", "P2"),  # Azerbaijani letters
        ("Мамедов Али Гасан оглы", "P3"),
        ("Məmmədov Əli Həsən", "P3"),
        ("Abdulrahman Yassin", "P4"),  # compound written as one word
        ("عبد الرحمن ياسين", "P4"),
        ("Sergey PETROV", "P5"),
        ("S. I. Petrov", "P5"),  # initials
        ("Gazprom Transgaz Saratov LLC", "O1"),
    ],
)
def test_finds_the_listed_party(matcher: Matcher, name: str, expected: str) -> None:
    schema = "Organization" if expected.startswith("O") else "Person"
    found, score = _best(matcher, name, schema)
    assert found == expected
    assert score >= 0.7


def test_organisation_legal_forms_compare_as_one(matcher: Matcher) -> None:
    russian = "Obshchestvo s ogranichennoi otvetstvennostyu Gazprom Transgaz Saratov"
    found, score = _best(matcher, russian, "Organization")
    assert (found, score) == ("O1", pytest.approx(1.0, abs=0.05))


@pytest.mark.parametrize(
    "legal_form",
    [
        "Obschestvo s ogranichennoi otvetstvennostyu",  # German "sch"
        "Obshhestvo s ogranichennoj otvetstvennostju",  # GOST 7.79
        "OBSHCESTVO S OGRANICHENNOY OTVETSTVENNOSTIU",
    ],
)
def test_russian_legal_forms_in_other_romanisations_compare_as_one(
    matcher: Matcher, legal_form: str
) -> None:
    assert text.tokens(f"{legal_form} Gazprom", person=False)[0] == "ooo"
    found, score = _best(matcher, f"{legal_form} Gazprom Transgaz Saratov", "Organization")
    assert (found, score) == ("O1", pytest.approx(1.0, abs=0.05))


def test_legal_forms_joined_into_one_word_weigh_as_legal_forms() -> None:
    # The normaliser joins "GmbH & Co. KG" into "gmbhcokg" and "Co., Ltd" into "coltd", but
    # leaves "GmbH AND Co. KG" and "Company Limited" as words: the joined form must weigh as
    # little as the words, not as a rare name that one side lacks.
    companies = [
        ("C1", "ROETZEL-STAHL GMBH AND CO. KG"),
        ("C2", "PAMCHEL ASIA STEEL GROUP COMPANY LIMITED"),
        ("C3", "Stahl Handel GmbH"),
        ("C4", "Asia Steel Co., Ltd."),
    ]
    matcher = Matcher(Index.build([_entry(i, "Company", [name]) for i, name in companies]))
    threshold = Settings().screening_threshold
    found, score = _best(matcher, "ROETZEL-STAHL GMBH & CO. KG", "Company")
    assert found == "C1" and score >= threshold
    found, score = _best(matcher, "PAMCHEL ASIA STEEL GROUP CO., LTD", "Company")
    assert found == "C2" and score >= threshold


def test_exact_name_scores_one_and_explains(matcher: Matcher) -> None:
    result = matcher.match(Query("q", ("John Smith",)), top=1)[0]
    assert result.score == pytest.approx(1.0)
    assert "john=john" in result.explanation
    assert result.features["name"] == pytest.approx(1.0)


def test_different_person_sharing_one_common_word_is_no_alert(matcher: Matcher) -> None:
    _, score = _best(matcher, "Omar Smith")
    assert score < 0.85


def test_birth_date_changes_the_score(matcher: Matcher) -> None:
    _, plain = _best(matcher, "John Smith")
    same = matcher.match(Query("q", ("John Smith",), birth_dates=("1980-05-01",)), top=1)[0]
    other = matcher.match(Query("q", ("John Smith",), birth_dates=("1950",)), top=1)[0]
    assert same.features["birth_date"] > 0
    assert other.features["birth_date"] < 0
    assert other.score < plain
    assert "birth date differs" in other.explanation


def test_gender_and_nationality_weigh(matcher: Matcher) -> None:
    other = matcher.match(Query("q", ("Maria Garcia Lopez",), gender="male"), top=1)[0]
    assert other.features["gender"] < 0
    same = matcher.match(Query("q", ("Ilham Aliyev",), nationalities=("az",)), top=1)[0]
    assert same.features["nationality"] > 0


def test_identifier_adds_evidence(matcher: Matcher) -> None:
    result = matcher.match(Query("q", ("Ali Mammadov",), identifiers=("C 0123-4567",)), top=1)[0]
    assert result.source_id == "P3"
    assert result.features["identifier"] > 0
    assert "identifier matches" in result.explanation


def test_schemata_do_not_mix(matcher: Matcher) -> None:
    assert all(m.schema == "Vessel" for m in matcher.match(Query("q", ("Ocean Star",), "Vessel")))
    assert all(m.schema != "Vessel" for m in matcher.match(Query("q", ("Ocean Star",))))


def test_excluded_names_are_not_found(matcher: Matcher) -> None:
    index = matcher.index
    name_id = index.name_text.index("John SMITH")
    results = matcher.match(Query("q", ("John Smith",)), exclude={name_id})
    assert all(r.source_id != "P6" for r in results)


def test_skeletons_bridge_transliterations() -> None:
    assert text.skeleton(text.latin("حسين")) == text.skeleton("hussein") == "hsn"
    assert text.skeleton(text.latin("Мамедов")) == text.skeleton(text.latin("Mammadov"))
    assert text.latin("Əliyev") == "aliyev"
    assert text.tokens("التكريتي") == ["ال", "تكريتي"]
    assert text.tokens("عبد الله") == ["عبد", "الله"]


def test_a_short_compound_pairs_when_spelled_the_same(matcher: Matcher) -> None:
    # "Mae Sai" and "Maesai" have two consonants: alike in spelling alone is chance there
    # ("Mae Si" is another name), the same spelling is not.
    same = matcher.compare_names("MAE SAI K.D.P. COMPANY LTD.", "MAESAI K.D.P. COMPANY", "Company")
    assert same.score >= 0.9 and "mae sai~maesai (compound 1.00)" in same.explain()
    other = matcher.compare_names("MAE SI K.D.P. COMPANY LTD.", "MAESAI K.D.P. COMPANY", "Company")
    assert "compound" not in other.explain() and other.score < same.score


def test_words_written_as_one_find_the_name_that_writes_them_so() -> None:
    # "South Front" is listed as "SOUTHFRONT". Names sharing "south" or "front" each share a
    # whole word with the query; the one that holds both as one word must not be crowded out
    # of the candidates by them.
    words = [f"{a}{b}" for a in ("bal", "cor", "dun", "fer") for b in ("ak", "im", "os")]
    listed = [
        _entry("C1", "Organization", ["SOUTHFRONT"]),
        *[_entry(f"F{i}", "Organization", [f"{w} Front"]) for i, w in enumerate(words)],
        *[_entry(f"S{i}", "Organization", [f"South {w}"]) for i, w in enumerate(words)],
        *[_entry(f"X{i}", "Organization", [f"Item{i:04d} Limited"]) for i in range(1000)],
    ]
    matcher = Matcher(Index.build(listed), candidates=10)
    found, score = _best(matcher, "South Front", "Organization")
    assert (found, score) == ("C1", pytest.approx(1.0))


def test_a_name_of_one_word_counts_no_more_alike_than_its_spelling() -> None:
    listed = [
        _entry("C1", "Company", ["STARS GROUP HOLDING"]),
        _entry("C2", "Company", ["UNSAN"]),
        _entry("C3", "Company", ["GAZPROM"]),
        _entry("P1", "Person", ["Hussein STARS"]),
        *[_entry(f"X{i}", "Company", [f"{w} Limited"]) for i, w in enumerate(PADDING)],
    ]
    matcher = Matcher(Index.build(listed))
    # One word sharing its consonants with a listed one: ranked, but far from an alert.
    for name in ("Steris", "Nissan", "Steris Group"):
        results = matcher.match(Query("q", (name,), schema="Company"), top=3)
        assert all(r.score < 0.6 for r in results), (name, results[0].explain())
    # A misspelling of the one word is still found and alerts (0.86 alike in spelling).
    source, score = _best(matcher, "Gasprom", "Company")
    assert source == "C3" and score >= 0.72
    # With more words, the shared consonants count as before ("Husayn" is "Hussein").
    assert matcher.compare_names("Husayn Stars", "Hussein STARS").score >= 0.85


def test_an_organisations_single_letters_are_not_initials() -> None:
    listed = [
        _entry("C1", "Company", ["MOSKOVSKI TEMPBANK"]),
        _entry("P1", "Person", ["Maria TEMPEST"]),
        *[_entry(f"X{i}", "Company", [f"{w} Limited"]) for i, w in enumerate(PADDING)],
    ]
    matcher = Matcher(Index.build(listed))
    company = matcher.compare_names("M&T Bank", "MOSKOVSKI TEMPBANK", "Company")
    assert "initial" not in company.explain()
    person = matcher.compare_names("M. Tempest", "Maria TEMPEST")
    assert "m~maria (initial" in person.explain() and person.score >= 0.8


PADDING = ("Alpha", "Baltic", "Caspian", "Delta", "Eagle", "Falcon", "Granite", "Harbor")
