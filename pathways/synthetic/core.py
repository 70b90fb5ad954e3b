"""The generator: patients, episodes, scenarios, calendar fixes, ground truth, output."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import OptionError, check_choice
from . import defects as _defects
from . import truth as _truth
from .builder import EPOCH, NO_TIME, Ctx, to_days
from .scenarios import COMBINES_WITH, SCENARIOS
from .vocabulary import (ACTIVITY_NAMES, CLUSTER_OF_MUNICIPALITY, MUNICIPALITY_NAMES,
                         MUNICIPALITY_WEIGHTS, RESOURCE_CODE_OF_ACTIVITY, RESOURCE_NAMES,
                         UNIT_DOMAIN, UNIT_NAMES, UNIT_SECTOR, UNKNOWN_UNITS)

VERSION = 1
CHUNK_PATIENTS = 20_000
EPISODE_GAP_DAYS = 200  # > 180-day loop window + margin: episodes never form loops together
SCENARIO_NAMES = tuple(SCENARIOS)
_MEETING_BASE = np.array([1, 3, 8, 10])  # Tuesday/Thursday of even/odd weeks
COLUMNS = ("case_id", "activity", "timestamp", "end_timestamp", "unit", "resource", "referral_to",
           "age", "sex", "municipality", "cluster", "birth_date", "acute")
TIME_COLUMNS = ("start_at", "end_at", "start", "end", "left_at", "arrived_at", "returned_at",
                "discharge_at", "readmission_at", "notice_at", "closure_at", "birthday_18",
                "next_adult_or_municipal_at", "first_event", "last_event", "birth_date")


# --- result objects ----------------------------------------------------------------------
@dataclass
class Truth:
    """Ground-truth tables of a synthetic log (pandas DataFrames, one attribute each).

    ``cases``            case_id, scenarios (";"-joined, in time order), n_episodes, good,
                         n_events, first_event, last_event, sex, birth_date, municipality,
                         cluster, n_admissions, max_admissions_365d, revolving_door
    ``episodes``         case_id, episode, scenario, start, end
    ``loops``            case_id, units (" → "-joined unit path of the episode), n_returns,
                         start, end, gave_up, followup_censored, scenario
    ``handovers``        psychiatric<->somatic handovers: case_id, from_unit, to_unit,
                         from_domain, to_domain, kind, left_at, arrived_at, gap_days, bounce, scenario
    ``bounces``          case_id, units, direction, left_at, returned_at, days, scenario
    ``waits``            case_id, wait, start_milestone, end_milestone, start_at, end_at, days,
                         censored, outcome, threshold_days, over_threshold, scenario
    ``readmissions``     case_id, discharge_at, discharge_unit, discharge_domain, readmission_at,
                         readmission_unit, hours, days, acute, within_72h, scenario
    ``discharges``       case_id, unit, domain, discharge_at, weekday, hour, friday, after_15,
                         notice_at, notice_hours, notice_48h_ok
    ``age_transitions``  case_id, closure_at, birthday_18, days_from_18, near_18,
                         next_adult_or_municipal_at, continued_within_90d, cliff
    ``defects``          row (0-based data row), kind, column, value, rejected
    ``units``            unit, domain, sector (the generator's taxonomy)
    ``scenarios``        scenario, title, source, group, good, n_cases
    """

    cases: pd.DataFrame
    episodes: pd.DataFrame
    loops: pd.DataFrame
    handovers: pd.DataFrame
    bounces: pd.DataFrame
    waits: pd.DataFrame
    readmissions: pd.DataFrame
    discharges: pd.DataFrame
    age_transitions: pd.DataFrame
    defects: pd.DataFrame
    units: pd.DataFrame
    scenarios: pd.DataFrame
    params: dict = field(default_factory=dict)

    TABLES = ("cases", "episodes", "loops", "handovers", "bounces", "waits", "readmissions",
              "discharges", "age_transitions", "defects", "units", "scenarios")

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables by name."""
        return {name: getattr(self, name) for name in self.TABLES}

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v):,}" for k, v in self.tables.items())
        return f"Truth({sizes})"

    def to_json(self, path) -> None:
        """Write all tables to one JSON file (``{"params":..., "tables": {name: {columns, data}}}``)."""
        out = {"params": self.params, "tables": {}}
        for name, df in self.tables.items():
            d = df.copy()
            for col in d.columns:
                if pd.api.types.is_datetime64_any_dtype(d[col]):
                    d[col] = d[col].dt.strftime("%Y-%m-%d %H:%M").astype(object).where(d[col].notna(), None)
            d = d.astype(object).where(d.notna(), None)
            out["tables"][name] = {"columns": list(d.columns),
                                   "data": [[_plain(v) for v in row] for row in d.itertuples(index=False)]}
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(out, fh, ensure_ascii=False, separators=(",", ":"))
            fh.write("\n")

    @classmethod
    def from_json(cls, path) -> "Truth":
        """Read tables written by :meth:`to_json` (timestamps become datetime64)."""
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
        tables = {}
        for name, t in raw["tables"].items():
            df = pd.DataFrame(t["data"], columns=t["columns"])
            for col in df.columns:
                if col in TIME_COLUMNS or col == "birth_date":
                    df[col] = pd.to_datetime(df[col], format="%Y-%m-%d %H:%M")
            tables[name] = df
        return cls(**tables, params=raw.get("params", {}))


def _plain(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return None if np.isnan(v) else round(float(v), 4)
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 4)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


@dataclass
class SyntheticLog:
    """What :func:`generate` returns: ``events`` (the log), ``truth`` (a :class:`Truth`), ``params``.

    ``raw_timestamps`` maps data-row numbers to the text of timestamps that are
    not dates (defect ``unparseable_timestamp``; those rows hold NaT in
    ``events``); ``to_csv`` writes that text.
    """

    events: pd.DataFrame
    truth: Truth
    params: dict
    raw_timestamps: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"SyntheticLog({len(self.events):,} events, {self.events['case_id'].nunique():,} cases, "
                f"seed={self.params.get('seed')}; truth: {len(self.truth.loops):,} loops, "
                f"{len(self.truth.readmissions):,} readmissions, {len(self.truth.defects):,} defects)")

    def to_csv(self, path, *, dialect: str = "plain") -> None:
        """Write the events as CSV: ``dialect="plain"`` (comma, ISO dates, English headers) or
        ``"danish"`` (semicolon, Danish headers, ``dd-mm-yyyy HH:MM``; date-only defects as
        ``dd-mm-yyyy``)."""
        from .writer import write_csv

        write_csv(self.events, path, dialect=dialect, raw_timestamps=self.raw_timestamps,
                  date_only_rows=self.truth.defects.loc[self.truth.defects["kind"] == "date_only", "row"])

    def to_parquet(self, path) -> None:
        """Write the events as Parquet (unparseable timestamps are null there)."""
        self.events.to_parquet(path, index=False)


# --- options -------------------------------------------------------------------------------
def scenario_weights(scenarios) -> dict[str, float]:
    """``scenarios`` (None = all, a sequence of names, or a mapping name -> weight) as weights."""
    if scenarios is None:
        return {name: s.weight for name, s in SCENARIOS.items()}
    if isinstance(scenarios, str):
        scenarios = [scenarios]
    if hasattr(scenarios, "items"):
        items = list(scenarios.items())
    else:
        items = [(name, None) for name in scenarios]
    out = {}
    for name, w in items:
        check_choice("scenarios", name, SCENARIO_NAMES)
        w = SCENARIOS[name].weight if w is None else float(w)
        if not w >= 0:
            raise OptionError(f"scenarios[{name!r}] weight must be >= 0, got {w!r}.")
        out[name] = w
    if not out or sum(out.values()) <= 0:
        raise OptionError("scenarios must name at least one scenario with a positive weight; "
                          f"choose from {', '.join(SCENARIO_NAMES)}.")
    return {name: out[name] for name in SCENARIO_NAMES if name in out and out[name] > 0}


# --- one chunk of patients --------------------------------------------------------------------
def _dst_ranges(first_year: int, last_year: int) -> list[tuple[int, int]]:
    """[02:00, 03:00) on the last Sundays of March and October, in minutes since EPOCH."""
    out = []
    for y in range(first_year, last_year + 1):
        for month in (3, 10):
            last = np.datetime64(f"{y}-{month + 1:02d}-01") - np.timedelta64(1, "D")
            wd = (last.astype("datetime64[D]").astype(np.int64) + 3) % 7  # Monday=0; 1970-01-01 was a Thursday
            sunday = last - np.timedelta64(int((wd - 6) % 7), "D")
            a = int((sunday.astype("datetime64[m]") - EPOCH).astype(np.int64)) + 120
            out.append((a, a + 60))
    return out


def _calendar_fixes(ev: dict, dst: list[tuple[int, int]]) -> None:
    """No naive time in a DST gap/overlap, none at exactly 00:00, no ties within a case.

    Each fix can undo another (a tie pushed into a DST gap), so they repeat until
    nothing changes; every round only moves times later, so this ends.
    """
    for _ in range(1000):
        changed = False
        for col in ("t", "end"):
            x = ev[col]
            has = x != NO_TIME
            for a, b in dst:
                m = has & (x >= a) & (x < b)
                if m.any():
                    x[m] = b
                    changed = True
            m = has & (x % 1440 == 0)
            if m.any():
                x[m] += 1
                changed = True
        # strictly increasing within a case (events are sorted by case, time, order)
        pat, t = ev["pat"], ev["t"]
        if t.size:
            first = np.ones(t.size, bool)
            first[1:] = pat[1:] != pat[:-1]
            start = np.maximum.accumulate(np.where(first, np.arange(t.size), 0))
            rank = np.arange(t.size) - start
            big = np.int64(1) << 40
            u = t - rank + pat.astype(np.int64) * big
            u = np.maximum.accumulate(u) - pat.astype(np.int64) * big
            new = u + rank
            if (new != t).any():
                ev["t"] = new
                changed = True
        if not changed:
            break


def _chunk(chunk_no: int, n: int, first_number: int, *, seed: int, start_day: float, end_day: float,
           weights: dict[str, float], combine: float, defect_counts: dict[str, int], width: int):
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk_no,)))
    names = list(weights)
    codes = np.array([SCENARIO_NAMES.index(s) for s in names])
    p = np.array([weights[s] for s in names])
    muni = rng.choice(len(MUNICIPALITY_NAMES), size=n, p=MUNICIPALITY_WEIGHTS)
    female = rng.random(n) < 0.52
    first = codes[rng.choice(len(names), size=n, p=p / p.sum())]
    want = rng.random(n) < combine  # these patients start early enough for a second episode
    end_limit = int(round(end_day * 1440)) + 1439

    ep_pat, ep_scen, ep_t0, parts = [], [], [], []
    birth = np.zeros(n)
    last_end = np.full(n, -np.inf)
    for rnd in range(2):
        if rnd == 0:
            pats = np.arange(n)
            scen = first
        else:
            # a later episode from a compatible scenario, after a quiet gap of 200+ days
            groups = np.array([SCENARIOS[SCENARIO_NAMES[c]].group for c in first])
            second = np.full(n, -1)
            for g, allowed in COMBINES_WITH.items():
                allowed = [a for a in allowed if a in weights]
                sel = np.flatnonzero(want & (groups == g))
                if not allowed or sel.size == 0:
                    continue
                w = np.array([weights[a] for a in allowed])
                allowed_codes = np.array([SCENARIO_NAMES.index(a) for a in allowed])
                second[sel] = allowed_codes[rng.choice(len(allowed), sel.size, p=w / w.sum())]
            pats = np.flatnonzero(second >= 0)
            scen = second[pats]
        if pats.size == 0:
            continue
        order = np.lexsort((pats, scen))
        pats, scen = pats[order], scen[order]
        for code in np.unique(scen):
            spec = SCENARIOS[SCENARIO_NAMES[code]]
            sel = pats[scen == code]
            m = sel.size
            if rnd == 0:
                latest = max(start_day, end_day - spec.span_days)
                latest = np.where(want[sel], start_day + 0.3 * (latest - start_day), latest)
                t0 = start_day + rng.random(m) * (latest - start_day)
                age0 = rng.uniform(*spec.ages, m)
                birth[sel] = np.floor(t0 - age0 * 365.2425 - rng.uniform(0, 1, m))
            else:
                t0 = last_end[sel] + EPISODE_GAP_DAYS + 1 + rng.exponential(150, m)  # +1: start of day
                age0 = (t0 - birth[sel]) / 365.2425
                ok = (t0 <= end_day - spec.span_days) & (age0 >= spec.ages[0]) & (age0 <= spec.ages[1] + 5)
                sel, t0, age0 = sel[ok], t0[ok], age0[ok]
                m = sel.size
                if m == 0:
                    continue
            ctx = Ctx(rng, t0, age0, birth[sel], _MEETING_BASE[muni[sel] % 4])
            spec.func(ctx)
            ev = ctx.collect()
            ep_base = len(ep_pat) and sum(len(x) for x in ep_pat)
            ep_pat.append(sel)
            ep_scen.append(np.full(m, code))
            ep_t0.append(t0)
            ev["ep"] = ev["ep"] + ep_base
            ev["pat"] = sel[ev["ep"] - ep_base]
            ev["seq"] = ev["seq"].astype(np.int64) + rnd * 1_000_000
            parts.append(ev)
        if rnd == 0 and parts:
            allev = {k: np.concatenate([q[k] for q in parts]) for k in ("pat", "t", "end")}
            reach = np.maximum(allev["t"], np.where(allev["end"] == NO_TIME, allev["t"], allev["end"]))
            np.maximum.at(last_end, allev["pat"], reach / 1440.0)

    ep_pat = np.concatenate(ep_pat)
    ep_scen = np.concatenate(ep_scen)
    ev = {k: np.concatenate([q[k] for q in parts]) for k in parts[0]}
    ev["scen"] = ep_scen[ev["ep"]]
    order = np.lexsort((ev["seq"], ev["t"], ev["pat"]))
    ev = {k: v[order] for k, v in ev.items()}
    years = (int(str(EPOCH + np.timedelta64(int(start_day * 1440), "m"))[:4]) - 1,
             int(str(EPOCH + np.timedelta64(int(end_day * 1440), "m"))[:4]) + 2)
    _calendar_fixes(ev, _dst_ranges(*years))
    # the extract ends at `end`: later events are not in it, stays still running have no end yet
    keep = ev["t"] <= end_limit
    ev = {k: v[keep] for k, v in ev.items()}
    ev["end"] = np.where(ev["end"] > end_limit, NO_TIME, ev["end"])
    del ev["seq"]

    tables = _truth_tables(ev, n, birth, end_limit, ep_pat, ep_scen, female, muni)
    # case ids: P + zero-padded number
    numbers = np.arange(first_number + 1, first_number + n + 1)
    case_ids = np.char.add("P", np.char.zfill(numbers.astype(str), width)).astype(object)
    ev["apat"] = ev["pat"].copy()
    ev["t_attr"] = ev["t"].copy()
    records, raw = [], {}
    if defect_counts:
        protected = np.unique(np.concatenate([tables["loops"]["case"].to_numpy(np.int64),
                                              tables["handovers"]["case"].to_numpy(np.int64)]))
        ev, records, raw = _defects.inject(rng, ev, defect_counts, protected)
        na_pats = np.unique(ev["pat"][ev["na"]])
        if na_pats.size:
            case_ids[na_pats] = "NA"
    else:
        ev["na"] = np.zeros(ev["t"].size, bool)
    patients = {"case_id": case_ids, "female": female, "muni": muni, "birth": birth}
    return ev, patients, tables, records, raw


def _truth_tables(ev, n, birth, as_of, ep_pat, ep_scen, female, muni) -> dict[str, pd.DataFrame]:
    case, t, end, unit, act, acute, scen = (ev["pat"], ev["t"], ev["end"], ev["unit"], ev["act"],
                                            ev["acute"], ev["scen"])
    names = np.array(SCENARIO_NAMES, dtype=object)
    scen_name = names[scen]
    steps = _truth.unit_path(case, t, end, unit)
    loops = _truth.loops(steps, case, t, act, scen_name, as_of) if t.size else pd.DataFrame()
    handovers, bounces = _truth.handovers(steps, scen_name)
    waits = _truth.waits(case, t, act, unit, scen_name, as_of)
    readm = _truth.readmissions(case, t, act, unit, acute, scen_name)
    disch = _truth.discharges(case, t, act, unit)
    born = pd.DatetimeIndex(EPOCH.astype("datetime64[D]") + birth.astype(np.int64))
    b18 = (((born + pd.DateOffset(years=18)).values.astype("datetime64[m]") - EPOCH)
           .astype(np.int64))
    ages = _truth.age_transitions(case, t, act, unit, b18)
    n_adm, most = _truth.admissions_per_case(case, t, act, n)
    # episodes: first and last time actually in the log (after the extract's end)
    ep_idx = ev["ep"]
    reach = np.maximum(t, np.where(end == NO_TIME, t, end))
    n_ep = ep_pat.size
    ep_first = np.full(n_ep, np.iinfo(np.int64).max)
    ep_last = np.full(n_ep, NO_TIME)
    np.minimum.at(ep_first, ep_idx, t)
    np.maximum.at(ep_last, ep_idx, reach)
    present = ep_last != NO_TIME
    episodes = pd.DataFrame({"case": ep_pat[present], "scenario": names[ep_scen[present]],
                             "start": ep_first[present], "end": ep_last[present]})
    episodes = episodes.sort_values(["case", "start"], kind="stable").reset_index(drop=True)
    episodes["episode"] = episodes.groupby("case").cumcount() + 1
    good_code = np.array([SCENARIOS[s].good for s in SCENARIO_NAMES])
    e_case = episodes["case"].to_numpy(np.int64)
    # scenario codes in episode order (episodes is sorted by case, start)
    code_of_name = {name: k for k, name in enumerate(SCENARIO_NAMES)}
    e_code = pd.Series(episodes["scenario"]).map(code_of_name).to_numpy(np.int64)
    n_eps = np.bincount(e_case, minlength=n)
    all_good = np.ones(n, bool)
    np.logical_and.at(all_good, e_case, good_code[e_code])
    first_pos = np.searchsorted(e_case, np.arange(n))
    scen_txt = np.full(n, "", dtype=object)
    for k in range(int(n_eps.max(initial=0))):  # at most a few episodes per case
        has = n_eps > k
        pos = first_pos[has] + k
        add = names[e_code[pos]]
        scen_txt[has] = np.where(k == 0, add, scen_txt[has] + ";" + add)
    n_events = np.bincount(case, minlength=n)
    first_t = np.full(n, np.iinfo(np.int64).max)
    last_t = np.full(n, NO_TIME)
    np.minimum.at(first_t, case, t)
    np.maximum.at(last_t, case, t)
    cases = pd.DataFrame({"case": np.arange(n), "scenarios": scen_txt, "n_episodes": n_eps,
                          "good": all_good, "n_events": n_events, "first_event": first_t,
                          "last_event": last_t, "n_admissions": n_adm, "max_admissions_365d": most,
                          "sex": np.where(female, "K", "M"),
                          "birth_date": birth.astype(np.int64) * 1440,
                          "municipality": np.array(MUNICIPALITY_NAMES, dtype=object)[muni],
                          "cluster": np.array(CLUSTER_OF_MUNICIPALITY, dtype=object)[muni]})
    cases = cases[cases["n_events"] > 0].reset_index(drop=True)
    cases["revolving_door"] = cases["max_admissions_365d"] >= 3
    return {"cases": cases, "episodes": episodes, "loops": loops, "handovers": handovers,
            "bounces": bounces, "waits": waits, "readmissions": readm, "discharges": disch,
            "age_transitions": ages}


# --- output ---------------------------------------------------------------------------------
def _minutes_to_datetime(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.int64)
    out = (EPOCH + np.where(x == NO_TIME, 0, x).astype("timedelta64[m]")).astype("datetime64[us]")
    out[x == NO_TIME] = np.datetime64("NaT")
    return out


def _age_at(t_minutes: np.ndarray, birth_days: np.ndarray) -> np.ndarray:
    d_e = (EPOCH.astype("datetime64[D]") + (t_minutes // 1440).astype("timedelta64[D]"))
    d_b = (EPOCH.astype("datetime64[D]") + birth_days.astype(np.int64).astype("timedelta64[D]"))

    def ymd(d):
        y = d.astype("datetime64[Y]").astype(np.int64) + 1970
        m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
        day = (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
        return y, m * 100 + day

    ye, mde = ymd(d_e)
    yb, mdb = ymd(d_b)
    return ye - yb - (mde < mdb)


def _events_frame(ev: dict, patients: dict) -> pd.DataFrame:
    """The canonical pandas frame of one chunk."""
    unit_names = np.array(UNIT_NAMES + UNKNOWN_UNITS + (None,), dtype=object)
    act_names = np.array(ACTIVITY_NAMES + (None,), dtype=object)
    res_names = np.array(RESOURCE_NAMES, dtype=object)
    pat, apat = ev["pat"], ev["apat"]
    case_id = np.array(patients["case_id"], dtype=object)[np.maximum(pat, 0)]
    case_id[pat < 0] = None
    t = ev["t"]
    t_ok = ev["t_attr"]
    acute = pd.array(np.where(ev["acute"] < 0, False, ev["acute"] == 1), dtype="boolean")
    acute[ev["acute"] < 0] = pd.NA
    ref = ev["referral_to"]
    birth = patients["birth"][apat]
    return pd.DataFrame({
        "case_id": pd.array(case_id, dtype="object"),
        "activity": act_names[np.where(ev["act"] < 0, len(ACTIVITY_NAMES), ev["act"])],
        "timestamp": _minutes_to_datetime(t),
        "end_timestamp": _minutes_to_datetime(ev["end"]),
        "unit": unit_names[np.where(ev["unit"] < 0, len(unit_names) - 1, ev["unit"])],
        "resource": res_names[RESOURCE_CODE_OF_ACTIVITY[np.maximum(ev["act"], 0)]],
        "referral_to": unit_names[np.where(ref < 0, len(unit_names) - 1, ref)],
        "age": _age_at(t_ok, birth).astype(np.int16),
        "sex": np.where(patients["female"][apat], "K", "M").astype(object),
        "municipality": np.array(MUNICIPALITY_NAMES, dtype=object)[patients["muni"][apat]],
        "cluster": np.array(CLUSTER_OF_MUNICIPALITY, dtype=object)[patients["muni"][apat]],
        "birth_date": (EPOCH.astype("datetime64[D]") + birth.astype(np.int64).astype("timedelta64[D]"))
        .astype("datetime64[us]"),
        "acute": acute,
    })


def _finish_truth(tables: dict, patients: dict, offset_rows: int, records, ev) -> dict:
    """Case numbers -> case ids, minutes -> datetimes, defect rows -> global rows."""
    ids = np.array(patients["case_id"], dtype=object)
    out = {}
    for name, df in tables.items():
        df = df.copy()
        if "case" in df.columns:
            df.insert(0, "case_id", ids[df.pop("case").to_numpy(np.int64)] if len(df) else [])
        for col in df.columns:
            if col in TIME_COLUMNS and len(df):
                df[col] = _minutes_to_datetime(df[col].to_numpy(np.int64))
        out[name] = df
    out["defects"] = pd.DataFrame({
        "row": np.array([r for r, *_ in records], dtype=np.int64) + offset_rows,
        "kind": [k for _, k, *_ in records], "column": [c for _, _, c, _ in records],
        "value": [v for *_, v in records],
        "rejected": [k in _defects.REJECTED for _, k, *_ in records]})
    return out


def _static_tables(weights: dict, cases: pd.DataFrame) -> dict:
    units = pd.DataFrame({"unit": UNIT_NAMES, "domain": UNIT_DOMAIN, "sector": UNIT_SECTOR})
    counts = {}
    for s in cases["scenarios"] if len(cases) else []:
        for name in set(s.split(";")):
            counts[name] = counts.get(name, 0) + 1
    scen = pd.DataFrame({
        "scenario": list(weights), "title": [SCENARIOS[s].title for s in weights],
        "source": [SCENARIOS[s].source for s in weights], "group": [SCENARIOS[s].group for s in weights],
        "good": [SCENARIOS[s].good for s in weights], "n_cases": [counts.get(s, 0) for s in weights]})
    return {"units": units, "scenarios": scen}


def _plan(n_patients, seed, start, end, scenarios, defects, combine):
    if not isinstance(n_patients, (int, np.integer)) or n_patients < 1:
        raise OptionError(f"n_patients must be a whole number >= 1, got {n_patients!r}.")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise OptionError(f"seed must be a whole number >= 0, got {seed!r}.")
    try:
        start_day, end_day = to_days(start), to_days(end)
    except (ValueError, TypeError) as exc:
        raise OptionError(f"start={start!r} / end={end!r}: expected dates such as '2021-01-01' ({exc}).") from None
    start_day, end_day = math.floor(start_day), math.floor(end_day)
    if end_day <= start_day + 30:
        raise OptionError(f"end={end!r} must be more than 30 days after start={start!r}; "
                          "a period of two years or more gives every scenario room.")
    if not 0 <= combine <= 1:
        raise OptionError(f"combine must be a share between 0 and 1, got {combine!r}.")
    weights = scenario_weights(scenarios)
    counts = _defects.normalise(defects)
    n_chunks = max(1, math.ceil(n_patients / CHUNK_PATIENTS))
    width = max(6, len(str(n_patients)))
    params = {"n_patients": int(n_patients), "seed": int(seed), "start": str(pd.Timestamp(start).date()),
              "end": str(pd.Timestamp(end).date()), "scenarios": weights, "defects": counts,
              "combine": combine, "generator_version": VERSION}
    return start_day, end_day, weights, counts, n_chunks, width, params


def _split(count: int, n_chunks: int, k: int) -> int:
    return count // n_chunks + (1 if k < count % n_chunks else 0)


def iter_chunks(n_patients, *, seed, start, end, scenarios=None, defects=None, combine=0.15,
                progress: Callable[[int, int], None] | None = None):
    """Yield ``(events_frame, truth_tables, raw_timestamps)`` per chunk of 20,000 patients.

    Row numbers in the defects table and in ``raw_timestamps`` are global (they
    count the rows of the earlier chunks). Used by :func:`generate` and by the
    streaming writer, so both produce the same rows.
    """
    start_day, end_day, weights, counts, n_chunks, width, params = _plan(
        n_patients, seed, start, end, scenarios, defects, combine)
    offset = 0
    for k in range(n_chunks):
        first = k * CHUNK_PATIENTS
        n = min(CHUNK_PATIENTS, n_patients - first)
        ccounts = {kind: _split(c, n_chunks, k) for kind, c in counts.items()}
        ccounts = {kind: c for kind, c in ccounts.items() if c}
        ev, patients, tables, records, raw = _chunk(
            k, n, first, seed=seed, start_day=start_day, end_day=end_day, weights=weights,
            combine=combine, defect_counts=ccounts, width=width)
        frame = _events_frame(ev, patients)
        truth = _finish_truth(tables, patients, offset, records, ev)
        yield frame, truth, {r + offset: v for r, v in raw.items()}, params
        offset += len(frame)
        if progress is not None:
            progress(first + n, n_patients)


def generate(n_patients: int, *, seed: int, start="2021-01-01", end="2023-12-31",
             scenarios: Sequence[str] | Mapping[str, float] | None = None,
             defects: Sequence[str] | Mapping[str, int] | None = None, combine: float = 0.15,
             progress: Callable[[int, int], None] | None = None) -> SyntheticLog:
    """Generate a synthetic Danish cross-sector event log with its ground truth.

    Parameters
    ----------
    n_patients : int
        Number of patients (cases). Each has one episode of a scenario; a share
        ``combine`` gets a second, compatible scenario 200+ days later.
    seed : int
        Seed of the numpy random generator. Same arguments, same output, byte for byte.
    start, end : date-like
        The extract's period (inclusive). Episodes start inside it; events after
        ``end`` are cut off (waits still open at ``end`` are censored).
    scenarios : sequence of names or mapping name -> weight, optional
        Which scenarios to use (default: all of ``pathways.synthetic.SCENARIOS``
        with their default weights).
    defects : sequence of kinds or mapping kind -> count, optional
        Data defects to inject (a sequence means 5 of each); see
        ``pathways.synthetic.DEFECT_KINDS``. Every injected defect is a row of
        ``truth.defects``.
    combine : float
        Share of patients who get a second episode.
    progress : callable, optional
        Called as ``progress(patients_done, n_patients)`` after each chunk.

    Returns
    -------
    SyntheticLog
        ``.events``: pandas DataFrame with the canonical columns ``case_id``,
        ``activity``, ``timestamp``, ``end_timestamp``, ``unit``, ``resource``,
        ``referral_to`` and attributes ``age``, ``sex``, ``municipality``,
        ``cluster``, ``birth_date``, ``acute``; sorted by case and time.
        ``.truth``: a :class:`Truth` with the ground-truth tables.

    Examples
    --------
    >>> from pathways.synthetic import generate
    >>> syn = generate(200, seed=7)
    >>> syn.events.columns[:5].tolist()
    ['case_id', 'activity', 'timestamp', 'end_timestamp', 'unit']
    >>> syn.events["case_id"].nunique()
    200
    >>> generate(200, seed=7).events.equals(syn.events)
    True
    >>> sorted(syn.truth.tables)[:3]
    ['age_transitions', 'bounces', 'cases']
    """
    frames, truths, raw, params = [], [], {}, None
    for frame, truth, r, params in iter_chunks(n_patients, seed=seed, start=start, end=end,
                                               scenarios=scenarios, defects=defects, combine=combine,
                                               progress=progress):
        frames.append(frame)
        truths.append(truth)
        raw.update(r)
    events = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    tables = {name: pd.concat([t[name] for t in truths], ignore_index=True) if len(truths) > 1
              else truths[0][name] for name in truths[0]}
    tables.update(_static_tables(params["scenarios"], tables["cases"]))
    return SyntheticLog(events=events, truth=Truth(**tables, params=params), params=params,
                        raw_timestamps=raw)
