"""The one number formatter: counts, shares, durations and dates as a report, a diagram or a notebook prints them.

Danish writes ``9.142`` and ``12,5 %`` (thousands dot, decimal comma, a space
before the per cent sign); English writes ``9,142`` and ``12.5%``. Every count
passes through :meth:`Formatter.count`, which prints counts from 1 to
``min_count - 1`` as ``"<5"`` (Danish small-cell practice) and 0 as ``"0"``
(the suppression rule of :mod:`pathways.publish.suppression`: a zero is
published, never hidden), so no sentence, table, map or chart can show a small
cell by accident.
"""

from __future__ import annotations

import math

import pandas as pd

from ..errors import check_choice
from ..timeunits import TIME_UNITS, in_unit, time_unit
from .suppression import check_min_count

LANGUAGES = ("da", "en")


def number(value, language: str, spec: str = "") -> str:
    """``value`` formatted with ``spec``, with Danish marks in Danish (thousands ``.``, decimals ``,``).

    Examples
    --------
    >>> number(12345, "en", ","), number(12345, "da", ","), number(2.5, "da", ".1f")
    ('12,345', '12.345', '2,5')
    """
    text = format(value, spec)
    if language == "da":
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _is_missing(x) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(isinstance(x, float) and math.isnan(x))
    except TypeError:
        return False


class Formatter:
    """Numbers, shares, durations and dates in one language, with small counts suppressed.

    Examples
    --------
    >>> da, en = Formatter("da", 5), Formatter("en", 5)
    >>> da.int(9142), en.int(9142), da.num(12.345), en.pct(0.125, 1), da.pct(0.125, 1)
    ('9.142', '9,142', '12,3', '12.5%', '12,5 %')
    >>> da.count(3), da.count(0), da.count(1234)
    ('<5', '0', '1.234')
    >>> en.share(3, 600), en.share(30, 600), en.share(2, 3)
    ('<1%', '5%', '–')
    >>> da.date(pd.Timestamp("2024-01-01")), en.days(1), da.days(2.4), da.days(27.25), da.days(7.0)
    ('1. januar 2024', '1 day', '2,4 dage', '27 dage', '7 dage')
    >>> da.duration("30D"), en.duration("4W"), da.duration("48h"), en.duration(None), da.duration("1h")
    ('30 dage', '4 weeks', '48 timer', '–', '1 time')
    >>> en.time(9 / 1440), da.time(0.25), en.time(1 / 24, "hours"), da.time(27.25), en.time(0.5, "days")
    ('9 min', '6 timer', '1 hour', '27 dage', '0.5 days')
    >>> da.hours(48), en.hours(1 / 3), en.hours(1)
    ('48 timer', '0.3 hours', '1 hour')
    >>> da.unit_name("minutes"), en.unit_name("hours"), da.time_num(2.4), en.time_num(float("inf"))
    ('minutter', 'hours', '2,4', 'not reached')
    >>> Formatter("en", 1).counted(1, "patient"), en.counted(3, "patient"), da.counted(1, "sequence", suppress=False)
    ('1 patient', '<5 patients', '1 rækkefølge')
    """

    def __init__(self, language: str = "da", min_count: int = 5):
        self.language = check_choice("language", language, LANGUAGES)
        self.min_count = check_min_count(min_count)

    # --- plain numbers (the language's marks, as in the diagrams) --------------------
    def int(self, n) -> str:
        if _is_missing(n):
            return "–"
        return number(int(round(float(n))), self.language, ",")

    def num(self, x, decimals: int = 1) -> str:
        if _is_missing(x):
            return "–"
        x = float(x)
        if math.isinf(x):
            return "∞"
        return number(x, self.language, f",.{decimals}f")

    # --- counts and shares, suppressed -----------------------------------------
    def is_small(self, n) -> bool:
        """A count from 1 to ``min_count - 1``: shown as ``"<5"``."""
        return not _is_missing(n) and 0 < float(n) < self.min_count

    def count(self, n) -> str:
        """A count, or ``"<5"`` when it is from 1 to ``min_count - 1``."""
        if _is_missing(n):
            return "–"
        return f"<{self.min_count}" if self.is_small(n) else self.int(n)

    def pct(self, x, decimals: int = 0) -> str:
        if _is_missing(x):
            return "–"
        text = self.num(float(x) * 100, decimals)
        return f"{text} %" if self.language == "da" else f"{text}%"

    def share(self, num, den, decimals: int = 0) -> str:
        """``num / den`` as a per cent, suppressed with the counts it is made of.

        A denominator from 1 to ``min_count - 1`` gives ``"–"``; a numerator that
        small gives an upper bound (``"<1 %"``), never the exact share.
        """
        if _is_missing(num) or _is_missing(den) or float(den) <= 0 or self.is_small(den):
            return "–"
        if self.is_small(num):
            bound = self.min_count / float(den)
            step = 10 ** -(decimals + 2)
            bound = math.ceil(bound / step - 1e-9) * step
            return "–" if bound >= 1.0 else "<" + self.pct(bound, decimals)
        return self.pct(float(num) / float(den), decimals)

    def counted(self, n, noun: str, *, suppress: bool = True) -> str:
        """A count with its noun (:data:`NOUNS`) in the singular or plural: ``"1 patient"``, ``"12 patients"``.

        A suppressed count (``"<5"``) takes the plural: it may stand for several.
        ``suppress=False`` for counts that are not of people (sequences, kinds of error).
        """
        text = self.count(n) if suppress else self.int(n)
        from .words import NOUNS

        one, many = NOUNS[noun][self.language]
        return f"{text} {one if text == '1' else many}"

    # --- time ------------------------------------------------------------------
    def days(self, x) -> str:
        number = self.time_num(x)
        if _is_missing(x) or math.isinf(float(x)):
            return number
        one = abs(float(x) - 1) < 0.05
        if self.language == "da":
            return f"{number} {'dag' if one else 'dage'}"
        return f"{number} {'day' if one else 'days'}"

    def hours(self, x) -> str:
        """A duration given in hours, in hours: ``"48 timer"``, ``"0,3 hours"`` (one decimal under 10 unless whole)."""
        return "–" if _is_missing(x) else self.time(float(x) / 24, "hours")

    def unit_name(self, unit: str) -> str:
        """A time unit's name for a header or an axis: ``"minutter"``, ``"hours"``, ``"dage"``."""
        from .words import say

        return say(unit, self.language)

    def time_num(self, x) -> str:
        """A duration already in its column's unit, without the unit: one decimal under 10 unless whole."""
        if _is_missing(x):
            return "–"
        x = float(x)
        if math.isinf(x):
            return "ikke nået" if self.language == "da" else "not reached"
        whole = abs(x - round(x)) < 0.05
        return self.num(x, 1 if abs(x) < 10 and not whole else 0)

    def time(self, days, unit: str | None = None) -> str:
        """A duration given in days, in ``unit`` or the unit its size reads best in, with the unit's word.

        :func:`pathways.timeunits.time_unit` chooses the unit (under 2 hours
        minutes, under 2 days hours, else days).
        """
        if _is_missing(days):
            return "–"
        unit = unit or time_unit([float(days)])
        if unit == "days" or math.isinf(float(days)):
            return self.days(days)
        value = in_unit(days, unit)
        if unit == "minutes":
            return f"{self.time_num(value)} min"
        shown = self.time_num(value)
        one, many = ("time", "timer") if self.language == "da" else ("hour", "hours")
        return f"{shown} {one if shown == '1' else many}"

    def date(self, ts) -> str:
        if _is_missing(ts):
            return "–"
        ts = pd.Timestamp(ts)
        from .words import MONTHS

        month = MONTHS[self.language][ts.month - 1]
        return f"{ts.day}. {month} {ts.year}" if self.language == "da" else f"{ts.day} {month} {ts.year}"

    def datetime(self, ts) -> str:
        if _is_missing(ts):
            return "–"
        ts = pd.Timestamp(ts)
        sep = " kl. " if self.language == "da" else " at "
        return self.date(ts) + sep + (f"{ts:%H.%M}" if self.language == "da" else f"{ts:%H:%M}")

    def duration(self, value) -> str:
        """A limit (``"30D"``, ``"4W"``, ``"48h"``, ``"90min"`` or a ``timedelta``) in words, in the unit it was given.

        A string keeps its own unit; a ``timedelta`` is said in the largest of weeks,
        days, hours and minutes it is a whole number of. ``–`` when there is none;
        :class:`~pathways.errors.OptionError` when it is not a duration. The words of
        every legend, title and sentence that names a threshold.

        Examples
        --------
        >>> en, da = Formatter("en"), Formatter("da")
        >>> en.duration("30D"), en.duration("4W"), en.duration("1h"), en.duration("90min"), en.duration(None)
        ('30 days', '4 weeks', '1 hour', '90 minutes', '–')
        >>> da.duration("1h"), da.duration("72h"), da.duration("30D"), da.duration("1.5h")
        ('1 time', '72 timer', '30 dage', '1,5 timer')
        >>> import datetime as dt; en.duration(dt.timedelta(hours=2)), da.duration(dt.timedelta(days=14))
        ('2 hours', '2 uger')
        """
        import re

        from ..analyses.common import duration

        if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or value == "":
            return "–"
        seconds = duration(value, argument="threshold").total_seconds()
        m = re.fullmatch(r"\s*[\d.]+\s*([A-Za-z]+)\s*", value) if isinstance(value, str) else None
        unit = _LIMIT_SUFFIX.get(m.group(1).lower()) if m else None
        if unit is None:
            unit = next((u for u, s in _LIMIT_SECONDS.items() if seconds and seconds % s == 0), "min")
        n = seconds / _LIMIT_SECONDS[unit]
        one, many = _LIMIT_WORDS[self.language][unit]
        return f"{number(n, self.language, 'g')} {one if n == 1 else many}"

    def short_time(self, days, units: str) -> str:
        """A duration given in days, in ``units`` with its short word, as on a diagram's edge: ``3.2 d``, ``77 h``,
        ``9 min`` (Danish ``3,2 d``, ``77 t``); one decimal under 10, none above.

        Examples
        --------
        >>> en, da = Formatter("en"), Formatter("da")
        >>> en.short_time(3.21, "days"), en.short_time(3.21, "hours"), en.short_time(float("nan"), "days")
        ('3.2 d', '77 h', '–')
        >>> da.short_time(3.21, "days"), da.short_time(3.21, "hours"), en.short_time(9 / 1440, "minutes")
        ('3,2 d', '77 t', '9.0 min')
        """
        from .words import say

        if _is_missing(days):
            return "–"
        value = in_unit(days, units)
        return f"{number(value, self.language, '.1f' if abs(value) < 10 else ',.0f')} " \
               f"{say(TIME_UNITS[units][1], self.language)}"


#: Words for a limit's unit: language -> unit -> (singular, plural).
_LIMIT_WORDS = {
    "en": {"W": ("week", "weeks"), "D": ("day", "days"), "h": ("hour", "hours"), "min": ("minute", "minutes")},
    "da": {"W": ("uge", "uger"), "D": ("dag", "dage"), "h": ("time", "timer"), "min": ("minut", "minutter")},
}
_LIMIT_SECONDS = {"W": 604800, "D": 86400, "h": 3600, "min": 60}
#: How pandas spells each unit at the end of a duration string (``"30D"``, ``"72h"``, ``"90min"``, ``"90T"``).
_LIMIT_SUFFIX = {"w": "W", "d": "D", "day": "D", "days": "D", "h": "h", "hr": "h", "hour": "h", "hours": "h",
                 "min": "min", "m": "min", "t": "min", "minute": "min", "minutes": "min"}


__all__ = ["Formatter", "number"]
