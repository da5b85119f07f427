"""Noisy identities: one real person, several records, spelled and written differently."""

from __future__ import annotations

import re
import unicodedata

import duckdb
import numpy as np

from onca.synth._identity import (
    birth_variant,
    id_variant,
    name_variant,
    phone_variant,
    typo,
)
from onca.synth._text import day_number, strip_accents
from tests.synth.conftest import rows

RECORDS = """
    SELECT i.person_key, list(p.name ORDER BY p.party_id) AS names,
           list(p.party_id ORDER BY p.party_id) AS ids
    FROM truth_identities i JOIN parties p USING (party_id)
    GROUP BY 1 HAVING count(*) >= 2
"""


def test_some_people_have_three_records_spelled_differently(db: duckdb.DuckDBPyConnection) -> None:
    groups = rows(db, RECORDS)
    three = [(key, names) for key, names, _ in groups if len(names) >= 3 and len(set(names)) >= 2]
    assert len(three) >= 5
    assert any(len(set(names)) >= 3 for _, names in three)


def test_records_come_from_banks_customs_and_police(db: duckdb.DuckDBPyConnection) -> None:
    sources = {frozenset(pid[:3] for pid in ids) for _, _, ids in rows(db, RECORDS)}
    assert any({"BNK", "CUS"} <= s for s in sources), "companies known to banks and customs"
    assert any({"BNK", "POL"} <= s for s in sources), "offenders who also bank"
    assert any(s == {"BNK"} for s in sources), "honest customers banking twice"


def test_duplicates_differ_in_the_ways_sources_differ(db: duckdb.DuckDBPyConnection) -> None:
    pairs = rows(
        db,
        """
        SELECT a.name, b.name, a.birth_date, b.birth_date, a.phone, b.phone
        FROM truth_identities ia JOIN truth_identities ib
          ON ia.person_key = ib.person_key AND ia.party_id < ib.party_id
        JOIN parties a ON a.party_id = ia.party_id JOIN parties b ON b.party_id = ib.party_id
        WHERE a.kind = 'person'""",
    )
    assert pairs
    accents = sum(strip_accents(a) == strip_accents(b) and a != b for a, b, *_ in pairs)
    dates = sum(x is not None and y is not None and x != y for _, _, x, y, _, _ in pairs)
    phones = sum(x is not None and y is not None and x != y for *_, x, y in pairs)
    assert accents > 0 and dates > 0 and phones > 0


def test_foreign_nationals_live_in_source_countries(db: duckdb.DuckDBPyConnection) -> None:
    found = rows(
        db,
        """SELECT count(*) FROM parties WHERE kind = 'person'
                        AND nationality = 'CN' AND country IN ('BO', 'PE', 'SR', 'BR')""",
    )
    assert found[0][0] > 0


def test_name_variants_follow_each_tradition() -> None:
    rng = np.random.default_rng(1)
    spanish = {name_variant("María Fernanda Quispe Mamani", "es", rng) for _ in range(60)}
    assert "Maria Fernanda Quispe Mamani" in spanish
    assert "María Fernanda Quispe" in spanish  # one surname instead of two
    assert "María F. Quispe Mamani" in spanish
    chinese = {name_variant("Zhang Xiaoming", "zh", rng) for _ in range(60)}
    assert "Xiaoming Zhang" in chinese and "ZHANG Xiaoming" in chinese
    assert "Zhang Xiao-Ming" in chinese
    portuguese = {name_variant("João da Silva dos Santos", "pt", rng) for _ in range(60)}
    assert "João Silva Santos" in portuguese
    for _ in range(100):
        assert name_variant("Ana Paz", "es", rng) != "Ana Paz"


def test_identifier_variants() -> None:
    rng = np.random.default_rng(2)
    birth = day_number(1980, 3, 7)
    swapped = day_number(1980, 7, 3)
    assert swapped in {birth_variant(birth, rng) for _ in range(40)}
    assert all(birth_variant(birth, rng) != birth for _ in range(40))
    for _ in range(40):
        other = id_variant("123.456.789-09", rng)
        assert other != "123.456.789-09"
        assert re.sub(r"\D", "", other) != "12345678909" or "." not in other
    phones = {phone_variant("+591 71234567", "591", rng) for _ in range(60)}
    assert {"0059171234567"} <= {p.replace(" ", "") for p in phones}
    assert "71234567" in phones
    assert all(p != "+591 71234567" for p in phones)


def test_typo_changes_a_word_slightly() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        changed = typo("Mamani", rng)
        assert changed != "Mamani" and abs(len(changed) - 6) <= 1
        assert unicodedata.is_normalized("NFC", changed)
