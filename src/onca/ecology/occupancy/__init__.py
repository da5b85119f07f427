"""Site occupancy: where a species lives, corrected for imperfect detection (MacKenzie et al.
2002; Royle and Nichols 2003), and how that changes over seasons (MacKenzie et al. 2003). See
docs/occupancy.md."""

from onca.ecology._intervals import ProfileInterval, parametric_bootstrap, profile_ci
from onca.ecology.occupancy._data import DetectionHistory, camtrap_history, read_history_csv
from onca.ecology.occupancy._dynamic import DynamicOccupancy
from onca.ecology.occupancy._gof import GofResult, mb_gof
from onca.ecology.occupancy._models import MODELS, Occupancy
from onca.ecology.occupancy._seasons import SeasonalHistory, camtrap_seasons, read_seasons_csv

__all__ = [
    "MODELS",
    "DetectionHistory",
    "DynamicOccupancy",
    "GofResult",
    "Occupancy",
    "ProfileInterval",
    "SeasonalHistory",
    "camtrap_history",
    "camtrap_seasons",
    "mb_gof",
    "parametric_bootstrap",
    "profile_ci",
    "read_history_csv",
    "read_seasons_csv",
]
