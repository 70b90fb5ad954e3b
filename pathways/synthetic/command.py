"""The ``pathways generate`` subcommand.

    pathways generate --patients 5000 --seed 1 -o log.parquet
    pathways generate --patients 500 --seed 2 -o extract.csv --dialect danish --defects all --truth truth.json
"""

from __future__ import annotations

import argparse
import sys
import time

from .defects import KINDS
from .scenarios import SCENARIOS


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``generate`` subcommand to an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "generate", help="write a synthetic Danish cross-sector log with ground truth",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Write a synthetic Danish cross-sector event log (Parquet or CSV), generated in "
                    "chunks so that millions of events fit in memory.\n\nExamples:\n"
                    "  pathways generate --patients 5000 --seed 1 -o log.parquet\n"
                    "  pathways generate --patients 500 --seed 2 -o udtraek.csv --dialect danish "
                    "--defects all --truth truth.json")
    p.add_argument("--patients", type=int, required=True, help="number of patients (cases)")
    p.add_argument("--seed", type=int, required=True, help="random seed (same seed, same file)")
    p.add_argument("-o", "--output", required=True, help="output file ending in .parquet or .csv")
    p.add_argument("--start", default="2021-01-01", help="first day of the period (default 2021-01-01)")
    p.add_argument("--end", default="2023-12-31", help="last day of the period (default 2023-12-31)")
    p.add_argument("--scenarios", help="comma-separated scenario names (default: all): "
                                       + ", ".join(SCENARIOS))
    p.add_argument("--defects", help="comma-separated kind[=count] (5 each when no count), or 'all': "
                                     + ", ".join(KINDS))
    p.add_argument("--combine", type=float, default=0.15, help="share of patients with a second episode")
    p.add_argument("--dialect", choices=("plain", "danish"), default="plain",
                   help="CSV style: plain (comma, ISO dates) or danish (';', Danish headers, dd-mm-yyyy HH:MM)")
    p.add_argument("--truth", help="also write the ground truth as JSON to this file")
    p.add_argument("--make-dirs", action="store_true", help="create the missing folders of -o and --truth (without "
                                                            "it, a path into a folder that does not exist is an error)")
    p.set_defaults(func=run_from_args)
    return p


def parse_defects(text: str | None) -> dict[str, int] | None:
    """``"all"`` or ``"duplicate=3,missing_unit"`` as a mapping kind -> count (5 when no count)."""
    if not text:
        return None
    if text.strip() == "all":
        return {k: (1 if k == "case_named_na" else 5) for k in KINDS}
    out = {}
    for part in text.split(","):
        name, _, count = part.strip().partition("=")
        out[name] = int(count) if count else (1 if name == "case_named_na" else 5)
    return out


class _Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.t0 = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} patients "
                          f"{time.perf_counter() - self.t0:5.1f}s")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def run(output, *, patients: int, seed: int, start="2021-01-01", end="2023-12-31", scenarios=None,
        defects=None, combine: float = 0.15, dialect: str = "plain", truth=None, progress=None,
        make_dirs: bool = False) -> dict:
    """Generate and write a log; the function behind ``pathways generate``. Returns the summary dict.

    Examples
    --------
    >>> import os, tempfile
    >>> from pathways.synthetic.command import run
    >>> out = os.path.join(tempfile.mkdtemp(), "x.csv")
    >>> run(out, patients=50, seed=1)["n_cases"]
    50
    """
    from .writer import write

    return write(output, patients, seed=seed, start=start, end=end, scenarios=scenarios,
                 defects=defects, combine=combine, dialect=dialect, truth_path=truth,
                 progress=progress, make_dirs=make_dirs)


def run_from_args(args: argparse.Namespace) -> int:
    scenarios = [s.strip() for s in args.scenarios.split(",")] if args.scenarios else None
    summary = run(args.output, patients=args.patients, seed=args.seed, start=args.start, end=args.end,
                  scenarios=scenarios, defects=parse_defects(args.defects), combine=args.combine,
                  dialect=args.dialect, truth=args.truth, progress=_Progress(), make_dirs=args.make_dirs)
    print(f"wrote {summary['n_events']:,} events of {summary['n_cases']:,} patients to "
          f"{summary['path']} ({summary['bytes'] / 1e6:.1f} MB)")
    return 0
