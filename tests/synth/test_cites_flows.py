"""The legal trade flows of synth/cites_flows.csv behind the CITES records."""

from __future__ import annotations

from pathlib import Path

import pytest

from onca.contract import code_set
from onca.errors import ParameterError
from onca.synth._cites import FLOWS, MIRROR_GAPS, OVER_CAPACITY, SHIFT, load_flows

HEADER = "taxon,class,order,family,term,unit,exporter,importer,source,yearly_quantity\n"


def test_the_shipped_flows_hang_together() -> None:
    taxa = [f[0] for f in FLOWS]
    assert len(taxa) == len(set(taxa)) == 11
    countries = code_set(["countries"])
    assert all(f[6] in countries and f[7] in countries for f in FLOWS)
    assert {f[8] for f in FLOWS} <= code_set(["cites_sources"])
    planted = {t for t, _, _ in MIRROR_GAPS} | {SHIFT[0], OVER_CAPACITY[0]}
    assert planted <= set(taxa)
    assert FLOWS[-1] == (
        "Aliger gigas",
        "Gastropoda",
        "Littorinimorpha",
        "Strombidae",
        "meat",
        "kg",
        "HN",
        "US",
        "W",
        20000.0,
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Boa constrictor,Reptilia,Squamata,Boidae,live,,GY,US,W,lots", "'lots' is not a number"),
        ("Boa constrictor,Reptilia,Squamata,Boidae,live,,GY,US,W,-1", "must be above 0"),
        ("Boa constrictor,Reptilia,Squamata,Boidae,live,,,US,W,800", "every column but unit"),
        ("Boa constrictor,Reptilia", "line 2: expected 10 fields, found 2"),
    ],
)
def test_a_bad_row_is_named(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "flows.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        load_flows(path)
