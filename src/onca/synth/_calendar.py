"""When ordinary payments happen: hourly intensities per kind of payment over the scenario period.

Each kind of payment has a rhythm: card spending by day of week and hour, salaries at the end of
the month (and mid-month), bills early in the month, business payments on working days. The
period is 2023-01-01 to 2024-12-31, in hours (UTC); rhythms are set in local time UTC-5.

Times are drawn by stratified inverse sampling of the cumulative intensity: transaction ``i`` of
``n`` gets the time where the cumulative intensity reaches ``(i + U) / n``, so the rows come out
sorted by time, and any block of rows can be drawn without the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from onca.synth._text import day_number

PERIOD_START_DAY = day_number(2023, 1, 1)
PERIOD_DAYS = 731
PERIOD_START = PERIOD_START_DAY * 86_400
"""First second of the period (seconds since 1970-01-01, UTC)."""
PERIOD_END = PERIOD_START + PERIOD_DAYS * 86_400
HOURS = PERIOD_DAYS * 24
LOCAL_OFFSET_HOURS = -5

_RETAIL_HOURS = np.array(
    [
        0.15,
        0.08,
        0.05,
        0.04,
        0.05,
        0.1,
        0.3,
        0.6,
        0.9,
        1.0,
        1.1,
        1.3,
        1.5,
        1.3,
        1.1,
        1.1,
        1.2,
        1.4,
        1.6,
        1.6,
        1.3,
        0.9,
        0.5,
        0.3,
    ]
)
_OFFICE_HOURS = np.array(
    [0.02] * 7
    + [0.3, 1.0, 1.2, 1.2, 1.1, 0.8, 1.0, 1.2, 1.1, 1.0, 0.6]
    + [0.1, 0.05, 0.04, 0.03, 0.02, 0.02]
)
_EVENING_HOURS = np.roll(_RETAIL_HOURS, 1)
_RETAIL_WEEK = np.array([0.9, 0.9, 0.95, 1.0, 1.25, 1.4, 0.9])  # Monday first
_OFFICE_WEEK = np.array([1.1, 1.0, 1.0, 1.0, 1.0, 0.12, 0.04])
_FAMILY_WEEK = np.array([0.8, 0.8, 0.9, 1.0, 1.2, 1.5, 1.2])


@dataclass(frozen=True)
class Rhythm:
    """Relative intensity by local hour of day (24), day of week (7), and day of month."""

    hours: np.ndarray
    week: np.ndarray
    month: str  # 'flat', 'payday', 'early', 'remittance', 'after_payday'
    december: float = 1.0


def _month_profile(kind: str, dom: np.ndarray, days_in_month: np.ndarray) -> np.ndarray:
    if kind == "payday":
        last_days = dom >= days_in_month - 1
        return np.where(last_days, 14.0, np.where(dom == 15, 5.0, np.where(dom == 1, 3.0, 0.05)))
    if kind == "early":
        return np.where(dom <= 10, 2.5, 0.6)
    if kind == "remittance":
        return np.where((dom <= 5) | ((dom >= 15) & (dom <= 17)), 1.7, 1.0)
    if kind == "after_payday":
        return np.where((dom <= 5) | (dom >= days_in_month - 1), 1.6, 1.0)
    return np.ones_like(dom, dtype=np.float64)


class Calendar:
    """Hourly intensities for payment kinds with given ``shares`` (fractions summing to 1)."""

    def __init__(self, rhythms: list[Rhythm], shares: np.ndarray) -> None:
        hour_index = np.arange(HOURS)
        local = hour_index + LOCAL_OFFSET_HOURS
        day = PERIOD_START_DAY + np.floor_divide(local, 24)
        hour_of_day = np.mod(local, 24)
        dates = day.astype("datetime64[D]")
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
        months = dates.astype("datetime64[M]")
        dom = (dates - months).astype(np.int64) + 1
        days_in_month = (months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")
        days_in_month = days_in_month.astype(np.int64)
        december = months.astype(np.int64) % 12 == 11
        trend = 1.0 + 0.15 * hour_index / HOURS
        columns = []
        for rhythm, share in zip(rhythms, shares, strict=True):
            shape = rhythm.hours[hour_of_day] * rhythm.week[weekday] * trend
            shape = shape * _month_profile(rhythm.month, dom, days_in_month)
            shape = shape * np.where(december, rhythm.december, 1.0)
            columns.append(share * shape / shape.mean())
        intensity = np.stack(columns, axis=1)  # (HOURS, kinds)
        total = intensity.sum(axis=1)
        self.hourly_total = total
        self.cumulative = np.concatenate([[0.0], np.cumsum(total)])
        self.kind_cdf = np.cumsum(intensity / total[:, None], axis=1)
        self.kind_cdf[:, -1] = 1.0

    def times(self, quantiles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Seconds since the epoch and hour index for cumulative-intensity ``quantiles`` in [0, 1)."""
        target = quantiles * self.cumulative[-1]
        hour = np.searchsorted(self.cumulative, target, side="right") - 1
        hour = np.clip(hour, 0, HOURS - 1)
        frac = (target - self.cumulative[hour]) / self.hourly_total[hour]
        seconds = PERIOD_START + np.floor((hour + np.clip(frac, 0.0, 0.999999)) * 3600)
        return seconds.astype(np.int64), hour

    def kinds(self, hour: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Kind of payment for rows at ``hour``, given uniforms ``u``."""
        cdf = self.kind_cdf[hour]
        return (u[:, None] >= cdf).sum(axis=1).astype(np.int64)


RETAIL = Rhythm(_RETAIL_HOURS, _RETAIL_WEEK, "after_payday", december=1.35)
PERSONAL = Rhythm(_EVENING_HOURS, _FAMILY_WEEK, "after_payday")
OFFICE = Rhythm(_OFFICE_HOURS, _OFFICE_WEEK, "flat")
PAYROLL = Rhythm(_OFFICE_HOURS, _OFFICE_WEEK, "payday")
BILLS = Rhythm(_RETAIL_HOURS, _RETAIL_WEEK, "early")
FAMILY = Rhythm(_EVENING_HOURS, _FAMILY_WEEK, "remittance")
ROUND_THE_CLOCK = Rhythm(np.ones(24), np.ones(7), "flat")
