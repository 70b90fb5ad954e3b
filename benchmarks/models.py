"""Conformance of 10,000 cases against a reference pathway by token replay (issue 6), and discovery.

    .venv/bin/python benchmarks/models.py                     # 10,000 cases
    .venv/bin/python benchmarks/models.py --cases 100000      # larger

A synthetic log (``pathways.synthetic.write``, all scenarios, seed 11) is read from
Parquet; the reference is the psychiatric pathway GP referral → PVK receipt →
visitation within 14 days → first contact within 30 days of the receipt →
assessment → treatment start (optional, within 4 weeks) → closure. Timed:
``pw.conformance(log, reference)`` (token replay, the default) on a fresh log each
run, the first run including pm4py's import; then the same with alignments, and
discovery of a process tree (inductive miner, noise 0.2) with the conformance of
every case against it. Test files go to benchmarks/data/ (git-ignored).
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
MAP = dict(case="case_id", activity="activity", timestamp="timestamp", end_timestamp="end_timestamp",
           unit="unit", resource="resource", referral_to="referral_to")


def data_file(cases: int) -> str:
    from pathways.synthetic import write

    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    path = os.path.join(HERE, "data", f"models_{cases}.parquet")
    if not os.path.exists(path):
        write(path, cases, seed=11)
    return path


def reference():
    import pathways as pw

    return pw.ReferencePathway(
        ["referral", "referral_received", pw.Step("visitation", within="14D"),
         pw.Step("first_contact", within="30D", after="referral_received"), "assessment_start",
         pw.Step("treatment_start", within="4W", optional=True), "closure"],
        name="GP → PVK → district psychiatry")


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """First run (cold) and best of the rest, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times[0], min(times[1:] or times), out


def run_one(cases: int, repeat: int) -> dict:
    import pathways as pw

    warnings.simplefilter("ignore")
    path = data_file(cases)
    log = pw.read_parquet(path, **MAP)
    ref = reference()
    cold, best, table = timed(lambda: pw.conformance(log.replace(log.table), ref), repeat)
    out = {"cases": log.n_cases, "events": len(log), "token_replay_first_s": round(cold, 2),
           "token_replay_best_s": round(best, 2), "traces_replayed": table.attrs["n_traces_replayed"],
           "log_fitness": round(table.attrs["log_fitness"], 4),
           "share_cases_without_deviation": round(float((table["n_deviations"] == 0).mean()), 4)}
    _, best_al, _ = timed(lambda: pw.conformance(log.replace(log.table), ref, method="alignments"), 2)
    out["alignments_best_s"] = round(best_al, 2)
    _, disc, tree = timed(lambda: pw.discover_process_tree(log.replace(log.table)), 2)
    out["discover_process_tree_s"] = round(disc, 2)
    out["tree_source"] = tree.source
    _, conf_tree, t2 = timed(lambda: pw.conformance(log.replace(log.table), tree), 2)
    out["conformance_to_tree_s"] = round(conf_tree, 2)
    out["tree_log_fitness"] = round(t2.attrs["log_fitness"], 4)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.repeat)))
        return
    for cases in args.cases:
        cmd = [sys.executable, __file__, "--one", str(cases), "--repeat", str(args.repeat)]
        result = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
        print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
