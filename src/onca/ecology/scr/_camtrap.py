"""Capture histories from Camtrap DP: camera stations as proximity (or count) detectors,
occasions of a chosen length, effort from the deployment periods, animals from
``individualID``."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import numpy as np

from onca.ecology._camtrap import CamtrapSurvey, read_camtrap_dp
from onca.ecology.scr._data import CaptureHistory, Traps
from onca.errors import OncaWarning, ParameterError


def camtrap_capthist(survey: CamtrapSurvey, *, detector: str = "proximity") -> CaptureHistory:
    """The identified animals of ``survey`` as a capture history. ``detector``: 'proximity'
    (detected or not per station and occasion: the usual choice for cameras) or 'count'
    (observations per station and occasion). Observations without an ``individualID`` cannot
    enter SCR: they are counted in ``survey.skipped`` and warned about."""
    if detector not in ("proximity", "count"):
        raise ParameterError(
            f"detector: camera stations are 'proximity' or 'count' detectors, got {detector!r}"
        )
    identified = [d for d in survey.detections if d.individual]
    unidentified = len(survey.detections) - len(identified)
    if unidentified:
        survey.skipped["no individualID"] = unidentified
        warnings.warn(
            f"{unidentified} of {len(survey.detections)} observations of {survey.species} have"
            " no individualID and are left out of the capture history",
            OncaWarning,
            stacklevel=2,
        )
    if not identified:
        raise ParameterError(
            f"no observation of {survey.species} in {survey.folder} has an individualID:"
            " spatial capture-recapture needs identified animals (use occupancy instead)"
        )
    animals = sorted({str(d.individual) for d in identified})
    row = {a: i for i, a in enumerate(animals)}
    counts = np.zeros((len(animals), survey.occasions, len(survey.stations)), dtype=np.int64)
    sexes: dict[str, Counter[str]] = {a: Counter() for a in animals}
    for d in identified:
        counts[row[str(d.individual)], d.occasion, d.station] += 1
        if d.sex:
            sexes[str(d.individual)][d.sex] += 1
    if detector == "proximity":
        counts = np.minimum(counts, 1)
    sex = np.array([c.most_common(1)[0][0] if c else "unknown" for c in sexes.values()], object)
    traps = Traps(survey.stations, survey.xy, detector, survey.effort)
    return CaptureHistory(traps, tuple(animals), counts, {"sex": sex})


def read_camtrap_capthist(
    folder: Path | str,
    species: str,
    *,
    occasion_days: float = 1.0,
    detector: str = "proximity",
    crs: str | None = None,
) -> tuple[CaptureHistory, CamtrapSurvey]:
    """:func:`read_camtrap_dp` then :func:`camtrap_capthist`."""
    survey = read_camtrap_dp(folder, species, occasion_days=occasion_days, crs=crs)
    return camtrap_capthist(survey, detector=detector), survey
