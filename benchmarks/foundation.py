"""Foundation speed: read_parquet / read_csv plus validation of ~1.1 million events, and `import pathways`.

    .venv/bin/python benchmarks/foundation.py [--events 1100000]

Writes the test files to benchmarks/data/ (ignored by git) on first use. The events
are synthetic (pathways.synthetic when available), shaped like a regional extract:
Danish column names, `;` separator, `dd-mm-yyyy HH:MM` dates in the CSV.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
MAP = dict(case="cpr_pseudo", activity="haendelse", timestamp="tidspunkt", end_timestamp="sluttid",
           unit="afsnit", referral_to="henvist_til")


def make_events(n_events: int, seed: int = 7):
    """A frame of about ``n_events`` events: the synthetic generator's, renamed to Danish headers."""
    from pathways.synthetic import generate

    n_patients = max(1, n_events // 18)
    events = generate(n_patients, seed=seed).events
    while len(events) < n_events:  # top up with more patients until the size is reached
        n_patients = int(n_patients * n_events / max(len(events), 1) * 1.02) + 1
        events = generate(n_patients, seed=seed).events
    events = events.iloc[:n_events]
    return events.rename(columns={"case_id": "cpr_pseudo", "activity": "haendelse", "timestamp": "tidspunkt",
                                  "end_timestamp": "sluttid", "unit": "afsnit", "referral_to": "henvist_til"})


def ensure_files(n_events: int) -> tuple[str, str]:
    os.makedirs(DATA, exist_ok=True)
    pq = os.path.join(DATA, f"events_{n_events}.parquet")
    csv = os.path.join(DATA, f"events_{n_events}.csv")
    if not (os.path.exists(pq) and os.path.exists(csv)):
        df = make_events(n_events)
        df.to_parquet(pq, index=False)
        text = df.assign(tidspunkt=df["tidspunkt"].dt.strftime("%d-%m-%Y %H:%M"),
                         sluttid=df["sluttid"].dt.strftime("%d-%m-%Y %H:%M"))
        text.to_csv(csv, sep=";", index=False)
    return pq, csv


def timed(label: str, fn, repeat: int = 3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:<44} {best:7.2f} s   ({len(out):,} events, {len(out.rejected):,} rejected)")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_100_000)
    args = parser.parse_args()

    cmd = [sys.executable, "-c", "import time; t=time.perf_counter(); import pathways; "
           "print(time.perf_counter()-t); import sys; print('pm4py' in sys.modules)"]
    runs = [subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split() for _ in range(5)]
    print(f"{'import pathways (best of 5)':<44} {min(float(r[0]) for r in runs):7.3f} s   "
          f"(pm4py imported: {runs[0][1]})")

    import pathways as pw

    warnings.simplefilter("ignore", pw.PathwaysWarning)
    pq, csv = ensure_files(args.events)
    timed("read_parquet + validation", lambda: pw.read_parquet(pq, **MAP))
    timed("read_csv (';', dd-mm-yyyy) + validation", lambda: pw.read_csv(csv, dayfirst=True, **MAP))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak resident memory':<44} {peak:7.0f} MB")


if __name__ == "__main__":
    main()
