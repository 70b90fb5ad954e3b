"""Reading one Parquet file against the same events split into a folder of files (pw.read_parquet).

Writes the danish shape of ``shapes.py`` at N events (if not there yet), splits it into K files of equal size for
each K asked for, and times ``pw.read_parquet`` of the file and of each folder (best of the runs, after a warm-up
read), checking that the rows come back numbered 0 to n - 1 in file and row order.

    python benchmarks/parquet_files.py --events 1100000 --files 4 40 400 --runs 3
"""

from __future__ import annotations

import argparse
import os
import time

import pyarrow.parquet as pq

import shapes


def split(path: str, k: int) -> str:
    """The folder of ``k`` files holding the rows of ``path`` in order (written once)."""
    folder = f"{path[:-len('.parquet')]}_in_{k}_files"
    if not os.path.isdir(folder):
        os.makedirs(folder)
        table = pq.read_table(path)
        n = table.num_rows
        for i in range(k):
            lo, hi = n * i // k, n * (i + 1) // k
            pq.write_table(table.slice(lo, hi - lo), os.path.join(folder, f"part-{i:05d}.parquet"))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_100_000)
    parser.add_argument("--files", type=int, nargs="+", default=[4, 40, 400])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import pathways as pw

    path = shapes.data_file("danish", args.events)
    pw.read_parquet(shapes.data_file("danish", shapes.WARM_UP), **shapes.MAP)  # imports, engine start
    for k, source in [(1, path)] + [(k, split(path, k)) for k in args.files]:
        best = None
        for _ in range(args.runs):
            t = time.perf_counter()
            log = pw.read_parquet(source, **shapes.MAP)
            seconds = time.perf_counter() - t
            best = seconds if best is None else min(best, seconds)
            rows = log.to_pandas()["row"]
            assert rows.is_monotonic_increasing and rows.iloc[-1] == len(rows) + len(log.rejected) - 1
            del log
        print(f"{k:>4} file(s): {best:.2f} s (best of {args.runs}, {args.events:,} events)", flush=True)


if __name__ == "__main__":
    main()
