"""onca.synth._csvfile: the side scenarios' CSV files, header first, in the csv module's dialect."""

from __future__ import annotations

from pathlib import Path

import pytest

from onca.synth._csvfile import csv_table, write_csv


def test_write_csv_puts_the_header_first_and_quotes_as_needed(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv(path, ["a", "b"], [[1, "x,y"], ["é", ""]])
    assert path.read_bytes() == 'a,b\r\n1,"x,y"\r\né,\r\n'.encode()


def test_no_rows_leaves_only_the_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    write_csv(path, ["mediaID", "deploymentID"], [])
    assert path.read_bytes() == b"mediaID,deploymentID\r\n"


def test_csv_table_closes_the_file_when_the_body_raises(tmp_path: Path) -> None:
    path = tmp_path / "partial.csv"
    with pytest.raises(RuntimeError), csv_table(path, ["a"]) as writer:
        writer.writerow([1])
        raise RuntimeError("stop")
    assert path.read_bytes() == b"a\r\n1\r\n"
