"""Ecology: how many of the trafficked species there are and where. ``onca.ecology.scr``:
density from camera traps by spatial capture-recapture; ``read_camtrap_dp``: Camtrap DP
packages for any analysis."""

from onca.ecology._camtrap import CamtrapSurvey, Detection, read_camtrap_dp

__all__ = ["CamtrapSurvey", "Detection", "read_camtrap_dp"]
