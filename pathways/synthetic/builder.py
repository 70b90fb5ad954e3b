"""Vectorised building blocks for scenarios: calendar helpers and the event builder.

Time inside the generator is a float number of days since ``EPOCH``
(2000-01-03, a Monday), so ``floor(t) % 7`` is the weekday (0 = Monday) and
``(t % 1) * 24`` the hour. Emitted times are rounded to whole minutes
(int64 minutes since ``EPOCH``). Every helper works on numpy arrays over all
patients of one scenario at once; nothing loops over patients or events.
"""

from __future__ import annotations

import numpy as np

from .vocabulary import A, U

EPOCH = np.datetime64("2000-01-03T00:00", "m")
MIN_PER_DAY = 1440
NO_TIME = np.iinfo(np.int64).min  # "no end timestamp"

# relative weights of the hour of an emergency contact (0..23); 02:xx is left out
# entirely so that no naive local time falls in a daylight-saving gap or overlap
_EMERGENCY_HOUR_WEIGHTS = np.array(
    [3, 2, 0, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9, 9, 9, 9, 9, 9, 9, 8, 7, 6, 5, 4], dtype=float)
_EMERGENCY_HOUR_P = _EMERGENCY_HOUR_WEIGHTS / _EMERGENCY_HOUR_WEIGHTS.sum()


def to_days(value) -> float:
    """Days since EPOCH of a date-like value (string, date, Timestamp)."""
    stamp = np.datetime64(str(np.datetime64(_as_text(value), "m")), "m")
    return float((stamp - EPOCH).astype(np.int64)) / MIN_PER_DAY


def _as_text(value) -> str:
    import pandas as pd

    return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M")


class Ctx:
    """Random draws, calendar arithmetic and event emission for ``n`` episodes of one scenario.

    Attributes
    ----------
    n : int
        Number of episodes (one per patient) generated together.
    t0 : ndarray
        Start day of each episode (float days since EPOCH).
    age0 : ndarray
        Age in years at ``t0``.
    birth : ndarray
        Birth day (float days since EPOCH, whole days).
    meeting : ndarray
        Day offset (0..13) of the municipality's fortnightly needs-assessment meeting.
    """

    def __init__(self, rng: np.random.Generator, t0, age0, birth, meeting):
        self.rng = rng
        self.n = len(t0)
        self.t0 = np.asarray(t0, dtype=float)
        self.age0 = np.asarray(age0, dtype=float)
        self.birth = np.asarray(birth, dtype=float)
        self.meeting = np.asarray(meeting, dtype=np.int64)
        self._parts: list[tuple] = []
        self._seq = 0

    # --- random draws ------------------------------------------------------------
    def u(self, lo: float, hi: float) -> np.ndarray:
        """Uniform draws in [lo, hi)."""
        return self.rng.uniform(lo, hi, self.n)

    def p(self, prob: float) -> np.ndarray:
        """Boolean mask, True with probability ``prob``."""
        return self.rng.random(self.n) < prob

    def ints(self, lo: int, hi: int) -> np.ndarray:
        """Integers in [lo, hi] (inclusive)."""
        return self.rng.integers(lo, hi + 1, self.n)

    def ln(self, median: float, sigma: float, lo: float | None = None, hi: float | None = None):
        """Lognormal draws with the given median (days), clipped to [lo, hi]."""
        x = self.rng.lognormal(np.log(median), sigma, self.n)
        if lo is not None or hi is not None:
            x = np.clip(x, lo if lo is not None else -np.inf, hi if hi is not None else np.inf)
        return x

    def choice(self, k: int, p) -> np.ndarray:
        """Category index in 0..k-1 with probabilities ``p``."""
        return self.rng.choice(k, size=self.n, p=np.asarray(p, dtype=float) / np.sum(p))

    # --- calendar --------------------------------------------------------------------
    @staticmethod
    def workday(day) -> np.ndarray:
        """The date (whole day) of ``day``, moved from Saturday or Sunday to the next Monday."""
        d = np.floor(day)
        wd = d % 7
        return d + np.where(wd == 5, 2, np.where(wd == 6, 1, 0))

    def work(self, day, lo: float = 8.0, hi: float = 15.5) -> np.ndarray:
        """A time in working hours [lo, hi) on the workday at or after ``day`` (5-minute grid)."""
        hours = np.round(self.u(lo, hi) * 12) / 12
        return self.workday(day) + hours / 24

    def work_after(self, t, delay, lo: float = 8.0, hi: float = 15.5) -> np.ndarray:
        """Working-hours time about ``delay`` days after ``t``, never before ``t`` + 10 minutes."""
        cand = self.work(np.asarray(t) + delay, lo, hi)
        return np.maximum(cand, np.asarray(t) + 10 / MIN_PER_DAY)

    def anyhour(self, day) -> np.ndarray:
        """A time on the date of ``day`` drawn from the hourly profile of emergency contacts."""
        hour = self.rng.choice(24, size=self.n, p=_EMERGENCY_HOUR_P)
        minute = self.rng.integers(0, 60, self.n)
        return np.floor(day) + (hour * 60 + minute) / MIN_PER_DAY

    def hours_after(self, t, lo: float, hi: float) -> np.ndarray:
        """``t`` plus lo..hi hours."""
        return np.asarray(t) + self.u(lo, hi) / 24

    def soon(self, t, lo_min: float = 5, hi_min: float = 30) -> np.ndarray:
        """``t`` plus lo..hi minutes (the next step of the same contact)."""
        return np.asarray(t) + self.u(lo_min, hi_min) / MIN_PER_DAY

    @staticmethod
    def weekday_on_or_after(day, weekday: int) -> np.ndarray:
        """The date of the first ``weekday`` (0 = Monday) on or after ``day``."""
        d = np.floor(day)
        return d + (weekday - d % 7) % 7

    def next_meeting(self, day) -> np.ndarray:
        """Date of the municipality's fortnightly needs-assessment meeting on or after ``day``."""
        d = np.ceil(day)
        return d + (self.meeting - d) % 14

    # --- emission ----------------------------------------------------------------------
    def emit(self, mask, activity, unit, t, *, end=None, referral_to=None, acute=None):
        """Record one event for every episode where ``mask`` is True (None = all).

        ``activity``/``unit``/``referral_to`` are names or per-episode code arrays,
        ``t``/``end`` per-episode float-day arrays (``end`` NaN = none), ``acute`` a
        bool or per-episode bool array (only for admissions).
        """
        idx = np.arange(self.n) if mask is None else np.flatnonzero(mask)
        if idx.size == 0:
            self._seq += 1
            return
        act = _codes(activity, A, idx)
        unt = _codes(unit, U, idx)
        ref = np.full(idx.size, -1, np.int16) if referral_to is None else _codes(referral_to, U, idx)
        minutes = np.rint(np.asarray(t, dtype=float)[idx] * MIN_PER_DAY).astype(np.int64)
        if end is None:
            endm = np.full(idx.size, NO_TIME, np.int64)
        else:
            e = np.asarray(end, dtype=float)[idx]
            endm = np.where(np.isnan(e), NO_TIME,
                            np.rint(np.nan_to_num(e) * MIN_PER_DAY).astype(np.int64))
        if acute is None:
            ac = np.full(idx.size, -1, np.int8)
        elif np.ndim(acute) == 0:
            ac = np.full(idx.size, int(bool(acute)), np.int8)
        else:
            ac = np.asarray(acute, dtype=np.int8)[idx]
        seq = np.full(idx.size, self._seq, np.int32)
        self._seq += 1
        self._parts.append((idx.astype(np.int64), act, unt, minutes, endm, ref, ac, seq))

    def collect(self) -> dict[str, np.ndarray]:
        """All emitted events as column arrays (``ep`` = episode index within this call)."""
        names = ("ep", "act", "unit", "t", "end", "referral_to", "acute", "seq")
        if not self._parts:
            return {k: np.empty(0, dt) for k, dt in zip(names, (np.int64, np.int16, np.int16, np.int64,
                                                                np.int64, np.int16, np.int8, np.int32))}
        return {k: np.concatenate([p[i] for p in self._parts]) for i, k in enumerate(names)}


def _codes(value, table: dict, idx: np.ndarray) -> np.ndarray:
    if isinstance(value, str):
        try:
            return np.full(idx.size, table[value], np.int16)
        except KeyError:
            raise KeyError(f"{value!r} is not in the generator's vocabulary") from None
    return np.asarray(value, dtype=np.int16)[idx]
