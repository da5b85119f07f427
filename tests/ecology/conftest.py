"""Fixtures for ecology: secr's captdata, from the shared reference data beside the repository."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from onca.ecology.scr import CaptureHistory, read_secr

ROOT = Path(__file__).resolve().parents[2]


def shared_data() -> Path:
    """The shared reference data: $ONCA_SHARED_DATA, or ../shared/data beside the checkout."""
    folder = Path(os.environ.get("ONCA_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not (folder / "secr-captdata" / "capt.txt").is_file():
        raise FileNotFoundError(
            f"secr's captdata is not in {folder}/secr-captdata: set ONCA_SHARED_DATA to the"
            " folder holding secr-captdata/ (trap.txt, capt.txt)"
        )
    return folder


@pytest.fixture(scope="session")
def captdata_files() -> tuple[Path, Path]:
    folder = shared_data() / "secr-captdata"
    return folder / "trap.txt", folder / "capt.txt"


@pytest.fixture(scope="session")
def captdata(captdata_files: tuple[Path, Path]) -> CaptureHistory:
    """secr's captdata: 76 animals, 5 occasions, 100 single-catch traps; covariate sex (1/2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reading it must not warn
        return read_secr(*captdata_files, detector="single", covnames=("sex",))
