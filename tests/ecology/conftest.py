"""Fixtures for ecology: secr's captdata (tests/ecology/data/secr-captdata, with its README)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from onca.ecology.scr import CaptureHistory, read_secr

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def captdata_files() -> tuple[Path, Path]:
    folder = DATA / "secr-captdata"
    return folder / "trap.txt", folder / "capt.txt"


@pytest.fixture(scope="session")
def captdata(captdata_files: tuple[Path, Path]) -> CaptureHistory:
    """secr's captdata: 76 animals, 5 occasions, 100 single-catch traps; covariate sex (1/2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reading it must not warn
        return read_secr(*captdata_files, detector="single", covnames=("sex",))
