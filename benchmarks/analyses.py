"""The analysis bundle on synthetic logs from Parquet, and pm4py's route to the same numbers.

    .venv/bin/python benchmarks/analyses.py                    # 1.1 million events
    .venv/bin/python benchmarks/analyses.py --events 11000000  # 11 million (pm4py skipped with --no-pm4py)
    .venv/bin/python benchmarks/analyses.py --events 110000000 --repeat 1 --no-pm4py --memory-limit 12GB  # lean
    .venv/bin/python benchmarks/analyses.py --events 11000000 --engine spark --repeat 1 --no-pm4py

``--engine spark`` reads the Parquet file with ``engine="spark"`` and runs the same bundle on
Spark in local mode (pathways' local session, ``local[2]``); peak memory then adds the JVM's
(VmHWM of the driver process) to Python's. From 50 million events on (or with ``--lean``), the
run is lean: the bundle runs once, each result is dropped before the next analysis, and the
per-function times are those inside that run (each alone on a fresh log would rebuild the
shared unit path six times).

The bundle: transitions with edge times, handovers, circular referrals, waits for one
milestone pair (referral received -> assessment start), readmissions and the case
summary, each on the same EventLog read from Parquet. Reading is timed separately.
pm4py's route: format_dataframe, discover_performance_dfg and the handover-of-work
network (resource = unit) on a pandas frame of the same events already in memory.
It is compared twice: with the whole bundle, and with pathways' own route to the same
numbers (transitions + handover_matrix by unit). On DuckDB a third figure gives the engine's
floor for that route: the same two tables from two hand-written SQL queries on the log's events
table, with no Python around them (checked equal to pathways' tables in the run).
Each size runs in a fresh subprocess so its peak memory (ru_maxrss) is its own.
Test files go to benchmarks/data/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
EVENTS_PER_PATIENT = 14.6  # the generator's average with the default scenario mix
MAP = dict(case="case_id", activity="activity", timestamp="timestamp", end_timestamp="end_timestamp",
           unit="unit", resource="resource", referral_to="referral_to")


def data_file(events: int) -> str:
    from pathways.synthetic import write

    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    path = os.path.join(HERE, "data", f"bundle_{events}.parquet")
    if not os.path.exists(path):
        write(path, int(round(events / EVENTS_PER_PATIENT)), seed=11)
    return path


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bundle(log) -> dict:
    import pathways as pw

    return {
        "transitions": pw.transitions(log),
        "handovers": pw.handovers(log),
        "circular_referrals": pw.circular_referrals(log),
        "waiting_times": pw.waiting_times(log, start="referral_received", end="assessment_start",
                                          threshold="30D", as_of="2024-01-01"),
        "readmissions": pw.readmissions(log),
        "case_summary": pw.case_summary(log),
    }


PARTS = ("transitions", "handovers", "circular_referrals", "waiting_times", "readmissions", "case_summary")


def jvm_peak_mb() -> int | None:
    """Peak resident memory of the local Spark driver (the JVM pathways started), or None."""
    from pathways import spark_session

    try:
        pid = spark_session.local_session().sparkContext._gateway.proc.pid
        with open(f"/proc/{pid}/status") as f:
            return next(round(int(line.split()[1]) / 1024) for line in f if line.startswith("VmHWM"))
    except Exception:
        return None


def run_lean(log, out: dict) -> dict:
    """The bundle once on one log, each result dropped before the next: time per part and in all."""
    parts, total = {}, 0.0
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for name in PARTS:
        t0 = time.perf_counter()
        result = bundle_part(log, name)
        parts[name] = round(time.perf_counter() - t0, 2)
        total += parts[name]
        out.setdefault("rows", {})[name] = len(result)
        del result
    out["parts_in_bundle_s"] = parts
    out["bundle_s"] = round(total, 2)
    # fresh memory the bundle touched (4 KiB pages): on this machine each costs a few microseconds,
    # and their number moves with the allocators' state, one reason the same run varies
    out["bundle_page_faults"] = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    return out


def run_one(events: int, repeat: int, with_pm4py: bool, engine: str = "duckdb", lean: bool = False) -> dict:
    import pathways as pw

    warnings.simplefilter("ignore")
    path = data_file(events)
    if not lean:
        pw.read_parquet(path, engine=engine, **MAP)  # warm-up: first use imports Ibis and the engine
    t0 = time.perf_counter()
    log = pw.read_parquet(path, engine=engine, **MAP)
    read_s = time.perf_counter() - t0
    out = {"engine": engine, "events": len(log), "cases": log.n_cases, "read_parquet_s": round(read_s, 2)}
    if lean:
        run_lean(log, out)
        out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        if engine == "spark":
            out["jvm_peak_rss_mb"] = jvm_peak_mb()
        return out
    bundle(log.replace(log.table))  # warm-up: imports and Ibis compilation caches
    # every timed run starts from a fresh log, so nothing computed by an earlier run is reused
    parts = {}
    for name in PARTS:
        parts[name] = round(best(lambda: bundle_part(log.replace(log.table), name), repeat), 2)
    out["parts_s"] = parts
    out["bundle_s"] = round(best(lambda: bundle(log.replace(log.table)), repeat), 2)
    # pathways' route to pm4py's numbers: edge counts and times, handover counts between units
    out["same_numbers_s"] = round(best(lambda: same_numbers(log.replace(log.table)), repeat), 2)
    if with_pm4py:
        import pandas as pd

        df = pd.read_parquet(path)
        quiet_pm4py()
        out["pm4py_s"] = round(best(lambda: pm4py_route(df), max(1, repeat - 1)), 2)
        out["bundle_vs_pm4py"] = round(out["pm4py_s"] / out["bundle_s"], 1)
        out["same_numbers_vs_pm4py"] = round(out["pm4py_s"] / out["same_numbers_s"], 1)
        if engine == "duckdb":
            check_sql_route(log)
            out["same_numbers_sql_s"] = round(best(lambda: sql_route(log), repeat), 2)
            out["same_numbers_sql_vs_pm4py"] = round(out["pm4py_s"] / out["same_numbers_sql_s"], 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if engine == "spark":
        out["jvm_peak_rss_mb"] = jvm_peak_mb()
    return out


def quiet_pm4py():
    """pm4py, imported with its warnings silenced (import it before timing its route)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py
    return pm4py


def pm4py_route(df) -> None:
    """pm4py's route on a pandas frame of the events: format_dataframe, the performance DFG, and the
    handover-of-work network between units."""
    pm4py = quiet_pm4py()
    f = pm4py.format_dataframe(df, case_id="case_id", activity_key="activity", timestamp_key="timestamp")
    pm4py.discover_performance_dfg(f)
    f = f.dropna(subset=["unit"]).rename(columns={"resource": "staff", "unit": "org:resource"})
    pm4py.discover_handover_of_work_network(f)


def same_numbers(log) -> None:
    """What pm4py's route computes: the directly-follows graph with edge times, and handovers per unit pair."""
    import pathways as pw

    pw.transitions(log)
    pw.handover_matrix(log, by="unit")


# The engine's floor for pathways' route: the edges of `transitions` and the unit pairs of
# `handover_matrix(by="unit")` (DOMAIN.md: steps of the unit path, departure = latest time or end
# time of the step) written straight in DuckDB's SQL, one query each, as the two functions are.
EDGES_SQL = """
SELECT prev AS source, activity AS target, count(*) AS n, count(DISTINCT case_id) AS n_cases, avg(d) AS mean,
       quantile_cont(d, [0.5, 0.9]) AS q, max(d) AS max
FROM (SELECT case_id, activity, lag(activity) OVER w AS prev,
             (epoch_us(timestamp) - epoch_us(lag(timestamp) OVER w)) / 86400e6 AS d
      FROM {events} WINDOW w AS (PARTITION BY case_id ORDER BY timestamp, row))
GROUP BY ALL"""  # the rows without a source count how cases start, as pathways' start rows do
UNIT_PAIRS_SQL = """
WITH e AS (SELECT case_id, unit, timestamp, row, end_timestamp, coalesce(end_timestamp, timestamp) AS leave,
                  coalesce(unit <> lag(unit) OVER w, true) AS first, lead(unit) OVER w AS next,
                  lead(timestamp) OVER w AS next_at
           FROM {events} WHERE unit IS NOT NULL
           WINDOW w AS (PARTITION BY case_id ORDER BY timestamp, row)),
s AS (SELECT *, count(*) FILTER (WHERE first) OVER (PARTITION BY case_id ORDER BY timestamp, row
                                                   ROWS UNBOUNDED PRECEDING) AS step
      FROM e WHERE first OR next IS DISTINCT FROM unit OR end_timestamp IS NOT NULL),
h AS (SELECT case_id, any_value(unit) AS unit, max(leave) AS left_at,
             any_value(next) FILTER (WHERE next <> unit) AS next, min(next_at) FILTER (WHERE next <> unit) AS next_at
      FROM s GROUP BY case_id, step)
SELECT unit AS "from", next AS "to", count(*) AS n, count(DISTINCT case_id) AS n_cases,
       median((epoch_us(next_at) - epoch_us(left_at)) / 86400e6) AS gap
FROM h WHERE next IS NOT NULL GROUP BY ALL"""


def sql_route(log) -> tuple:
    """The two tables of pathways' route to pm4py's numbers, from hand-written DuckDB SQL."""
    events = log.table.get_name()
    return tuple(log.backend.con.sql(q.format(events=events)).df() for q in (EDGES_SQL, UNIT_PAIRS_SQL))


def check_sql_route(log) -> None:
    """The hand-written SQL gives pathways' numbers (else its time would not be a floor for them)."""
    import numpy as np
    import pathways as pw
    from pathways.analyses.transitions import END, START

    edges, pairs = sql_route(log)
    t = pw.transitions(log).query("target != @END")
    q = [list(v) if hasattr(v, "__len__") else [np.nan, np.nan] for v in edges.pop("q")]  # starts: no times
    edges["median"], edges["p90"] = [v[0] for v in q], [v[1] for v in q]
    edges["source"] = edges["source"].astype(object).fillna(START)
    a = t.set_index(["source", "target"]).sort_index()
    b = edges.astype({"source": str, "target": str}).set_index(["source", "target"]).sort_index()
    assert a.index.equals(b.index) and (a.n_transitions == b.n).all() and (a.n_cases == b.n_cases).all()
    for mine, theirs in (("mean_days", "mean"), ("median_days", "median"), ("p90_days", "p90"), ("max_days", "max")):
        assert np.allclose(a[mine], b[theirs].astype(float), rtol=0, atol=1e-9, equal_nan=True), mine
    m = pw.handover_matrix(log, by="unit").set_index(["from", "to"]).sort_index()
    p = pairs.astype({"from": str, "to": str}).set_index(["from", "to"]).sort_index()
    assert m.index.equals(p.index) and (m.n_handovers == p.n).all() and (m.n_cases == p.n_cases).all()
    assert np.allclose(m.median_gap_days, p.gap, rtol=0, atol=1e-9)


def bundle_part(log, name: str):
    import pathways as pw

    if name == "waiting_times":
        return pw.waiting_times(log, start="referral_received", end="assessment_start", threshold="30D",
                                as_of="2024-01-01")
    return getattr(pw, name)(log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[1_100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pm4py", action="store_true")
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument("--lean", action="store_true", help="the bundle once, results dropped (default from 50M)")
    parser.add_argument("--memory-limit", help="DuckDB's memory limit (pw.configure_engine), e.g. 12GB")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        if args.memory_limit:
            import pathways as pw

            pw.configure_engine(memory_limit=args.memory_limit)
        lean = args.lean or args.one >= 50_000_000
        print(json.dumps(run_one(args.one, args.repeat, not args.no_pm4py, args.engine, lean)))
        return
    for events in args.events:
        cmd = [sys.executable, __file__, "--one", str(events), "--repeat", str(args.repeat), "--engine", args.engine]
        cmd += ["--no-pm4py"] if args.no_pm4py else []
        cmd += ["--lean"] if args.lean else []
        cmd += ["--memory-limit", args.memory_limit] if args.memory_limit else []
        result = json.loads(subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout.splitlines()[-1])
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
