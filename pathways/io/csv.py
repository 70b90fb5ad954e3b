"""CSV files of any separator and of the encodings Danish exports come in."""

from __future__ import annotations

import os

from ..engine import check_zone, duckdb_backend, fresh_name, sql_quote
from ..errors import EventLogError
from ..textfile import LENIENT_UTF8, evidence, layout, register_lenient_utf8
from ..eventlog import EventLog, build, check_names
from .options import checks_options

@checks_options
def read_csv(path, *, case: str, activity: str, timestamp: str, sep: str | None = None,
             encoding: str | None = None, tz: str = "Europe/Copenhagen", **options) -> EventLog:
    """Read a CSV file into an EventLog.

    Every cell is read as text (so ``NA`` and ``null`` stay case ids, and leading
    zeros stay), then parsed by the validator. The separator is guessed from the
    header when not given (``;``, ``,``, tab or ``|``); the encoding is UTF-8 when
    the file decodes as UTF-8, else Windows-1252 (a superset of latin-1). When the
    first 64 KiB decode but a later byte does not, the whole file decides: Windows-1252
    when it decodes so and its bytes that are not UTF-8 outnumber its UTF-8 letters,
    else UTF-8 with those bytes replaced; a PathwaysWarning says which. Blank lines
    before the header are skipped, and a quoted header name may hold line breaks. A line
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
       row          code       column       problem               value
    0    2  [not_a_date]  [tidspunkt]  [not a date]  [31-02-2023 09:00]
    """
    import numpy as np
    import pyarrow as pa

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise EventLogError(f"no file at {path!r}. Check the path (relative paths start from the "
                            "notebook's folder).")
    with open(path, "rb") as f:
        head = f.read(_HEAD_BYTES + 1)
    whole = len(head) <= _HEAD_BYTES
    head = head[:_HEAD_BYTES]
    if not head.strip():
        raise EventLogError(f"{path!r} is empty: a CSV extract needs a header line and one row per event.")
    guessed = encoding is None
    found = layout(head, encoding, sep, whole=whole)
    encoding, sep, header = found.encoding, found.sep, found.header
    if len(sep) != 1:
        raise EventLogError(f"sep={sep!r}: the separator must be one character, e.g. ';'.")
    if not guessed:
        import codecs

        try:  # the encoding given must fit the first bytes
            codecs.getincrementaldecoder(encoding)().decode(head, final=whole)
        except UnicodeError as exc:
            raise EventLogError(f"cannot read {path!r} as CSV (separator {sep!r}, encoding {encoding}): {exc}. "
                                "Pass sep=... or encoding=... explicitly.") from None
    if found.problem:
        raise EventLogError(f"{path!r}: {found.problem}. Check the quotes in the first line, or pass sep=... "
                            "if the separator is not one of ; , tab |.")
    blank = [i for i, h in enumerate(header) if not h.strip()]
    if blank:
        raise EventLogError(f"{path!r}: column(s) {', '.join(str(i + 1) for i in blank)} of the header have no "
                            "name. Give every column its own name in the first line.")
    check_names(header, source=f"the header of {path!r}", rename="Rename the column(s) in the first line.")
    backend = duckdb_backend()
    check_zone(tz)
    con = backend.con
    if encoding == LENIENT_UTF8:  # the first bytes hold UTF-8 letters and bytes that are not UTF-8
        _warn_encoding(path, evidence(_chunks(path)))
    block = _BLOCK_BYTES
    try:
        for _ in range(3):  # at most: a larger block, then another encoding
            try:
                name, n_read, bad = _stream(con, path, encoding, sep, header, found, block)
                break
            except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                last = exc
                if "straddl" in str(exc) and block < _MAX_BLOCK_BYTES:
                    block = _MAX_BLOCK_BYTES  # one row (a long free-text cell) is longer than a block
                elif guessed and encoding != LENIENT_UTF8 and _undecodable(exc):
                    # the first bytes decoded, a later line does not: decide on the bytes of the whole file
                    seen = evidence(_chunks(path))
                    encoding = seen.encoding()
                    _warn_encoding(path, seen)
                else:
                    raise
        else:
            raise last
    except (pa.ArrowInvalid, UnicodeError, LookupError) as exc:
        if "straddl" in str(exc):
            raise EventLogError(f"cannot read {path!r} as CSV: one row is longer than {_MAX_BLOCK_BYTES >> 20} MB "
                                "(a field with an unclosed quote, or a huge free-text cell). Check the quotes "
                                "in the file, or remove that column.") from None
        shown = "utf-8 (bytes that are not UTF-8 replaced)" if encoding == LENIENT_UTF8 else encoding
        raise EventLogError(f"cannot read {path!r} as CSV (separator {sep!r}, encoding {shown}): "
                            f"{exc}. Pass sep=... or encoding=... explicitly.") from None

    import pandas as pd

    extra = pd.DataFrame({
        "row": np.array([b[0] for b in bad], dtype="int64"),
        "column": ["*"] * len(bad),
        "code": ["wrong_field_count"] * len(bad),
        "value": [b[3] for b in bad],
    })
    try:
        return build(name, backend=backend, n_read=n_read, case=case, activity=activity,
                     timestamp=timestamp, tz=tz, origin=path, extra_failures=extra, **options)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {sql_quote(name)}")


# Rows are parsed in blocks of this many bytes and appended to the engine in batches of about
# _BATCH_ROWS rows, so a CSV file larger than memory is read with bounded memory: the engine
# keeps the rows (spilling to its temporary directory beyond its memory limit), Python holds one batch.
_BLOCK_BYTES = 1 << 20
_MAX_BLOCK_BYTES = 1 << 26  # a row longer than a block is read again with blocks of 64 MB
_BATCH_ROWS = 250_000
#: The header, the separator and (when not given) the encoding are read from the first bytes.
_HEAD_BYTES = 1 << 16


def _chunks(path: str, size: int = 1 << 24):
    """The bytes of the file, in pieces of ``size``."""
    with open(path, "rb") as f:
        while chunk := f.read(size):
            yield chunk


def _warn_encoding(path: str, seen) -> None:
    """Say which encoding a guessed file is read in when its bytes are not all UTF-8 (never silently)."""
    import warnings

    from ..errors import outside_stacklevel
    from ..eventlog import PathwaysWarning

    if seen.encoding() == "cp1252":
        text = (f"{path!r} is not UTF-8 ({seen.not_utf8:,} byte(s) are not) and holds no letters written as "
                "UTF-8: read as Windows-1252 (cp1252). Pass encoding='cp1252' to say so, or the file's encoding.")
    else:
        text = (f"{path!r} is UTF-8 but for {seen.not_utf8:,} byte(s) that are not: each was read as the "
                "replacement character '\ufffd'. Pass encoding='cp1252' (or the file's encoding) if it is not "
                "UTF-8, or fix those bytes.")
    warnings.warn(text, PathwaysWarning, stacklevel=outside_stacklevel())


def _stream(con, path: str, encoding: str, sep: str, header: list[str], found, block: int = _BLOCK_BYTES):
    """Stream the CSV into a new engine table (text columns plus ``__pw_row``), skipping the
    ``found.skip_lines`` physical lines of the header (and blank lines before it).

    Returns the table name, the number of data rows read and the rows refused for their
    number of fields as ``(row, fields, expected, text)`` tuples. The parser runs serially,
    so that it knows the row number of every refused row.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if encoding == LENIENT_UTF8:
        register_lenient_utf8()
    bad: list[tuple[int, int, int, str]] = []
    skip = found.skip_lines

    def on_invalid(row):
        # pyarrow numbers a row as the skipped lines plus its record number from 1; data rows count from 0
        bad.append((row.number - skip - 1, row.actual_columns, row.expected_columns, row.text[:200]))
        return "skip"

    name = fresh_name("csv")
    columns = ", ".join(f"{sql_quote(h)} VARCHAR" for h in header)
    con.execute(f"CREATE TABLE {sql_quote(name)} ({columns}, __pw_row BIGINT)")
    if not found.has_data:  # the file ends with the header: an empty log
        return name, 0, bad
    try:
        with _quiet_handler_errors(on_invalid):
            reader = pcsv.open_csv(
                path,
                read_options=pcsv.ReadOptions(encoding=encoding, use_threads=False, column_names=header,
                                              skip_rows=skip, block_size=block),
                parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                                invalid_row_handler=on_invalid),
                convert_options=pcsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                    null_values=[""], strings_can_be_null=True,
                                                    quoted_strings_can_be_null=True))
            next_row = 0      # the first row number not given out yet
            seen_bad = 0      # refused rows already accounted for in next_row
            pending, n_pending = [], 0
            for batch in reader:
                k = batch.num_rows
                if not k:
                    continue
                # this batch's rows are the next k row numbers that were not refused
                numbers = np.arange(next_row, next_row + k, dtype="int64")
                refused = sorted(b[0] for b in bad[seen_bad:])
                for r in refused:
                    if r <= numbers[-1]:
                        numbers[np.searchsorted(numbers, r):] += 1
                        seen_bad += 1
                next_row = int(numbers[-1]) + 1
                pending.append(pa.Table.from_batches([batch]).append_column("__pw_row", pa.array(numbers)))
                n_pending += k
                if n_pending >= _BATCH_ROWS:
                    _append(con, name, pending)
                    pending, n_pending = [], 0
            _append(con, name, pending)
    except BaseException:
        con.execute(f"DROP TABLE IF EXISTS {sql_quote(name)}")
        raise
    bad.sort(key=lambda b: b[0])
    n_read = max(next_row, bad[-1][0] + 1 if bad else 0)
    n_kept = con.execute(f"SELECT count(*) FROM {sql_quote(name)}").fetchall()[0][0]
    if n_kept + len(bad) != n_read:  # every row number once: kept or refused
        con.execute(f"DROP TABLE IF EXISTS {sql_quote(name)}")
        raise EventLogError(f"cannot read {path!r} as CSV: {n_kept:,} rows and {len(bad):,} refused rows do not "
                            f"add up to the {n_read:,} rows numbered. Please report this file's shape as a bug.")
    return name, n_read, bad


def _append(con, name: str, tables) -> None:
    if not tables:
        return
    import pyarrow as pa

    chunk = pa.concat_tables(tables)
    view = fresh_name("csv_chunk")
    con.register(view, chunk)
    try:
        con.execute(f"INSERT INTO {sql_quote(name)} SELECT * FROM {sql_quote(view)}")
    finally:
        con.unregister(view)


def _undecodable(exc) -> bool:
    """Whether a reading error means bytes that are not in the encoding.

    Either the text says so, or the refused-row handler could not be given a row whose text is
    not UTF-8 (pyarrow then reports the field count it would have handed to the handler).
    """
    text = str(exc).upper().replace("-", "")
    return "UTF8" in text or isinstance(exc, UnicodeDecodeError) or ("EXPECTED" in text and "COLUMNS" in text)


class _quiet_handler_errors:
    """Hide the "Exception ignored in on_invalid" message pyarrow prints when a refused row's text is not
    UTF-8 (the read then fails, and read_csv says so or falls back to another encoding)."""

    def __init__(self, handler):
        self.handler = handler

    def __enter__(self):
        import sys

        self.previous = sys.unraisablehook

        def hook(unraisable):
            if unraisable.object is self.handler and isinstance(unraisable.exc_value, UnicodeDecodeError):
                return
            self.previous(unraisable)

        sys.unraisablehook = hook
        return self

    def __exit__(self, *exc):
        import sys

        sys.unraisablehook = self.previous
        return False
