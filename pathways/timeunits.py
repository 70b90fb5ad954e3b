"""Time units a reader sees: which of minutes, hours and days a duration or a limit reads best in.

Shared by the renderers, the number formatter (:mod:`pathways.publish.numbers`) and the models' texts.
"""

from __future__ import annotations

import math

#: Time units a reader sees, with the factor from days and the short suffix's key in :data:`pathways.publish.words.WORDS`.
TIME_UNITS = {"minutes": (1440.0, "minutes_short"), "hours": (24.0, "hours_short"), "days": (1.0, "days_short")}


def time_unit(days) -> str:
    """The unit a set of durations (in days) reads best in: under 2 hours minutes, under 2 days hours, else days.

    Chosen once for a whole column, figure or map from its median (missing and
    infinite values ignored), so every number of it is in the same unit.

    Examples
    --------
    >>> time_unit([0.004, 0.01]), time_unit([0.2, 1.5]), time_unit([3.0, float("nan")]), time_unit([])
    ('minutes', 'hours', 'days', 'days')
    """
    values = [float(v) for v in ([days] if isinstance(days, (int, float)) else days)
              if v is not None and math.isfinite(float(v))]
    if not values:
        return "days"
    median = sorted(values)[len(values) // 2] if len(values) % 2 else \
        (sorted(values)[len(values) // 2 - 1] + sorted(values)[len(values) // 2]) / 2
    return "minutes" if median < 2 / 24 else "hours" if median < 2 else "days"


def in_unit(days: float, units: str) -> float:
    """A duration in days expressed in ``units`` (``"minutes"``, ``"hours"`` or ``"days"``)."""
    return float(days) * TIME_UNITS[units][0]


def limit_unit(days: float) -> str:
    """The unit a limit (in days) was most likely given in: days when it is whole days, else hours, else minutes.

    Examples
    --------
    >>> limit_unit(30.0), limit_unit(28.0), limit_unit(1 / 24), limit_unit(1.5), limit_unit(90 / 1440)
    ('days', 'days', 'hours', 'hours', 'minutes')
    """
    return next((u for u in ("days", "hours") if abs(in_unit(days, u) - round(in_unit(days, u))) < 1e-9),
                "minutes")


__all__ = ["TIME_UNITS", "time_unit", "in_unit", "limit_unit"]
