"""Ground truth: the binding definitions of DOMAIN.md section 4 applied to the clean events.

The generator does not trust hand-written bookkeeping: after the scenarios
have emitted their events, the truth tables are computed from exactly those
events (sorted by case, time, emission order, which is also the output row
order) with vectorised numpy code. Every loop, psychiatric-somatic handover,
bounce, wait, readmission and age-18 closure that the events contain is
therefore recorded, whether a scenario meant it or not; the tests check the
tables against a plain pandas reference implementation and check that each
scenario produces what it is meant to (and the good pathways nothing).

Conventions where DOMAIN.md leaves a choice (documented in sample_logs/README.md):

* unit path: consecutive events in the same unit form one *step*; arrival =
  first event's timestamp, departure = the latest of the step's timestamps and
  end timestamps.
* loops: a return at step j to the most recent earlier step i with the same
  unit, 2 <= j - i <= 5 (1..4 units in between) and arrival(j) - departure(i)
  <= 180 days. Returns whose step ranges [i, j] share at least one step merge
  into one episode: ``start`` = arrival of its first step, ``end`` = the latest
  departure of its returning steps, ``units`` = the unit path from first to
  last step. ``gave_up`` = no event of the case in (end, end + 90 days] and no
  closure or treatment start between start and end.
* bounce: three consecutive steps whose domains are psychiatric, somatic,
  psychiatric (or the reverse) with arrival(3rd) - departure(1st) <= 30 days.
* waits: each start pairs with the first end after it (row order) and before
  the next start. ``outcome`` is "ended", "superseded" (another start came
  first; censored at that start) or "open" (censored at ``as_of``).
* readmission: the first admission after a discharge, within 30 days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .vocabulary import ACTIVITY_TYPE, UNIT_DOMAIN, UNIT_NAMES, UNIT_SECTOR, U

DAY = 1440  # minutes
LOOP_WINDOW = 180 * DAY
LOOP_MAX_BETWEEN = 4
GAVE_UP_AFTER = 90 * DAY
BOUNCE_WINDOW = 30 * DAY
READMISSION_WINDOW = 30 * DAY
NO_TIME = np.iinfo(np.int64).min

_TYPE = np.array(ACTIVITY_TYPE)
_DOMAIN = np.array(UNIT_DOMAIN)
_SECTOR = np.array(UNIT_SECTOR)
_UNIT = np.array(UNIT_NAMES, dtype=object)

#: (name, start type, start unit filter, end type, end unit filter, threshold days, source)
WAIT_PAIRS = (
    ("referral_to_assessment", "referral_received", None, "assessment_start", None, 30.0,
     "udredningsret 30 days [X]"),
    ("child_referral_to_first_contact", "referral_received", "Børne- og Ungdomspsykiatri",
     "first_contact", "Børne- og Ungdomspsykiatri", 28.0, "B: 4 weeks (2014 rule) [T]"),
    ("psychiatric_discharge_to_dp", "discharge", "psychiatric", None, "Distriktspsykiatri", 7.0,
     "B P5: DP contact in the week after discharge [T]"),
    ("diagnosis_to_treatment", "diagnosis_conference", None, "treatment_start", None, 28.0,
     "B: 4 weeks [T]"),
    ("ready_to_discharge", "ready_for_discharge", None, "discharge", None, 14.0,
     "bed-days waiting; 14 days is the generator's convention [X]"),
    ("rejection_to_next_referral", "referral_rejected", None, "referral", None, np.nan,
     "no threshold"),
    ("assessment_to_municipal_service", "municipal_assessment", None,
     ("homecare_start", "temporary_stay"), None, 14.0,
     "one fortnightly assessment cycle [X]"),
)


def _type_mask(act, types) -> np.ndarray:
    if types is None:
        return np.ones(act.shape, bool)
    types = (types,) if isinstance(types, str) else types
    return np.isin(_TYPE[act], types)


def _unit_mask(unit, spec) -> np.ndarray:
    if spec is None:
        return np.ones(unit.shape, bool)
    if spec in UNIT_NAMES:
        return unit == U[spec]
    known = unit >= 0
    out = np.zeros(unit.shape, bool)
    out[known] = _DOMAIN[unit[known]] == spec
    return out


def unit_path(case, t, end, unit) -> dict[str, np.ndarray]:
    """Steps of the unit path of every case (events must be sorted by case, time, order)."""
    keep = unit >= 0
    idx = np.flatnonzero(keep)
    c, u = case[idx], unit[idx]
    dep_t = np.maximum(t[idx], np.where(end[idx] == NO_TIME, t[idx], end[idx]))
    new = np.ones(idx.size, bool)
    new[1:] = (c[1:] != c[:-1]) | (u[1:] != u[:-1])
    starts = np.flatnonzero(new)
    step_case = c[starts]
    first_step = np.ones(starts.size, bool)
    first_step[1:] = step_case[1:] != step_case[:-1]
    case_first = np.maximum.accumulate(np.where(first_step, np.arange(starts.size), 0))
    return {
        "case": step_case,
        "unit": u[starts],
        "arrival": t[idx[starts]],
        "departure": np.maximum.reduceat(dep_t, starts) if starts.size else dep_t[:0],
        "first_event": idx[starts],
        "pos": np.arange(starts.size) - case_first,
    }


def _case_key(case, t, t_min, span):
    return case.astype(np.int64) * span + (t - t_min)


def loops(steps, case, t, act, scenario_of_event, as_of: int):
    """Loop episodes (DOMAIN.md 4, circular referral) as a DataFrame with case numbers."""
    n = steps["case"].size
    order = np.lexsort((steps["pos"], steps["unit"], steps["case"]))
    prev = np.full(n, -1, np.int64)
    same = np.zeros(n, bool)
    same[1:] = (steps["case"][order[1:]] == steps["case"][order[:-1]]) & \
               (steps["unit"][order[1:]] == steps["unit"][order[:-1]])
    prev[order[1:][same[1:]]] = order[:-1][same[1:]]
    j = np.flatnonzero(prev >= 0)
    i = prev[j]
    d = steps["pos"][j] - steps["pos"][i]
    ok = (d >= 2) & (d <= LOOP_MAX_BETWEEN + 1) & \
         (steps["arrival"][j] - steps["departure"][i] <= LOOP_WINDOW)
    i, j = i[ok], j[ok]
    cols = ["case", "units", "n_returns", "start", "end", "gave_up", "followup_censored", "scenario"]
    if i.size == 0:
        return pd.DataFrame({k: [] for k in cols})
    o = np.lexsort((j, i))  # step ids are global and case-contiguous, so i orders by case too
    i, j = i[o], j[o]
    reach = np.maximum.accumulate(j)
    new = np.ones(i.size, bool)
    new[1:] = (i[1:] > reach[:-1]) | (steps["case"][i[1:]] != steps["case"][i[:-1]])
    starts = np.flatnonzero(new)
    first = i[starts]
    last = np.maximum.reduceat(j, starts)
    n_ret = np.diff(np.append(starts, i.size))
    ep_end = np.maximum.reduceat(steps["departure"][j], starts)
    ep_start = steps["arrival"][first]
    ep_case = steps["case"][first]
    # gave up: nothing within 90 days after the end, and no closure/treatment inside the episode
    t_min, span = int(t.min()), int(t.max() - t.min()) + 2 * GAVE_UP_AFTER + 2
    key = _case_key(case, t, t_min, span)
    nxt = np.searchsorted(key, _case_key(ep_case, ep_end, t_min, span), side="right")
    has_next = nxt < key.size
    nxt_c = np.minimum(nxt, key.size - 1)
    followed = has_next & (case[nxt_c] == ep_case) & (t[nxt_c] <= ep_end + GAVE_UP_AFTER)
    ender = np.isin(_TYPE[act], ("closure", "treatment_start")).astype(np.int64)
    cum = np.concatenate([[0], np.cumsum(ender)])
    lo = np.searchsorted(key, _case_key(ep_case, ep_start, t_min, span), side="left")
    hi = np.searchsorted(key, _case_key(ep_case, ep_end, t_min, span), side="right")
    ended = (cum[hi] - cum[lo]) > 0
    units = [" → ".join(_UNIT[steps["unit"][a:b + 1]]) for a, b in zip(first, last)]
    return pd.DataFrame({
        "case": ep_case, "units": units, "n_returns": n_ret, "start": ep_start, "end": ep_end,
        "gave_up": ~followed & ~ended, "followup_censored": ep_end + GAVE_UP_AFTER > as_of,
        "scenario": scenario_of_event[steps["first_event"][first]],
    })


def handovers(steps, scenario_of_event):
    """Psychiatric<->somatic handovers and bounces between consecutive steps."""
    c, u = steps["case"], steps["unit"]
    dom = _DOMAIN[u]
    a = np.flatnonzero((c[1:] == c[:-1]) & (
        ((dom[:-1] == "psychiatric") & (dom[1:] == "somatic")) |
        ((dom[:-1] == "somatic") & (dom[1:] == "psychiatric"))))
    b = a + 1
    ho = pd.DataFrame({
        "case": c[a], "from_unit": _UNIT[u[a]], "to_unit": _UNIT[u[b]],
        "from_domain": dom[a], "to_domain": dom[b],
        "kind": np.char.add(np.char.add(dom[a].astype(str), "→"), dom[b].astype(str)),
        "left_at": steps["departure"][a], "arrived_at": steps["arrival"][b],
        "scenario": scenario_of_event[steps["first_event"][a]],
    })
    # bounce: handover at s->s+1 and the reverse at s+1->s+2, within 30 days
    s = a[np.isin(a + 1, a)]
    s = s[(c[s + 2] == c[s]) & (dom[s + 2] == dom[s]) &
          (steps["arrival"][s + 2] - steps["departure"][s] <= BOUNCE_WINDOW)]
    bo = pd.DataFrame({
        "case": c[s],
        "units": [f"{_UNIT[x]} → {_UNIT[y]} → {_UNIT[z]}" for x, y, z in zip(u[s], u[s + 1], u[s + 2])],
        "direction": np.char.add(np.char.add(dom[s].astype(str), "→"), dom[s + 1].astype(str)),
        "left_at": steps["departure"][s], "returned_at": steps["arrival"][s + 2],
        "scenario": scenario_of_event[steps["first_event"][s]],
    })
    bo["days"] = (bo["returned_at"] - bo["left_at"]) / DAY
    ho["bounce"] = np.isin(a, s) | np.isin(a, s + 1)
    ho["gap_days"] = (ho["arrived_at"] - ho["left_at"]) / DAY
    return ho, bo


def waits(case, t, act, unit, scenario_of_event, as_of: int):
    """Every start milestone of the default pairs with its end (or censoring)."""
    frames = []
    for name, s_type, s_unit, e_type, e_unit, threshold, _src in WAIT_PAIRS:
        s_idx = np.flatnonzero(_type_mask(act, s_type) & _unit_mask(unit, s_unit))
        e_idx = np.flatnonzero(_type_mask(act, e_type) & _unit_mask(unit, e_unit))
        if s_idx.size == 0:
            continue
        k = np.searchsorted(e_idx, s_idx, side="right")
        has_e = k < e_idx.size
        e_pos = e_idx[np.minimum(k, max(e_idx.size - 1, 0))] if e_idx.size else s_idx * 0
        has_e &= e_idx.size > 0
        has_e &= case[e_pos] == case[s_idx]
        nxt = np.append(s_idx[1:], -1)
        has_next = (nxt >= 0) & (case[np.maximum(nxt, 0)] == case[s_idx])
        ended = has_e & (~has_next | (e_pos < nxt))
        superseded = ~ended & has_next
        end_t = np.where(ended, t[e_pos], np.where(superseded, t[np.maximum(nxt, 0)], as_of))
        days = (end_t - t[s_idx]) / DAY
        frames.append(pd.DataFrame({
            "case": case[s_idx], "wait": name,
            "start_milestone": _TYPE[act[s_idx]],
            "end_milestone": e_type if isinstance(e_type, str) else
            ("event at " + e_unit if e_type is None else "|".join(e_type)),
            "start_at": t[s_idx], "end_at": np.where(ended, t[e_pos], NO_TIME),
            "days": days, "censored": ~ended,
            "outcome": np.where(ended, "ended", np.where(superseded, "superseded", "open")),
            "threshold_days": threshold,
            "over_threshold": (days > threshold) if threshold == threshold else False,
            "scenario": scenario_of_event[s_idx],
        }))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(out):
        out["start_milestone"] = np.where(out["wait"] == "psychiatric_discharge_to_dp",
                                          "discharge (psychiatric)", out["start_milestone"])
        out = out.sort_values(["case", "start_at", "wait"], kind="stable").reset_index(drop=True)
    return out


def readmissions(case, t, act, unit, acute, scenario_of_event):
    """Each discharge followed by an admission of the same patient within 30 days."""
    d_idx = np.flatnonzero(_TYPE[act] == "discharge")
    a_idx = np.flatnonzero(_TYPE[act] == "admission")
    if d_idx.size == 0 or a_idx.size == 0:
        d_idx = d_idx[:0]
        a_pos = d_idx
    else:
        k = np.searchsorted(a_idx, d_idx, side="right")
        ok = k < a_idx.size
        a_pos = a_idx[np.minimum(k, a_idx.size - 1)]
        ok &= (case[a_pos] == case[d_idx]) & (t[a_pos] - t[d_idx] <= READMISSION_WINDOW)
        d_idx, a_pos = d_idx[ok], a_pos[ok]
    hours = (t[a_pos] - t[d_idx]) / 60
    return pd.DataFrame({
        "case": case[d_idx], "discharge_at": t[d_idx], "discharge_unit": _UNIT[unit[d_idx]],
        "discharge_domain": _DOMAIN[unit[d_idx]],
        "readmission_at": t[a_pos], "readmission_unit": _UNIT[unit[a_pos]],
        "hours": hours, "days": hours / 24, "acute": acute[a_pos] == 1,
        "within_72h": hours <= 72, "scenario": scenario_of_event[d_idx],
    })


def discharges(case, t, act, unit):
    """Every discharge with its weekday, hour and the lead time of the preceding notice."""
    d_idx = np.flatnonzero(_TYPE[act] == "discharge")
    n_idx = np.flatnonzero(_TYPE[act] == "discharge_notice")
    a_idx = np.flatnonzero(_TYPE[act] == "admission")
    notice_t = np.full(d_idx.size, NO_TIME)
    if n_idx.size:
        k = np.searchsorted(n_idx, d_idx, side="left") - 1
        cand = n_idx[np.maximum(k, 0)]
        # the notice must belong to this stay: after the latest admission before the discharge
        ka = np.searchsorted(a_idx, d_idx, side="left") - 1 if a_idx.size else np.full(d_idx.size, -1)
        adm = np.where(ka >= 0, a_idx[np.maximum(ka, 0)] if a_idx.size else -1, -1)
        adm = np.where((adm >= 0) & (case[np.maximum(adm, 0)] == case[d_idx]), adm, -1)
        ok = (k >= 0) & (case[cand] == case[d_idx]) & (cand > adm)
        notice_t = np.where(ok, t[cand], NO_TIME)
    minute_of_day = (t[d_idx] % DAY)
    weekday = (t[d_idx] // DAY) % 7
    has = notice_t != NO_TIME
    hours = np.where(has, (t[d_idx] - notice_t) / 60, np.nan)
    return pd.DataFrame({
        "case": case[d_idx], "unit": _UNIT[unit[d_idx]], "domain": _DOMAIN[unit[d_idx]],
        "discharge_at": t[d_idx], "weekday": weekday, "hour": minute_of_day // 60,
        "friday": weekday == 4, "after_15": minute_of_day >= 15 * 60,
        "notice_at": notice_t, "notice_hours": hours,
        "notice_48h_ok": pd.Series(hours >= 48, dtype="boolean").mask(~has),
    })


def age_transitions(case, t, act, unit, birth18_of_case):
    """Child-psychiatry closures near the 18th birthday, and whether anyone took over within 90 days."""
    bu = U["Børne- og Ungdomspsykiatri"]
    c_idx = np.flatnonzero((_TYPE[act] == "closure") & (unit == bu))
    known = unit >= 0
    cont = np.zeros(unit.shape, bool)
    cont[known] = ((_DOMAIN[unit[known]] == "psychiatric") & (unit[known] != bu)) | \
                  (_SECTOR[unit[known]] == "municipality")
    cont_idx = np.flatnonzero(cont)
    k = np.searchsorted(cont_idx, c_idx, side="right")
    has = k < cont_idx.size
    pos = cont_idx[np.minimum(k, max(cont_idx.size - 1, 0))] if cont_idx.size else c_idx
    has &= cont_idx.size > 0
    has &= case[pos] == case[c_idx]
    next_t = np.where(has, t[pos], NO_TIME)
    b18 = birth18_of_case[case[c_idx]]
    days = (t[c_idx] - b18) / DAY
    continued = has & (next_t - t[c_idx] <= 90 * DAY)
    near = np.abs(days) <= 30
    return pd.DataFrame({
        "case": case[c_idx], "closure_at": t[c_idx], "birthday_18": b18,
        "days_from_18": days, "near_18": near, "next_adult_or_municipal_at": next_t,
        "continued_within_90d": continued, "cliff": near & ~continued,
    })


def admissions_per_case(case, t, act, n_cases: int):
    """(number of admissions, most admissions within any 365 days) per case number."""
    a_idx = np.flatnonzero(_TYPE[act] == "admission")
    n_adm = np.bincount(case[a_idx], minlength=n_cases)
    most = np.zeros(n_cases, np.int64)
    if a_idx.size:
        t_min = int(t.min())
        span = int(t.max() - t_min) + 400 * DAY
        key = _case_key(case[a_idx], t[a_idx], t_min, span)
        hi = np.searchsorted(key, key + 365 * DAY, side="right")
        np.maximum.at(most, case[a_idx], hi - np.arange(a_idx.size))
    return n_adm, most
