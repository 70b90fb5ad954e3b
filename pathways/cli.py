"""The ``pathways`` command.

    pathways demo                       the bundled sample extract: summary, data quality, unit map in out/
    pathways validate FILE --case ...   the data-quality report of an extract (exit 1: rows rejected, 2: unreadable)
    pathways generate --patients N ...  write a synthetic Danish cross-sector log

Errors are one line and the fix; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings


def add_mapping_options(p: argparse.ArgumentParser) -> None:
    """The column mapping and reading options shared by every command that reads an extract."""
    g = p.add_argument_group("columns of the extract")
    g.add_argument("--case", required=True, help="case id column (patient pseudonym), e.g. cpr_pseudo")
    g.add_argument("--activity", required=True, help="activity column, e.g. haendelse")
    g.add_argument("--timestamp", required=True, help="event time column, e.g. tidspunkt")
    g.add_argument("--end-timestamp", help="end time column")
    g.add_argument("--unit", help="unit (department, clinic, municipal service) column, e.g. afsnit")
    g.add_argument("--resource", help="resource column")
    g.add_argument("--referral-to", help="referral target unit column")
    r = p.add_argument_group("reading")
    r.add_argument("--sep", help="CSV separator (guessed from the header when left out)")
    r.add_argument("--encoding", help="CSV encoding (utf-8, else cp1252, when left out)")
    r.add_argument("--dayfirst", action="store_true", help="read 03-04-2023 as 3 April")
    r.add_argument("--timestamp-format", help="strptime format of the time columns, e.g. '%%d-%%m-%%Y %%H:%%M'")
    r.add_argument("--tz", default="Europe/Copenhagen", help="zone of naive times (default Europe/Copenhagen)")


def read_extract(path: str, args: argparse.Namespace):
    """Read ``path`` with the reader its suffix names, mapped as the options say."""
    import pathways as pw

    options = dict(case=args.case, activity=args.activity, timestamp=args.timestamp,
                   end_timestamp=args.end_timestamp, unit=args.unit, resource=args.resource,
                   referral_to=args.referral_to, tz=args.tz, dayfirst=args.dayfirst,
                   timestamp_format=args.timestamp_format)
    lower = path.lower()
    if lower.endswith((".parquet", ".pq")) or os.path.isdir(path):
        return pw.read_parquet(path, **options)
    if lower.endswith((".xlsx", ".xlsm")):
        return pw.read_excel(path, **options)
    if lower.endswith((".xes", ".xes.gz")):
        return pw.read_xes(path, **options)
    return pw.read_csv(path, sep=args.sep, encoding=args.encoding, **options)


def _print_log(log, report) -> None:
    import pandas as pd

    print(repr(log))
    print()
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        print(repr(report))


def cmd_validate(args: argparse.Namespace) -> int:
    import pathways as pw

    log = read_extract(args.file, args)
    _print_log(log, pw.quality_report(log, as_of=args.as_of))
    return 1 if len(log.rejected) else 0


def cmd_demo(args: argparse.Namespace) -> int:
    import pathways as pw
    from pathways import datasets

    name = datasets.DEMO_SAMPLE
    print(f"Sample extract {name!r} ({datasets.describe(name)})\n")
    log = datasets.load_sample(name)
    _print_log(log, pw.quality_report(log, as_of=datasets.AS_OF))
    if len(log.rejected):
        print(f"\nRejected rows (first 10 of {len(log.rejected)}):")
        print(log.rejected.head(10).to_string(index=False))
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "unit_map.svg")
    pw.unit_map(log, title="Handovers between units (sample extract)").save(path)
    print(f"\nUnit map across sectors written to {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pathways", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="summary and data quality of the bundled sample extract",
                          description="Read the bundled dirty Danish sample extract and print its summary, "
                                      "data-quality report and rejected rows. Example: pathways demo")
    demo.add_argument("-o", "--out", default="out", help="folder for the figures (default: out)")
    demo.set_defaults(func=cmd_demo)

    val = sub.add_parser("validate", help="data-quality report of an extract",
                         formatter_class=argparse.RawDescriptionHelpFormatter,
                         description="Print the summary and data-quality report of an extract.\n"
                                     "Exit status: 0 all rows usable, 1 rows rejected, 2 the file cannot be read.\n\n"
                                     "Example:\n  pathways validate udtraek.csv --case cpr --activity haendelse "
                                     "--timestamp tidspunkt --unit afsnit --dayfirst")
    val.add_argument("file", help="CSV, Parquet, Excel (.xlsx) or XES file")
    add_mapping_options(val)
    val.add_argument("--as-of", help="the extract date; events after it are flagged")
    val.set_defaults(func=cmd_validate)

    from .synthetic import command as synthetic_command

    synthetic_command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .errors import PathwaysError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rejections are printed by the commands themselves
            return args.func(args)
    except (PathwaysError, OSError) as exc:
        if args.debug:
            raise
        first, *rest = str(exc).splitlines() or [type(exc).__name__]
        print(f"pathways: error: {first}", file=sys.stderr)
        for line in rest[:5]:
            print(f"  {line}", file=sys.stderr)
        print("  (run with --debug for the traceback)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
