"""Species distribution from presence-only records: MaxEnt through elapid, with spatially
blocked cross-validation. See docs/occupancy.md."""

from onca.ecology.distribution._maxent import DistributionFit, fit_maxent, suitability_png
from onca.ecology.distribution._rasters import RasterStack, project, read_occurrences, read_rasters

__all__ = [
    "DistributionFit",
    "RasterStack",
    "fit_maxent",
    "project",
    "read_occurrences",
    "read_rasters",
    "suitability_png",
]
