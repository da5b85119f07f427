"""The shared normalisers: names of the Americas, phones, ID numbers, addresses, dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onca.names import (
    address_clean,
    birth_date_clean,
    id_key,
    name_clean,
    name_sorted,
    name_tokens,
    phone_e164,
    phone_tail,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Verónica Gonzáles Cuéllar", "Gonzáles Cuéllar Verónica"),  # surnames first
        ("VERONICA GONZALES CUELLAR", "Verónica Gonzáles Cuéllar"),  # accents and case
        ("Maria da Silva dos Santos", "Maria Silva Santos"),  # Portuguese particles
        ("Juan de la Cruz", "Juan Cruz"),  # Spanish particles
        ("Dr. Juan Cruz", "Juan Cruz"),  # honorific
        ("Zhang Xiao-Ming", "Xiaoming Zhang"),  # pinyin hyphen, order swapped
        ("Mohammed Al-Hassan", "Mohammed al Hassan"),  # joined article
    ],
)
def test_name_variants_share_their_sorted_key(a: str, b: str) -> None:
    assert name_sorted(a) == name_sorted(b)


def test_company_legal_forms_and_abbreviations_are_dropped() -> None:
    assert name_clean("Pesquera El Dorado S.A.C.", "company") == name_clean(
        "PESQUERA EL DORADO SAC", "company"
    )
    assert name_clean("Saramacca Import N.V.", "company") == "saramacca import"
    assert name_clean("HONG KONG HUAXING GENERAL TRADING CO., LTD.", "company") == (
        "hong kong huaxing general"
    )
    # A company named only by a legal form keeps its words rather than becoming empty.
    assert name_tokens("S.A.", "company") == ("sa",)


def test_initials_stay_as_letters() -> None:
    assert name_tokens("Sergio Ó. Terrazas Cruz") == ("sergio", "o", "terrazas", "cruz")


@pytest.mark.parametrize("empty", [None, "", "   ", "--", "."])
def test_empty_names_have_no_key(empty: str | None) -> None:
    assert name_clean(empty) is None and name_sorted(empty) is None


@settings(derandomize=True, max_examples=200)
@given(
    st.lists(
        st.sampled_from(["ana", "maría", "quispe", "mamani", "wei", "josé"]), min_size=1, max_size=5
    ),
    st.randoms(),
)
def test_sorted_key_ignores_word_order(words: list[str], rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(words)
    rnd.shuffle(shuffled)
    assert name_sorted(" ".join(words)) == name_sorted(" ".join(shuffled))


@pytest.mark.parametrize(
    ("phone", "country"),
    [
        ("+51 987 369 682", "PE"),
        ("+51987369682", "PE"),
        ("0051 987369682", "PE"),
        ("987 369 682", "PE"),
        ("(51) 987369682", "PE"),
    ],
)
def test_ways_of_writing_one_phone_give_one_e164(phone: str, country: str) -> None:
    assert phone_e164(phone, country) == "+51987369682"


def test_phone_in_brazilian_styles() -> None:
    forms = ["98 99927-9065", "(55) 98999279065", "+55 98 99927 9065"]
    assert {phone_e164(p, "BR") for p in forms} == {"+5598999279065"}


@pytest.mark.parametrize("bad", [None, "", "n/a", "12"])
def test_not_a_phone(bad: str | None) -> None:
    assert phone_e164(bad, "PE") is None


def test_phone_tail_is_last_eight_digits() -> None:
    assert phone_tail("+51 987-369-682") == "87369682"
    assert phone_tail("123") is None


@pytest.mark.parametrize(
    ("raw", "key"),
    [("272.328.887-85", "27232888785"), ("zvyv556441", "ZVYV556441"), ("CN-2178337", "CN2178337")],
)
def test_id_key_keeps_letters_and_digits(raw: str, key: str) -> None:
    assert id_key(raw) == key


@pytest.mark.parametrize("garbage", ["0000000", "XXXX", "1-2", "?", "...."])
def test_garbage_ids_have_no_key(garbage: str) -> None:
    assert id_key(garbage) is None


def test_addresses_fold_street_types() -> None:
    assert address_clean("Av. Banzer 140, Iquitos") == address_clean("AVENIDA BANZER 140, IQUITOS")
    assert address_clean("Calle Los Pinos 128") == "cl pinos 128"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("1974-08-06", "1974-08-06"),
        ("19740806", "1974-08-06"),
        ("06/08/1974", "1974-08-06"),
        (dt.date(1974, 8, 6), "1974-08-06"),
        ("1974-02-30", None),  # no such day
        ("1850-01-01", None),  # too old
        ("2099-01-01", None),  # in the future
        ("unknown", None),
    ],
)
def test_birth_dates(raw: object, clean: str | None) -> None:
    assert birth_date_clean(raw, today=dt.date(2026, 1, 1)) == clean


_IDS = st.text(alphabet="0123456789AZaz.-/ éÑ0", max_size=14)
_PHONES = st.text(alphabet="0123456789 +-()", max_size=18)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.lists(st.tuples(_IDS, _PHONES), min_size=1, max_size=20))
def test_screening_sql_keys_equal_the_python_ones(values: list[tuple[str, str]]) -> None:
    """Screening's ``id_key`` and ``phone_key`` SQL helpers follow ``onca.names`` exactly."""
    import duckdb

    from onca.finance._sqltemplate import make_environment

    env = make_environment({})
    sql = env.from_string(
        "SELECT {{ id_key('i') }} AS id, {{ phone_key('p') }} AS phone FROM v"
    ).render()
    con = duckdb.connect()
    con.execute("CREATE TABLE v (n INTEGER, i VARCHAR, p VARCHAR)")
    con.executemany(
        "INSERT INTO v VALUES (?, ?, ?)", [(n, i, p) for n, (i, p) in enumerate(values)]
    )
    rows = con.execute(sql.replace("FROM v", "FROM v ORDER BY n")).fetchall()
    assert rows == [(id_key(i), phone_tail(p)) for i, p in values]
