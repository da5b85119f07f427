"""Site occupancy: where a species lives, corrected for imperfect detection (MacKenzie et al.
2002; Royle and Nichols 2003). See docs/occupancy.md."""

from onca.ecology.occupancy._data import DetectionHistory, camtrap_history, read_history_csv
from onca.ecology.occupancy._gof import GofResult, mb_gof
from onca.ecology.occupancy._models import MODELS, Occupancy

__all__ = [
    "MODELS",
    "DetectionHistory",
    "GofResult",
    "Occupancy",
    "camtrap_history",
    "mb_gof",
    "read_history_csv",
]
