"""The sectors of synth/industries.csv: the whole file hangs together, bad rows are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from onca.errors import ParameterError
from onca.synth._industries import INDUSTRIES, ROLES, load_industries

HEADER = "key,weight,high_risk,role,es,pt,en,nl,de\n"


def test_the_shipped_sectors_hang_together() -> None:
    keys = [i.key for i in INDUSTRIES]
    assert len(keys) == len(set(keys)) == 35
    assert {i.role for i in INDUSTRIES} == set(ROLES)
    assert all(i.weight > 0 and i.words["en"] for i in INDUSTRIES)
    assert sum(i.high_risk for i in INDUSTRIES) == 14
    pet_shop = next(i for i in INDUSTRIES if i.key == "pet shop")
    assert (pet_shop.weight, pet_shop.high_risk, pet_shop.role) == (1.2, True, "merchant")
    assert pet_shop.word("de") == "Zoohandlung"


def test_an_empty_word_falls_back_to_english(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    path.write_text(HEADER + "zoo,0.15,yes,other,Zoológico,Zoológico,Zoo,,\n", encoding="utf-8")
    (zoo,) = load_industries(path)
    assert zoo.words == {"es": "Zoológico", "pt": "Zoológico", "en": "Zoo"}
    assert zoo.word("nl") == "Zoo"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("zoo,none,yes,other,Z,Z,Zoo,,", r"line 2: weight 'none' is not a number"),
        ("zoo,0,yes,other,Z,Z,Zoo,,", r"line 2: weight must be above 0"),
        ("zoo,1,maybe,other,Z,Z,Zoo,,", r"line 2: high_risk must be yes or no"),
        ("zoo,1,yes,shop,Z,Z,Zoo,,", r"line 2: role must be one of"),
        ("zoo,1,yes,other,Z,,Zoo,,", r"line 2: key and the es, pt and en words are required"),
        ("zoo,1,yes,other", r"line 2: expected 9 fields, found 4"),
    ],
)
def test_a_bad_row_is_named(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "i.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        load_industries(path)


def test_a_sector_listed_twice_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    row = "zoo,1,yes,other,Z,Z,Zoo,,\n"
    path.write_text(HEADER + row + row, encoding="utf-8")
    with pytest.raises(ParameterError, match="sectors listed twice: zoo"):
        load_industries(path)


def test_a_wrong_header_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    path.write_text("sector,weight\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="expected the columns"):
        load_industries(path)
