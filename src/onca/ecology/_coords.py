"""Coordinates read from the rows of a survey file (camera deployments, occurrence records)."""

from __future__ import annotations

from onca.errors import InputFileError


def read_lat_lon(latitude: str, longitude: str, where: str) -> tuple[float, float]:
    """(latitude, longitude) in decimal degrees from their text; InputFileError naming ``where``
    (file and line) when either is not a number or they lie off the globe."""
    try:
        lat, lon = float(latitude), float(longitude)
    except ValueError:
        raise InputFileError(f"{where}: latitude and longitude must be numbers") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputFileError(f"{where}: latitude {lat}, longitude {lon} are out of range")
    return lat, lon
