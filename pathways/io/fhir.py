"""FHIR R4: Bundles, single resources and Bulk Data NDJSON, with MedCom HospitalNotification's message semantics.

One extraction path, in the engine: every input document (a line of an NDJSON file, or the whole of a JSON or
XML file) becomes one row of text; DuckDB parses each row once into a typed record (``json_transform`` with
:data:`SPEC`; a Bundle's own fields and its entries' message fields with :data:`BUNDLE_SPEC` and
:data:`MESSAGE_SPEC`), unnests Bundle entries, resolves references, folds the messages (duplicates, revisions,
cancellations) and hands the events to :func:`pathways.eventlog.build`. Python parses only the small JSON and XML
files (one document each); no Python loop runs over resources or events.

Privacy: the CPR number is hashed (HMAC-SHA256, the SQL of :func:`pathways.privacy.hmac_sql`) in the statement
that extracts it, so it never lands in an engine table; Patient names, addresses and every other Patient field are
not extracted at all (only ``identifier``, ``id`` and ``deceased[x]``).
"""

from __future__ import annotations

import contextlib
import glob
import gzip
import json
import os
import secrets
import warnings
from typing import Literal

from ..engine import check_zone, duckdb_backend, fresh_name, sql_literal
from ..errors import EventLogError, OptionError, check_choice, outside_stacklevel
from ..eventlog import EventLog, PathwaysWarning, build

#: Identifier systems (MedCom / Danish OIDs).
CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
SOR_SYSTEM = "urn:oid:1.2.208.176.1.1"
GLN_SYSTEM = "urn:oid:1.3.88"
#: The national patient register's episode identifiers; MedCom asks receivers to link messages by the sender's
#: own (local) episode-of-care identifier, so that one is preferred when an Encounter carries both.
LPR_SYSTEM = "https://www.esundhed.dk/Registre/Landspatientregisteret"
#: MedComHospitalNotificationLeavePeriodExtension's id (the standard spells it "hospitalnotifiation").
LEAVE_EXTENSION = "medcom-hospitalnotifiation-leave-period-extension"
#: The environment variable holding the pseudonym key when ``key=`` is not given.
KEY_VARIABLE = "PATHWAYS_PSEUDONYM_KEY"

NDJSON_SUFFIXES = (".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz")
JSON_SUFFIXES = (".json", ".json.gz")
XML_SUFFIXES = (".xml",)
#: Resource types read: events come from these (plain or inside a message) ...
EVENT_TYPES = ("Encounter", "EpisodeOfCare", "ServiceRequest", "Provenance")
#: ... and these support them (a Patient gives the case id, an Organization a unit's name).
SUPPORT_TYPES = ("Patient", "Organization", "MessageHeader")

_REF = {"reference": "VARCHAR"}
_PERIOD = {"start": "VARCHAR", "end": "VARCHAR"}
#: The record every resource is parsed into (fields another type does not have are NULL). Not in it, so
#: never parsed out of a Patient: name, address, telecom, birthDate and every other personal field.
SPEC = json.dumps({
    "resourceType": "VARCHAR", "id": "VARCHAR", "status": "VARCHAR", "class": "JSON",
    "period": _PERIOD, "extension": [{"url": "VARCHAR", "valuePeriod": _PERIOD}],
    "subject": _REF, "patient": _REF, "serviceProvider": _REF, "managingOrganization": _REF, "requester": _REF,
    "performer": [_REF], "episodeOfCare": [{"identifier": {"system": "VARCHAR", "value": "VARCHAR"}}],
    "identifier": [{"system": "VARCHAR", "value": "VARCHAR"}], "deceasedBoolean": "BOOLEAN",
    "deceasedDateTime": "VARCHAR", "authoredOn": "VARCHAR",
})
#: The fields only a message's resources need (MessageHeader, Provenance), parsed out of a Bundle's entries only:
#: a field in the record costs its time on every line whether the line has it or not (the record with these and
#: the Bundle's fields took twice as long to parse a line of an NDJSON file of Encounters).
MESSAGE_SPEC = json.dumps({
    "sender": _REF, "destination": [{"receiver": _REF}], "focus": "JSON", "target": [_REF], "recorded": "VARCHAR",
    "activity": {"coding": [{"system": "VARCHAR", "code": "VARCHAR"}]},
})
#: A Bundle's own fields, parsed out of the documents that are Bundles only.
BUNDLE_SPEC = json.dumps({"type": "JSON", "entry": [{"fullUrl": "VARCHAR", "resource": "JSON"}]})

#: A FHIR dateTime with a time of day must carry its zone (Z or +hh:mm); a date alone needs none.
_TIME_WITHOUT_ZONE = r"'T\d\d:\d\d(:\d\d(\.\d+)?)?$'"
#: the id of a (file, line, entry): sorts as the input does (files in order, lines, entries in a Bundle)
_FILE_BITS, _LINE_BITS = 44, 16


def read_fhir(path, *, key: str | bytes | None = None, tz: str = "Europe/Copenhagen", taxonomy=None,
              vocabulary=None, strict: bool = False, engine: Literal["duckdb", "spark"] = "duckdb") -> EventLog:
    """Read FHIR R4 resources (Bundles, single resources, Bulk Data NDJSON) into an EventLog.

    ``path`` is a file, a folder (read recursively: every ``*.json``, ``*.json.gz``, ``*.ndjson``,
    ``*.ndjson.gz``, ``*.jsonl`` and ``*.xml`` below it, in name order) or a glob. A ``.json`` or
    ``.xml`` file holds one Bundle (message, collection, searchset, transaction, batch) or one
    resource; an NDJSON file holds one resource per line (a line may also be a whole Bundle).

    Events come from:

    - **MedCom HospitalNotification messages** (Bundles of type ``message``): the activity code
      of the message's Provenance (``admit-inpatient``, ``admit-emergency``,
      ``start-leave-inpatient``, ``end-leave-inpatient``, ``discharge-inpatient-home``,
      ``discharge-emergency-home``; a message whose Patient is ``deceased`` reports
      ``deceased-inpatient`` or ``deceased-emergency``), at the time the Encounter gives
      (``period.start`` for an admission, the leave-period extension's start and end for a
      leave, ``period.end`` for a discharge or a death). ``notified`` is Provenance.recorded of
      the first message that reported the event, ``revised`` that of the last ``revise-*``
      message applied to it; ``message``, ``sender`` and ``receiver`` come from the MessageHeader.
    - **plain Encounters**: ``admit-inpatient`` / ``discharge-inpatient`` (class IMP),
      ``admit-emergency`` / ``discharge-emergency`` (EMER) at ``period.start`` / ``period.end``;
      ``outpatient-visit`` (AMB and the other ambulatory classes) and ``encounter-<class>`` at
      ``period.start`` with ``period.end`` as the end time;
    - **EpisodeOfCare**: ``episode-of-care`` at ``period.start``, ending at ``period.end``;
    - **ServiceRequest**: ``referral`` at ``authoredOn``; the unit is the requester, ``referral_to``
      the performer.

    The unit is the service provider Organization's name; its SOR id and GLN are the attributes
    ``sor`` and ``gln``. Every log has the attributes ``notified``, ``revised``, ``message``,
    ``sender``, ``receiver``, ``sor``, ``gln``, ``encounter``, ``episode_of_care``,
    ``encounter_class``, ``encounter_status`` and ``fhir_resource`` (null where they do not apply).

    **Messages.** A HospitalNotification carries the latest state of its stay (the Encounter's
    episode-of-care identifier, else its id). The same MessageHeader id twice counts once;
    ``revise-X`` replaces the time of the stay's latest X event reported before it;
    ``cancel-X`` removes it (so does an Encounter status ``entered-in-error`` in the stay's
    latest message, and a later message whose Patient is no longer deceased removes a death);
    whatever a stay's latest message says about an event wins. The counts are in ``log.notes``
    and :func:`pathways.quality_report`.

    **Privacy.** The case id is the first 16 hex digits of HMAC-SHA256(key, CPR number), computed
    in the engine as :func:`pathways.pseudonymize` computes it; a Patient without a CPR
    identifier (system ``urn:oid:1.2.208.176.1.2``) is hashed as ``Patient/<id>``. The key is
    ``key=``, else the environment variable ``PATHWAYS_PSEUDONYM_KEY``, else a random key for
    this read (a PathwaysWarning says the pseudonyms are then not stable across reads). No other
    Patient field than the identifier and ``deceased[x]`` is read.

    **Bad input.** A file that is not FHIR (no ``resourceType``, not JSON) or of another kind
    raises EventLogError naming the file. An entry that cannot become an event (a line that is
    not JSON, a resource without ``resourceType``, a reference that points nowhere, a message
    without an Encounter, a time of day without a time zone, which FHIR forbids; a date alone
    is read as that day's midnight in ``tz``) goes to ``log.rejected`` with ``file``,
    ``entry`` (``line 3``, ``entry 5``), the problem and a value that holds no CPR number.
    Resources of types not read (Observation, Practitioner, ...) are counted in ``log.notes``.
    ``log.notes["entries_read"]`` is the number of resources read, and equals the sum of the
    entries that became events, the supporting ones, the ones folded by message semantics,
    those of types not read and the rejected ones.

    **Engine.** ``engine="duckdb"`` (the default) reads on this machine; ``engine="spark"``
    reads with Spark (the active SparkSession, else a local one) into a log on Spark: the same
    steps in Spark SQL (``from_json``, joins, window functions, the HMAC in SQL), no Python on
    the executors, the same events, ``log.rejected``, ``log.notes`` and pseudonyms as DuckDB's
    for the same key. NDJSON files are read by Spark itself; JSON and XML files (one document
    each) are parsed on the driver, as on DuckDB.

    Examples
    --------
    >>> import pathways as pw, json, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "export.ndjson")
    >>> lines = [{"resourceType": "Patient", "id": "p1", "identifier": [
    ...              {"system": "urn:oid:1.2.208.176.1.2", "value": "2509479989"}]},
    ...          {"resourceType": "Organization", "id": "o1", "name": "Kardiologisk afdeling"},
    ...          {"resourceType": "Encounter", "id": "e1", "status": "finished", "class": {"code": "IMP"},
    ...           "subject": {"reference": "Patient/p1"}, "serviceProvider": {"reference": "Organization/o1"},
    ...           "period": {"start": "2023-05-01T10:00:00+02:00", "end": "2023-05-03T15:30:00+02:00"}}]
    >>> with open(path, "w") as f:
    ...     _ = f.write("\\n".join(json.dumps(line) for line in lines))
    >>> log = pw.read_fhir(path, key="hemmelig")
    >>> log.to_pandas()[["activity", "event_type", "unit", "encounter"]]
                  activity event_type                   unit encounter
    0      admit-inpatient  admission  Kardiologisk afdeling        e1
    1  discharge-inpatient  discharge  Kardiologisk afdeling        e1
    >>> import hmac, hashlib
    >>> log.to_pandas()["case_id"][0] == hmac.new(b"hemmelig", b"2509479989", hashlib.sha256).hexdigest()[:16]
    True
    """
    if not isinstance(strict, bool):
        raise OptionError(f"strict={strict!r} is not allowed; give True or False.")
    from ..engine import ENGINES

    check_choice("engine", engine, ENGINES)
    key = _key(key)
    files = _files(os.fspath(path))
    if engine == "spark":
        from .fhir_spark import read_fhir_spark

        check_zone(tz)
        return read_fhir_spark(files, key=key, tz=tz, taxonomy=taxonomy, vocabulary=vocabulary, strict=strict,
                               origin=os.fspath(path))
    backend = duckdb_backend()
    check_zone(tz)
    con = backend.con
    reader = _Reader(con, files, key)
    try:
        return reader.read(tz=tz, taxonomy=taxonomy, vocabulary=vocabulary, strict=strict, origin=os.fspath(path))
    finally:
        reader.drop()


def _key(key):
    """The pseudonym key: ``key``, else the environment's, else a random one (with a warning)."""
    if key is None:
        key = os.environ.get(KEY_VARIABLE) or None
    if key is None:
        warnings.warn(f"read_fhir: no key given (key=... or the environment variable {KEY_VARIABLE}), so the case "
                      "ids are hashed with a random key for this read: the same patient gets another pseudonym in "
                      "the next read, and logs read separately cannot be joined. Pass key=... (a secret kept apart "
                      "from the data) for stable pseudonyms.", PathwaysWarning, stacklevel=outside_stacklevel())
        key = secrets.token_hex(32)
    from ..privacy import key_bytes

    key_bytes(key)  # OptionError for a key of the wrong type or an empty one
    return key


def _files(path: str) -> list[tuple[str, str]]:
    """``(file, kind)`` for the FHIR files at ``path`` (a file, a folder read recursively, a glob), in name order;
    kind is ``"ndjson"``, ``"json"`` or ``"xml"``. EventLogError for none, or for a file of another kind."""
    if os.path.isdir(path):
        found = sorted(f for f in glob.glob(os.path.join(path, "**", "*"), recursive=True)
                       if os.path.isfile(f) and _kind(f) is not None)
    elif any(ch in path for ch in "*?["):
        found = sorted(f for f in glob.glob(path, recursive=True) if os.path.isfile(f))
    else:
        found = [path] if os.path.isfile(path) else []
    if not found:
        raise EventLogError(f"no FHIR file at {path!r}: the path does not exist or holds no *.json, *.ndjson, "
                            "*.ndjson.gz or *.xml files. Check the path (relative paths start from the notebook's "
                            "folder).")
    out = []
    for f in found:
        kind = _kind(f)
        if kind is None:
            hint = " Read a CSV file with pw.read_csv." if f.lower().endswith((".csv", ".txt", ".tsv")) else ""
            raise EventLogError(f"{f!r} is not a FHIR file: read_fhir reads *.json and *.xml (a Bundle or one "
                                f"resource) and *.ndjson / *.ndjson.gz (Bulk Data, one resource per line).{hint} "
                                "Rename the file if it holds FHIR, or leave it out of the path.")
        out.append((f, kind))
    return out


def _kind(file: str) -> str | None:
    name = file.lower()
    return ("ndjson" if name.endswith(NDJSON_SUFFIXES) else "json" if name.endswith(JSON_SUFFIXES)
            else "xml" if name.endswith(XML_SUFFIXES) else None)


def _document(file: str, kind: str) -> str:
    """The one document of a JSON or XML file, as compact JSON text; EventLogError naming the file when it is
    not JSON (or FHIR XML) or holds no FHIR resource."""
    if kind == "xml":
        try:
            from ._fhir_xml import parse_fhir_xml
        except ImportError:
            raise EventLogError(f"{file!r}: FHIR XML is not readable in this version (pathways.io._fhir_xml is "
                                "missing). Convert the file to FHIR JSON, or upgrade pathways.") from None
        try:
            resource = parse_fhir_xml(file)
        except EventLogError:
            raise
        except Exception as exc:  # noqa: BLE001 - the parser's own errors name no file
            raise EventLogError(f"cannot read {file!r} as FHIR XML: {exc}. Check that the file is a FHIR resource "
                                "in XML (no DTD or entity declarations), or read its JSON form.") from None
    else:
        opener = gzip.open if file.lower().endswith(".gz") else open
        try:
            with opener(file, "rt", encoding="utf-8-sig") as f:
                resource = json.load(f)
        except (ValueError, OSError, EOFError) as exc:
            raise EventLogError(f"cannot read {file!r} as JSON: {exc}. A .json file must hold one FHIR resource "
                                "or Bundle; for one resource per line, name the file *.ndjson.") from None
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        found = (f"an object with the keys {', '.join(repr(k) for k in list(resource)[:5])}"
                 if isinstance(resource, dict) else f"a JSON {type(resource).__name__}")
        raise EventLogError(f"{file!r} is not FHIR: expected a resource or Bundle with a 'resourceType', found "
                            f"{found}. Check that the file is a FHIR export.")
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":"))


def _ref_key(ref: str) -> str:
    """SQL: a reference as the key it is resolved by: ``urn:uuid:...`` as is, else its last ``Type/id``."""
    return (f"CASE WHEN {ref} LIKE 'urn:%' OR (regexp_full_match({ref}, '[A-Za-z]+/[A-Za-z0-9.\\-]+')) THEN {ref} "
            f"ELSE nullif(regexp_extract({ref}, '([A-Za-z]+/[A-Za-z0-9.\\-]+)(/_history/[^/]*)?$', 1), '') END")


def _without_zone(text: str) -> str:
    """SQL: ``text`` ends in a time of day without a zone (:data:`_TIME_WITHOUT_ZONE`). A text ending in ``Z`` or
    with an offset's sign six characters from its end (``+hh:mm``, ``-hh:mm``) cannot, so the regular expression
    runs only on the others (nearly every time in an export carries its offset)."""
    return (f"CASE WHEN suffix({text}, 'Z') OR substr({text}, -6, 1) IN ('+', '-') THEN false "
            f"ELSE regexp_matches({text}, {_TIME_WITHOUT_ZONE}) END")


#: The references every entry keeps, each beside its key (``<name>_key``, :func:`_ref_key`), computed once.
_REFS = ("subject", "org", "performer", "sender", "receiver", "focus", "target")


def _instant(text: str, tz: str) -> str:
    """SQL: a FHIR date or dateTime as an instant: with its offset as given, a date alone (``2023-03-01``) at
    midnight in ``tz``; NULL for anything else (a partial date, a time without a zone, text)."""
    return (f"CASE WHEN CASE WHEN length({text}) = 10 THEN regexp_matches({text}, '^\\d{{4}}-\\d\\d-\\d\\d$') "
            f"ELSE false END THEN timezone({sql_literal(tz)}, TRY_CAST({text} AS TIMESTAMP)) "
            f"WHEN NOT {_without_zone(text)} THEN TRY_CAST({text} AS TIMESTAMPTZ) END")


def _redacted(ref: str) -> str:
    """SQL: a reference shown in ``log.rejected`` without its id (a conditional reference may hold a CPR)."""
    return f"coalesce(regexp_extract({ref}, '^(urn:uuid:|[A-Za-z]+/)', 1), '') || '…'"


#: Encounter.class codes read as an inpatient stay, and as an ambulatory visit (the plain Encounters').
INPATIENT_CLASSES = ("IMP", "ACUTE", "NONAC")
AMBULATORY_CLASSES = ("AMB", "SS", "OBSENC", "VR", "HH", "FLD", "PRENC")


def _codes(codes) -> str:
    return ", ".join(f"'{c}'" for c in codes)


def plain_class_sql(code: str) -> str:
    """SQL (DuckDB and Spark): a plain Encounter's class (``inpatient``, ``emergency``, ``ambulatory``, else the
    code in lower case) from its class code."""
    return (f"CASE WHEN {code} IN ({_codes(INPATIENT_CLASSES)}) THEN 'inpatient' WHEN {code} = 'EMER' "
            f"THEN 'emergency' WHEN {code} IN ({_codes(AMBULATORY_CLASSES)}) THEN 'ambulatory' ELSE lower({code}) END")


def message_class_sql(code: str) -> str:
    """SQL (DuckDB and Spark): a HospitalNotification Encounter's class from its class code (the ambulatory codes
    keep their own name: MedCom's activity codes name the class)."""
    return (f"CASE WHEN {code} = 'EMER' THEN 'emergency' WHEN {code} IN ({_codes(INPATIENT_CLASSES)}) "
            f"THEN 'inpatient' WHEN {code} IS NULL THEN NULL ELSE lower({code}) END")


def plain_events_sql(s: str, *, text: str = "VARCHAR", instant: str = "TIMESTAMPTZ", explode: str = "unnest",
                     array: str = "list_value") -> str:
    """SQL (DuckDB and Spark, whose names of the text and instant types are ``text`` and ``instant``, of the function
    that gives a row per element of an array ``explode`` and of the one that makes an array ``array``): the events of
    the plain resources ``s`` (one row per resource, its references resolved: ``eid``, ``rt``, ``cls``, ...), times
    still as text. The activities: Encounter start (sub 0) and end (sub 1) of an inpatient or emergency stay, one
    event for the others; EpisodeOfCare; ServiceRequest. One scan of ``s``: a stay gives its two rows by exploding
    ``[0, 1]`` (four scans of a materialised ``s`` held every resource in memory at once)."""
    stay = "rt = 'Encounter' AND cls IN ('inpatient', 'emergency')"
    return (
        f"SELECT eid, sub, patient, CASE WHEN rt = 'Encounter' THEN CASE WHEN sub = 1 THEN CASE cls WHEN 'inpatient' "
        f"THEN 'discharge-inpatient' ELSE 'discharge-emergency' END WHEN cls = 'inpatient' THEN 'admit-inpatient' "
        f"WHEN cls = 'emergency' THEN 'admit-emergency' WHEN cls = 'ambulatory' THEN 'outpatient-visit' "
        f"ELSE 'encounter-' || coalesce(cls, 'unknown') END WHEN rt = 'EpisodeOfCare' THEN 'episode-of-care' "
        f"ELSE 'referral' END AS activity_code, "
        f"CASE WHEN sub = 1 THEN end_text WHEN rt = 'ServiceRequest' THEN authored_text ELSE start_text END AS time, "
        f"CASE WHEN sub = 1 OR rt = 'ServiceRequest' OR {stay} THEN CAST(NULL AS {text}) ELSE end_text END "
        f"AS end_time, "
        f"CASE WHEN sub = 1 THEN 'Encounter.period.end' WHEN rt = 'ServiceRequest' THEN 'ServiceRequest.authoredOn' "
        f"ELSE rt || '.period.start' END AS time_element, unit_name, "
        f"CASE WHEN rt = 'ServiceRequest' THEN referral_name END AS referral_name, "
        f"CAST(NULL AS {instant}) AS notified, CAST(NULL AS {instant}) AS revised, CAST(NULL AS {text}) AS message, "
        f"CAST(NULL AS {text}) AS sender, CAST(NULL AS {text}) AS receiver, sor, gln, "
        f"CASE WHEN rt = 'Encounter' THEN id END AS encounter, "
        f"CASE rt WHEN 'Encounter' THEN eoc_value WHEN 'EpisodeOfCare' THEN id END AS episode_of_care, "
        f"CASE WHEN rt = 'Encounter' THEN cls END AS encounter_class, status AS encounter_status, "
        f"rt AS fhir_resource, "
        f"CASE WHEN sub = 0 THEN problem END AS problem, CASE WHEN sub = 0 THEN element END AS element, "
        f"CASE WHEN sub = 0 THEN value END AS value FROM (SELECT *, {explode}(CASE WHEN {stay} "
        f"AND end_text IS NOT NULL AND problem IS NULL THEN {array}(0, 1) ELSE {array}(0) END) AS sub FROM {s})")


def resolve_sql(targets: str, alias: str, key: str, scope: str, *, keys: str | None = None,
                bundles: bool = True) -> tuple[str, dict]:
    """``(joins, fields)`` (DuckDB and Spark): SQL joining the reference whose key (:func:`_ref_key`) is ``key``, of a
    row in ``scope``, to what it points at (the row's own Bundle first, then the standalone resources), and the SQL
    of the target's fields by name (``eid``, ``case_hash``, ``deceased``, ``org_name``, ``sor``, ``gln``; ``found``:
    it points somewhere). ``keys``, SQL of the keys such references have, narrows the targets before the join hashes
    them: an export's 10 million Encounters point at 50 Organizations, and the join need not hash its 3 million
    Patients too. Without ``bundles`` every row is standalone: one join."""
    narrowed = targets if keys is None else f"(SELECT * FROM {targets} WHERE key IN ({keys}))"
    joins = f"LEFT JOIN {narrowed} {alias}_l ON {alias}_l.scope = {scope} AND {alias}_l.key = {key} "
    names = ("eid", "case_hash", "deceased", "org_name", "sor", "gln")
    if not bundles:
        fields = {v: f"{alias}_l.{v}" for v in names}
        fields["found"] = f"({alias}_l.eid IS NOT NULL)"
        return joins, fields
    joins += f"LEFT JOIN {narrowed} {alias}_g ON {scope} <> -1 AND {alias}_g.scope = -1 AND {alias}_g.key = {key} "
    fields = {v: f"CASE WHEN {alias}_l.eid IS NOT NULL THEN {alias}_l.{v} ELSE {alias}_g.{v} END" for v in names}
    fields["found"] = f"({alias}_l.eid IS NOT NULL OR {alias}_g.eid IS NOT NULL)"
    return joins, fields


def entry_location(eid: int, files) -> tuple[str, str]:
    """``(file, entry)`` of an entry id: the file's name and ``line 3``, ``entry[5]``, ``line 2, entry[0]`` or
    ``the resource``."""
    file, kind = files[eid >> _FILE_BITS]
    line = (eid >> _LINE_BITS) & ((1 << (_FILE_BITS - _LINE_BITS)) - 1)
    entry = (eid & ((1 << _LINE_BITS) - 1)) - 1
    parts = [f"line {line + 1}"] if kind == "ndjson" else []
    parts += [f"entry[{entry}]"] if entry >= 0 else [] if parts else ["the resource"]
    return file, ", ".join(parts)


#: The parts of ``log.notes["entries_read"]``, in order.
ENTRY_PARTS = ("entries_to_events", "supporting_entries", "entries_folded", "entries_of_duplicates",
               "entries_not_read", "entries_rejected")


def notes_of(counts: dict, kept: int) -> dict:
    """``log.notes`` from the counts of the read (:meth:`_Reader.counted`) and ``kept``, the number of entries
    one of whose events passed validation: what became of every entry read (the parts add up to
    ``"entries_read"``) and the counts of the message semantics."""
    counts = dict(counts)
    given = counts.pop("items", 0)
    counts["entries_to_events"] = kept
    counts["entries_rejected"] = counts.get("entries_rejected", 0) + given - kept
    notes = {"entries_read": sum(int(counts.get(p, 0)) for p in ENTRY_PARTS)}
    notes.update({p: int(counts.get(p, 0)) for p in ENTRY_PARTS})
    notes.update({k: int(counts[k]) for k in ("duplicate_messages", "revisions", "cancellations")})
    return notes


def message_problem_sql(pt: dict, o: dict) -> str:
    """SQL (DuckDB and Spark) of a message's ``problem``, ``element`` and ``value``: the message ``h``, its
    Encounter ``e``, its current Provenance ``c``/``p``; ``pt`` and ``o`` the resolved Patient and Organization
    (:meth:`_Reader.resolve`)."""
    return (
        f"CASE WHEN h.duplicate THEN NULL "
        f"WHEN e.eid IS NULL THEN 'message_without_encounter' "
        f"WHEN c.prov_eid IS NULL THEN 'message_without_provenance' "
        f"WHEN p.activity_code IS NULL THEN 'provenance_without_activity' "
        f"WHEN e.subject_ref IS NULL THEN 'encounter_without_subject' "
        f"WHEN NOT {pt['found']} THEN 'dangling_reference' "
        f"WHEN e.org_ref IS NOT NULL AND NOT {o['found']} THEN 'dangling_reference' END AS problem, "
        f"CASE WHEN e.eid IS NULL THEN 'MessageHeader.focus' WHEN c.prov_eid IS NULL THEN 'Provenance.target' "
        f"WHEN p.activity_code IS NULL THEN 'Provenance.activity' WHEN e.subject_ref IS NULL OR NOT {pt['found']} "
        f"THEN 'Encounter.subject' ELSE 'Encounter.serviceProvider' END AS element, "
        f"CASE WHEN e.eid IS NULL THEN {_redacted('h.focus_ref')} WHEN NOT {pt['found']} "
        f"THEN {_redacted('e.subject_ref')} WHEN e.org_ref IS NOT NULL AND NOT {o['found']} "
        f"THEN {_redacted('e.org_ref')} ELSE '' END AS value")


def standalone_problem_sql(pt: dict, o: dict, f: dict) -> str:
    """SQL (DuckDB and Spark) of a plain resource's ``problem``, ``element`` and ``value``: the entry ``e``;
    ``pt``, ``o`` and ``f`` its resolved Patient, Organization and performer (:meth:`_Reader.resolve`)."""
    return (
        f"CASE WHEN e.subject_ref IS NULL THEN 'no_subject' "
        f"WHEN NOT {pt['found']} THEN 'dangling_reference' "
        f"WHEN e.org_ref IS NOT NULL AND NOT {o['found']} THEN 'dangling_reference' "
        f"WHEN e.performer_ref IS NOT NULL AND NOT {f['found']} THEN 'dangling_reference' END "
        f"AS problem, CASE WHEN e.subject_ref IS NULL OR NOT {pt['found']} THEN e.rt || "
        f"CASE e.rt WHEN 'EpisodeOfCare' THEN '.patient' ELSE '.subject' END "
        f"WHEN e.org_ref IS NOT NULL AND NOT {o['found']} THEN e.rt || CASE e.rt WHEN 'Encounter' THEN "
        f"'.serviceProvider' WHEN 'EpisodeOfCare' THEN '.managingOrganization' ELSE '.requester' END "
        f"ELSE 'ServiceRequest.performer' END AS element, "
        f"CASE WHEN NOT {pt['found']} THEN {_redacted('e.subject_ref')} WHEN e.org_ref IS NOT NULL AND NOT "
        f"{o['found']} THEN {_redacted('e.org_ref')} WHEN e.performer_ref IS NOT NULL AND NOT {f['found']} "
        f"THEN {_redacted('e.performer_ref')} ELSE '' END AS value")


def refused_sql(entries: str, messages: str) -> str:
    """SQL (DuckDB and Spark): the items of the entries and the messages refused before they gave events."""
    return (
        f"SELECT eid, 0 AS sub, problem, CASE WHEN rt IS NULL THEN 'resourceType' ELSE rt END AS element, "
        f"CASE WHEN problem = 'not_json' THEN '' ELSE coalesce(rt, '') END AS value FROM {entries} "
        f"WHERE problem IS NOT NULL UNION ALL SELECT mh_eid, 0, problem, element, "
        f"value FROM {messages} WHERE problem IS NOT NULL")


def checked_times_sql(without_zone, instant, literal) -> tuple[str, dict[str, str]]:
    """SQL (DuckDB and Spark) of the items' times checked: ``(typed, first)``. ``typed`` selects every row of ``ev``
    with ``__t`` and ``__e`` (``time`` and ``end_time`` typed by ``instant(column)``; NULL for text that is no date)
    and ``__k``, the number of the first check that fails; ``first`` gives its ``problem`` (code), ``element`` and
    ``value``. The checks, in the order they are reported: a time of day without a zone
    (``without_zone(column)``, FHIR forbids it) in the time, the end time or the notification time, then a time or
    end time that is no date. ``literal`` is the engine's SQL of a text."""
    checks = [(without_zone(c), "time_without_zone", e, c)
              for c, e in (("time", "time_element"), ("end_time", "'period.end'"),
                           ("notified_text", "'Provenance.recorded'"))]
    checks += [(f"{c} IS NOT NULL AND {t} IS NULL", "not_a_date", e, c)
               for c, t, e in (("time", "__t", "time_element"), ("end_time", "__e", "'period.end'"))]
    typed = ("SELECT *, CASE WHEN problem IS NULL THEN CASE "
             + " ".join(f"WHEN {flag} THEN {k}" for k, (flag, *_) in enumerate(checks))
             + f" END END AS __k FROM (SELECT *, {instant('time')} AS __t, {instant('end_time')} AS __e FROM ev)")
    first = {name: "CASE __k " + " ".join(f"WHEN {k} THEN {part}" for k, part in enumerate(parts)) + " END"
             for name, parts in (("problem", [literal(what) for _, what, _, _ in checks]),
                                 ("element", [e for *_, e, _ in checks]), ("value", [c for *_, c in checks]))}
    return typed, first


def message_ops_sql(r: str) -> str:
    """SQL (DuckDB and Spark): one row per (message of ``r``, event it speaks of; ``__op_no`` 0 and 1): ``op``
    ``report``, ``revise`` or ``cancel`` of the activity ``base``. The Patient deceased: a death at the end of the
    stay; no longer deceased: a death reported before is withdrawn (MedCom's MORS and AN_MORS keep the current
    activity code)."""
    return (f"SELECT *, 0 AS __op_no, CASE WHEN activity_code LIKE 'revise-%' THEN 'revise' "
            f"WHEN activity_code LIKE 'cancel-%' THEN 'cancel' ELSE 'report' END AS op, "
            f"regexp_replace(activity_code, '^(revise|cancel)-', '') AS base FROM {r} UNION ALL "
            f"SELECT *, 1, CASE WHEN deceased AND activity_code NOT LIKE 'cancel-%' THEN 'report' ELSE 'cancel' END, "
            f"'deceased-' || coalesce(cls, 'inpatient') FROM {r}")


def message_timed_sql(ops: str) -> str:
    """SQL (DuckDB and Spark): the rows of ``ops`` with the ``time`` (text) and ``time_element`` of their event, and
    ``occ``: a leave can happen several times in a stay, so each start (end) time reported is its own event."""
    return (
        f"SELECT *, CASE WHEN base LIKE 'admit-%' THEN start_text WHEN base LIKE 'start-leave-%' THEN leave_start "
        f"WHEN base LIKE 'end-leave-%' THEN leave_end ELSE end_text END AS time, "
        f"CASE WHEN base LIKE 'admit-%' THEN 'Encounter.period.start' WHEN base LIKE '%-leave-%' THEN "
        f"'Encounter.extension(leavePeriod).' || CASE WHEN base LIKE 'start-%' THEN 'start' ELSE 'end' END "
        f"ELSE 'Encounter.period.end' END AS time_element, "
        f"CASE WHEN base LIKE '%-leave-%' AND op = 'report' THEN CASE WHEN base LIKE 'start-%' THEN leave_start "
        f"ELSE leave_end END ELSE '' END AS occ FROM {ops}")


def located(rejected, eids: dict, files):
    """``log.rejected`` with the ``file`` and ``entry`` (:func:`entry_location`) of every row; ``eids``: row ->
    the id of the entry it came from (either engine)."""
    import pandas as pd

    rejected = rejected.copy()
    where = [entry_location(eids[int(row)], files) for row in rejected["row"]]
    rejected.insert(1, "file", pd.Series([f for f, _ in where], index=rejected.index, dtype="str"))
    rejected.insert(2, "entry", pd.Series([e for _, e in where], index=rejected.index, dtype="str"))
    return rejected


def check_files(rows, files) -> None:
    """EventLogError for a file none of whose lines is a FHIR resource, and for inputs past the limits of the entry
    ids; ``rows``: per file ``(file_no, lines, lines with a resourceType, last line, last entry)`` (either engine)."""
    for file_no, n, n_fhir, max_line, max_entry in rows:
        file = files[file_no][0]
        if n_fhir == 0:
            raise EventLogError(f"{file!r} is not FHIR: none of its {n:,} line(s) is a JSON object with a "
                                "'resourceType' (e.g. a CSV or text file named .ndjson). Check that the file "
                                "is a FHIR Bulk Data export, one resource per line.")
        if max_line >= 1 << (_FILE_BITS - _LINE_BITS) or (max_entry or 0) >= (1 << _LINE_BITS) - 1:
            raise EventLogError(f"{file!r} is too large for one file: read_fhir reads up to "
                                f"{(1 << (_FILE_BITS - _LINE_BITS)) - 1:,} lines per file and "
                                f"{(1 << _LINE_BITS) - 2:,} entries per Bundle. Split the file.")
    if len(files) >= 1 << (63 - _FILE_BITS):
        raise EventLogError(f"{len(files):,} files are too many for one read; read them in groups.")


class _Reader:
    """The engine tables of one read, created in order and dropped at the end."""

    def __init__(self, con, files, key):
        self.con, self.files, self.key = con, files, key
        self.names: list[tuple[str, str]] = []  # (kind, name) to drop
        self.parts: dict[str, tuple[str, ...]] = {}  # a view's tables, dropped with it

    def name(self, stem: str, kind: str = "TABLE") -> str:
        n = fresh_name(f"fhir_{stem}")
        self.names.append((kind, n))
        return n

    def drop(self):
        for kind, n in reversed(self.names):
            if kind == "ARROW":
                try:
                    self.con.unregister(n)
                except Exception:  # noqa: BLE001 - already gone
                    pass
            else:
                self.con.execute(f"DROP {kind} IF EXISTS {n}")

    def dropped(self, *names: str) -> None:
        """Drop these tables now (the largest, once they are no longer needed, so that the engine's memory holds
        the events being validated rather than the entries they came from)."""
        names = [*names, *(part for n in names for part in self.parts.get(n, ()))]
        kinds = dict((n, kind) for kind, n in self.names)
        for n in names:
            self.con.execute(f"DROP {kinds.get(n, 'TABLE')} IF EXISTS {n}")
        self.names = [(kind, n) for kind, n in self.names if n not in names]

    def narrowed(self, entries: str) -> None:
        """Drop the columns of the entries that only the reference targets and the messages read, once those are
        built: a third of the entries' memory (157 of 484 MB at a million Encounters), which a large read would
        otherwise spill to disk while it builds the items. The view of the entries keeps the columns the items
        and the counts read; its tables drop the others."""
        keep = ["eid", "scope", "bundle_type", "problem", "rt", "id", "status", "class_code", "start_text",
                "end_text", "authored_text", "eoc_value", "subject_ref", "org_ref", "performer_ref", "subject_key",
                "org_key", "performer_key"]
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {entries} AS {self.entries_sql(keep)}")
        stored = {self.documents_table: {"file_no", *keep}, self.bundled: set(keep)}
        for table, needed in stored.items():
            for (column,) in self.con.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall():
                if column not in needed:
                    self.con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")

    @contextlib.contextmanager
    def settings(self, **values: str):
        """The engine's settings ``values`` (SQL) for the statements inside, then those before."""
        before = {n: self.con.execute(f"SELECT current_setting('{n}')").fetchall()[0][0] for n in values}
        for n, v in values.items():
            self.con.execute(f"SET {n} = {v}")
        try:
            yield
        finally:
            for n, v in before.items():
                self.con.execute(f"SET {n} = {sql_literal(v) if isinstance(v, str) else str(v).lower()}")

    # --- reading ---------------------------------------------------------------------------------
    def documents(self) -> str:
        """SQL of the documents in input order (files in order, then lines): ``file_no``, ``doc`` (text)."""
        parts, small = [], []
        for i, (f, kind) in enumerate(self.files):
            if kind == "ndjson":
                parts.append(f"SELECT {i} AS file_no, line AS doc "
                             f"FROM read_csv({sql_literal(f)}, columns={{'line': 'VARCHAR'}}, delim='\\x01', "
                             "quote='', escape='', header=false, auto_detect=false, max_line_size=67108864, "
                             "buffer_size=134217728)")
            else:
                small.append((i, _document(f, kind)))
        if small:
            import pyarrow as pa

            table = pa.table({"file_no": pa.array([i for i, _ in small], pa.int32()),
                              "doc": pa.array([d for _, d in small], pa.string())})
            name = self.name("docs", "ARROW")
            self.con.register(name, table)
            parts.append(f"SELECT file_no, doc FROM {name}")
        return " UNION ALL ".join(parts)

    def fields(self, *, message: bool) -> dict[str, str]:
        """The SQL of the fields (by name) extracted from a parsed resource ``r`` (its text ``raw``), the CPR
        already hashed; with ``message``, also those only a message's resources need (from ``m``, the record of
        :data:`MESSAGE_SPEC`, and the Encounter's leave period and episode-of-care system)."""
        from ..privacy import hmac_sql

        cpr = f"list_filter(r.identifier, lambda x: x.system = {sql_literal(CPR_SYSTEM)})[1].value"

        def ident(system: str) -> str:
            return f"list_filter(r.identifier, lambda x: x.system = {sql_literal(system)})[1].value"

        eoc = (f"coalesce(list_filter(r.episodeOfCare, lambda x: x.identifier.system IS DISTINCT FROM "
               f"{sql_literal(LPR_SYSTEM)})[1].identifier, r.episodeOfCare[1].identifier)")
        leave = f"list_filter(r.extension, lambda x: x.url LIKE {sql_literal('%' + LEAVE_EXTENSION)})[1].valuePeriod"
        klass = "coalesce(r.class ->> '$.code', r.class ->> '$[0].coding[0].code', r.class ->> '$[0].code')"
        rt = "r.resourceType"
        out = {"rt": rt, "id": "r.id", "status": "r.status", "class_code": klass, "start_text": "r.period.start",
               "end_text": "r.period.end", "subject_ref": "coalesce(r.subject.reference, r.patient.reference)",
               "org_ref": "coalesce(r.serviceProvider.reference, r.managingOrganization.reference, "
                          "r.requester.reference)",
               "performer_ref": "r.performer[1].reference", "eoc_value": f"{eoc}.value",
               "authored_text": "r.authoredOn",
               "deceased": f"CASE WHEN {rt} = 'Patient' THEN coalesce(r.deceasedBoolean, r.deceasedDateTime IS NOT "
                           f"NULL, false) END",
               "case_hash": f"CASE WHEN {rt} = 'Patient' THEN "
                            f"{hmac_sql(f'coalesce({cpr}, {chr(39)}Patient/{chr(39)} || r.id)', self.key, 16)} END",
               "org_name": f"CASE WHEN {rt} = 'Organization' THEN json_extract_string(raw, '$.name') END",
               "sor": f"CASE WHEN {rt} = 'Organization' THEN {ident(SOR_SYSTEM)} END",
               "gln": f"CASE WHEN {rt} = 'Organization' THEN {ident(GLN_SYSTEM)} END"}
        if message:
            out |= {"leave_start": f"{leave}.start", "leave_end": f"{leave}.end", "eoc_system": f"{eoc}.system",
                    "sender_ref": "m.sender.reference", "receiver_ref": "m.destination[1].receiver.reference",
                    "focus_ref": "coalesce(m.focus ->> '$[0].reference', m.focus ->> '$.reference')",
                    "target_ref": "m.target[1].reference", "recorded_text": "m.recorded",
                    "activity_code": "m.activity.coding[1].code"}
        return out

    #: The columns of the entries, in order; the documents' table stores those marked True (the standalone
    #: resources' own fields), the view gives the others (a message's fields, the keys) for them.
    _COLUMNS = {"file_no": True, "line": False, "entry": False, "eid": False, "scope": True, "bundle_type": False,
                "full_url": False, "problem": True, "rt": True, "id": True, "status": True, "class_code": True,
                "start_text": True, "end_text": True, "leave_start": False, "leave_end": False, "subject_ref": True,
                "org_ref": True, "performer_ref": True, "eoc_value": True, "eoc_system": False,
                "authored_text": True, "deceased": True, "case_hash": True, "org_name": True, "sor": True,
                "gln": True, "sender_ref": False, "receiver_ref": False, "focus_ref": False, "target_ref": False,
                "recorded_text": False, "activity_code": False, **{f"{r}_key": False for r in _REFS}}

    def entries_sql(self, columns) -> str:
        """SQL of the entries (``columns`` of :data:`_COLUMNS`): the standalone resources from the documents' table,
        numbered by their row id (the table keeps the input's order), and the Bundles' entries."""
        line = f"(rowid - {self.starts})"
        given = {"line": line, "entry": "CAST(NULL AS BIGINT)",
                 "eid": f"((CAST(file_no AS BIGINT) << {_FILE_BITS}) | ({line} << {_LINE_BITS}))",
                 **{f"{r}_key": _ref_key(f"{r}_ref") for r in ("subject", "org", "performer")}}
        standalone = ", ".join(f"{c if self._COLUMNS[c] else given.get(c, 'CAST(NULL AS VARCHAR)')} AS {c}"
                               for c in columns)
        # without Bundles, no union: with one, the planner kept the joins that resolve a Bundle's references as
        # hash joins over all the entries (each a copy of them) and ran out of memory at 2 million Encounters
        bundled = f" UNION ALL SELECT {', '.join(columns)} FROM {self.bundled}" if self.has_bundles else ""
        return f"SELECT {standalone} FROM {self.documents_table}{bundled}"

    def entries(self) -> str:
        """The entries: one row per resource read (a Bundle's entries, or the document itself), with the fields
        the events need, the CPR already hashed, and ``problem`` for one that cannot be read. A view over two
        tables: the documents, parsed once in one parallel scan that keeps the input's order (so that a row id
        is a line number: a window numbering the lines ran the whole parse on one thread), with the fields of a
        standalone resource only (a message's fields and the references' keys are not stored for them); and the
        entries of the Bundles among them."""
        spec = sql_literal(SPEC)
        docs = self.name("documents")
        self.documents_table = docs
        self.bundled = self.name("bundle_entries")
        parsed = (f"SELECT file_no, doc AS raw, p AS r, CASE WHEN p IS NULL THEN 'not_json' "
                  f"WHEN p.resourceType IS NULL THEN 'no_resource_type' END AS problem FROM "
                  f"(SELECT file_no, doc, TRY(json_transform(doc, {spec})) AS p FROM ({self.documents()}))")
        fields = self.fields(message=False)
        with self.settings(preserve_insertion_order="true"):
            self.con.execute(
                # scope is -1 (a standalone resource), stored: given as a constant by the view, the planner
                # kept the joins that resolve a Bundle's references as hash joins over all the entries
                f"CREATE TEMP TABLE {docs} AS SELECT file_no, CAST(-1 AS BIGINT) AS scope, problem, "
                + ", ".join(f"{e} AS {c}" for c, e in fields.items())
                + f", CASE WHEN r.resourceType = 'Bundle' THEN raw END AS bundle_doc FROM ({parsed})")
        # the first row of each file (a file's rows are consecutive, in its order; the JSON and XML files come
        # after the NDJSON ones)
        spans = self.con.execute(f"SELECT file_no, min(rowid), max(rowid), count(*), count(*) FILTER (rt = 'Bundle') "
                                 f"FROM {docs} GROUP BY file_no").fetchall()
        if any(hi - lo + 1 != n for _, lo, hi, n, _ in spans):
            raise RuntimeError("read_fhir: the engine did not keep the input's order while parsing; please report")
        starts = dict.fromkeys(range(len(self.files)), 0) | {f: lo for f, lo, *_ in spans}
        self.starts = "0" if not any(starts.values()) else (
            f"CAST([{', '.join(str(starts[i]) for i in range(len(self.files)))}] AS BIGINT[])[file_no + 1]")
        # the Bundles' entries, with every field (the message's too) and the references' keys
        doc_id = (f"((CAST(file_no AS BIGINT) << {_FILE_BITS}) | "
                  f"((rid - {self.starts}) << {_LINE_BITS}))")
        bundles = (f"SELECT file_no, rid - {self.starts} AS line, {doc_id} AS doc_id, b.type AS bundle_type, "
                   f"unnest(b.entry) AS e, unnest(range(len(b.entry))) AS i FROM (SELECT rowid AS rid, file_no, "
                   f"json_transform(bundle_doc, {sql_literal(BUNDLE_SPEC)}) AS b FROM {docs} "
                   f"WHERE bundle_doc IS NOT NULL)")
        unnested = (
            f"SELECT file_no, line, doc_id | (i + 1) AS eid, doc_id AS scope, bundle_type ->> '$' AS bundle_type, "
            f"e.fullUrl AS full_url, i AS entry, json_transform(e.resource, {spec}) AS r, "
            f"json_transform(e.resource, {sql_literal(MESSAGE_SPEC)}) AS m, CAST(e.resource AS VARCHAR) AS raw, "
            f"CASE WHEN e.resource IS NULL THEN 'entry_without_resource' END AS problem FROM ({bundles})")
        every = {c: f"{e} AS {c}" for c, e in self.fields(message=True).items()}
        every["problem"] = ("CASE WHEN problem IS NULL AND r.resourceType = 'Bundle' THEN 'nested_bundle' ELSE problem "
                            "END AS problem")
        plain = {c: c for c in ("file_no", "line", "entry", "eid", "scope", "bundle_type", "full_url")}
        inner = ", ".join(plain.get(c) or every[c] for c in self._COLUMNS if not c.endswith("_key"))
        self.con.execute(
            f"CREATE TEMP TABLE {self.bundled} AS SELECT *, "
            + ", ".join(f"{_ref_key(f'{r}_ref')} AS {r}_key" for r in _REFS)
            + f" FROM (SELECT {inner} FROM ({unnested}))")
        self.con.execute(f"ALTER TABLE {docs} DROP COLUMN bundle_doc")
        self.has_bundles = any(n_bundles for *_, n_bundles in spans)
        if self.has_bundles:
            # a Bundle is read as its entries; deleting its row keeps the others' row ids, and the view needs no
            # filter (a filter there made the planner guess a tenth of the rows and hash the entries, not the
            # targets, in the joins that resolve the references)
            self.con.execute(f"DELETE FROM {docs} WHERE rt = 'Bundle'")
        name = self.name("entries", "VIEW")
        self.con.execute(f"CREATE TEMP VIEW {name} AS {self.entries_sql(list(self._COLUMNS))}")
        self.parts = {name: (docs, self.bundled)}
        return name

    # --- references ------------------------------------------------------------------------------
    def targets(self, entries: str) -> str:
        """What a reference can point at: ``(scope, key, eid)`` plus the values read through it. Inside a Bundle
        a resource is found by its fullUrl (``urn:uuid:...``) or ``Type/id``; standalone resources (NDJSON,
        single files) by ``Type/id`` across all files (scope -1)."""
        name = self.name("targets")
        values = "case_hash, deceased, org_name, sor, gln"
        self.con.execute(
            f"CREATE TEMP TABLE {name} AS SELECT scope, key, arg_min(eid, eid) AS eid, "
            + ", ".join(f"arg_min({v}, eid) AS {v}" for v in values.split(", "))
            + f" FROM (SELECT scope, rt || '/' || id AS key, eid, {values} FROM {entries} "
            f"WHERE problem IS NULL AND id IS NOT NULL AND (rt IN ('Patient', 'Organization') "
            f"OR (scope <> -1 AND rt IN ('Encounter', 'MessageHeader'))) "
            f"UNION ALL SELECT scope, full_url, eid, {values} FROM {entries} WHERE problem IS NULL "
            f"AND full_url LIKE 'urn:%' AND rt IN ('Patient', 'Organization', 'Encounter', 'MessageHeader')) "
            f"GROUP BY scope, key")
        return name

    def resolve(self, targets: str, alias: str, key: str, scope: str, *, keys: str | None = None):
        """:func:`resolve_sql` for this read (one join per reference when it has no Bundles)."""
        return resolve_sql(targets, alias, key, scope, keys=keys, bundles=self.has_bundles)

    # --- the read ----------------------------------------------------------------------------------
    def read(self, *, tz, taxonomy, vocabulary, strict, origin) -> EventLog:
        con = self.con
        entries = self.entries()
        self.check_files(entries)
        targets = self.targets(entries)
        messages = self.messages(entries, targets)
        self.narrowed(entries)
        unnumbered = self.items(entries, targets, messages, tz)
        counts = self.counted(entries, unnumbered, messages)
        self.dropped(entries, targets)
        items = self.numbered(unnumbered)
        view = self.name("source", "VIEW")
        attrs = ["notified", "revised", "message", "sender", "receiver", "sor", "gln", "encounter",
                 "episode_of_care", "encounter_class", "encounter_status", "fhir_resource"]
        con.execute(f"CREATE TEMP VIEW {view} AS SELECT __pw_row, patient, activity_code, time, end_time, "
                    f"unit_name, referral_name, {', '.join(attrs)} FROM {items} WHERE problem IS NULL")
        import pandas as pd

        extra = con.execute(f"SELECT __pw_row AS row, element AS column, problem AS code, value FROM {items} "
                            f"WHERE problem IS NOT NULL ORDER BY __pw_row").df()
        extra = extra.astype({"row": "int64"}) if len(extra) else pd.DataFrame(
            {"row": pd.Series([], dtype="int64"), "column": [], "code": [], "value": []})
        n_items = con.execute(f"SELECT count(*) FROM {items}").fetchall()[0][0]
        log = build(view, backend=duckdb_backend(), n_read=n_items, case="patient", activity="activity_code",
                    timestamp="time", end_timestamp="end_time", unit="unit_name", referral_to="referral_name",
                    attributes=attrs, tz=tz, taxonomy=taxonomy, vocabulary=vocabulary, strict=strict,
                    origin=origin, extra_failures=extra)
        rejected = self.located(log.rejected, items)
        notes = self.notes(counts, items, rejected)
        return log.replace(log.table, rejected=rejected, notes=notes)

    def check_files(self, entries: str) -> None:
        check_files(self.con.execute(f"SELECT file_no, count(*), count(rt), max(line), max(entry) FROM {entries} "
                                     "GROUP BY file_no").fetchall(), self.files)

    def messages(self, entries: str, targets: str) -> str:
        """One row per message (a MessageHeader in a Bundle of type message): ``duplicate`` (the same
        MessageHeader id came earlier), the current Provenance (the one whose target is this MessageHeader),
        its Encounter, Patient and organisations, and ``problem`` when it cannot become events."""
        name = self.name("messages")
        sj, s = self.resolve(targets, "snd", "h.sender_key", "h.scope")
        rj, r = self.resolve(targets, "rcv", "h.receiver_key", "h.scope")
        fj, f = self.resolve(targets, "foc", "h.focus_key", "h.scope")
        tj, t = self.resolve(targets, "tgt", "p.target_key", "p.scope")
        pj, pt = self.resolve(targets, "pat", "e.subject_key", "e.scope")
        oj, o = self.resolve(targets, "org", "e.org_key", "e.scope")
        self.con.execute(
            f"CREATE TEMP TABLE {name} AS WITH h AS (SELECT *, row_number() OVER (PARTITION BY coalesce(id, "
            f"CAST(eid AS VARCHAR)) ORDER BY eid) > 1 AS duplicate FROM (SELECT * FROM {entries} WHERE "
            f"rt = 'MessageHeader' AND bundle_type = 'message' AND problem IS NULL "
            f"QUALIFY row_number() OVER (PARTITION BY scope ORDER BY eid) = 1)), "
            f"cur AS (SELECT p.scope, {t['eid']} AS mh_eid, arg_max(p.eid, [epoch_us(TRY_CAST(p.recorded_text AS "
            f"TIMESTAMPTZ)), p.eid]) AS prov_eid FROM {entries} p {tj} WHERE p.rt = 'Provenance' AND p.problem IS NULL "
            f"AND p.scope <> -1 GROUP BY ALL) "
            f"SELECT h.scope, h.eid AS mh_eid, h.id AS mh_id, h.duplicate, c.prov_eid, p.recorded_text, "
            f"p.activity_code, {s['org_name']} AS sender, {r['org_name']} AS receiver, e.eid AS enc_eid, "
            f"e.id AS enc_id, e.status, e.class_code, e.start_text, e.end_text, e.leave_start, e.leave_end, "
            f"e.eoc_value, e.eoc_system, {pt['case_hash']} AS patient, {pt['deceased']} AS deceased, "
            f"{o['org_name']} AS unit_name, {o['sor']} AS sor, {o['gln']} AS gln, "
            f"{message_problem_sql(pt, o)} "
            f"FROM h {sj}{rj}{fj}"
            # a message's Encounter and Provenance are entries of a Bundle (scope <> -1): the join need not hash
            # every resource of an NDJSON export of Encounters
            f"LEFT JOIN (SELECT * FROM {entries} WHERE scope <> -1) e ON e.eid = {f['eid']} AND e.rt = 'Encounter' "
            f"LEFT JOIN (SELECT * FROM cur QUALIFY row_number() OVER (PARTITION BY mh_eid ORDER BY prov_eid DESC) = 1) "
            f"c ON c.mh_eid = h.eid LEFT JOIN (SELECT * FROM {entries} WHERE scope <> -1) p ON p.eid = c.prov_eid "
            f"{pj}{oj}")
        return name

    @staticmethod
    def plain(e: str, messages: str) -> str:
        """SQL: entry ``e`` is a resource read on its own (an Encounter, EpisodeOfCare or ServiceRequest outside a
        message), not part of a HospitalNotification."""
        return (f"{e}.rt IN ('Encounter', 'EpisodeOfCare', 'ServiceRequest') AND {e}.problem IS NULL AND ({e}.scope = -1 "
                f"OR {e}.bundle_type IS DISTINCT FROM 'message' OR {e}.scope NOT IN (SELECT scope FROM {messages}))")

    def items(self, entries: str, targets: str, messages: str, tz: str) -> str:
        """One row per item handed to validation: an event, or an entry refused before (``problem``), with the
        ``eid`` and ``sub`` that order them as the input does, and stored in that order (:meth:`numbered` numbers
        them)."""
        pj, pt = self.resolve(targets, "pat", "e.subject_key", "e.scope")
        oj, o = self.resolve(targets, "org", "e.org_key", "e.scope",
                             keys=f"SELECT DISTINCT org_key FROM {entries}")
        fj, f = self.resolve(targets, "prf", "e.performer_key", "e.scope",
                             keys=f"SELECT DISTINCT performer_key FROM {entries}")
        cls = plain_class_sql("e.class_code")
        plain = f"{self.plain('e', messages)} AND e.status IS DISTINCT FROM 'entered-in-error'"
        # the plain resources, with their references resolved once
        standalone = (
            f"SELECT e.eid, e.rt, e.id, e.status, {cls} AS cls, e.start_text, e.end_text, e.authored_text, "
            f"e.eoc_value, {pt['case_hash']} AS patient, {o['org_name']} AS unit_name, {o['sor']} AS sor, "
            f"{o['gln']} AS gln, {f['org_name']} AS referral_name, "
            f"{standalone_problem_sql(pt, o, f)} "
            f"FROM {entries} e {pj}{oj}{fj}WHERE {plain}")
        plain_events = plain_events_sql("s")
        refused = refused_sql(entries, messages)
        # the times, typed here: an instant with its offset, a date alone at midnight in tz; a time of day without
        # a zone or text that is no date is refused, with the element it came from
        typed, first = checked_times_sql(_without_zone, lambda c: _instant(c, tz), sql_literal)

        message_events = self.message_events(messages)
        # without messages, their columns are NULL for every item: the view of the items gives them (the sort
        # below moves every column it stores)
        self.unstored = {} if self.con.execute(f"SELECT count(*) FROM {self.folded}").fetchall()[0][0] else {
            "notified": "TIMESTAMPTZ", "revised": "TIMESTAMPTZ", "message": "VARCHAR", "sender": "VARCHAR",
            "receiver": "VARCHAR"}
        unnumbered = self.name("unnumbered")
        # the items in input order, so that a row id is the item's number; each reference joined as written,
        # its targets hashed: left to choose, the planner hashed the 10 million Encounters (every column) to join
        # them to 3 million Patients (this step took 28 s at 10 million Encounters, 15 s joined as written)
        with self.settings(preserve_insertion_order="true", disabled_optimizers="'build_side_probe_side'"):
            self.con.execute(
                f"CREATE TEMP TABLE {unnumbered} AS WITH s AS ({standalone}), ev AS ("
                f"SELECT *, NULL AS notified_text FROM ({plain_events}) UNION ALL BY NAME "
                f"SELECT * FROM ({message_events})), all_items AS ("
                f"SELECT * EXCLUDE (__t, __e, __k) REPLACE (coalesce(problem, {first['problem']}) AS problem, "
                f"CASE WHEN problem IS NULL THEN {first['element']} ELSE element END AS element, "
                f"CASE WHEN problem IS NULL THEN {first['value']} ELSE value END AS value, __t AS time, "
                f"__e AS end_time) "
                f"FROM ({typed}) UNION ALL BY NAME SELECT * FROM ({refused})) "
                f"SELECT * EXCLUDE ({', '.join(['notified_text', 'time_element', *self.unstored])}) FROM all_items "
                f"ORDER BY eid, sub")
        return unnumbered

    def numbered(self, unnumbered: str) -> str:
        """The items numbered ``__pw_row`` in input order (file, line, entry, then the event within the entry): their
        row ids, the table being stored in that order (numbering them in a window and joining the numbers back, a
        copy of every item, took 13 of the 88 s of a read of 10 million Encounters)."""
        name = self.name("items", "VIEW")
        unstored = "".join(f", CAST(NULL AS {t}) AS {c}" for c, t in self.unstored.items())
        self.con.execute(f"CREATE TEMP VIEW {name} AS SELECT *{unstored}, rowid AS __pw_row FROM {unnumbered}")
        return name

    def message_events(self, messages: str) -> str:
        """SQL of the events of the messages, folded: one row per event the latest state of its stay still
        holds, from the first message that reported it (``notified``), at the time of the last one."""
        cls = message_class_sql("class_code")
        # one row per (message, event it speaks of): op report / revise / cancel of activity ``base``
        rows = (
            f"SELECT m.*, {cls} AS cls, TRY_CAST(recorded_text AS TIMESTAMPTZ) AS recorded, "
            f"coalesce(eoc_system || '|' || eoc_value, 'Encounter/' || enc_id) AS stay FROM {messages} m "
            f"WHERE NOT duplicate AND problem IS NULL")
        ops = message_ops_sql("r")
        timed = message_timed_sql("ops")
        self.folded = self.name("folded")
        sql = (
            f"WITH r AS ({rows}), ops AS ({ops}), t AS ({timed}), "
            f"occ AS (SELECT stay, base, occ, min(recorded) AS first_recorded FROM t WHERE op = 'report' "
            f"GROUP BY ALL), "
            # a revision or cancellation applies to the stay's latest event of its kind reported before it
            f"rc AS (SELECT t.* REPLACE (coalesce(o.occ, CASE WHEN t.op = 'revise' THEN 'revised:' || t.mh_id "
            f"ELSE 'nothing:' || t.mh_id END) AS occ) FROM t ASOF LEFT JOIN occ o ON t.stay = o.stay "
            f"AND t.base = o.base AND t.recorded >= o.first_recorded WHERE t.op <> 'report'), "
            f"every AS (SELECT * FROM t WHERE op = 'report' AND (base NOT LIKE 'deceased-%' OR deceased) "
            f"UNION ALL SELECT * FROM rc WHERE base NOT LIKE 'deceased-%' OR NOT starts_with(occ, 'nothing:')), "
            # the stay's latest message: an Encounter entered in error withdraws all of the stay's events
            f"stays AS (SELECT stay, arg_max(status, [epoch_us(recorded), mh_eid]) = 'entered-in-error' AS withdrawn, "
            f"arg_min(enc_id, [epoch_us(recorded), mh_eid]) AS encounter FROM r GROUP BY stay), "
            f"folded AS (SELECT stay, base, occ, "
            f"arg_max(op, [epoch_us(recorded), mh_eid]) AS last_op, "
            f"arg_max(time, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS time, "
            f"arg_max(time_element, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS time_element, "
            f"arg_max(recorded_text, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS notified_text, "
            f"arg_max(patient, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS patient, "
            f"arg_max(unit_name, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS unit_name, "
            f"arg_max(sor, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS sor, "
            f"arg_max(gln, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS gln, "
            f"arg_max(cls, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS encounter_class, "
            f"arg_max(status, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS encounter_status, "
            f"arg_max(eoc_value, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS episode_of_care, "
            f"min(recorded) FILTER (op <> 'cancel') AS notified, "
            f"max(recorded) FILTER (op = 'revise') AS revised, "
            f"arg_min(mh_id, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS message, "
            f"arg_min(sender, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS sender, "
            f"arg_min(receiver, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS receiver, "
            f"arg_min(prov_eid, [epoch_us(recorded), mh_eid]) FILTER (op <> 'cancel') AS eid "
            f"FROM every GROUP BY ALL) "
            f"SELECT f.*, s.encounter, f.last_op = 'cancel' OR s.withdrawn AS removed FROM folded f JOIN stays s "
            f"USING (stay)")
        self.con.execute(f"CREATE TEMP TABLE {self.folded} AS {sql}")
        return (
            f"SELECT f.eid, CASE WHEN f.base LIKE 'deceased-%' THEN 1 ELSE 0 END AS sub, f.patient, "
            f"f.base AS activity_code, f.time, NULL AS end_time, f.time_element, f.unit_name, "
            f"CAST(NULL AS VARCHAR) AS referral_name, f.notified, f.revised, f.message, f.sender, f.receiver, f.sor, "
            f"f.gln, f.encounter, f.episode_of_care, f.encounter_class, f.encounter_status, "
            f"'Provenance' AS fhir_resource, NULL AS problem, NULL AS element, NULL AS value, f.notified_text "
            f"FROM {self.folded} f WHERE NOT removed AND f.eid IS NOT NULL")

    # --- what the read counted ------------------------------------------------------------------
    def located(self, rejected, items: str):
        """``log.rejected`` with the ``file`` and ``entry`` (``line 3``, ``entry[5]``) of every row."""
        import pandas as pd

        eids = {}
        if len(rejected):
            frame = self.name("rejected_rows", "ARROW")
            self.con.register(frame, pd.DataFrame({"row": rejected["row"].astype("int64")}))
            eids = dict(self.con.execute(f"SELECT i.__pw_row, i.eid FROM {items} i JOIN {frame} r "
                                         "ON i.__pw_row = r.row").fetchall())
            self.con.unregister(frame)
        return located(rejected, eids, self.files)

    def counted(self, entries: str, unnumbered: str, messages: str) -> dict:
        """What became of every entry read, as far as it is known before validation: ``"items"`` counts the
        entries that gave items (each of them becomes events or is rejected, see :meth:`notes`); and the counts
        of the message semantics. Taken before the entries are dropped."""
        read = ", ".join(f"'{t}'" for t in (*EVENT_TYPES, *SUPPORT_TYPES))
        counts = dict(self.con.execute(
            f"WITH given AS (SELECT DISTINCT eid FROM {unnumbered}), "
            f"folded AS (SELECT prov_eid AS eid FROM {messages} WHERE NOT duplicate AND problem IS NULL "
            f"UNION ALL SELECT eid FROM {entries} e WHERE {self.plain('e', messages)} "
            f"AND status = 'entered-in-error'), "
            f"dup AS (SELECT scope FROM {messages} WHERE duplicate) "
            f"SELECT CASE WHEN e.problem IS NOT NULL THEN 'entries_rejected' "
            f"WHEN e.scope IN (SELECT scope FROM dup) THEN 'entries_of_duplicates' "
            f"WHEN e.rt NOT IN ({read}) THEN 'entries_not_read' "
            f"WHEN e.eid IN (SELECT eid FROM given) THEN 'items' "
            f"WHEN e.eid IN (SELECT eid FROM folded) THEN 'entries_folded' "
            f"ELSE 'supporting_entries' END AS what, count(*) FROM {entries} e GROUP BY what").fetchall())
        revisions, duplicates = self.con.execute(
            f"SELECT count(*) FILTER (NOT duplicate AND problem IS NULL AND activity_code LIKE 'revise-%'), "
            f"count(*) FILTER (duplicate) FROM {messages}").fetchall()[0]
        cancelled = self.con.execute(
            f"SELECT (SELECT count(*) FROM {self.folded} WHERE removed) + (SELECT count(*) FROM {entries} e WHERE "
            f"{self.plain('e', messages)} AND status = 'entered-in-error')").fetchall()[0][0]
        counts.update({"duplicate_messages": duplicates, "revisions": revisions, "cancellations": cancelled})
        return counts

    def notes(self, counts: dict, items: str, rejected) -> dict:
        """``log.notes``: what became of every entry read (the parts add up to ``"entries_read"``) and the counts of
        the message semantics. An entry that gave items became events when one of its events passed validation,
        else it was rejected (an entry whose items all failed)."""
        import pandas as pd

        frame = self.name("rejected_rows", "ARROW")
        self.con.register(frame, pd.DataFrame({"row": rejected["row"].astype("int64")}))
        try:
            kept = self.con.execute(
                f"SELECT count(DISTINCT eid) FROM {items} WHERE problem IS NULL AND __pw_row NOT IN "
                f"(SELECT row FROM {frame})").fetchall()[0][0]
        finally:
            self.con.unregister(frame)
        return notes_of(counts, kept)
