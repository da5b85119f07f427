"""docs/typologies.md and docs/screening-quality.md are what the scripts would write now."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from onca.finance import load_library

ROOT = Path(__file__).resolve().parents[2]


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_screening_docs", ROOT / "scripts" / "make_screening_docs.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_typology_catalogue_is_up_to_date() -> None:
    current = (ROOT / "docs" / "typologies.md").read_text(encoding="utf-8")
    assert current == script().render_catalogue(load_library()), (
        "run scripts/make_screening_docs.py"
    )


@pytest.mark.slow
def test_quality_table_is_up_to_date(tmp_path: Path) -> None:
    current = (ROOT / "docs" / "screening-quality.md").read_text(encoding="utf-8")
    assert current == script().render_quality(tmp_path), "run scripts/make_screening_docs.py"
