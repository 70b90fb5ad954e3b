"""Indicators a quality unit can publish: numerator, denominator, rate and 95 % interval per group and period.

:func:`indicators` computes the standard indicators of DOMAIN.md section 4 with
the definitions of the analyses they come from, so an indicator and the
analysis behind it never disagree:

* ``readmission_30d``, ``readmission_3d``, ``readmission_72h`` - of discharges
  (:func:`pathways.readmissions`: the first admission after the discharge, acute
  only when ``acute=`` names the column), those readmitted within 30 days, 3
  local calendar days, 72 hours. A discharge counts only when its whole window
  lies before ``as_of`` (otherwise a readmission could still come).
* ``wait_over_<rule>`` - for each rule of :func:`pathways.guarantees` with a
  threshold: the Kaplan–Meier share of waits longer than the threshold, open and
  superseded waits censored (method ``kaplan_meier``; the numerator is the waits
  already over it, the denominator every wait started).
* ``discharge_notice_48h`` - of discharges with a notice to the municipality
  (:func:`pathways.discharge_timing`), those with at least 48 hours' notice.
* ``discharge_friday_afternoon`` - of discharges, those on a Friday at 15:00 or
  later, local time.
* ``circular_referral`` - of patients, those with a loop episode
  (:func:`pathways.circular_referrals`).
* ``psychiatric_somatic_bounce`` - of patients with a psychiatric–somatic
  handover, those with a bounce within 30 days (:func:`pathways.bounces`).
* ``handover_gap_7d`` - of patients with a handover, those with a gap over 7
  days (:func:`pathways.handovers`).

Event indicators take their group (``by=``) and period from their own event (the
discharge, the start of the wait, the notice); patient indicators from the
patient's first event, so a patient counts once, in the period the pathway began
(recent periods have had less time to show a loop: compare like with like).

Proportions get Wilson's 95 % score interval; waits the Kaplan–Meier interval
(log-log, Greenwood's variance). Everything is judged at ``as_of``: events after
it are not seen. Small counts are not suppressed here (this is an analysis
table); publishing is where that happens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Literal, Sequence

import ibis
import numpy as np
import pandas as pd

from .. import schema as S
from ..engine import local_time
from ..errors import OptionError, check_choice, closest
from ..parameters import (AFTERNOON_FROM_HOUR, BOUNCE_WITHIN, GAP_THRESHOLD, NOTICE_RULE, READMISSION_WITHIN,
                          READMISSION_WITHIN_DAYS, READMISSION_WITHIN_HOURS)
from ..publish.numbers import Formatter
from ..publish.words import RULE_SHORT
from .common import duration, timestamp, with_parameters
from .survival import _Z95
from .waits import GUARANTEES, _Absent, _cell, _check_found, _names, _wait_counts, _wait_expr, event_types, \
    finish_groups, group_columns, milestone, summarise_counts

if TYPE_CHECKING:
    from ..eventlog import EventLog

Period = Literal["M", "Q", "Y"]
PERIODS = ("M", "Q", "Y")
COLUMNS = ["indicator", "numerator", "denominator", "rate", "ci_low", "ci_high", "method"]
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Indicator:
    """An indicator of your own: of the ``denominator`` events, the share followed by a ``numerator`` event.

    Each ``denominator`` event (an event type or activity name, or a list of
    them, as the milestones of :func:`pathways.waiting_times`) is one observation;
    it is in the numerator when a ``numerator`` event comes later in the same case
    (in time order, the event itself excluded), within ``within`` when given. Give
    it to :func:`indicators` in ``which=``.

    Parameters
    ----------
    name : str
        The indicator's id in the result (snake_case, e.g. ``"gp_after_discharge"``).
    numerator, denominator : str or list of str
        Milestones, e.g. ``numerator="first_contact", denominator="discharge"``.
    within : str or timedelta, optional
        The longest time from the denominator event to the numerator event that
        counts; then a denominator event counts only when its whole window lies
        before ``as_of``. ``None``: any time up to ``as_of``.
    title_da, title_en : str, optional
        The indicator's title in Danish and English (default: the name).

    Examples
    --------
    >>> import pathways as pw
    >>> pw.Indicator("dp_after_discharge", numerator="first_contact", denominator="discharge", within="7D")
    Indicator('dp_after_discharge': first_contact after discharge within 7D)
    """

    name: str
    numerator: str | Sequence[str]
    denominator: str | Sequence[str]
    within: str | timedelta | None = None
    title_da: str | None = None
    title_en: str | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not _ID.match(self.name):
            raise OptionError(f"Indicator name={self.name!r} is not an id; give snake_case text such as "
                              "'gp_after_discharge' (lower-case letters, digits and _).")
        for argument in ("numerator", "denominator"):
            value = getattr(self, argument)
            object.__setattr__(self, argument, tuple(_names(value, argument)))
        if self.within is not None:
            duration(self.within, argument="within")
        for argument in ("title_da", "title_en"):
            value = getattr(self, argument)
            if value is not None and not isinstance(value, str):
                raise OptionError(f"Indicator {argument}={value!r} must be text (the indicator's title), or None.")

    def __repr__(self) -> str:
        num, den = " or ".join(self.numerator), " or ".join(self.denominator)
        return f"Indicator({self.name!r}: {num} after {den}" + (f" within {self.within})" if self.within else ")")


# --- intervals -------------------------------------------------------------------------------
def wilson(numerator, denominator, z: float = _Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's score interval of the proportions ``numerator / denominator`` (NaN where the denominator is 0).

    Examples
    --------
    >>> low, high = wilson([0, 3, 10], [10, 10, 10])
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0, 0.1078, 0.7225], [0.2775, 0.6032, 1.0])
    """
    k = np.asarray(numerator, float)
    n = np.asarray(denominator, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


# --- the standard indicators -------------------------------------------------------------------
def _standard(rules: pd.DataFrame, acute_col: str | None) -> dict[str, dict]:
    """id -> definition of every standard indicator (the wait ones from ``rules``)."""
    acute = f"acute admissions (attribute {acute_col!r})" if acute_col else "admissions (acute or not)"
    out = {
        "readmission_30d": dict(
            title_da="Akut genindlæggelse inden for 30 dage", title_en="Acute readmission within 30 days",
            numerator=f"discharges followed by {acute} within {READMISSION_WITHIN}",
            denominator=f"discharges at least {READMISSION_WITHIN} before as_of",
            parameters={"within": READMISSION_WITHIN, "acute": acute_col}, kind="readmission"),
        "readmission_3d": dict(
            title_da=f"Akut genindlæggelse inden for {READMISSION_WITHIN_DAYS} døgn",
            title_en=f"Acute readmission within {READMISSION_WITHIN_DAYS} days",
            numerator=f"discharges followed by {acute} at most {READMISSION_WITHIN_DAYS} local calendar days later",
            denominator=f"discharges whose {READMISSION_WITHIN_DAYS}th calendar day after ended before as_of",
            parameters={"within_days": READMISSION_WITHIN_DAYS, "acute": acute_col}, kind="readmission"),
        "readmission_72h": dict(
            title_da="Akut genindlæggelse inden for 72 timer", title_en="Acute readmission within 72 hours",
            numerator=f"discharges followed by {acute} within {READMISSION_WITHIN_HOURS}",
            denominator=f"discharges at least {READMISSION_WITHIN_HOURS} before as_of",
            parameters={"within": READMISSION_WITHIN_HOURS, "acute": acute_col}, kind="readmission"),
    }
    for rule in rules.to_dict("records"):
        threshold = _cell(rule.get("threshold"))
        if threshold is None:
            continue
        name = str(rule["name"])
        short = RULE_SHORT.get(name, {})
        out[f"wait_over_{name}"] = dict(
            # in words: "Ventetid over 30 dage (udredningsretten)"; a rule of one's own by its name
            title_da=f"Ventetid over {Formatter('da').duration(threshold)} ({short.get('da', name)})",
            title_en=f"Wait over {Formatter('en').duration(threshold)} ({short.get('en', name)})",
            numerator=f"waits from {rule['start']} to {rule['end']} already longer than {threshold} "
                      "(the rate is the Kaplan-Meier share, open and superseded waits censored)",
            denominator=f"waits started (at {rule['start']}) by as_of",
            parameters={k: _cell(rule.get(k)) for k in ("start", "end", "threshold", "start_unit", "start_domain",
                                                        "end_unit", "end_domain")}, kind="wait", rule=rule)
    out.update({
        "discharge_notice_48h": dict(
            title_da=f"Udskrivninger varslet mindst {NOTICE_RULE} før",
            title_en=f"Discharges with {NOTICE_RULE} notice",
            numerator=f"discharges whose notice came at least {NOTICE_RULE} before",
            denominator="discharges with a notice to the municipality (discharge_timing's paired notices)",
            parameters={"notice_rule": NOTICE_RULE}, kind="notice"),
        "discharge_friday_afternoon": dict(
            title_da=f"Udskrivninger fredag efter kl. {AFTERNOON_FROM_HOUR}",
            title_en=f"Discharges on Friday after {AFTERNOON_FROM_HOUR}:00",
            numerator=f"discharges on a Friday at {AFTERNOON_FROM_HOUR}:00 or later, local time",
            denominator="discharges", parameters={"from_hour": AFTERNOON_FROM_HOUR}, kind="friday"),
        "circular_referral": dict(
            title_da="Patienter sendt rundt i ring", title_en="Patients in a circular referral",
            numerator="patients with a loop episode (circular_referrals, default options)",
            denominator="patients", parameters={}, kind="loop"),
        "psychiatric_somatic_bounce": dict(
            title_da="Patienter der pendler mellem psykiatri og somatik",
            title_en="Psychiatric-somatic bounce",
            numerator=f"patients with a bounce (psychiatric→somatic→psychiatric or the reverse within {BOUNCE_WITHIN})",
            denominator="patients with a handover between psychiatry and somatics",
            parameters={"within": BOUNCE_WITHIN}, kind="bounce"),
        "handover_gap_7d": dict(
            title_da=f"Patienter med en pause over {GAP_THRESHOLD} mellem to enheder",
            title_en=f"Patients with a handover gap over {GAP_THRESHOLD}",
            numerator=f"patients with a handover whose gap is longer than {GAP_THRESHOLD}",
            denominator="patients with a handover", parameters={"threshold": GAP_THRESHOLD}, kind="gap"),
    })
    return out


# --- counting ---------------------------------------------------------------------------------
def _period_of(times: pd.Series, tz: str, period: str | None) -> pd.Series | None:
    """The calendar period (local time) of aware or wall-clock timestamps."""
    if period is None:
        return None
    times = pd.to_datetime(times)
    if times.dt.tz is not None:
        times = times.dt.tz_convert(tz).dt.tz_localize(None)
    return times.dt.to_period(period)


def _engine_counts(table, fetch: dict, at, numerator, denominator, period, tz) -> pd.DataFrame:
    """Numerator and denominator summed in the engine per fetched group column and period (a small table)."""
    keys = {k: table[v] for k, v in fetch.items()}
    if period is not None:
        keys["_period"] = local_time(at, tz).truncate(period)
    t = table.mutate(_num=numerator.cast("int64"), _den=denominator.cast("int64"), **keys)
    agg = {"numerator": t._num.sum(), "denominator": t._den.sum()}
    out = (t.group_by(list(keys)).aggregate(**agg) if keys else t.aggregate(**agg)).to_pyarrow().to_pandas()
    if period is not None:
        out["_period"] = _period_of(out["_period"], tz, period)
    return out


def _first_events(log, fetch: dict):
    """Each case's first event (time, then input row), with the columns of ``fetch``."""
    t = log.table
    w = ibis.window(group_by=S.CASE, order_by=[S.TIMESTAMP, S.ROW])
    t = t.mutate(_k=ibis.row_number().over(w))
    return t.filter(t._k == 0).select(S.CASE, S.TIMESTAMP, *sorted(set(fetch.values())))


def _distinct_cases(cases, name: str):
    """The distinct ``case_id`` of ``cases`` as one column ``name``: a group-by, not ``distinct()``.

    ``cases`` may be an ordered expression (``bounces_table`` is sorted by case and step). Ibis compiles
    ``select(...).distinct()`` of a sorted expression for Spark as a SELECT DISTINCT that also holds the sort
    columns (case_id, step), so each bounce stayed a row of its own: a patient with two bounces counted twice,
    in the numerator and the denominator (1,085 of 1,364 patients on Spark, 718 of 997 on DuckDB, danish shape at
    100,000 events). A group-by keeps the sort inside its subquery, where it changes nothing, on both engines.
    """
    return cases.group_by(**{name: cases.case_id}).aggregate()


def _patients(log, fetch, period, numerator_cases, denominator_cases=None) -> pd.DataFrame:
    """Patients counted by their first event: in the numerator when in ``numerator_cases`` (an expression with a
    ``case_id`` column), in the denominator when in ``denominator_cases`` (``None``: every patient)."""
    first = _first_events(log, fetch)
    num = _distinct_cases(numerator_cases, "_n")
    j = first.left_join(num, first.case_id == num._n)
    den = ibis.literal(True)
    if denominator_cases is not None:
        d = _distinct_cases(denominator_cases, "_d")
        j = j.left_join(d, j.case_id == d._d)
        den = j._d.notnull()
    return _engine_counts(j, fetch, j.timestamp, j._n.notnull() & den, den, period, log.tz)


def _sum(counts: pd.DataFrame, names: list[str], period) -> pd.DataFrame:
    """The counts per group (names, then period), groups without a denominator left out."""
    counts = finish_groups(counts, names)
    keys = [*names, *(["period"] if period is not None else [])]
    if period is not None:
        counts = counts.rename(columns={"_period": "period"})
    if keys:
        out = counts.groupby(keys, dropna=False, sort=True)[["numerator", "denominator"]].sum().reset_index()
    else:
        out = pd.DataFrame({"numerator": [int(counts["numerator"].sum())],
                            "denominator": [int(counts["denominator"].sum())]})
    return out[out["denominator"] > 0]


def _readmission_counts(known, fetch, period, acute_col, cutoff) -> dict[str, pd.DataFrame]:
    """The three readmission indicators' counts, in the engine: per discharge whose window ended by ``cutoff``,
    readmitted within it or not (the 3-day window: the discharge's local date plus 3 calendar days)."""
    from .readmissions import check_readmission_types, readmission_expr

    r = readmission_expr(known, within=READMISSION_WITHIN, acute_col=acute_col, extra=fetch)
    at = r.discharged_at
    cut, local_cut = cutoff.tz_convert("UTC").to_pydatetime(), cutoff.tz_convert(known.tz).tz_localize(None)
    after = {w: duration(w, argument="within").to_pytimedelta()
             for w in (READMISSION_WITHIN, READMISSION_WITHIN_HOURS)}
    seen = {"readmission_30d": (r.readmitted, at + after[READMISSION_WITHIN] <= cut),
            "readmission_3d": (r.within_3_days, local_time(at, known.tz).truncate("D")
                               + ibis.interval(days=READMISSION_WITHIN_DAYS + 1) <= local_cut.to_pydatetime()),
            "readmission_72h": (r.within_72h, at + after[READMISSION_WITHIN_HOURS] <= cut)}
    carried = {k: k for k in fetch}  # the expression carries the group columns under their fetched names
    out = {k: _engine_counts(r, carried, at, num & ok, ok, period, known.tz) for k, (num, ok) in seen.items()}
    if len(known) and not int(out["readmission_30d"]["numerator"].sum()):  # rare path: which type is missing
        check_readmission_types(known)
    return out


def _custom_counts(known, ind: Indicator, fetch, period, cutoff) -> pd.DataFrame:
    """Per denominator event: is a numerator event later in the case (within ``within``)? In the engine."""
    types = event_types(known)
    t = known.table
    t = t.mutate(_is_num=milestone(t, list(ind.numerator), types), _is_den=milestone(t, list(ind.denominator), types))
    # the next numerator event after each event: the smallest numerator time among the following rows
    following = ibis.window(group_by=S.CASE, order_by=[S.TIMESTAMP, S.ROW], rows=(1, None))
    t = t.mutate(_next=t._is_num.ifelse(t.timestamp, ibis.null(t.timestamp.type())).min().over(following))
    d = t.filter(t._is_den)
    if ind.within is None:
        num, den = d._next.notnull(), ibis.literal(True)
    else:
        span = duration(ind.within, argument="within")
        num = d._next.notnull() & (d._next <= d.timestamp + span.to_pytimedelta())
        den = d.timestamp + span.to_pytimedelta() <= cutoff.tz_convert("UTC").to_pydatetime()
    return _engine_counts(d, fetch, d.timestamp, num.fill_null(False) & den, den, period, known.tz)


def _counts(kind: str, known, fetch, period, as_of, acute_col, cutoff, cache: dict):
    """The counting table of one standard indicator; OptionError when the log lacks its events or columns."""
    from .handovers import KINDS, bounces_table, handover_expr
    from .loops import episode_expr

    if kind == "readmission":
        if "readmission" not in cache:
            cache["readmission"] = _readmission_counts(known, fetch, period, acute_col, cutoff)
        return cache["readmission"]
    if kind == "friday":
        t = known.table
        d = t.filter(t.event_type == "discharge")
        lt = local_time(d.timestamp, known.tz)
        friday = (lt.day_of_week.index() == 4) & (lt.hour() >= AFTERNOON_FROM_HOUR)
        out = _engine_counts(d, fetch, d.timestamp, friday, ibis.literal(True), period, known.tz)
        if not int(out["denominator"].sum()):
            raise OptionError("no events of type 'discharge' in this log (by as_of)")
        return out
    if kind == "notice":
        res, *names = _wait_expr(known, start="discharge_notice", end="discharge", as_of=None, extra=fetch)
        paired = res.outcome == "ended"
        hours = duration(NOTICE_RULE, argument="notice_rule") / pd.Timedelta("1h")
        meets = paired & (res.wait_days * 24.0 >= hours - 1e-9)
        out = _engine_counts(res, {k: k for k in fetch}, res.end_at, meets, paired, period, known.tz)
        if not int(out["denominator"].sum()):  # rare path: which milestone matches nothing
            _check_found(known, res.count().to_pyarrow().as_py(), 0, names, start="discharge_notice",
                         end="discharge", start_unit=None, start_domain=None, end_unit=None, end_domain=None,
                         explain=False)
        return out
    if kind == "loop":
        known.require("unit", purpose="the circular_referral indicator")
        return _patients(known, fetch, period, episode_expr(known, as_of=as_of))
    if kind == "bounce":
        known.require("unit", purpose="the psychiatric_somatic_bounce indicator")
        h = handover_expr(known, purpose="the psychiatric_somatic_bounce indicator")
        crossing = h.filter(h.kind.isin(KINDS[:2]))  # psychiatric→somatic, somatic→psychiatric
        return _patients(known, fetch, period, bounces_table(known), crossing)
    if kind == "gap":
        known.require("unit", purpose="the handover_gap_7d indicator")
        h = handover_expr(known, threshold=GAP_THRESHOLD, purpose="the handover_gap_7d indicator")
        return _patients(known, fetch, period, h.filter(h.long_gap), h)
    raise AssertionError(kind)  # pragma: no cover - every kind of _standard is handled above


def _wait_rows(log, definition: dict, names, fetch, period, as_of) -> pd.DataFrame:
    """One Kaplan–Meier row per group of a waiting-time rule (the same numbers as pw.guarantees)."""
    rule = definition["rule"]
    opts = {k: _cell(rule.get(k)) for k in ("start_unit", "start_domain", "end_unit", "end_domain")}
    if any(v is not None for v in opts.values()):
        log.require("unit", purpose=f"the rule {rule['name']!r} (it restricts units or domains)")
    start = list(rule["start"]) if isinstance(rule["start"], tuple) else rule["start"]
    end = list(rule["end"]) if isinstance(rule["end"], tuple) else rule["end"]
    threshold = _cell(rule["threshold"])
    # the risk table counted in the engine per group, period and wait (not a row per wait to the driver)
    w, _ = _wait_counts(log, start=start, end=end, as_of=as_of, extra=fetch, period=period, explain=False, **opts)
    w = finish_groups(w, names)
    keys = list(names)
    if period is not None:
        w["period"] = _period_of(w.pop("_period"), log.tz, period).to_numpy()
        keys.append("period")
    s = summarise_counts(w, threshold, keys)
    s = s[s["n"] > 0]  # no wait started by as_of: no row (a rate of nothing would be an unexplained NaN)
    return pd.DataFrame({**{k: s[k] for k in keys}, "numerator": s["n_over_threshold"].astype("int64"),
                         "denominator": s["n"], "rate": s["km_share_over_threshold"],
                         "ci_low": s["km_share_ci_low"], "ci_high": s["km_share_ci_high"],
                         "method": "kaplan_meier"})[[*keys, *COLUMNS[1:]]]


def _proportions(counts: pd.DataFrame) -> pd.DataFrame:
    out = counts.copy()
    out["numerator"] = out["numerator"].astype("int64")
    out["denominator"] = out["denominator"].astype("int64")
    out["rate"] = out["numerator"] / out["denominator"]
    out["ci_low"], out["ci_high"] = wilson(out["numerator"], out["denominator"])
    out["method"] = "wilson"
    return out


def _which(which, standard: dict) -> list:
    """The indicators asked for: ids of standard ones and Indicator objects, in order."""
    if which is None:
        return list(standard)
    items = [which] if isinstance(which, (str, Indicator)) else which
    if not isinstance(items, (list, tuple)) or not items:
        raise OptionError(f"which={which!r} is not allowed; give indicator ids (e.g. ['readmission_30d']), "
                          "pw.Indicator objects of your own, a list of both, or None for every standard indicator.")
    out = []
    for item in items:
        if isinstance(item, Indicator):
            if item.name in standard:
                raise OptionError(f"Indicator name={item.name!r} is the id of a standard indicator; give yours "
                                  "another name.")
            out.append(item)
        elif isinstance(item, str) and item in standard:
            out.append(item)
        else:
            hint = closest(str(item), list(standard))
            raise OptionError(f"which: {item!r} is neither a standard indicator nor a pw.Indicator; the standard "
                              f"ones are {', '.join(standard)}." + (f" Did you mean {hint!r}?" if hint else ""))
    ids = [i.name if isinstance(i, Indicator) else i for i in out]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise OptionError(f"which names {twice[0]!r} twice; give each indicator once.")
    return out


def indicators(log: EventLog, *, by=None, period: Period | None = None, as_of, which=None, acute: str | None = "auto",
               rules=None) -> pd.DataFrame:
    """The standard quality indicators, with numerator, denominator, rate and 95 % interval, per group and period.

    Parameters
    ----------
    log : EventLog
    by : str or list of str, optional
        Group by ``unit``, ``domain``, ``sector``, an attribute (``"municipality"``,
        ``"cluster"``, ``"kommune"``) or ``age_band`` (0-17, 18-64, 65-79, 80+), taken
        from each indicator's event (the discharge, the start of the wait, the notice)
        or, for patient indicators, from the patient's first event.
    period : {"M", "Q", "Y"}, optional
        One row per calendar month, quarter or year (local time) of the same event.
    as_of : str or datetime
        The extract date: events after it are not seen; a discharge counts for a
        readmission window only when the whole window lies before it; open waits
        are censored at it.
    which : list of str or Indicator, optional
        The indicators to compute: ids of the standard ones (see the module
        docstring) and :class:`Indicator` objects of your own. ``None``: every
        standard indicator this log has the events for; the others are listed with
        the reason in ``df.attrs["skipped"]`` (asked for by name, such an indicator
        is an OptionError).
    acute : str or None, default "auto"
        As in :func:`pathways.readmissions`: which admissions count as readmissions.
    rules : pandas.DataFrame, optional
        The waiting-time rules (default :data:`pathways.GUARANTEES`); one
        ``wait_over_<name>`` indicator per rule with a threshold.

    Returns
    -------
    pandas.DataFrame
        One row per group, period and indicator: the ``by`` columns, ``period``
        (a pandas Period, with ``period=``), ``indicator`` (the id), ``numerator``,
        ``denominator`` (int64), ``rate``, ``ci_low``, ``ci_high`` (95 %) and
        ``method``: ``"wilson"`` (rate = numerator / denominator, Wilson's score
        interval) or ``"kaplan_meier"`` (waits: rate = the Kaplan–Meier share over
        the threshold with its log-log interval; the numerator counts the waits
        already over it, the denominator every wait). Groups without a denominator
        have no row. ``df.attrs["definitions"]``: id -> ``title_da``, ``title_en``,
        ``numerator``, ``denominator``, ``parameters``; ``df.attrs["skipped"]``:
        id -> why it was not computed. Small counts are not suppressed.

    Raises
    ------
    OptionError
        An unknown ``by`` column, ``period`` or indicator; an indicator asked for by
        name whose events the log does not have.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A", "B", "B"],
    ...     "act": ["Indlæggelse", "Udskrivning", "Indlæggelse", "Indlæggelse", "Udskrivning"],
    ...     "ts": ["2024-01-01", "2024-01-05", "2024-01-20", "2024-01-02", "2024-01-03"]})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    >>> pw.indicators(log, as_of="2024-03-01", which=["readmission_30d"]).round(4)
             indicator  numerator  denominator  rate  ci_low  ci_high  method
    0  readmission_30d          1            2   0.5  0.0945   0.9055  wilson
    """
    from .readmissions import _acuity

    if not isinstance(rules, pd.DataFrame) and rules is not None:
        raise OptionError(f"rules must be a pandas DataFrame like pw.GUARANTEES, got {type(rules).__name__}.")
    rules = GUARANTEES if rules is None else rules
    missing = [c for c in ("name", "start", "end", "threshold") if c not in rules.columns]
    if missing:
        raise OptionError(f"rules lacks the column(s) {missing}; a rule needs name, start, end, threshold. "
                          "See pw.GUARANTEES.")
    if period is not None:
        check_choice("period", period, PERIODS)
    cutoff = timestamp(as_of, log.tz, argument="as_of")
    names, fetch = group_columns(log, by, purpose="indicators")
    acuity = _acuity(log, acute)
    standard = _standard(rules, acuity["column"])
    asked = _which(which, standard)
    t = log.table
    known = log.replace(t.filter(t.timestamp <= cutoff.tz_convert("UTC").to_pydatetime()))
    parts, definitions, skipped, cache = [], {}, {}, {}
    for item in asked:
        if isinstance(item, Indicator):
            key = item.name
            definition = dict(title_da=item.title_da or item.name, title_en=item.title_en or item.name,
                              numerator=f"{' or '.join(item.denominator)} followed by {' or '.join(item.numerator)}"
                                        + (f" within {item.within}" if item.within else " (by as_of)"),
                              denominator=f"events {' or '.join(item.denominator)}"
                                          + (f" at least {item.within} before as_of" if item.within else ""),
                              parameters={"within": None if item.within is None else str(item.within)})
        else:
            key, definition = item, standard[item]
        try:
            if isinstance(item, Indicator):
                rows = _proportions(_sum(_custom_counts(known, item, fetch, period, cutoff), names, period))
            elif definition["kind"] == "wait":
                rows = _wait_rows(log, definition, names, fetch, period, as_of)
            else:
                counts = _counts(definition["kind"], known, fetch, period, as_of, acuity["column"], cutoff, cache)
                counts = counts[key] if isinstance(counts, dict) else counts
                rows = _proportions(_sum(counts, names, period))
        except (_Absent, OptionError) as exc:
            if which is not None:
                raise OptionError(f"indicator {key!r} cannot be computed on this log: {exc}") from None
            skipped[key] = str(exc)
            continue
        if not len(rows):
            reason = "no denominator events (by as_of)"
            if which is not None and not len(known):
                raise OptionError(f"indicator {key!r}: {reason}; the log has no events by as_of={as_of!r}.")
            skipped[key] = reason
            continue
        parts.append(rows.assign(indicator=key))
        definitions[key] = {k: definition[k] for k in ("title_da", "title_en", "numerator", "denominator",
                                                       "parameters")}
    keys = [*names, *(["period"] if period is not None else [])]
    if parts:
        out = pd.concat(parts, ignore_index=True)[[*keys, *COLUMNS]]
    else:
        out = pd.DataFrame({c: pd.Series([], dtype=d) for c, d in zip(
            [*keys, *COLUMNS], ["object"] * len(keys) + ["object", "int64", "int64", "float64", "float64",
                                                        "float64", "object"])})
    out = out.astype({"numerator": "int64", "denominator": "int64"}).reset_index(drop=True)
    out.attrs["definitions"] = definitions
    out.attrs["skipped"] = skipped
    out.attrs["acuity"] = acuity["said"]
    return with_parameters(out, by=by, period=period, as_of=str(as_of), acute=acuity["column"],
                           rules="GUARANTEES" if rules is GUARANTEES else "custom")


__all__ = ["indicators", "Indicator", "wilson", "PERIODS"]
