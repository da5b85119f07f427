"""Species distribution from presence-only records: MaxEnt through elapid, with spatially
blocked cross-validation (:class:`MaxEnt`). See docs/occupancy.md."""

from onca.ecology.distribution._maxent import MaxEnt, suitability_png
from onca.ecology.distribution._rasters import RasterStack, project, read_occurrences, read_rasters

__all__ = [
    "MaxEnt",
    "RasterStack",
    "project",
    "read_occurrences",
    "read_rasters",
    "suitability_png",
]
