"""Benchmark of the synthetic generator: 1 million and 10 million events, time and peak memory.

    .venv/bin/python benchmarks/generate.py            # 1M and 10M events to Parquet
    .venv/bin/python benchmarks/generate.py --events 1000000 --format csv

Each size runs in a fresh subprocess so that its peak resident memory (ru_maxrss)
is its own. Files go to benchmarks/data/ (git-ignored) and are deleted afterwards
unless --keep is given.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

EVENTS_PER_PATIENT = 14.6  # measured average of the default scenario mix
HERE = os.path.dirname(os.path.abspath(__file__))


def one(events: int, fmt: str, seed: int, keep: bool) -> dict:
    import resource

    from pathways.synthetic import write

    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    path = os.path.join(HERE, "data", f"synthetic_{events}.{fmt}")
    patients = int(round(events / EVENTS_PER_PATIENT))
    t0 = time.perf_counter()
    info = write(path, patients, seed=seed)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    if not keep:
        os.remove(path)
    return {"target_events": events, "patients": patients, "events": info["n_events"],
            "format": fmt, "seconds": round(seconds, 1), "peak_rss_mb": round(peak),
            "file_mb": round(info["bytes"] / 1e6, 1),
            "events_per_second": round(info["n_events"] / seconds)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, nargs="*", default=[1_000_000, 10_000_000])
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(one(args.events[0], args.format, args.seed, args.keep)))
        return 0
    for n in args.events:
        cmd = [sys.executable, __file__, "--child", "--events", str(n), "--format", args.format,
               "--seed", str(args.seed)] + (["--keep"] if args.keep else [])
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{r['events']:>11,} events ({r['patients']:,} patients) -> {r['format']}: "
              f"{r['seconds']:6.1f} s, peak {r['peak_rss_mb']:,} MB RSS, file {r['file_mb']} MB, "
              f"{r['events_per_second']:,} events/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
