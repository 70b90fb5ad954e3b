"""``pw.read_fhir(path, engine="spark")``: the FHIR reader of :mod:`pathways.io.fhir` in Spark SQL.

The same steps as the DuckDB reader, each a Spark SQL statement run on the executors: the documents (an NDJSON
file's lines with ``spark.read.text``; a JSON or XML file's one document, parsed in Python on the driver as the
DuckDB reader does) are numbered by file and line (``monotonically_increasing_id`` and the per-partition counts:
no window over all lines); each is parsed once with ``from_json`` into the record of :data:`~pathways.io.fhir.SPEC`
(the Spark schema is derived from it, and from ``MESSAGE_SPEC`` / ``BUNDLE_SPEC``); Bundles' entries are unnested
with ``posexplode``; references are resolved by joins; the messages are folded with window functions and
``max_by``/``min_by`` aggregates (as ``arg_max``/``arg_min`` on DuckDB: a NULL value is skipped, a NULL time sorts
last); the CPR number is hashed with the Spark spelling of :func:`pathways.privacy.hmac_sql` in the statement that
extracts it; the items are validated by :func:`pathways.io.spark.build_spark`. No Python function runs on the
executors, and the driver receives only counts and the rejected rows (``log.rejected``).
"""

from __future__ import annotations

import json
import os
import warnings

from ..engine import fresh_name
from ..errors import EventLogError
from ..eventlog import EventLog, PathwaysWarning
from . import fhir as _fhir
from .fhir import (BUNDLE_SPEC, CPR_SYSTEM, EVENT_TYPES, GLN_SYSTEM, LEAVE_EXTENSION, LPR_SYSTEM, MESSAGE_SPEC,
                   SOR_SYSTEM, SPEC, SUPPORT_TYPES, _FILE_BITS, _LINE_BITS)

#: A FHIR dateTime with a time of day and a zone (an instant); a date alone; a time of day without a zone.
#: (No backslashes: a Spark SQL string literal reads a backslash as an escape.)
_INSTANT = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$'"
_DATE = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'"
_TIME_WITHOUT_ZONE = "'T[0-9][0-9]:[0-9][0-9](:[0-9][0-9]([.][0-9]+)?)?$'"
_SPARK_TYPES = {"VARCHAR": "STRING", "JSON": "STRING", "BOOLEAN": "BOOLEAN"}


def spark_schema(spec: str, *, corrupt: str | None = None) -> str:
    """The Spark DDL schema of a DuckDB ``json_transform`` spec (:data:`~pathways.io.fhir.SPEC` and the others):
    ``JSON`` becomes ``STRING``, which Spark's JSON reader fills with the raw JSON text of an object or array.

    >>> spark_schema('{"id": "VARCHAR", "period": {"start": "VARCHAR"}, "performer": [{"reference": "VARCHAR"}]}')
    '`id` STRING, `period` STRUCT<`start`: STRING>, `performer` ARRAY<STRUCT<`reference`: STRING>>'
    """
    def typ(t) -> str:
        if isinstance(t, dict):
            return "STRUCT<" + ", ".join(f"`{k}`: {typ(v)}" for k, v in t.items()) + ">"
        if isinstance(t, list):
            return f"ARRAY<{typ(t[0])}>"
        return _SPARK_TYPES[t]

    fields = [f"`{k}` {typ(v)}" for k, v in json.loads(spec).items()]
    return ", ".join(fields + ([f"`{corrupt}` STRING"] if corrupt else []))


def _lit(text: str) -> str:
    from .. import spark_session

    return spark_session.literal(text)


def _ref_key(ref: str) -> str:
    """Spark SQL of :func:`pathways.io.fhir._ref_key`: a reference as the key it is resolved by."""
    return (f"CASE WHEN {ref} LIKE 'urn:%' OR {ref} RLIKE '^[A-Za-z]+/[A-Za-z0-9.-]+$' THEN {ref} "
            f"ELSE nullif(regexp_extract({ref}, '([A-Za-z]+/[A-Za-z0-9.-]+)(/_history/[^/]*)?$', 1), '') END")


def _without_zone(text: str) -> str:
    return (f"CASE WHEN endswith({text}, 'Z') OR substr({text}, -6, 1) IN ('+', '-') THEN false "
            f"ELSE {text} RLIKE {_TIME_WITHOUT_ZONE} END")


def _instant(text: str, tz: str) -> str:
    """Spark SQL of :func:`pathways.io.fhir._instant`: an instant with its offset, a date alone at midnight in
    ``tz`` (placed as DuckDB places a wall-clock time), NULL for anything else."""
    from .spark import _localized

    wall = f"CAST(try_cast({text} AS TIMESTAMP_NTZ) AS TIMESTAMP)"
    return (f"CASE WHEN length({text}) = 10 AND {text} RLIKE {_DATE} THEN {_localized(wall, tz)} "
            f"WHEN {text} RLIKE {_INSTANT} THEN try_cast({text} AS TIMESTAMP) END")


def _order(recorded: str, eid: str) -> str:
    """The order of DuckDB's ``[epoch_us(recorded), eid]``: a NULL time sorts after every time."""
    return f"struct({recorded} IS NULL, unix_micros({recorded}), {eid})"


def read_fhir_spark(files, *, key, tz, taxonomy, vocabulary, strict, origin) -> EventLog:
    """``pw.read_fhir(..., engine="spark")`` on the files :func:`pathways.io.fhir._files` found."""
    from .. import spark_session

    spark_session.pyspark()
    reader = _SparkReader(files, key, tz)
    try:
        return reader.read(taxonomy=taxonomy, vocabulary=vocabulary, strict=strict, origin=origin)
    finally:
        reader.drop()


class _SparkReader:
    """The temporary views and cached frames of one read, dropped at the end."""

    def __init__(self, files, key, tz):
        from .. import spark_session

        self.files, self.key, self.tz = files, key, tz
        self.con = spark_session.backend()
        self.session = self.con._session
        self.views: list[str] = []
        self.cached: list = []

    def sql(self, text: str):
        return self.session.sql(text)

    def view(self, stem: str, df, *, cache: bool = False) -> str:
        """``df`` as a temporary view; with ``cache``, computed now and kept on the executors (memory, spilling to
        disk) without its lineage (``localCheckpoint``): a view over cached views that each carry their plan made
        the plans of the later steps grow with every reference (the plan text of the items ran the driver out of
        memory on a 13-line file)."""
        from pyspark import StorageLevel

        name = fresh_name(f"fhir_{stem}")
        if cache:
            df = df.localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)
            self.cached.append((name, df))
        df.createOrReplaceTempView(name)
        self.views.append(name)
        return name

    def drop(self) -> None:
        for v in self.views:
            try:
                self.session.catalog.dropTempView(v)
            except Exception:  # noqa: BLE001 - the session may be gone
                pass
        self.released(*(name for name, _ in self.cached))

    def released(self, *names: str) -> None:
        """Free the cached frames of these views now (the views stay defined; they are not read again)."""
        for name, df in [(n, df) for n, df in self.cached if n in names]:
            try:  # the checkpointed blocks (unpersist() of the DataFrame does not reach them)
                df._jdf.queryExecution().analyzed().rdd().unpersist(False)
            except Exception:  # noqa: BLE001 - not a checkpoint, or the session is gone
                try:
                    df.unpersist()
                except Exception:  # noqa: BLE001
                    pass
        self.cached = [(n, df) for n, df in self.cached if n not in names]

    # --- reading -------------------------------------------------------------------------------
    def documents(self) -> str:
        """The documents, numbered: ``file_no``, ``line`` (0-based within its file), ``doc``. An NDJSON file's
        lines in its order (each file read on its own, so that its partitions are its splits in order, and the
        union keeps the files in order); the line number is the row's position in its partition
        (``monotonically_increasing_id``'s lower bits) plus the rows of the file's earlier partitions (counted
        per partition: one small row each)."""
        from functools import reduce

        from pyspark.sql import functions as F

        frames, small = [], []
        for i, (f, kind) in enumerate(self.files):
            if kind == "ndjson":
                frames.append(self.session.read.text(os.path.abspath(f))
                              .select(F.lit(i).alias("file_no"), F.col("value").alias("doc")))
            else:
                small.append((i, _fhir._document(f, kind)))
        if small:
            frames.append(self.session.createDataFrame(small, "file_no INT, doc STRING"))
        docs = reduce(lambda a, b: a.unionAll(b), frames).select(
            "file_no", "doc", F.monotonically_increasing_id().alias("mid"))
        # not cached: a text file's partitions are its splits, the same at every scan, so the ids are too (a copy of
        # the documents cost 0.5 GB and a quarter of this step at a million Encounters)
        raw = self.view("raw_documents", docs)
        parts = self.sql(f"SELECT shiftright(mid, 33) AS p, first(file_no) AS f, count(*) AS n FROM {raw} "
                         f"GROUP BY shiftright(mid, 33)").collect()
        starts, seen = {}, {}
        for r in sorted(parts, key=lambda r: r["p"]):
            starts[r["p"]] = seen.get(r["f"], 0)
            seen[r["f"]] = seen.get(r["f"], 0) + r["n"]
        if any(starts.values()):
            pairs = ", ".join(f"{p}L, {s}L" for p, s in starts.items())
            start = f"element_at(map({pairs}), shiftright(mid, 33))"
        else:
            start = "0L"
        return (f"SELECT file_no, {start} + (mid & {(1 << 33) - 1}L) AS line, doc FROM {raw}")

    def fields(self, *, message: bool) -> dict[str, str]:
        """As :meth:`pathways.io.fhir._Reader.fields`, in Spark SQL: the fields of a parsed resource ``r`` (its
        text ``raw``; ``m``, the record of MESSAGE_SPEC, with ``message``), the CPR already hashed."""
        from ..privacy import hmac_sql

        def ident(system: str) -> str:
            return f"get(filter(r.identifier, x -> x.system = {_lit(system)}), 0).value"

        cpr = ident(CPR_SYSTEM)
        hashed = hmac_sql(f"coalesce({cpr}, 'Patient/' || r.id)", self.key, 16, engine="spark")
        eoc = (f"coalesce(get(filter(r.episodeOfCare, x -> x.identifier.system IS DISTINCT FROM {_lit(LPR_SYSTEM)}), "
               f"0).identifier, get(r.episodeOfCare, 0).identifier)")
        leave = f"get(filter(r.extension, x -> x.url LIKE {_lit('%' + LEAVE_EXTENSION)}), 0).valuePeriod"
        klass = ("coalesce(get_json_object(r.`class`, '$.code'), get_json_object(r.`class`, '$[0].coding[0].code'), "
                 "get_json_object(r.`class`, '$[0].code'))")
        rt = "r.resourceType"
        out = {"rt": rt, "id": "r.id", "status": "r.status", "class_code": klass, "start_text": "r.period.start",
               "end_text": "r.period.end", "subject_ref": "coalesce(r.subject.reference, r.patient.reference)",
               "org_ref": "coalesce(r.serviceProvider.reference, r.managingOrganization.reference, "
                          "r.requester.reference)",
               "performer_ref": "get(r.performer, 0).reference", "eoc_value": f"{eoc}.value",
               "authored_text": "r.authoredOn",
               "deceased": f"CASE WHEN {rt} = 'Patient' THEN coalesce(r.deceasedBoolean, r.deceasedDateTime IS NOT "
                           f"NULL, false) END",
               "case_hash": f"CASE WHEN {rt} = 'Patient' THEN {hashed} END",
               "org_name": f"CASE WHEN {rt} = 'Organization' THEN get_json_object(raw, '$.name') END",
               "sor": f"CASE WHEN {rt} = 'Organization' THEN {ident(SOR_SYSTEM)} END",
               "gln": f"CASE WHEN {rt} = 'Organization' THEN {ident(GLN_SYSTEM)} END"}
        msg = {"leave_start": f"{leave}.start", "leave_end": f"{leave}.end", "eoc_system": f"{eoc}.system",
               "sender_ref": "m.sender.reference", "receiver_ref": "get(m.destination, 0).receiver.reference",
               "focus_ref": "coalesce(get_json_object(m.focus, '$[0].reference'), get_json_object(m.focus, "
                            "'$.reference'))",
               "target_ref": "get(m.target, 0).reference", "recorded_text": "m.recorded",
               "activity_code": "get(m.activity.coding, 0).code"}
        if message:
            return out | msg
        return out | {c: "CAST(NULL AS STRING)" for c in msg}

    def entries(self) -> str:
        """The entries (the columns of :data:`pathways.io.fhir._Reader._COLUMNS`), the CPR already hashed, cached:
        the documents, each parsed once, with a standalone resource's fields (and a Bundle's text), and the entries
        of the Bundles among them (scope: the Bundle's id)."""
        docs = self.documents()
        spec = _lit(spark_schema(SPEC, corrupt="_corrupt"))
        columns = list(_fhir._Reader._COLUMNS)
        inner = [c for c in columns if not c.endswith("_key")]
        refs = _fhir._REFS
        one = {c: f"{e} AS {c}" for c, e in self.fields(message=False).items()}
        given = {"file_no": "file_no", "line": "line", "entry": "CAST(NULL AS BIGINT) AS entry", "eid": "eid",
                 "scope": "CAST(-1 AS BIGINT) AS scope", "bundle_type": "CAST(NULL AS STRING) AS bundle_type",
                 "full_url": "CAST(NULL AS STRING) AS full_url", "problem": "problem"}
        fields_sql = self.fields(message=False)
        keys = {f"{r}_key": _ref_key(f"({fields_sql[f'{r}_ref']})") if r in ("subject", "org", "performer")
                else "CAST(NULL AS STRING)" for r in refs}
        parsed = (
            f"SELECT file_no, line, shiftleft(CAST(file_no AS BIGINT), {_FILE_BITS}) | shiftleft(line, {_LINE_BITS}) "
            f"AS eid, doc AS raw, r, CASE WHEN r IS NULL OR r._corrupt IS NOT NULL THEN 'not_json' "
            f"WHEN r.resourceType IS NULL THEN 'no_resource_type' END AS problem FROM (SELECT file_no, line, doc, "
            f"from_json(doc, {spec}, map('columnNameOfCorruptRecord', '_corrupt')) AS r FROM ({docs}))")
        fields = self.view("documents", self.sql(
            f"SELECT {', '.join(given.get(c) or one[c] for c in inner)}, "
            f"{', '.join(f'{e} AS {k}' for k, e in keys.items())}, CASE WHEN problem IS NULL AND r.resourceType = "
            f"'Bundle' THEN raw END AS bundle_doc FROM ({parsed})"), cache=True)
        # a Bundle is read as its entries (posexplode, not _outer: a Bundle without entries gives none, as DuckDB's
        # unnest)
        bundles = (f"SELECT file_no, line, eid AS doc_id, b.type AS bundle_type, posexplode(b.entry) AS (i, e) "
                   f"FROM (SELECT file_no, line, eid, from_json(bundle_doc, {_lit(spark_schema(BUNDLE_SPEC))}) AS b "
                   f"FROM {fields} WHERE bundle_doc IS NOT NULL)")
        unnested = (f"SELECT file_no, line, CAST(i AS BIGINT) AS entry, doc_id | (i + 1) AS eid, doc_id AS scope, "
                    f"bundle_type, e.fullUrl AS full_url, from_json(e.resource, {_lit(spark_schema(SPEC))}) AS r, "
                    f"from_json(e.resource, {_lit(spark_schema(MESSAGE_SPEC))}) AS m, e.resource AS raw, "
                    f"CASE WHEN e.resource IS NULL THEN 'entry_without_resource' END AS problem FROM ({bundles})")
        every = {c: f"{e} AS {c}" for c, e in self.fields(message=True).items()}
        every["problem"] = ("CASE WHEN problem IS NULL AND r.resourceType = 'Bundle' THEN 'nested_bundle' ELSE problem "
                            "END AS problem")
        plain = {c: c for c in ("file_no", "line", "entry", "eid", "scope", "bundle_type", "full_url")}
        all_keys = ", ".join(f"{_ref_key(f'{r}_ref')} AS {r}_key" for r in refs)
        bundled = (f"SELECT *, {all_keys} FROM (SELECT {', '.join(plain.get(c) or every[c] for c in inner)} "
                   f"FROM ({unnested}))")
        listed = ", ".join(columns)
        # one table (the joins below read it several times); the Bundles' entries are not a checkpoint of their own:
        # a checkpoint keeps the constraints of the plan it came from, and a union of two checkpoints of the same
        # table failed in Spark's constraint propagation ("key not found: file_no#1")
        name = self.view("entries", self.sql(f"SELECT {listed} FROM {fields} WHERE bundle_doc IS NULL "
                                             f"UNION ALL SELECT {listed} FROM ({bundled})"), cache=True)
        self.released(fields)
        return name

    def check_files(self, entries: str) -> None:
        _fhir.check_files(self.sql(f"SELECT file_no, count(*), count(rt), max(line), max(entry) FROM {entries} "
                                   "GROUP BY file_no").collect(), self.files)

    # --- references ----------------------------------------------------------------------------
    def targets(self, entries: str) -> str:
        """As :meth:`pathways.io.fhir._Reader.targets` (``arg_min`` skips a NULL value: so does the FILTER)."""
        values = ("case_hash", "deceased", "org_name", "sor", "gln")
        v = ", ".join(values)
        sql = ("SELECT scope, key, min(eid) AS eid, "
               + ", ".join(f"min_by({x}, eid) FILTER (WHERE {x} IS NOT NULL) AS {x}" for x in values)
               + f" FROM (SELECT scope, rt || '/' || id AS key, eid, {v} FROM {entries} "
               f"WHERE problem IS NULL AND id IS NOT NULL AND (rt IN ('Patient', 'Organization') "
               f"OR (scope <> -1 AND rt IN ('Encounter', 'MessageHeader'))) "
               f"UNION ALL SELECT scope, full_url, eid, {v} FROM {entries} WHERE problem IS NULL "
               f"AND full_url LIKE 'urn:%' AND rt IN ('Patient', 'Organization', 'Encounter', 'MessageHeader')) "
               f"GROUP BY scope, key")
        return self.view("targets", self.sql(sql), cache=True)

    resolve = staticmethod(_fhir.resolve_sql)
    plain = staticmethod(_fhir._Reader.plain)

    # --- messages ------------------------------------------------------------------------------
    def messages(self, entries: str, targets: str) -> str:
        """As :meth:`pathways.io.fhir._Reader.messages`: one row per message."""
        sj, s = self.resolve(targets, "snd", "h.sender_key", "h.scope")
        rj, r = self.resolve(targets, "rcv", "h.receiver_key", "h.scope")
        fj, f = self.resolve(targets, "foc", "h.focus_key", "h.scope")
        tj, t = self.resolve(targets, "tgt", "p.target_key", "p.scope")
        pj, pt = self.resolve(targets, "pat", "e.subject_key", "e.scope")
        oj, o = self.resolve(targets, "org", "e.org_key", "e.scope")
        recorded = "try_cast(p.recorded_text AS TIMESTAMP)"
        sql = (
            f"WITH hs AS (SELECT *, row_number() OVER (PARTITION BY scope ORDER BY eid) AS __n FROM {entries} "
            f"WHERE rt = 'MessageHeader' AND bundle_type = 'message' AND problem IS NULL), "
            f"h AS (SELECT *, row_number() OVER (PARTITION BY coalesce(id, CAST(eid AS STRING)) ORDER BY eid) > 1 "
            f"AS duplicate FROM hs WHERE __n = 1), "
            f"cur0 AS (SELECT p.scope, {t['eid']} AS mh_eid, max_by(p.eid, {_order(recorded, 'p.eid')}) AS prov_eid "
            f"FROM {entries} p {tj} WHERE p.rt = 'Provenance' AND p.problem IS NULL AND p.scope <> -1 "
            f"GROUP BY p.scope, {t['eid']}), "
            f"cur AS (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY mh_eid ORDER BY prov_eid DESC) AS __n "
            f"FROM cur0) WHERE __n = 1) "
            f"SELECT h.scope, h.eid AS mh_eid, h.id AS mh_id, h.duplicate, c.prov_eid, p.recorded_text, "
            f"p.activity_code, {s['org_name']} AS sender, {r['org_name']} AS receiver, e.eid AS enc_eid, "
            f"e.id AS enc_id, e.status, e.class_code, e.start_text, e.end_text, e.leave_start, e.leave_end, "
            f"e.eoc_value, e.eoc_system, {pt['case_hash']} AS patient, {pt['deceased']} AS deceased, "
            f"{o['org_name']} AS unit_name, {o['sor']} AS sor, {o['gln']} AS gln, "
            f"{_fhir.message_problem_sql(pt, o)} "
            f"FROM h {sj}{rj}{fj}"
            f"LEFT JOIN (SELECT * FROM {entries} WHERE scope <> -1) e ON e.eid = {f['eid']} AND e.rt = 'Encounter' "
            f"LEFT JOIN cur c ON c.mh_eid = h.eid LEFT JOIN (SELECT * FROM {entries} WHERE scope <> -1) p "
            f"ON p.eid = c.prov_eid {pj}{oj}")
        return self.view("messages", self.sql(sql), cache=True)

    def message_events(self, messages: str) -> str:
        """As :meth:`pathways.io.fhir._Reader.message_events`: the events of the messages, folded. DuckDB's ASOF
        join (a revision or cancellation applies to the stay's latest event of its kind reported before it) is a
        join on the stay and kind and a window keeping the latest event reported before."""
        cls = _fhir.message_class_sql("class_code")
        key = _order("recorded", "mh_eid")
        rows = (f"SELECT m.*, {cls} AS cls, try_cast(recorded_text AS TIMESTAMP) AS recorded, "
                f"coalesce(eoc_system || '|' || eoc_value, 'Encounter/' || enc_id) AS stay FROM {messages} m "
                f"WHERE NOT duplicate AND problem IS NULL")
        ops = _fhir.message_ops_sql("r")
        timed = _fhir.message_timed_sql("ops")
        kept = ("patient", "unit_name", "sor", "gln")
        last = [("time", "time"), ("time_element", "time_element"), ("notified_text", "recorded_text"),
                *((c, c) for c in kept), ("encounter_class", "cls"), ("encounter_status", "status"),
                ("episode_of_care", "eoc_value")]
        first = [("message", "mh_id"), ("sender", "sender"), ("receiver", "receiver"), ("eid", "prov_eid")]
        sql = (
            f"WITH r AS ({rows}), ops AS ({ops}), t AS ({timed}), "
            f"occ AS (SELECT stay, base, occ, min(recorded) AS first_recorded FROM t WHERE op = 'report' "
            f"GROUP BY stay, base, occ), "
            f"rc0 AS (SELECT t.*, o.occ AS __occ, row_number() OVER (PARTITION BY t.mh_eid, t.__op_no "
            f"ORDER BY o.first_recorded DESC NULLS LAST, o.occ) AS __n FROM t LEFT JOIN occ o ON t.stay = o.stay "
            f"AND t.base = o.base AND t.recorded >= o.first_recorded WHERE t.op <> 'report'), "
            f"rc AS (SELECT * EXCEPT (occ, __occ, __n), coalesce(__occ, CASE WHEN op = 'revise' THEN "
            f"'revised:' || mh_id ELSE 'nothing:' || mh_id END) AS occ FROM rc0 WHERE __n = 1), "
            f"every AS (SELECT * FROM t WHERE op = 'report' AND (base NOT LIKE 'deceased-%' OR deceased) "
            f"UNION ALL SELECT * FROM rc WHERE base NOT LIKE 'deceased-%' OR NOT startswith(occ, 'nothing:')), "
            f"stays AS (SELECT stay, max_by(status, {key}) FILTER (WHERE status IS NOT NULL) = 'entered-in-error' "
            f"AS withdrawn, min_by(enc_id, {key}) FILTER (WHERE enc_id IS NOT NULL) AS encounter FROM r "
            f"GROUP BY stay), "
            f"folded AS (SELECT stay, base, occ, max_by(op, {key}) AS last_op, "
            + ", ".join(f"max_by({c}, {key}) FILTER (WHERE op <> 'cancel' AND {c} IS NOT NULL) AS {name}"
                        for name, c in last)
            + ", min(recorded) FILTER (WHERE op <> 'cancel') AS notified, "
            "max(recorded) FILTER (WHERE op = 'revise') AS revised, "
            + ", ".join(f"min_by({c}, {key}) FILTER (WHERE op <> 'cancel' AND {c} IS NOT NULL) AS {name}"
                        for name, c in first)
            + " FROM every GROUP BY stay, base, occ) "
            "SELECT f.*, s.encounter, f.last_op = 'cancel' OR s.withdrawn AS removed FROM folded f JOIN stays s "
            "ON f.stay = s.stay")
        self.folded = self.view("folded", self.sql(sql), cache=True)
        return (
            f"SELECT f.eid, CASE WHEN f.base LIKE 'deceased-%' THEN 1 ELSE 0 END AS sub, f.patient, "
            f"f.base AS activity_code, f.time, CAST(NULL AS STRING) AS end_time, f.time_element, f.unit_name, "
            f"CAST(NULL AS STRING) AS referral_name, f.notified, f.revised, f.message, f.sender, f.receiver, f.sor, "
            f"f.gln, f.encounter, f.episode_of_care, f.encounter_class, f.encounter_status, "
            f"'Provenance' AS fhir_resource, CAST(NULL AS STRING) AS problem, CAST(NULL AS STRING) AS element, "
            f"CAST(NULL AS STRING) AS value, f.notified_text "
            f"FROM {self.folded} f WHERE NOT removed AND f.eid IS NOT NULL")

    # --- the items -----------------------------------------------------------------------------
    def items(self, entries: str, targets: str, messages: str) -> str:
        """As :meth:`pathways.io.fhir._Reader.items`: one row per item (an event, or an entry refused before)."""
        pj, pt = self.resolve(targets, "pat", "e.subject_key", "e.scope")
        oj, o = self.resolve(targets, "org", "e.org_key", "e.scope")
        fj, f = self.resolve(targets, "prf", "e.performer_key", "e.scope")
        cls = _fhir.plain_class_sql("e.class_code")
        plain = f"{self.plain('e', messages)} AND e.status IS DISTINCT FROM 'entered-in-error'"
        standalone = (
            f"SELECT e.eid, e.rt, e.id, e.status, {cls} AS cls, e.start_text, e.end_text, e.authored_text, "
            f"e.eoc_value, {pt['case_hash']} AS patient, {o['org_name']} AS unit_name, {o['sor']} AS sor, "
            f"{o['gln']} AS gln, {f['org_name']} AS referral_name, "
            f"{_fhir.standalone_problem_sql(pt, o, f)} "
            f"FROM {entries} e {pj}{oj}{fj}WHERE {plain}")
        s = self.view("standalone", self.sql(standalone), cache=True)
        plain_events = _fhir.plain_events_sql(s, text="STRING", instant="TIMESTAMP", explode="explode", array="array")
        refused = _fhir.refused_sql(entries, messages)
        typed, first = _fhir.checked_times_sql(_without_zone, lambda c: _instant(c, self.tz), _lit)

        ev = self.sql(f"SELECT *, CAST(NULL AS STRING) AS notified_text FROM ({plain_events})").unionByName(
            self.sql(self.message_events(messages)))
        ev_view = self.view("ev", ev)
        typed = typed.replace(" FROM ev)", f" FROM {ev_view})")
        items = self.sql(
            f"SELECT * EXCEPT (__t, __e, __k, problem, element, value, time, end_time, notified_text, time_element), "
            f"coalesce(problem, {first['problem']}) AS problem, "
            f"CASE WHEN problem IS NULL THEN {first['element']} ELSE element END AS element, "
            f"CASE WHEN problem IS NULL THEN {first['value']} ELSE value END AS value, __t AS time, __e AS end_time "
            f"FROM ({typed})").unionByName(self.sql(refused), allowMissingColumns=True)
        return self.view("unnumbered", items, cache=True)

    def numbered(self, unnumbered: str) -> str:
        """The items numbered ``__pw_row`` in input order (``eid``, then ``sub``): sorted, then numbered by
        partition (:func:`pathways.io.spark._numbered`), no window over all rows."""
        from .spark import _numbered

        df, cached = _numbered(self.sql(f"SELECT * FROM {unnumbered} ORDER BY eid, sub"))
        try:
            return self.view("items", df, cache=True)
        finally:
            cached.unpersist()

    # --- the read ------------------------------------------------------------------------------
    def read(self, *, taxonomy, vocabulary, strict, origin) -> EventLog:
        import pandas as pd

        from ..eventlog import describe_failures
        from .. import rejections
        from .spark import build_spark

        entries = self.entries()
        self.check_files(entries)
        targets = self.targets(entries)
        messages = self.messages(entries, targets)
        unnumbered = self.items(entries, targets, messages)
        counts = self.counted(entries, unnumbered, messages)
        items = self.numbered(unnumbered)
        self.released(*(n for n, _ in self.cached if n != items))  # the items are all that is read from here
        attrs = ["notified", "revised", "message", "sender", "receiver", "sor", "gln", "encounter",
                 "episode_of_care", "encounter_class", "encounter_status", "fhir_resource"]
        source = self.sql(f"SELECT __pw_row, patient, activity_code, time, end_time, unit_name, referral_name, "
                          f"{', '.join(attrs)} FROM {items} WHERE problem IS NULL")
        extra = self.sql(f"SELECT __pw_row AS row, element AS `column`, problem AS code, value FROM {items} "
                         f"WHERE problem IS NOT NULL ORDER BY __pw_row").toPandas()
        extra = extra.astype({"row": "int64"}) if len(extra) else pd.DataFrame(
            {"row": pd.Series([], dtype="int64"), "column": [], "code": [], "value": []})
        n_items = self.sql(f"SELECT count(*) FROM {items}").collect()[0][0]
        options = dict(backend=self.con, n_read=n_items, case="patient", activity="activity_code",
                       timestamp="time", end_timestamp="end_time", unit="unit_name", referral_to="referral_name",
                       attributes=attrs, tz=self.tz, taxonomy=taxonomy, vocabulary=vocabulary, origin=origin)
        if not len(extra):
            log = build_spark(source, strict=strict, **options)
        else:
            # the refused entries join the validation's failures, as eventlog.build's extra_failures (which
            # build_spark does not take): built without the warning, which is given for all of them below
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                log = build_spark(source, strict=False, **options)
            failures = pd.concat([extra, rejections.exploded(log.rejected)[["row", "column", "code", "value"]]],
                                 ignore_index=True).sort_values("row", kind="stable", ignore_index=True)
            failures = rejections.long_form(failures)
            if strict:
                del log  # its events are dropped from Spark with it (eventlog.engine_table)
                raise EventLogError(describe_failures(failures, n_items), failures)
            for w in caught:
                if not (issubclass(w.category, PathwaysWarning) and "moved to log.rejected" in str(w.message)):
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            rejected = rejections.per_row(failures)
            log = log.replace(log.table, rejected=rejected)
            from ..errors import outside_stacklevel

            warnings.warn(f"{len(rejected):,} of {n_items:,} rows were moved to log.rejected:\n"
                          + describe_failures(failures, n_items), PathwaysWarning, stacklevel=outside_stacklevel())
        rejected = self.located(log.rejected, items)
        notes = self.notes(counts, items, rejected)
        return log.replace(log.table, rejected=rejected, notes=notes)

    # --- what the read counted -----------------------------------------------------------------
    def rows_view(self, rejected) -> str:
        rows = [(int(r),) for r in rejected["row"]]
        return self.view("rejected_rows", self.session.createDataFrame(rows, "row BIGINT"))

    def located(self, rejected, items: str):
        """``log.rejected`` with the ``file`` and ``entry`` of every row (:func:`pathways.io.fhir.located`)."""
        eids = {}
        if len(rejected):
            rows = self.rows_view(rejected)
            eids = dict(self.sql(f"SELECT i.__pw_row, i.eid FROM {items} i JOIN {rows} r ON i.__pw_row = r.row")
                        .collect())
        return _fhir.located(rejected, eids, self.files)

    def counted(self, entries: str, unnumbered: str, messages: str) -> dict:
        """As :meth:`pathways.io.fhir._Reader.counted` (Spark takes no IN subquery in a CASE: joins flag them)."""
        read = ", ".join(f"'{t}'" for t in (*EVENT_TYPES, *SUPPORT_TYPES))
        rows = self.sql(
            f"WITH given AS (SELECT DISTINCT eid FROM {unnumbered}), "
            f"folded AS (SELECT DISTINCT eid FROM (SELECT prov_eid AS eid FROM {messages} WHERE NOT duplicate "
            f"AND problem IS NULL UNION ALL SELECT eid FROM {entries} e WHERE {self.plain('e', messages)} "
            f"AND status = 'entered-in-error')), "
            f"dup AS (SELECT DISTINCT scope FROM {messages} WHERE duplicate) "
            f"SELECT CASE WHEN e.problem IS NOT NULL THEN 'entries_rejected' "
            f"WHEN d.scope IS NOT NULL THEN 'entries_of_duplicates' "
            f"WHEN e.rt NOT IN ({read}) THEN 'entries_not_read' "
            f"WHEN g.eid IS NOT NULL THEN 'items' "
            f"WHEN f.eid IS NOT NULL THEN 'entries_folded' "
            f"ELSE 'supporting_entries' END AS what, count(*) AS n FROM {entries} e "
            f"LEFT JOIN dup d ON e.scope = d.scope LEFT JOIN given g ON e.eid = g.eid "
            f"LEFT JOIN folded f ON e.eid = f.eid GROUP BY 1").collect()
        counts = {r["what"]: r["n"] for r in rows}
        row = self.sql(
            f"SELECT count(CASE WHEN NOT duplicate AND problem IS NULL AND activity_code LIKE 'revise-%' THEN 1 END), "
            f"count(CASE WHEN duplicate THEN 1 END), (SELECT count(*) FROM {self.folded} WHERE removed), "
            f"(SELECT count(*) FROM {entries} e WHERE {self.plain('e', messages)} AND status = 'entered-in-error') "
            f"FROM {messages}").collect()[0]
        counts.update({"duplicate_messages": row[1], "revisions": row[0], "cancellations": row[2] + row[3]})
        return counts

    def notes(self, counts: dict, items: str, rejected) -> dict:
        """As :meth:`pathways.io.fhir._Reader.notes`."""
        if len(rejected):
            rows = self.rows_view(rejected)
            kept = self.sql(f"SELECT count(DISTINCT eid) FROM {items} i LEFT ANTI JOIN {rows} r "
                            f"ON i.__pw_row = r.row WHERE i.problem IS NULL").collect()[0][0]
        else:
            kept = self.sql(f"SELECT count(DISTINCT eid) FROM {items} WHERE problem IS NULL").collect()[0][0]
        return _fhir.notes_of(counts, kept)
