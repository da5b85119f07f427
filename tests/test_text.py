"""Text folding: the same in Python, in DuckDB and (through the registered function) in Spark.

Characters unassigned in this Python's Unicode tables (category Cn) are left out: DuckDB's
utf8proc may know newer marks.
"""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from onca.text import fold_text, strip_accents

CON = duckdb.connect()


def test_fold_removes_case_and_diacritics_of_latin_scripts() -> None:
    assert fold_text("ONÇA Yaguareté") == "onca yaguarete"
    assert fold_text("Võ Quốc Tuấn") == "vo quoc tuan"
    assert fold_text("Đỗ Hữu") == "do huu"
    assert fold_text("São Paulo, Ñuñoa") == "sao paulo, nunoa"
    assert fold_text("花胶 鱼翅") == "花胶 鱼翅"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")), max_size=30
    )
)
def test_python_strip_accents_equals_duckdbs(text: str) -> None:
    (duck,) = CON.execute("SELECT strip_accents(lower(?))", [text]).fetchone() or (None,)
    assert strip_accents(text.lower()) == duck
