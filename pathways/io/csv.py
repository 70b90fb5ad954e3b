"""CSV files of any separator and of the encodings Danish exports come in."""

from __future__ import annotations

import os

from ..engine import check_zone, duckdb_backend, fresh_name
from ..errors import EventLogError
from ..textfile import sniff
from ..eventlog import EventLog, build

def read_csv(path, *, case: str, activity: str, timestamp: str, sep: str | None = None,
             encoding: str | None = None, tz: str = "Europe/Copenhagen", **options) -> EventLog:
    """Read a CSV file into an EventLog.

    Every cell is read as text (so ``NA`` and ``null`` stay case ids, and leading
    zeros stay), then parsed by the validator. The separator is guessed from the
    header when not given (``;``, ``,``, tab or ``|``); the encoding is UTF-8 when
    the file decodes as UTF-8, else Windows-1252 (a superset of latin-1). A line
    with more or fewer fields than the header goes to ``log.rejected``. Options are
    those of :func:`pathways.from_pandas` (``dayfirst=True`` for ``dd-mm-yyyy``).

    Examples
    --------
    >>> import pathways as pw, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "udtraek.csv")
    >>> with open(path, "w", encoding="latin-1") as f:
    ...     _ = f.write("cpr;hændelse;tidspunkt;afsnit\\n"
    ...                 "1;Henvisning;02-01-2023 08:00;Egen læge\\n"
    ...                 "1;Førstegangssamtale;20-01-2023 10:30;Distriktspsykiatri\\n"
    ...                 "2;Henvisning;31-02-2023 09:00;Egen læge\\n")
    >>> log = pw.read_csv(path, case="cpr", activity="hændelse", timestamp="tidspunkt",
    ...                   unit="afsnit", dayfirst=True)
    >>> log
    EventLog: 2 events, 1 cases, 2 activities, 2 units, 2023-01-02 → 2023-01-20, 1 rows rejected
    >>> log.rejected
       row     column     problem             value
    0    2  tidspunkt  not a date  31-02-2023 09:00
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise EventLogError(f"no file at {path!r}. Check the path (relative paths start from the "
                            "notebook's folder).")
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    if not head.strip():
        raise EventLogError(f"{path!r} is empty: a CSV extract needs a header line and one row per event.")
    encoding, sep, header = sniff(head, encoding, sep)
    if len(sep) != 1:
        raise EventLogError(f"sep={sep!r}: the separator must be one character, e.g. ';'.")
    header = [h.lstrip("\ufeff") for h in header]
    blank = [i for i, h in enumerate(header) if not h.strip()]
    dups = sorted({h for h in header if header.count(h) > 1 and h.strip()})
    if blank or dups:
        problem = (f"column(s) {', '.join(str(i + 1) for i in blank)} of the header have no name"
                   if blank else f"the header repeats the column name(s) {dups}")
        raise EventLogError(f"{path!r}: {problem}. Give every column its own name in the first line.")

    def read(enc: str, threads: bool):
        bad = []

        def on_invalid(row):
            bad.append(row)
            return "skip"

        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(encoding=enc, use_threads=threads, column_names=header,
                                          skip_rows=1),
            parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                            invalid_row_handler=on_invalid),
            convert_options=pcsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                null_values=[""], strings_can_be_null=True,
                                                quoted_strings_can_be_null=True))
        return table, bad

    try:
        try:
            table, bad = read(encoding, True)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            if encoding != "utf-8" or "UTF8" not in str(exc).upper().replace("-", ""):
                raise
            encoding = "cp1252"  # the first 64 KiB were UTF-8, a later line is not
            table, bad = read(encoding, True)
        if bad and any(b.number is None for b in bad):
            table, bad = read(encoding, False)  # serial reading knows the line numbers
    except (pa.ArrowInvalid, UnicodeDecodeError, LookupError) as exc:
        raise EventLogError(f"cannot read {path!r} as CSV (separator {sep!r}, encoding {encoding}): "
                            f"{exc}. Pass sep=... or encoding=... explicitly.") from None

    import pandas as pd

    n_read = table.num_rows + len(bad)
    # line numbers count the header as line 1; data rows count from 0
    bad_rows = np.array(sorted(b.number - 2 for b in bad), dtype="int64")
    rows = np.delete(np.arange(n_read, dtype="int64"), bad_rows) if len(bad) else np.arange(n_read)
    extra = pd.DataFrame({
        "row": bad_rows,
        "column": ["*"] * len(bad),
        "problem": [f"{b.actual_columns} fields where the header has {b.expected_columns}" for b in bad],
        "value": [b.text[:200] for b in bad],
    })
    table = table.append_column("__pw_row", pa.array(rows, type=pa.int64()))
    backend = duckdb_backend()
    check_zone(tz)
    name = fresh_name("csv")
    backend.con.register(name, table)
    try:
        return build(name, backend=backend, n_read=n_read, case=case, activity=activity,
                     timestamp=timestamp, tz=tz, origin=path, extra_failures=extra, **options)
    finally:
        backend.con.unregister(name)
