"""The pieces commands share: options declared once (cli/_options) and output helpers
(cli/_common)."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from typer.testing import CliRunner

from onca.cli import _common
from onca.cli._camtrap import OccasionDaysOption, SpeciesOption, camtrap_species
from onca.cli._common import numbers_table, print_result, recording_warnings, write_pictures
from onca.cli._options import (
    WorkspaceArg,
    date_option,
    out_option,
    parse_date,
    plots_option,
    seed_option,
)
from onca.errors import OncaWarning, ParameterError


def test_parse_date_reads_dates_and_times_as_naive_utc() -> None:
    assert parse_date(None, "--since") is None
    assert parse_date("2024-01-31", "--since") == dt.datetime(2024, 1, 31)
    assert parse_date("2024-01-31T12:00+02:00", "--until") == dt.datetime(2024, 1, 31, 10, 0)


def test_parse_date_names_the_option_and_the_value() -> None:
    with pytest.raises(ParameterError, match=r"--until: expected a date .* got '31/01/2024'"):
        parse_date("31/01/2024", "--until")


def test_camtrap_species_is_required() -> None:
    assert camtrap_species("Panthera onca") == "Panthera onca"
    for missing in (None, ""):
        with pytest.raises(ParameterError, match="--camtrap-dp needs --species"):
            camtrap_species(missing)


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def cmd(
        workspace: WorkspaceArg,
        out_path: Annotated[Path, out_option("Where to write.", "-o")],
        since: Annotated[str | None, date_option("From this date.")] = None,
        seed: Annotated[int, seed_option("The seed.")] = 3,
        plots: Annotated[Path | None, plots_option("Pictures.")] = None,
        species: SpeciesOption = None,
        occasion_days: OccasionDaysOption = 7.0,
    ) -> None:
        print(
            json.dumps(
                {
                    "workspace": str(workspace),
                    "out": str(out_path),
                    "since": since,
                    "seed": seed,
                    "plots": None if plots is None else str(plots),
                    "species": species,
                    "occasion_days": occasion_days,
                }
            )
        )

    return app


def test_shared_options_keep_their_names() -> None:
    args = ["w.duckdb", "-o", "x.csv", "--since", "2024-01-01", "--seed", "5", "--plots", "p"]
    args += ["--species", "jaguar", "--occasion-days", "2"]
    res = CliRunner().invoke(_app(), args)
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == {
        "workspace": "w.duckdb",
        "out": "x.csv",
        "since": "2024-01-01",
        "seed": 5,
        "plots": "p",
        "species": "jaguar",
        "occasion_days": 2.0,
    }
    res = CliRunner().invoke(_app(), ["w.duckdb", "--out", "y.csv"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["seed"] == 3 and json.loads(res.output)["occasion_days"] == 7.0


def test_numbers_table_aligns_figures_right() -> None:
    table = numbers_table("counts", ("file", "read", "written"))
    assert table.title == "counts" and table.title_justify == "left"
    assert [c.header for c in table.columns] == ["file", "read", "written"]
    assert [c.justify for c in table.columns] == ["left", "right", "right"]
    assert numbers_table(None, ("a",)).title is None


def test_recording_warnings_keeps_distinct_onca_warnings_in_order() -> None:
    with recording_warnings() as messages:
        warnings.warn("first", OncaWarning, stacklevel=1)
        warnings.warn("second", OncaWarning, stacklevel=1)
        warnings.warn("first", OncaWarning, stacklevel=1)
        warnings.warn("not ours", UserWarning, stacklevel=1)
        assert messages == []  # filled once the block has run
    assert messages == ["first", "second"]


def test_recording_warnings_turns_errors_into_exit_2() -> None:
    with pytest.raises(typer.Exit) as exited, recording_warnings():
        raise ParameterError("--x: bad")
    assert exited.value.exit_code == 2


def test_write_pictures_creates_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    written = write_pictures(folder, {"one.png": b"1", "two.png": b"22"})
    assert written == [str(folder / "one.png"), str(folder / "two.png")]
    assert (folder / "two.png").read_bytes() == b"22"
    (tmp_path / "file").write_text("")
    with pytest.raises(ParameterError, match=r"--plots .*file"):
        write_pictures(tmp_path / "file" / "sub", {"x.png": b""})


def test_print_result_json_or_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    payload: dict[str, Any] = {"n": 1, "warnings": ["careful"], "plots": ["p.png"]}
    printed: list[Any] = []
    print_result(payload, True, printed.append)
    assert json.loads(capsys.readouterr().out) == payload and printed == []

    lines: list[str] = []
    monkeypatch.setattr(_common.err, "print", lambda text, **_: lines.append(text))
    print_result(payload, False, printed.append)
    assert printed == [payload]
    assert lines == ["[yellow]warning:[/] careful", "wrote p.png"]
