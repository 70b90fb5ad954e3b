"""What ``pw.write_parquet`` stores beside the events, so that ``pw.read_parquet(path)`` needs no mapping.

One key of the Parquet file's key-value metadata, ``pathways``, holds a JSON object: the format
version (:data:`FORMAT`), the column mapping the log was read with (``log.columns``,
``log.attributes``), its time zone, its taxonomy and vocabulary (every mapping and rule, so a
custom taxonomy comes back as the same rules), the unit and activity classes already computed,
the counts of the first read (rows read, rows rejected; the rejected rows themselves stay out of
the file), the local-time notes and the number of events written. :func:`encode` makes it,
:func:`stored` reads it back (None for a file without it), :func:`mismatch` says whether the
file's columns still fit it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .. import schema as S
from ..errors import OptionError

#: The key of the file's key-value metadata.
KEY = b"pathways"
#: The version of the JSON layout; a reader refuses a layout newer than it knows.
FORMAT = 1
#: The events table's own columns, in its order; the attributes follow them.
CANONICAL = (S.ROW, S.CASE, S.ACTIVITY, S.TIMESTAMP, S.END, S.UNIT, S.RESOURCE, S.REFERRAL_TO, S.EVENT_TYPE,
             S.DOMAIN, S.SECTOR)
#: The DuckDB types those columns read back as (the ENUM columns are text in the file).
_TYPES = {S.ROW: "BIGINT", S.TIMESTAMP: "TIMESTAMP WITH TIME ZONE", S.END: "TIMESTAMP WITH TIME ZONE"}
#: Columns a log never holds NULL in.
NOT_NULL = (S.ROW, S.CASE, S.ACTIVITY, S.TIMESTAMP, S.EVENT_TYPE)


@dataclass(frozen=True)
class Stored:
    """The metadata of a file written by ``pw.write_parquet``, decoded."""

    columns: dict          # log.columns: role -> source column, and "attributes": the source names
    attributes: list       # log.attributes: the attribute columns' names in the file
    tz: str
    taxonomy: object       # UnitTaxonomy
    vocabulary: object     # Vocabulary
    unit_classes: object   # pandas frames, as log.unit_classes / log.activity_classes
    activity_classes: object
    n_events: int          # events written
    n_read: int            # rows read and rejected at the first read
    n_rejected: int
    local_times: dict | None
    notes: dict | None     # log.notes: what the reader counted beside the events (pw.read_fhir)

    def read_options(self) -> dict:
        """The options of a full read of the file: its canonical columns mapped, the log's zone and classes."""
        roles = {role: S.ROLES[role] for role in S.ROLES if role in self.columns}
        return {**roles, "attributes": list(self.attributes), "tz": self.tz, "taxonomy": self.taxonomy,
                "vocabulary": self.vocabulary}

    def call(self) -> str:
        """That read as a call, for messages: ``pw.read_parquet(path, case='case_id', ...)``."""
        options = {k: v for k, v in self.read_options().items() if k not in ("taxonomy", "vocabulary")}
        if not options["attributes"]:
            del options["attributes"]
        return "pw.read_parquet(path, " + ", ".join(f"{k}={v!r}" for k, v in options.items()) + ")"


# --- writing -------------------------------------------------------------------------------------
def encode(log, n_events: int) -> bytes:
    """The JSON of ``log``'s metadata, for a file holding its ``n_events`` events."""
    data = {
        "format": FORMAT,
        "columns": log.columns,
        "attributes": list(log.attributes),
        "tz": log.tz,
        "taxonomy": _taxonomy_out(log.taxonomy),
        "vocabulary": _vocabulary_out(log.vocabulary),
        "unit_classes": _frame_out(log.unit_classes),
        "activity_classes": _frame_out(log.activity_classes),
        "n_events": int(n_events),
        "n_read": int(log.n_read),
        "n_rejected": int(len(log.rejected)),
        "local_times": log.local_times,
        "notes": log.notes,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- reading -------------------------------------------------------------------------------------
def stored(file: str, path: str) -> Stored | None:
    """The metadata of the Parquet ``file`` (given as ``path``), or None when pathways did not write it.

    OptionError when the metadata is of a newer format or cannot be read: then the mapping must be given.
    """
    import pyarrow.parquet as pq

    try:
        raw = (pq.read_metadata(file).metadata or {}).get(KEY)
    except Exception:  # noqa: BLE001 - not a Parquet file: the full read says so
        return None
    return None if raw is None else decode(raw, path)


def decode(raw: bytes, path: str) -> Stored:
    """The metadata ``raw`` of the file at ``path``, decoded; OptionError when it is newer or broken."""
    fix = "pass the mapping to read it as plain Parquet"
    try:
        data = json.loads(raw.decode("utf-8"))
        version = data["format"] if isinstance(data, dict) else None
    except (UnicodeDecodeError, ValueError, KeyError):
        version = None
    if isinstance(version, int) and version > FORMAT:
        raise OptionError(f"{path!r} was written by a newer pathways (metadata format {version}; this version "
                          f"reads format {FORMAT} and older): upgrade pathways, or {fix}, e.g. "
                          "pw.read_parquet(path, case='case_id', activity='activity', timestamp='timestamp', "
                          "unit='unit').")
    try:
        if version != FORMAT:
            raise ValueError(f"format {version!r}")
        local = data["local_times"]
        return Stored(
            columns={k: (list(v) if k == "attributes" else str(v)) for k, v in data["columns"].items()},
            attributes=[str(a) for a in data["attributes"]], tz=str(data["tz"]),
            taxonomy=_taxonomy_in(data["taxonomy"]), vocabulary=_vocabulary_in(data["vocabulary"]),
            unit_classes=_frame_in(data["unit_classes"]), activity_classes=_frame_in(data["activity_classes"]),
            n_events=int(data["n_events"]), n_read=int(data["n_read"]), n_rejected=int(data["n_rejected"]),
            local_times=None if local is None else {k: tuple(v) for k, v in local.items()},
            notes=None if data.get("notes") is None else {str(k): int(v) for k, v in data["notes"].items()})
    except Exception as exc:  # noqa: BLE001 - any fault of the stored JSON is one problem for the user
        raise OptionError(f"the pathways metadata of {path!r} cannot be read ({type(exc).__name__}: "
                          f"{str(exc)[:200]}); the file was changed after pw.write_parquet wrote it. Read it "
                          f"with the mapping, e.g. pw.read_parquet(path, case='case_id', activity='activity', "
                          "timestamp='timestamp', unit='unit'), which validates it again.") from None


def mismatch(meta: Stored, file: str, types: dict) -> str | None:
    """Why the Parquet ``file`` (whose columns have the DuckDB ``types``) no longer fits its metadata ``meta``
    (columns, types, number of rows, NULLs where a log has none), or None when it fits.

    Read from the file's footer and schema only: nothing is scanned.
    """
    import pyarrow.parquet as pq

    expected = [*CANONICAL, *meta.attributes]
    if list(types) != expected:
        gone = [c for c in expected if c not in types]
        added = [c for c in types if c not in expected]
        what = (f"column {gone[0]!r} is missing" if gone else f"it has a column {added[0]!r} more" if added
                else "its columns are in another order")
        return f"{what} (expected the columns {', '.join(expected)})"
    for column in CANONICAL:
        want = _TYPES.get(column, "VARCHAR")
        if types[column] != want:
            return f"column {column!r} is {types[column]}, not {want}"
    footer = pq.read_metadata(file)
    if footer.num_rows != meta.n_events:
        return f"it holds {footer.num_rows:,} rows, not the {meta.n_events:,} events written"
    position = {footer.schema.column(i).name: i for i in range(footer.num_columns)}
    for column in NOT_NULL:
        for g in range(footer.num_row_groups):
            stats = footer.row_group(g).column(position[column]).statistics
            if stats is not None and stats.has_null_count and stats.null_count:
                return f"column {column!r} has empty values"
    return None


# --- taxonomy and vocabulary ---------------------------------------------------------------------
def _rules_out(rules) -> list:
    return [[r.name, r.pattern, list(r.result), r.unless, r.source] for r in rules]


def _rules_in(rows) -> list:
    from ..taxonomy import Rule

    return [Rule(str(name), str(pattern), tuple(result), unless, str(source))
            for name, pattern, result, unless, source in rows]


def _when_out(ts):
    """A validity bound (pandas Timestamp, naive = local, or None) as ``[ISO text, zone name or None]``."""
    if ts is None:
        return None
    zone = getattr(ts.tz, "key", None) or getattr(ts.tz, "zone", None)  # zoneinfo, pytz
    return [ts.isoformat(), zone]


def _when_in(value):
    import pandas as pd

    if value is None:
        return None
    iso, zone = value
    ts = pd.Timestamp(iso)
    return ts.tz_convert(zone) if zone else ts


def _taxonomy_out(taxonomy) -> dict:
    entries = [[e.unit, e.domain, e.sector, _when_out(e.valid_from), _when_out(e.valid_to), e.where]
               for group in taxonomy._entries.values() for e in group]
    return {"entries": entries, "rules": _rules_out(taxonomy.rules)}


def _taxonomy_in(data: dict):
    """The UnitTaxonomy of ``data``, built (and checked) by its constructor: same mappings, same rules."""
    from ..taxonomy import UnitTaxonomy, TaxonomyEntry

    entries = [TaxonomyEntry(str(u), str(d), str(s), _when_in(lo), _when_in(hi), str(w))
               for u, d, s, lo, hi, w in data["entries"]]
    return UnitTaxonomy(entries, rules=_rules_in(data["rules"]))


def _vocabulary_out(vocabulary) -> dict:
    return {"user": [list(v) for v in vocabulary._user.values()],
            "builtin": [[k, *v] for k, v in vocabulary._builtin.items()],
            "rules": _rules_out(vocabulary.rules)}


def _vocabulary_in(data: dict):
    """The Vocabulary of ``data``: the user's mappings checked by the constructor, the built-in names it held."""
    from ..taxonomy import Vocabulary

    vocabulary = Vocabulary({str(n): str(t) for n, t in data["user"]}, rules=_rules_in(data["rules"]))
    vocabulary._builtin = {str(k): (str(n), str(t)) for k, n, t in data["builtin"]}
    return vocabulary


# --- the classes tables --------------------------------------------------------------------------
def _frame_out(frame) -> dict:
    """A small pandas frame as ``{"columns": [[name, dtype, values], ...]}``; times as UTC ISO texts."""
    import pandas as pd

    columns = []
    for name in frame.columns:
        s = frame[name]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            values = [None if pd.isna(v) else v.tz_convert("UTC").isoformat() for v in s]
        else:
            values = [None if v is None or (isinstance(v, float) and v != v) else v for v in s.tolist()]
        columns.append([str(name), str(s.dtype), values])
    return {"columns": columns}


def _frame_in(data: dict):
    import pandas as pd

    out = {}
    for name, dtype, values in data["columns"]:
        kind = pd.api.types.pandas_dtype(dtype)
        if isinstance(kind, pd.DatetimeTZDtype):
            out[name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True).dt.tz_convert(kind.tz).astype(kind)
        else:
            out[name] = pd.Series(values, dtype=kind)
    return pd.DataFrame(out)
