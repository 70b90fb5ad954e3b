"""The analysis bundle on synthetic logs from Parquet, and pm4py's route to the same numbers.

    .venv/bin/python benchmarks/analyses.py                    # 1.1 million events
    .venv/bin/python benchmarks/analyses.py --events 11000000  # 11 million (pm4py skipped with --no-pm4py)

The bundle: transitions with edge times, handovers, circular referrals, waits for one
milestone pair (referral received -> assessment start), readmissions and the case
summary, each on the same EventLog read from Parquet. Reading is timed separately.
pm4py's route: format_dataframe, discover_performance_dfg and the handover-of-work
network (resource = unit) on a pandas frame of the same events already in memory.
It is compared twice: with the whole bundle, and with pathways' own route to the same
numbers (transitions + handover_matrix by unit).
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


def run_one(events: int, repeat: int, with_pm4py: bool) -> dict:
    import pathways as pw

    warnings.simplefilter("ignore")
    path = data_file(events)
    pw.read_parquet(path, **MAP)  # warm-up: first use imports Ibis and DuckDB
    t0 = time.perf_counter()
    log = pw.read_parquet(path, **MAP)
    read_s = time.perf_counter() - t0
    out = {"events": len(log), "cases": log.n_cases, "read_parquet_s": round(read_s, 2)}
    bundle(log.replace(log.table))  # warm-up: imports and Ibis compilation caches
    # every timed run starts from a fresh log, so nothing computed by an earlier run is reused
    parts = {}
    for name in ("transitions", "handovers", "circular_referrals", "waiting_times", "readmissions", "case_summary"):
        parts[name] = round(best(lambda: bundle_part(log.replace(log.table), name), repeat), 2)
    out["parts_s"] = parts
    out["bundle_s"] = round(best(lambda: bundle(log.replace(log.table)), repeat), 2)
    # pathways' route to pm4py's numbers: edge counts and times, handover counts between units
    out["same_numbers_s"] = round(best(lambda: same_numbers(log.replace(log.table)), repeat), 2)
    if with_pm4py:
        import pandas as pd

        df = pd.read_parquet(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pm4py

        def pm4py_route():
            f = pm4py.format_dataframe(df, case_id="case_id", activity_key="activity", timestamp_key="timestamp")
            pm4py.discover_performance_dfg(f)
            f = f.dropna(subset=["unit"]).rename(columns={"resource": "staff", "unit": "org:resource"})
            pm4py.discover_handover_of_work_network(f)

        out["pm4py_s"] = round(best(pm4py_route, max(1, repeat - 1)), 2)
        out["bundle_vs_pm4py"] = round(out["pm4py_s"] / out["bundle_s"], 1)
        out["same_numbers_vs_pm4py"] = round(out["pm4py_s"] / out["same_numbers_s"], 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def same_numbers(log) -> None:
    """What pm4py's route computes: the directly-follows graph with edge times, and handovers per unit pair."""
    import pathways as pw

    pw.transitions(log)
    pw.handover_matrix(log, by="unit")


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
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.repeat, not args.no_pm4py)))
        return
    for events in args.events:
        cmd = [sys.executable, __file__, "--one", str(events), "--repeat", str(args.repeat)]
        cmd += ["--no-pm4py"] if args.no_pm4py else []
        result = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
