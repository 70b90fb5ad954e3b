"""``pw.read``: one reader for every kind of extract, chosen by the file's type, as the command line chooses it."""

from __future__ import annotations

import glob
import inspect
import os

from ..errors import EventLogError, OptionError

#: suffix (lower case) -> the reader's name in ``pathways``; the first match wins.
KINDS = (
    ((".parquet", ".pq"), "read_parquet"),
    ((".xlsx", ".xlsm"), "read_excel"),
    ((".xes", ".xes.gz"), "read_xes"),
    ((".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz", ".json", ".json.gz", ".xml"), "read_fhir"),
    ((".csv", ".csv.gz", ".txt", ".tsv"), "read_csv"),
)
#: A path on a cluster's file system (Spark reads Parquet there).
URI_PREFIXES = ("s3://", "s3a://", "gs://", "abfss://", "hdfs://", "dbfs:", "wasbs://", "file://")


def reader_for(path) -> str:
    """The name of the reader ``pw.read`` uses for ``path``: by its suffix; a folder or a glob by the files in it
    (Parquet or FHIR); a cluster URI is Parquet. OptionError for a type no reader takes.

    Examples
    --------
    >>> reader_for("lpr3.csv"), reader_for("udtræk.XLSX"), reader_for("advis.ndjson.gz"), reader_for("s3a://b/lpr/")
    ('read_csv', 'read_excel', 'read_fhir', 'read_parquet')
    """
    path = os.fspath(path)
    lower = path.lower()
    if lower.startswith(URI_PREFIXES):
        return "read_parquet"
    found = _reader_by_suffix(lower)
    if found:
        return found
    if os.path.isdir(path) or any(ch in path for ch in "*?["):
        files = glob.glob(os.path.join(path, "**", "*"), recursive=True) if os.path.isdir(path) \
            else glob.glob(path, recursive=True)
        kinds = {_reader_by_suffix(f.lower()) for f in files if os.path.isfile(f)} - {None}
        if kinds == {"read_parquet"} or kinds == {"read_fhir"}:
            return kinds.pop()
        if not kinds:
            raise EventLogError(f"no extract at {path!r}: the folder or pattern holds no file pw.read reads "
                                f"({_suffixes()}). Check the path (relative paths start from the working folder).")
        raise OptionError(f"{path!r} holds files of several kinds ({', '.join(sorted(kinds))}); pw.read reads a "
                          "folder of Parquet files or of FHIR files. Give one file, or a pattern such as "
                          f"{os.path.join(path, '*.parquet')!r}.")
    raise OptionError(f"pw.read does not know the file type of {os.path.basename(path)!r}: it reads "
                      f"{_suffixes()}. Rename the file if its suffix is wrong, or call the reader yourself "
                      "(pw.read_csv reads any delimited text file).")


def read(path, **options):
    """Read an extract with the reader its file type names: CSV, Excel, Parquet, XES or FHIR.

    ``*.csv``, ``*.txt``, ``*.tsv`` → :func:`pathways.read_csv`; ``*.xlsx``,
    ``*.xlsm`` → :func:`pathways.read_excel`; ``*.parquet``, a folder or glob of
    them, or a cluster URI (``s3a://``, ``dbfs:``, ...) →
    :func:`pathways.read_parquet`; ``*.xes``, ``*.xes.gz`` →
    :func:`pathways.read_xes`; ``*.ndjson``, ``*.json``, ``*.xml`` (FHIR R4,
    MedCom HospitalNotification) or a folder of them → :func:`pathways.read_fhir`.
    The same choice the command line makes (``pathways report EXTRACT ...``).

    ``options`` go to that reader: the column mapping (``case=``,
    ``activity=``, ``timestamp=``, ...) for CSV and Excel, ``sep=``,
    ``dayfirst=``, ``tz=``, ``taxonomy=``, ``engine=``, ``key=`` and so on. An
    option the chosen reader does not take is an OptionError that names the
    reader, so a notebook can pass one mapping for any extract and learn at once
    when it does not apply.

    Examples
    --------
    >>> import pathways as pw
    >>> from pathways.datasets import mapping, sample_path
    >>> with sample_path("psychiatry_somatic") as path:
    ...     log = pw.read(path, **mapping("psychiatry_somatic"))
    >>> log.n_cases == pw.datasets.load_sample("psychiatry_somatic").n_cases
    True
    >>> with sample_path("hospital_notifications") as path:
    ...     pw.read(path, key="hemmelig", case="cpr")
    Traceback (most recent call last):
    ...
    pathways.errors.OptionError: pw.read chose pw.read_fhir for 'hospital_notifications.ndjson.gz', which takes no case=. ...
    >>> pw.read("extract.sav")
    Traceback (most recent call last):
    ...
    pathways.errors.OptionError: pw.read does not know the file type of 'extract.sav': it reads ...
    """
    import pathways as pw

    name = reader_for(path)
    reader = getattr(pw, name)
    parameters = inspect.signature(reader).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        unknown = [k for k in options if k not in parameters]
        if unknown:
            raise OptionError(f"pw.read chose pw.{name} for {os.path.basename(os.fspath(path))!r}, which takes no "
                              f"{', '.join(k + '=' for k in unknown)}. Leave "
                              f"{'it' if len(unknown) == 1 else 'them'} out for this file.")
    return reader(path, **options)


def _reader_by_suffix(lower: str) -> str | None:
    return next((name for suffixes, name in KINDS if lower.endswith(suffixes)), None)


def _suffixes() -> str:
    return ", ".join(f"*{s}" for suffixes, _ in KINDS for s in suffixes)


__all__ = ["read", "reader_for"]
