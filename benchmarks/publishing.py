"""What a quality unit publishes, timed: indicators, disclosure control, funnel plots, PDF, notifications.

    .venv/bin/python benchmarks/publishing.py                 # the bundle log of 1.1 million events
    .venv/bin/python benchmarks/publishing.py --events 200000

Each step is timed three times and the best is printed:

- ``pw.indicators`` on the bundle log of ``benchmarks/analyses.py`` (written to benchmarks/data/ when missing):
  all standard indicators overall, and per municipality and month;
- ``pw.suppress`` on a 98 x 24 table of counts (municipalities x months, Poisson with gamma means, seed 3) with
  row, column and grand totals, and ``pw.funnel_plot`` of 98 groups drawn to PNG;
- ``svg_to_pdf`` of the unit map and the process map of the psychiatry_somatic sample (the layout not counted);
- ``parse_fhir_xml`` of one HospitalNotification message file and ``pw.notification_delays`` on the bundled stream.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def best(fn, repeat: int = 3) -> tuple[float, object]:
    """The shortest of ``repeat`` runs of ``fn()`` in seconds, and its last result."""
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_100_000, help="size of the bundle log (default 1100000)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import numpy as np
    import pandas as pd

    import pathways as pw
    from analyses import MAP, data_file
    from pathways.io._fhir_xml import parse_fhir_xml
    from pathways.render.pdf import svg_to_pdf

    path = data_file(args.events)
    log = pw.read_parquet(path, **MAP)
    print(f"bundle log: {len(log):,} events, {log.n_cases:,} patients ({os.path.basename(path)})")
    for options in ({}, {"by": "municipality", "period": "M"}):
        seconds, table = best(lambda: pw.indicators(pw.read_parquet(path, **MAP), as_of="2024-01-01", **options))
        print(f"indicators {options or '(overall)'}: {seconds:.2f} s (reading included), {len(table):,} rows")

    rng = np.random.default_rng(3)
    counts = pd.DataFrame(rng.poisson(rng.gamma(1.5, 6, size=(98, 1)), size=(98, 24)))
    seconds, shown = best(lambda: pw.suppress(counts))
    marks = shown.attrs["suppressed"].to_numpy()
    print(f"suppress 98 x 24 with totals: {seconds:.2f} s ({(marks == 'primary').sum()} primary, "
          f"{(marks == 'secondary').sum()} secondary cells)")
    groups = pd.DataFrame({"municipality": range(98), "numerator": rng.binomial(400, 0.1, 98), "denominator": 400})
    seconds, _ = best(lambda: pw.funnel_plot(groups).png())
    print(f"funnel_plot of 98 groups to PNG: {seconds:.3f} s")

    sample = pw.datasets.load_sample("psychiatry_somatic")
    for name, diagram in (("unit_map", pw.unit_map(sample)), ("process_map", pw.process_map(sample))):
        svg = diagram.svg()
        seconds, pdf = best(lambda: svg_to_pdf(svg))
        print(f"svg_to_pdf {name}: {seconds * 1000:.0f} ms (SVG {len(svg) / 1024:.0f} KiB -> PDF {len(pdf) / 1024:.1f} KiB)")

    message = os.path.join(os.path.dirname(HERE), "tests", "data", "fhir", "hn_04_end_leave.xml")
    seconds, _ = best(lambda: parse_fhir_xml(message), repeat=20)
    print(f"parse_fhir_xml of one message file: {seconds * 1000:.2f} ms")
    stream = pw.datasets.load_sample("hospital_notifications", key="benchmark")
    seconds, delays = best(lambda: pw.notification_delays(stream))
    print(f"notification_delays on the bundled stream ({len(stream):,} events): {seconds:.2f} s, {len(delays):,} rows")


if __name__ == "__main__":
    main()
