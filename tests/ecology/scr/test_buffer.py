"""The science the CLI used to do itself, now in the library: the default buffer, mask
covariates, and the buffer check on masks built by ``make_mask``."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import box

from onca.ecology.scr import (
    SCR,
    CaptureHistory,
    Traps,
    add_mask_covariates,
    auto_buffer,
    make_mask,
    rpsv,
)
from onca.errors import InputFileError, OncaWarning


def test_auto_buffer(captdata: CaptureHistory) -> None:
    assert rpsv(captdata) == pytest.approx(25.62888, rel=1e-5)
    assert auto_buffer(captdata) == 100.0  # 4 x 25.6 = 102.5, to two figures
    traps = Traps(("A", "B"), np.array([[0.0, 0.0], [300.0, 0.0]]))
    counts = np.zeros((2, 1, 2), dtype=np.int64)
    counts[0, 0, 0] = counts[1, 0, 1] = 1  # nobody seen twice: a quarter of the span
    assert rpsv(CaptureHistory(traps, ("a", "b"), counts)) is None
    assert auto_buffer(CaptureHistory(traps, ("a", "b"), counts)) == 300.0


def test_mask_covariates(tmp_path: Path) -> None:
    traps = Traps(("A", "B"), np.array([[0.0, 0.0], [1000.0, 0.0]]))
    mask = make_mask(traps, buffer=500, nx=10)
    plain = add_mask_covariates(mask)
    assert plain.covariates["x"].mean() == pytest.approx(0.0, abs=1e-12)  # km from the centre
    assert np.ptp(plain.covariates["x"]) == pytest.approx(np.ptp(mask.xy[:, 0]) / 1000)
    table = tmp_path / "forest.csv"
    table.write_text("x,y,forest\n-1000,0,0.1\n2000,0,0.9\n")
    covered = add_mask_covariates(mask, table)
    west = mask.xy[:, 0] < 500
    assert covered.covariates["forest"][west].tolist() == [0.1] * int(west.sum())
    assert covered.covariates["forest"][~west].tolist() == [0.9] * int((~west).sum())
    assert (covered.buffer, covered.type) == (500.0, "trapbuffer")  # kept for the buffer check
    (tmp_path / "bad.csv").write_text("x,y,forest\n0,0,dense\n")
    with pytest.raises(InputFileError, match=r"bad\.csv: every value must be a number"):
        add_mask_covariates(mask, tmp_path / "bad.csv")
    (tmp_path / "nocoords.csv").write_text("easting,northing\n0,0\n")
    with pytest.raises(InputFileError, match="expected columns x, y and covariates"):
        add_mask_covariates(mask, tmp_path / "nocoords.csv")
    with pytest.raises(InputFileError, match="cannot read it"):
        add_mask_covariates(mask, tmp_path / "missing.csv")


def test_buffer_check_on_a_given_mask(captdata: CaptureHistory) -> None:
    """A mask from make_mask is checked as the estimator's own is; a habitat-clipped one is
    not (its edge is habitat, not a buffer)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        own = SCR(buffer=30).fit(captdata)
        given = SCR().fit(captdata, make_mask(captdata.traps, buffer=30))
        lo, hi = captdata.traps.xy.min(axis=0), captdata.traps.xy.max(axis=0)
        habitat = box(lo[0] - 100, lo[1] - 100, hi[0] + 100, hi[1] + 100)
        clipped = SCR().fit(captdata, make_mask(captdata.traps, buffer=100, polygon=habitat))
    assert given.buffer_bias_ == own.buffer_bias_ and own.buffer_bias_ > 0.05
    assert any("HN: predicted relative bias of D" in w for w in given.warnings_)
    assert clipped.buffer_bias_ is None and clipped.to_dict()["buffer_bias"] is None
