"""A 5 GB CSV extract: read, validated and analysed in under 8 GB of memory (issue 10).

    .venv/bin/python benchmarks/big_csv.py                 # ~5 GB, about 32 million events
    .venv/bin/python benchmarks/big_csv.py --gb 1          # a smaller run
    .venv/bin/python benchmarks/big_csv.py --keep          # keep the file for the next run

The extract is written once by ``pathways.synthetic.write`` (Danish dialect: ``;``,
``dd-mm-yyyy HH:MM``, Danish headers) to ``benchmarks/data/`` and removed afterwards unless
``--keep`` is given. The measurement runs in a fresh process: ``read_csv`` with validation,
then ``quality_report``, ``transitions`` and ``waiting_times``. After each step the process
prints its peak resident memory so far (``VmHWM``), so the step that sets the peak is seen.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
EVENTS_PER_PATIENT = 15.2   # of pathways.synthetic with its default scenarios
BYTES_PER_EVENT = 144.0     # of its Danish CSV dialect

CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")

def peak():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0

out = []
def step(label, fn):
    t0 = time.perf_counter()
    value = fn()
    out.append({"step": label, "seconds": round(time.perf_counter() - t0, 1), "peak_bytes": peak()})
    print(json.dumps(out[-1]), flush=True)
    return value

import pathways as pw
path = sys.argv[1]
log = step("read_csv + validation", lambda: pw.read_csv(
    path, case="cpr_pseudo", activity="hændelse", timestamp="tidspunkt", end_timestamp="sluttidspunkt",
    unit="afsnit", referral_to="henvist_til", dayfirst=True))
n = step("len(log), n_cases", lambda: (len(log), log.n_cases, len(log.rejected), log.n_read))
print(json.dumps({"n_events": n[0], "n_cases": n[1], "n_rejected": n[2], "n_read": n[3]}), flush=True)
step("quality_report", lambda: pw.quality_report(log, as_of="2024-01-01"))
step("transitions", lambda: pw.transitions(log))
step("waiting_times", lambda: pw.waiting_times(log, start="referral_received", end="assessment_start",
                                                threshold="30D", as_of="2024-01-01"))
"""


def ensure_file(gb: float) -> str:
    from pathways.synthetic import write

    os.makedirs(DATA, exist_ok=True)
    path = os.path.join(DATA, f"big_{gb:g}gb.csv")
    if os.path.exists(path):
        return path
    n_patients = int(gb * 1e9 / BYTES_PER_EVENT / EVENTS_PER_PATIENT)
    print(f"writing {path} ({n_patients:,} patients) ...", flush=True)
    t0 = time.perf_counter()
    part = path[:-len(".csv")] + ".part.csv"
    info = write(part, n_patients, seed=10, dialect="danish")
    os.replace(part, path)
    print(f"  {info['n_events']:,} events, {os.path.getsize(path) / 1e9:.2f} GB in {time.perf_counter() - t0:.0f} s",
          flush=True)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gb", type=float, default=5.0, help="size of the CSV file in GB (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the CSV file in benchmarks/data/")
    parser.add_argument("--limit-gb", type=float, default=8.0, help="memory the run must stay under (default 8)")
    args = parser.parse_args()
    path = ensure_file(args.gb)
    size = os.path.getsize(path)
    print(f"\n{os.path.basename(path)}: {size / 1e9:.2f} GB", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, path], capture_output=True, text=True)
    total = time.perf_counter() - t0
    steps = []
    for line in proc.stdout.splitlines():
        try:
            steps.append(json.loads(line))
        except json.JSONDecodeError:
            print(line)
    print(f"\n{'step':<26}{'seconds':>9}{'peak memory so far':>22}")
    for s in steps:
        if "step" in s:
            print(f"{s['step']:<26}{s['seconds']:9.1f}{s['peak_bytes'] / 1e9:19.2f} GB")
        else:
            print(f"  {s['n_events']:,} events, {s['n_cases']:,} cases, {s['n_rejected']:,} rejected of "
                  f"{s['n_read']:,} rows read")
    if proc.returncode:
        print(proc.stderr[-3000:])
        print(f"FAILED (exit {proc.returncode}) after {total:.0f} s")
    peak = max((s.get("peak_bytes", 0) for s in steps), default=0)
    ok = proc.returncode == 0 and peak < args.limit_gb * 1e9
    print(f"\npeak resident memory {peak / 1e9:.2f} GB for a {size / 1e9:.2f} GB CSV "
          f"({'under' if ok else 'NOT under'} {args.limit_gb:g} GB); {total:.0f} s in all")
    if not args.keep:
        os.remove(path)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
