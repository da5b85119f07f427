"""onca.ecology._coords.read_lat_lon: numbers on the globe, or an error naming the row."""

from __future__ import annotations

import pytest

from onca.ecology._coords import read_lat_lon
from onca.errors import InputFileError


def test_reads_decimal_degrees() -> None:
    assert read_lat_lon("-17.5", "-56.25", "f.csv line 2") == (-17.5, -56.25)


def test_the_poles_and_the_antimeridian_are_on_the_globe() -> None:
    assert read_lat_lon("90", "-180", "f.csv line 2") == (90.0, -180.0)


def test_text_that_is_no_number_names_the_row() -> None:
    with pytest.raises(InputFileError, match=r"f\.csv line 3: latitude and longitude must be"):
        read_lat_lon("17°S", "-56.25", "f.csv line 3")


@pytest.mark.parametrize(("lat", "lon"), [("91", "0"), ("0", "180.5"), ("-90.1", "-181")])
def test_off_the_globe_names_the_row_and_the_values(lat: str, lon: str) -> None:
    with pytest.raises(InputFileError, match=r"f\.csv line 4: latitude .* are out of range"):
        read_lat_lon(lat, lon, "f.csv line 4")
