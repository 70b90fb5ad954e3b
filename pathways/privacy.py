"""Pseudonymisation: every case id replaced by a keyed hash, in one call.

``pw.pseudonymize(log, key=...)`` computes HMAC-SHA256 of each case id with a secret
key, in the engine (no per-row Python), and returns a new EventLog whose ``case_id``
is the first ``length`` hexadecimal digits of that hash.

What it gives: the same key gives the same pseudonym for the same case id in every
extract and every run, so extracts pseudonymised with one key can still be joined; without
the key a pseudonym cannot be turned back into the case id, nor can anyone check a guessed
id against it (a plain hash of a CPR number could be reversed by trying every number).

What it does not give: anonymity. The events, times and units of a patient are still
there, and a pseudonymised log is still personal data under the GDPR. Keep the key
secret and apart from the data; whoever has it can re-identify by hashing candidate ids.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from . import schema as S
from .engine import DUCKDB, SPARK, Engine, engine_for, fresh_name
from .errors import OptionError

if TYPE_CHECKING:
    from .eventlog import EventLog

_BLOCK = 64  # SHA-256's block size in bytes
#: What a whole input line kept in ``log.rejected`` becomes: it may hold the case id.
REDACTED_LINE = "(line text removed by pseudonymize: it may hold a case id)"


def key_bytes(key) -> bytes:
    """The pseudonymisation ``key`` as bytes; OptionError for a key that is not text or bytes, or is empty."""
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)):
        raise OptionError(f"key must be text or bytes (a secret kept apart from the data), got "
                          f"{type(key).__name__}.")
    if not key:
        raise OptionError("key is empty. Pass a secret, e.g. key=secrets.token_hex(32), and keep it apart from "
                          "the data: the same key gives the same pseudonyms in later extracts.")
    return bytes(key)


def hmac_sql(column: str, key, length: int, *, engine: Engine | str = "duckdb") -> str:
    """SQL for the first ``length`` hex digits of HMAC-SHA256(key, UTF-8 of ``column``).

    HMAC (RFC 2104) is two SHA-256 passes over the key padded to one block and
    XOR-ed with 0x36 (inner) and 0x5c (outer). The SQL hashes bytes to hex (DuckDB's
    ``sha256``, Spark's ``sha2(..., 256)``), and ``unhex`` turns the inner digest
    back into bytes for the outer pass: written once, in the spelling of ``engine``
    (an :class:`~pathways.engine.Engine`, or ``"duckdb"`` or ``"spark"``).

    Examples
    --------
    >>> import duckdb, hmac, hashlib
    >>> sql = hmac_sql("'CPR-0101'", "hemmelig", 64)
    >>> duckdb.sql("SELECT " + sql).fetchall()[0][0] == hmac.new(b"hemmelig", b"CPR-0101", hashlib.sha256).hexdigest()
    True
    """
    e = engine if isinstance(engine, Engine) else SPARK if engine == "spark" else DUCKDB
    k = key_bytes(key)
    if len(k) > _BLOCK:
        k = hashlib.sha256(k).digest()
    k = k.ljust(_BLOCK, b"\0")
    inner = bytes(b ^ 0x36 for b in k).hex()
    outer = bytes(b ^ 0x5C for b in k).hex()
    inner_digest = e.sha256(e.join_bytes(f"unhex('{inner}')", e.utf8(column)))
    digest = e.sha256(e.join_bytes(f"unhex('{outer}')", f"unhex({inner_digest})"))
    return digest if length == 64 else f"substr({digest}, 1, {int(length)})"


def pseudonymize(log: EventLog, *, key: str | bytes, length: int = 16):
    """A new EventLog whose case ids are keyed hashes (HMAC-SHA256) of the original ones.

    Parameters
    ----------
    log : EventLog
    key : str or bytes
        The secret. Keep it apart from the data (not in the notebook, not next to
        the extract). The same key gives the same pseudonym for the same case id
        in every extract and every run, so pseudonymised extracts can still be
        linked; a different key gives unrelated pseudonyms.
    length : int, default 16
        Hexadecimal digits kept (8 to 64). 16 digits (64 bits) make two of a
        million patients sharing a pseudonym a one-in-30-million chance, and if it
        happens anyway this function raises instead of merging them.

    Returns
    -------
    EventLog
        The same events, rows, columns, rejected rows and classification, with
        ``case_id`` replaced. In ``log.rejected``, whole input lines kept as the
        value of a refused line (a CSV line with too many fields) are removed, since
        they hold the case id. Other columns are not touched: drop or
        pseudonymise attributes that identify people (names, CPR numbers) yourself.

    Notes
    -----
    Pseudonymisation is not anonymisation: a pseudonymised log is still personal
    data under the GDPR. Without the key a pseudonym cannot be reversed or checked
    against a guessed CPR number; with it, anyone can. Computed in the engine on
    every event on DuckDB (no Python loop): 11.5 million events of 753,000 patients take
    about 13 s on two busy cores, of which 8 s is copying the table. On Spark the same
    HMAC is computed in Spark SQL, on the executors.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"cpr": ["0101-1234", "0101-1234", "0202-5678"],
    ...                    "act": ["Henvisning", "Indlæggelse", "Henvisning"],
    ...                    "ts": ["2023-01-02", "2023-01-05", "2023-02-01"]})
    >>> log = pw.from_pandas(df, case="cpr", activity="act", timestamp="ts")
    >>> p = pw.pseudonymize(log, key="hemmelig nøgle")
    >>> p.to_pandas()["case_id"].tolist()
    ['285e9e8c62c0044e', '285e9e8c62c0044e', '11c6f16f0a331d76']
    >>> import hmac, hashlib
    >>> hmac.new("hemmelig nøgle".encode(), b"0101-1234", hashlib.sha256).hexdigest()[:16]
    '285e9e8c62c0044e'
    """
    from .eventlog import EventLog, engine_table

    if not isinstance(log, EventLog):
        raise OptionError(f"pseudonymize expects an EventLog, got {type(log).__name__}.")
    if isinstance(length, bool) or not isinstance(length, int) or not 8 <= length <= 64:
        raise OptionError(f"length={length!r} is not allowed; give a whole number of hex digits from 8 to 64 "
                          "(16, the default, is 64 bits).")
    backend = log.backend
    name = fresh_name("pseudonymized")
    engine = engine_for(backend)  # the same HMAC in the engine's SQL, computed where the events are
    engine.replace_column(backend, name, log.table, S.CASE, hmac_sql(engine.quote(S.CASE), key, length,
                                                                       engine=engine))
    table = engine_table(backend, name)
    n_before = log.n_cases
    n_after = table[S.CASE].nunique().to_pyarrow().as_py()
    if n_after != n_before:
        raise OptionError(f"length={length}: {n_before - n_after} pair(s) of the {n_before:,} case ids got the same "
                          "pseudonym, which would merge patients. Pass a larger length (e.g. length=32).")
    rejected = log.rejected.copy()
    if len(rejected):
        rejected["value"] = [[REDACTED_LINE if c == "*" else v for c, v in zip(cols, values)]
                             for cols, values in zip(rejected["column"], rejected["value"])]
    return log.replace(table, rejected=rejected)


__all__ = ["pseudonymize", "hmac_sql", "REDACTED_LINE"]
