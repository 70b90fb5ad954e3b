"""A million distinct activities or units: the maps stay small and readable, and come back (issue 10).

    .venv/bin/python benchmarks/wide.py                         # 2,000,000 events, both cases
    .venv/bin/python benchmarks/wide.py --events 400000 --kind activities

Each case has four events: two with common names (four activities, four units) and two with a name
of their own, so 2,000,000 events hold a million distinct activities (or units) next to a few
frequent ones. Times the build (validation and classification of every distinct name), the process
map, the unit map and the layout of each map (Graphviz, with its time limit), and prints what each
map shows of how many.
"""

from __future__ import annotations

import argparse
import time
import warnings


def frame(n: int, kind: str):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    own = np.arange(n) % 4 >= 2
    acts = rng.choice(["Henvisning", "Indlæggelse", "Udskrivning", "Visitation"], n).astype(object)
    units = rng.choice(["Egen læge", "Medicinsk afdeling", "Distriktspsykiatri", "Hjemmepleje"], n).astype(object)
    names = np.array([f"{'Aktivitet' if kind == 'activities' else 'Afsnit'} {i}" for i in range(n)], dtype=object)
    if kind == "activities":
        acts[own] = names[own]
    else:
        units[own] = names[own]
    return pd.DataFrame({"pt": (np.arange(n) // 4).astype(str), "act": acts, "unit": units,
                         "ts": pd.Timestamp("2023-01-01") + pd.to_timedelta(np.arange(n) * 600, unit="s")})


def run(n: int, kind: str) -> None:
    import pathways as pw

    df = frame(n, kind)
    t0 = time.perf_counter()
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    print(f"\n{n:,} events, {log.stats['n_activities']:,} activities, {log.stats['n_units']:,} units")
    print(f"  {'build (validate, classify every name)':<40}{time.perf_counter() - t0:7.1f} s")
    maps = [("process_map", lambda: pw.process_map(log)), ("process_map(level='unit')",
                                                              lambda: pw.process_map(log, level="unit")),
            ("unit_map", lambda: pw.unit_map(log))]
    for label, make in maps:
        t0 = time.perf_counter()
        d = make()
        t_map = time.perf_counter() - t0
        t0 = time.perf_counter()
        d.svg()
        t_svg = time.perf_counter() - t0
        print(f"  {label:<40}{t_map:7.1f} s   layout {t_svg:5.2f} s   {d.info['caption']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--kind", choices=("activities", "units", "both"), default="both")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    for kind in (("activities", "units") if args.kind == "both" else (args.kind,)):
        run(args.events, kind)


if __name__ == "__main__":
    main()
