"""The command line in an 80-column terminal (issue 20): tables keep every identifier whole, help
shows values a user can read, and an empty result is a sentence, not an empty table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
from click import Command
from typer.testing import CliRunner

from onca.cli import app
from onca.ingest import ingest_files
from tests.conftest import write

runner = CliRunner()
NARROW = {"COLUMNS": "80"}


def _narrow(*args: str) -> str:
    result = runner.invoke(app, list(args), env=NARROW, terminal_width=80)
    assert result.exit_code == 0, result.output
    table = [line for line in result.stdout.splitlines() if line[:1] in "┏┃┡│└╭╰"]
    assert max(map(len, table), default=0) <= 80, result.stdout  # sentences wrap themselves
    return result.stdout


def _cells(text: str, column: int) -> list[str]:
    """The stripped text of one column of a Rich table's body rows (borders │)."""
    rows = [line.split("│") for line in text.splitlines() if line.startswith("│")]
    return [row[column + 1].strip() for row in rows if len(row) > column + 1]


def test_every_typology_id_is_whole_at_80_columns() -> None:
    from onca.finance import load_library

    text = _narrow("screen", "--list-typologies")
    ids = {cell for cell in _cells(text, 0) if cell}
    assert ids == set(load_library()), text
    assert "…" not in text


def _long_ids(text: str) -> str:
    """The records of ``onca resolve``'s tests, with party ids as long as a bank's."""
    text = re.sub(r"^B(\d)", r"BANK-PE-000000000\1", text, flags=re.MULTILINE)
    return re.sub(r"^C(\d)", r"CUSTOMS-EC-00000000\1", text, flags=re.MULTILINE)


def test_resolve_explain_keeps_party_ids_whole_at_80_columns(tmp_path: Path) -> None:
    from tests.cli.test_resolve import BANK, CUSTOMS

    ws = tmp_path / "ws.duckdb"
    both = _long_ids(BANK + "\n".join(CUSTOMS.splitlines()[1:]) + "\n")
    ingest_files(ws, "parties", [write(tmp_path / "parties.csv", both)])
    assert runner.invoke(app, ["resolve", str(ws), "--json"]).exit_code == 0
    text = _narrow("resolve", "explain", str(ws), "BANK-PE-0000000003")
    parties = {cell for cell in _cells(text, 0) if cell}
    assert parties == {"BANK-PE-0000000003", "CUSTOMS-EC-000000002"}, text
    assert {c for c in _cells(text, 3) if c} == {"7060987785001"}, text  # the ID number
    assert "…" not in text


def test_an_empty_quarantine_is_one_sentence(tmp_path: Path) -> None:
    from tests.conftest import PARTIES_CSV

    ws = tmp_path / "ws.duckdb"
    ingest_files(ws, "parties", [write(tmp_path / "parties.csv", PARTIES_CSV)])
    assert _narrow("quarantine", str(ws)) == f"Nothing in quarantine in {ws}.\n"
    assert _narrow("quarantine", str(ws), "--kind", "accounts") == (
        f"Nothing in quarantine for accounts in {ws}.\n"
    )


def test_a_quarantine_with_rows_is_still_a_table(tmp_path: Path) -> None:
    ws = tmp_path / "ws.duckdb"
    bad = "party_id,kind,name,birth_date\nP1,person,Ana,1955-13-04\n"
    ingest_files(ws, "parties", [write(tmp_path / "parties.csv", bad)])
    text = _narrow("quarantine", str(ws))
    assert text.startswith("quarantine\n") and "1955-13-04" in text


def _commands(command: Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


ROOT = typer.main.get_command(app)
COMMANDS = list(_commands(ROOT))


def test_the_walk_reaches_every_command() -> None:
    assert len(COMMANDS) > 40
    assert ("registry", "agency", "add") in COMMANDS and ("screen",) in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "onca")
def test_help_shows_readable_values(path: tuple[str, ...]) -> None:
    text = _narrow(*path, "--help")
    types = re.findall(r"<[^>\s]*>", text)
    assert not [t for t in types if t == "<bool>" or t.startswith("<list[")], text
    assert re.search(r"--help +Show this", text), text  # a flag shows no value
    command = ROOT
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    names = [o for p in command.params for o in (*p.opts, *p.secondary_opts) if o[:2] == "--"]
    missing = [name for name in names if not re.search(rf"{name}(?![\w-])", text)]
    assert not missing, text  # every option's name whole: --no-account-scores, not --no-acco…
    assert "…" not in text  # and every word of the help (a long URL folds onto the next line)


def test_a_repeatable_option_shows_one_value_and_dots() -> None:
    text = _narrow("registry", "user", "add", "--help")
    assert re.search(r"--scope +<str>\.\.\. ", text), text
    assert re.search(r"--json +Print the result", text), text
    text = _narrow("ingest", "--help")
    assert re.search(r"files\.\.\. +<path> ", text), text


def test_shared_options_name_what_they_take() -> None:
    text = _narrow("screen", "--help")
    assert re.search(r"--since +DATE ", text) and re.search(r"--engine +duckdb\|spark ", text), text
    text = _narrow("network", "trace", "--help")
    assert re.search(r"--engine +duckdb\|memory\|spark ", text), text
