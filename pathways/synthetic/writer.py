"""Writing synthetic logs: CSV (plain or Danish export style) and Parquet, streamed in chunks."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Mapping, Sequence

import pandas as pd

from ..files import check_output, write_atomically
from ..errors import OptionError, check_choice

DANISH_HEADERS = {
    "case_id": "cpr_pseudo", "activity": "hændelse", "timestamp": "tidspunkt",
    "end_timestamp": "sluttidspunkt", "unit": "afsnit", "resource": "ressource",
    "referral_to": "henvist_til", "age": "alder", "sex": "køn", "municipality": "kommune",
    "cluster": "sundhedsklynge", "birth_date": "fødselsdato", "acute": "akut",
}
DIALECTS = ("plain", "danish")
_FORMATS = {  # (timestamp, date only, separator)
    "plain": ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", ","),
    "danish": ("%d-%m-%Y %H:%M", "%d-%m-%Y", ";"),
}


def _schema():
    import pyarrow as pa

    return pa.schema([
        ("case_id", pa.string()), ("activity", pa.string()), ("timestamp", pa.timestamp("us")),
        ("end_timestamp", pa.timestamp("us")), ("unit", pa.string()), ("resource", pa.string()),
        ("referral_to", pa.string()), ("age", pa.int16()), ("sex", pa.string()),
        ("municipality", pa.string()), ("cluster", pa.string()), ("birth_date", pa.timestamp("us")),
        ("acute", pa.bool_()),
    ])


def _to_arrow(events: pd.DataFrame):
    import pyarrow as pa

    return pa.Table.from_pandas(events, schema=_schema(), preserve_index=False)


def _csv_table(events: pd.DataFrame, dialect: str, raw_timestamps: Mapping[int, str],
               date_only_rows: Sequence[int], row_offset: int = 0):
    """Arrow table of strings, formatted as the dialect writes them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    fmt, date_fmt, _ = _FORMATS[dialect]
    table = _to_arrow(events)
    cols, names = [], []
    for name in table.column_names:
        col = table[name]
        if name in ("timestamp", "end_timestamp"):
            col = pc.strftime(col, format=fmt)
        elif name == "birth_date":
            col = pc.strftime(col, format=date_fmt)
        elif name == "acute":
            yes, no = ("ja", "nej") if dialect == "danish" else ("true", "false")
            col = pc.if_else(col, yes, no)
        elif name == "age":
            col = pc.cast(col, pa.string())
        if name == "timestamp" and (len(raw_timestamps) or len(date_only_rows)):
            text = col.to_numpy(zero_copy_only=False).astype(object)
            ts = events["timestamp"]
            for r in date_only_rows:
                text[r - row_offset] = ts.iloc[r - row_offset].strftime(date_fmt)
            for r, value in raw_timestamps.items():
                text[r - row_offset] = value
            col = pa.array(text, type=pa.string())
        cols.append(col)
        names.append(DANISH_HEADERS[name] if dialect == "danish" else name)
    return pa.table(cols, names=names)


def _csv_options(dialect: str, header: bool):
    import pyarrow.csv as pacsv

    return pacsv.WriteOptions(include_header=header, delimiter=_FORMATS[dialect][2],
                              quoting_style="needed")


def write_csv(events: pd.DataFrame, path, *, dialect: str = "plain",
              raw_timestamps: Mapping[int, str] | None = None, date_only_rows=()) -> None:
    """Write ``events`` as CSV in the given dialect (see :meth:`SyntheticLog.to_csv`)."""
    import pyarrow.csv as pacsv

    check_choice("dialect", dialect, DIALECTS)
    table = _csv_table(events, dialect, raw_timestamps or {}, list(date_only_rows))
    with open(path, "wb") as fh:
        _write_header(fh, table, dialect)
        pacsv.write_csv(table, fh, write_options=_csv_options(dialect, False))


def _write_header(fh, table, dialect: str) -> None:
    """The header line, unquoted (pyarrow would quote every name)."""
    fh.write((_FORMATS[dialect][2].join(table.column_names) + "\n").encode("utf-8"))


def write(path, n_patients: int, *, seed: int, start="2021-01-01", end="2023-12-31",
          scenarios=None, defects=None, combine: float = 0.15, dialect: str = "plain",
          truth_path=None, progress: Callable[[int, int], None] | None = None, make_dirs: bool = False) -> dict:
    """Generate straight to a ``.parquet`` or ``.csv`` file, 20,000 patients at a time.

    The rows are the same as ``generate(...).events`` with the same arguments;
    memory stays bounded by one chunk (plus the truth tables if ``truth_path``
    is given, written as JSON at the end). Returns a summary dict
    (``path``, ``n_events``, ``n_cases``, ``bytes``). Both files are written as
    every output of pathways is (:func:`pathways.files.write_atomically`): whole or
    not at all, into a folder that exists (or ``make_dirs=True``).

    Examples
    --------
    >>> import tempfile, os, pandas as pd
    >>> from pathways.synthetic import write
    >>> out = os.path.join(tempfile.mkdtemp(), "log.parquet")
    >>> write(out, 300, seed=1)["n_cases"]
    300
    >>> len(pd.read_parquet(out)) == write(out, 300, seed=1)["n_events"]
    True
    """
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from .core import Truth, _static_tables, iter_chunks

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise OptionError(f"output {str(path)!r}: expected a file ending in .parquet or .csv.")
    check_choice("dialect", dialect, DIALECTS)
    if truth_path is not None:
        check_output(truth_path, make_dirs=make_dirs)  # before the log is generated
    n_events = 0
    truths = []
    params = None

    def fill(tmp: str) -> None:
        nonlocal n_events, params
        writer = None
        try:
            for frame, truth, raw, params in iter_chunks(n_patients, seed=seed, start=start, end=end,
                                                         scenarios=scenarios, defects=defects,
                                                         combine=combine, progress=progress):
                if suffix == ".parquet":
                    table = _to_arrow(frame)
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, table.schema)
                    writer.write_table(table)
                else:
                    d = truth["defects"]
                    table = _csv_table(frame, dialect, raw, d.loc[d["kind"] == "date_only", "row"].tolist(),
                                       row_offset=n_events)
                    if writer is None:
                        writer = open(tmp, "wb")
                        _write_header(writer, table, dialect)
                    pacsv.write_csv(table, writer, write_options=_csv_options(dialect, False))
                n_events += len(frame)
                if truth_path is not None:
                    truths.append(truth)
        finally:
            if writer is not None:
                writer.close()

    write_atomically(path, fill, make_dirs=make_dirs)
    if truth_path is not None:
        tables = {name: pd.concat([t[name] for t in truths], ignore_index=True) for name in truths[0]}
        tables.update(_static_tables(params["scenarios"], tables["cases"]))
        write_atomically(truth_path, Truth(**tables, params=params).to_json, make_dirs=make_dirs)
    return {"path": str(path), "n_events": n_events, "n_cases": int(n_patients),
            "bytes": path.stat().st_size}
