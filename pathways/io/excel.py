"""Excel workbooks (.xlsx) through openpyxl."""

from __future__ import annotations

import os

from ..errors import EventLogError
from ..eventlog import EventLog
from .options import checks_options
from .pandas import from_pandas


@checks_options
def read_excel(path, *, case: str, activity: str, timestamp: str, sheet: str | int = 0,
               **options) -> EventLog:
    """Read one sheet of an Excel workbook into an EventLog.

    Every cell is read as it is stored (dates stay dates, text stays text; "NA" is
    text, not missing). Options are those of :func:`pathways.from_pandas`. Row
    numbers count data rows below the header from 0.

    Examples
    --------
    >>> import os, tempfile, pandas as pd, pathways as pw
    >>> path = os.path.join(tempfile.mkdtemp(), "udtraek.xlsx")
    >>> pd.DataFrame({"cpr": ["A", "A", "NA"], "haendelse": ["Henvisning", "Visitation", "Henvisning"],
    ...               "tid": pd.to_datetime(["2024-01-02", "2024-01-05", "2024-02-01"])}).to_excel(path, index=False)
    >>> pw.read_excel(path, case="cpr", activity="haendelse", timestamp="tid")
    EventLog: 3 events, 2 cases, 2 activities, 0 units, 2024-01-02 → 2024-02-01, 0 rows rejected
    """
    import pandas as pd

    path = os.fspath(path)
    if not os.path.exists(path):
        raise EventLogError(f"no file at {path!r}. Check the path.")
    try:
        df = pd.read_excel(path, sheet_name=sheet, dtype=object, keep_default_na=False, na_values=[""])
    except ValueError as exc:
        raise EventLogError(f"cannot read sheet {sheet!r} of {path!r}: {exc}") from None
    except Exception as exc:
        raise EventLogError(f"cannot read {path!r} as an Excel workbook: {exc}. Save it as .xlsx.") from None
    return from_pandas(df, case=case, activity=activity, timestamp=timestamp, **options)
