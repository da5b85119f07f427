"""The layers of ARCHITECTURE.md, checked on the source: analyses ask an engine, never the
DuckDB connection; the engine registry is light to import; the command line stays thin."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import onca

SRC = Path(onca.__file__).parent
MAY_TOUCH_THE_CONNECTION = ("engines", "workspace", "ingest")
"""Packages that own the DuckDB connection: the engines, the workspace and ingest (DuckDB by
design)."""


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def test_no_analysis_touches_the_duckdb_connection() -> None:
    offenders = []
    for path in _modules():
        package = path.relative_to(SRC).parts[0]
        if package in MAY_TOUCH_THE_CONNECTION:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "con":
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == [], "use ws.db or an engine from onca.engines.open_engine instead"


def test_the_engine_registry_imports_no_database() -> None:
    code = (
        "import sys, onca.engines, onca.cli._options; "
        "print(sorted(m for m in ('duckdb', 'pyarrow', 'pyspark', 'sqlglot') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_command_line_declares_json_and_engine_options_once() -> None:
    """``--json`` and ``--engine`` come from ``onca.cli._options`` in every command module."""
    hand_written = []
    for path in sorted((SRC / "cli").glob("*.py")):
        if path.name == "_options.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ('"--json"', "Where the SQL runs", "Where Splink runs"):
            if needle in text:
                hand_written.append(f"{path.name}: {needle}")
    assert hand_written == []
