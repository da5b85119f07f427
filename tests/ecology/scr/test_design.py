"""The survey's design as the files declare it: occasions (declared, from usage columns, or from
the last detection, with warnings where that may be wrong), deaths and removals (secr's negative
occasion), and ``onca density`` with --occasions and several sessions."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from onca.cli import app
from onca.ecology.scr import SCR, CaptureHistory, Sessions, parse_occasions, read_secr, read_traps
from onca.errors import InputFileError, OncaWarning, ParameterError

TRAPS = "A 0 0\nB 100 0\nC 0 100\nD 100 100\n"
runner = CliRunner()


def files(tmp_path: Path, captures: str, traps: str = TRAPS) -> tuple[Path, Path]:
    (tmp_path / "trap.txt").write_text(traps)
    (tmp_path / "capt.txt").write_text(captures)
    return tmp_path / "trap.txt", tmp_path / "capt.txt"


def read_quietly(*args: object, **kwargs: object) -> CaptureHistory | Sessions:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read_secr(*args, **kwargs)  # type: ignore[arg-type]


# -- deaths and removals ----------------------------------------------------------------------


def test_a_negative_occasion_is_a_death(tmp_path: Path) -> None:
    t, c = files(tmp_path, "1 a1 1 A\n1 a1 -2 B\n1 a2 1 C\n1 a2 3 D\n")
    ch = read_quietly(t, c)
    assert isinstance(ch, CaptureHistory) and ch.occasions == 3
    assert ch.removed is not None and ch.removed.tolist() == [1, -1]
    assert ch.counts[0, 1, 1] == 1 and ch.detections == 4  # the death is a detection
    assert ch.available.tolist() == [[True, True, False], [True, True, True]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 a1 -1 A\n1 a1 2 B\n", r"line 2: animal a1 is detected on occasion 2, after it died"),
        ("1 a1 -1 A\n1 a1 -2 B\n", r"line 2: animal a1 died or was removed on occasion 1"),
    ],
)
def test_detections_after_a_death_are_named(tmp_path: Path, text: str, message: str) -> None:
    t, c = files(tmp_path, text)
    with pytest.raises(InputFileError, match=message):
        read_secr(t, c, fmt="trapID")


def test_removed_is_checked_in_python() -> None:
    from onca.ecology.scr import Traps

    traps = Traps(("A", "B"), np.array([[0.0, 0.0], [50.0, 0.0]]))
    counts = np.zeros((1, 3, 2), dtype=np.int64)
    counts[0, 2, 0] = 1
    with pytest.raises(ParameterError, match="detected on occasion 3, after it died or was"):
        CaptureHistory(traps, ("a",), counts, removed=np.array([0]))
    with pytest.raises(ParameterError, match="removed: occasions run from 0 to 2"):
        CaptureHistory(traps, ("a",), counts, removed=np.array([3]))


# -- occasions --------------------------------------------------------------------------------


def test_declared_occasions_beyond_the_last_detection(tmp_path: Path) -> None:
    """A survey whose last night caught nothing: declared, it has its 4 occasions and a lower
    detection probability per occasion at the same data."""
    t, c = files(tmp_path, "1 a1 1 A\n1 a1 2 B\n1 a2 3 C\n")
    inferred, declared = read_quietly(t, c), read_quietly(t, c, occasions=4)
    assert isinstance(inferred, CaptureHistory) and isinstance(declared, CaptureHistory)
    assert (inferred.occasions, declared.occasions) == (3, 4)
    assert declared.counts[:, 3].sum() == 0
    values = {"D": 1.0, "g0": 0.2, "sigma": 60.0}
    assert SCR(buffer=150).loglik(declared, values) < SCR(buffer=150).loglik(inferred, values)


def test_usage_columns_fix_the_occasions(tmp_path: Path) -> None:
    for usage in ("1 1 1 1 1", "11111", "1,1,1,1,1", "1 1 1 1 1 / 2.5"):
        traps = "".join(f"{k} {x} {y} {usage}\n" for k, x, y in [("A", 0, 0), ("B", 100, 0)])
        t, c = files(tmp_path, "1 a1 1 A\n1 a1 2 B\n", traps)
        ch = read_quietly(t, c)
        assert isinstance(ch, CaptureHistory) and ch.occasions == 5, usage
    traps = "A 0 0 1 0.5 1\nB 100 0 1 1 0\n"  # decimal usage: effort per occasion
    assert read_traps(files(tmp_path, "", traps)[0]).usage.tolist() == [[1, 0.5, 1], [1, 1, 0]]
    t, c = files(tmp_path, "1 a1 1 A\n", "A 0 0 111\nB 100 0 1111\n")
    with pytest.raises(InputFileError, match=r"usage has different numbers of occasions .*3, 4"):
        read_secr(t, c)
    t, c = files(tmp_path, "1 a1 1 A\n", "A 0 0 1 1 x\nB 100 0 1 1 1\n")
    with pytest.raises(InputFileError, match=r"line 1: usage must be a string of digits"):
        read_secr(t, c)


def test_declared_occasions_must_agree_with_usage(tmp_path: Path) -> None:
    t, c = files(tmp_path, "1 a1 1 A\n", "A 0 0 111\nB 100 0 111\n")
    with pytest.raises(ParameterError, match="4 declared, but the trap file's usage has 3"):
        read_secr(t, c, occasions=4)
    t, c = files(tmp_path, "1 a1 4 A\n", "A 0 0 111\nB 100 0 111\n")
    with pytest.raises(InputFileError, match=r"occasion 4 is out of range .* from the trap file"):
        read_secr(t, c)


def test_a_session_whose_last_nights_caught_nothing_is_warned_about(tmp_path: Path) -> None:
    t, c = files(tmp_path, "2019 a1 1 A\n2019 a1 2 B\n2020 b1 1 A\n2020 b1 3 C\n2020 b2 3 D\n")
    with pytest.warns(
        OncaWarning,
        match=r"session 2019: its 2 occasions are taken from its last"
        r" detection, and another session has 3.*--occasions.*2019=3",
    ):
        ss = read_secr(t, c)
    assert isinstance(ss, Sessions) and ss.occasions == (2, 3)
    declared = read_quietly(t, c, occasions={"2019": 3, "2020": 3})
    assert isinstance(declared, Sessions) and declared.occasions == (3, 3)
    assert read_quietly(t, c, occasions=[2, 3]).occasions == (2, 3)


def test_a_count_given_for_every_session_that_leaves_one_empty_is_warned_about(
    tmp_path: Path,
) -> None:
    t, c = files(tmp_path, "1 a1 1 A\n1 a1 2 B\n2 b1 1 A\n2 b1 4 C\n")
    with pytest.warns(
        OncaWarning,
        match=r"session 1: no detections after occasion 2 of 4; the 4"
        r" occasions come from the number given for every session",
    ):
        read_secr(t, c, occasions=4)
    usage = "A 0 0 1111\nB 100 0 1111\nC 0 100 1111\nD 100 100 1111\n"
    t, c = files(tmp_path, "1 a1 1 A\n1 a1 2 B\n2 b1 1 A\n2 b1 4 C\n", usage)
    with pytest.warns(OncaWarning, match="come from the trap file's usage for every session"):
        read_secr(t, c)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10", 10), ("9,10,10", [9, 10, 10]), ("2005=9, 2006=10", {"2005": 9, "2006": 10})],
)
def test_parse_occasions(text: str, expected: object) -> None:
    assert parse_occasions(text) == expected


@pytest.mark.parametrize("text", ["", "ten", "9,2006=10", "2005=x"])
def test_parse_occasions_refuses(text: str) -> None:
    with pytest.raises(ParameterError, match="--occasions: expected a whole number"):
        parse_occasions(text)


# -- the command line -------------------------------------------------------------------------


@pytest.mark.slow
def test_cli_occasions_and_deaths(captdata_files: tuple[Path, Path], tmp_path: Path) -> None:
    """captdata with a sixth night that caught nothing and one animal that died when last
    caught: --occasions 6 is honoured, the death read, and g0 per night falls."""
    lines = captdata_files[1].read_text().splitlines()
    last = max(i for i, line in enumerate(lines) if line.split()[1:2] == ["1"])
    cols = lines[last].split()
    lines[last] = " ".join([cols[0], cols[1], "-" + cols[2], *cols[3:]])
    (tmp_path / "capt.txt").write_text("\n".join(lines) + "\n")
    args = ["density", "--traps", str(captdata_files[0]), "--captures", str(tmp_path / "capt.txt")]
    args += ["--detector", "multi", "--buffer", "100", "--nx", "32", "--json"]
    result = runner.invoke(app, [*args, "--occasions", "6"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["n_occasions"] == 6 and payload["n_animals"] == 76
    assert payload["estimates"]["g0"]["estimate"] < 0.27319 * 0.9  # 5 nights: 0.27319
    bad = runner.invoke(app, [*args, "--occasions", "three"])
    assert bad.exit_code != 0 and "--occasions: expected a whole number" in bad.output


@pytest.mark.slow
def test_cli_sessions() -> None:
    data = Path(__file__).resolve().parents[1] / "data" / "ovenbird"
    args = ["density", "--traps", str(data / "trap.txt"), "--captures", str(data / "capt.txt")]
    args += ["--occasions", "9,10,10,10,10", "--buffer", "300", "--spacing", "60"]
    result = runner.invoke(app, [*args, "-m", "D~session"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert (
        "by session" in result.output and "103 animals, 192 detections, 5 sessions" in result.output
    )
    for year, animals, occasions in [("2005", 20, 9), ("2009", 16, 10)]:
        row = next(line for line in result.output.splitlines() if f" {year} " in line)
        assert f" {animals} " in row and f" {occasions} " in row
    assert "Warning" not in result.output


def test_cli_session_covariates(tmp_path: Path, captdata_files: tuple[Path, Path]) -> None:
    data = Path(__file__).resolve().parents[1] / "data" / "ovenbird"
    covs = tmp_path / "years.csv"
    covs.write_text("session,rain\n2005,1\n2006,2\n2007,0.5\n2008,3\n2009,1\n")
    args = ["density", "--traps", str(data / "trap.txt"), "--captures", str(data / "capt.txt")]
    args += ["--occasions", "9,10,10,10,10", "--buffer", "300", "--spacing", "90", "--json"]
    result = runner.invoke(app, [*args, "--session-covs", str(covs), "-m", "D~rain"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert "D.rain" in payload["coefficients"]
    assert payload["session_covs"] == str(covs)
    one = ["density", "--traps", str(captdata_files[0]), "--captures", str(captdata_files[1])]
    refused = runner.invoke(app, [*one, "--session-covs", str(covs)])
    assert refused.exit_code != 0 and "need several" in refused.output
