"""pw.read_fhir: FHIR Bundles, NDJSON and MedCom HospitalNotification messages (issue 21).

The fixtures in tests/data/fhir are written by hand from the standard's examples (MedCom's FSH instances); the
expected events below are worked out from them by hand. Times: the messages give +02:00 as the standard's examples
do, so 2022-12-07T13:00:00+02:00 is 11:00 UTC.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import hmac
import json
import os
import shutil
import warnings

import pandas as pd
import pytest

import pathways as pw
from pathways.errors import EventLogError
from pathways.rejections import exploded

DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "fhir")
KEY = "hemmelig nøgle"
CPR = "2509479989"  # the standard's test patient (Bruno Test Elmer)


def pseudonym(text: str, key: str = KEY) -> str:
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()[:16]


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def read(path, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("error", pw.PathwaysWarning)  # no warning expected unless a test says so
        return pw.read_fhir(path, key=KEY, **options)


def events(log) -> pd.DataFrame:
    df = log.to_pandas()
    for c in ("timestamp", "end_timestamp", "notified", "revised"):
        df[c] = df[c].dt.tz_convert("UTC")
    return df


def copy_files(tmp_path, *names):
    for name in names:
        shutil.copy(os.path.join(DATA, name), tmp_path / name)
    return tmp_path


# --- messages ------------------------------------------------------------------------------------------------

def test_hospital_notifications_become_one_event_per_notified_event():
    """Admission (revised an hour later), leave and return, discharge (sent twice), a readmission ten days later,
    and an acute ambulant stay cancelled an hour after it was notified."""
    log = read(os.path.join(DATA, "hn_*.json"))
    df = events(log)
    assert df["activity"].tolist() == ["admit-inpatient", "start-leave-inpatient", "end-leave-inpatient",
                                       "discharge-inpatient-home", "admit-inpatient"]
    assert df["event_type"].tolist() == ["admission", "leave_start", "leave_end", "discharge", "admission"]
    assert df["timestamp"].tolist() == [utc("2022-12-07T13:00:00+02:00"),  # the revised time, not 12:00
                                        utc("2022-12-13T14:00:10+02:00"), utc("2022-12-14T15:30:00+02:00"),
                                        utc("2022-12-18T09:45:30+02:00"), utc("2022-12-28T08:15:00+01:00")]
    assert df["notified"].tolist() == [utc("2022-12-07T12:00:02+02:00"), utc("2022-12-13T14:00:12+02:00"),
                                       utc("2022-12-14T15:30:02+02:00"), utc("2022-12-18T09:45:32+02:00"),
                                       utc("2022-12-28T08:20:00+01:00")]
    assert df["revised"].tolist()[0] == utc("2022-12-07T14:00:02+02:00")
    assert df["revised"].isna().tolist() == [False, True, True, True, True]
    assert df["message"].tolist() == ["b9b4818e-02de-4cc4-b418-d20cbc7b5404", "e563a2b2-bf92-4b13-bbd2-0a021a95bded",
                                      "f47254da-f170-46f0-b624-4778a9c92b1f", "61affa53-c157-4080-abb0-8e681524f969",
                                      "d2b5e8f1-4a3c-4b9d-8e7f-6a5b4c3d2e1f"]
    hospital = "Hjerteafdelingen på Herlev og Gentofte hospital"
    assert set(df["unit"]) == set(df["sender"]) == {hospital}
    assert set(df["receiver"]) == {"Plejecenter Herlev"}
    assert set(df["sor"]) == {"265161000016000"} and set(df["gln"]) == {"5790000209354"}
    assert df["encounter"].tolist() == ["a790f964-88d3-4652-bbc8-81d2f3d035f8"] * 4 + [
        "c1f0d2b4-7a1e-4d8e-9b0a-3e2f6a7d9c10"]
    assert df["episode_of_care"].tolist()[:4] == ["bd481c38-a921-11ed-afa1-0242ac120002"] * 4
    assert set(df["encounter_class"]) == {"inpatient"} and set(df["fhir_resource"]) == {"Provenance"}
    assert df["encounter_status"].tolist() == ["in-progress", "onleave", "in-progress", "finished", "in-progress"]
    # one patient, hashed as pw.pseudonymize hashes the CPR number
    assert set(df["case_id"]) == {pseudonym(CPR)}
    # the same message twice counts once, the revision and the cancellation are counted
    assert {k: log.notes[k] for k in ("duplicate_messages", "revisions", "cancellations")} == {
        "duplicate_messages": 1, "revisions": 1, "cancellations": 1}
    assert len(log.rejected) == 0


def test_every_entry_is_accounted_for(tmp_path):
    """61 message entries (9 Bundles) and 13 NDJSON lines: 11 give events, 51 support them, 4 are folded
    (a revision, a cancelled admission and its cancellation, an Encounter entered in error), 7 are the resent
    discharge, 1 an Observation. A folder is read recursively."""
    (tmp_path / "sub").mkdir()
    for f in glob.glob(os.path.join(DATA, "*.json")) + [os.path.join(DATA, "bulk.ndjson")]:
        shutil.copy(f, tmp_path / ("sub" if "bulk" in f else "") / os.path.basename(f))
    log = read(tmp_path)
    assert log.notes == {"entries_read": 74, "entries_to_events": 11, "supporting_entries": 51,
                         "entries_folded": 4, "entries_of_duplicates": 7,
                         "entries_not_read": 1, "entries_rejected": 0, "duplicate_messages": 1,
                         "revisions": 1, "cancellations": 2}
    parts = [log.notes[k] for k in ("entries_to_events", "supporting_entries",
                                    "entries_folded", "entries_of_duplicates",
                                    "entries_not_read", "entries_rejected")]
    assert sum(parts) == log.notes["entries_read"]
    assert len(log) + len(log.rejected) == log.n_read == 13
    report = pw.quality_report(log)
    notes = report[report["id"] == "note"].set_index("detail")  # the notes' codes; their words in "check"
    assert notes.loc["duplicate_messages", "n_rows"] == 1 and notes.loc["cancellations", "n_rows"] == 2
    assert notes.loc["duplicate_messages", "check"] == "duplicate messages"
    assert notes.loc["revisions", "severity"] == "info"


def test_a_readmission_within_30_days_is_found():
    log = read(os.path.join(DATA, "hn_*.json"))
    r = pw.readmissions(log, within="30D")
    assert len(r) == 1
    assert r["days_to_readmission"].round(3).tolist() == [round((utc("2022-12-28T08:15:00+01:00")
                                                                 - utc("2022-12-18T09:45:30+02:00")).total_seconds()
                                                                / 86400, 3)]


# --- Bulk Data NDJSON --------------------------------------------------------------------------------------

def test_bulk_ndjson():
    log = read(os.path.join(DATA, "bulk.ndjson"))
    df = events(log)
    assert df["activity"].tolist() == ["admit-inpatient", "discharge-inpatient", "admit-emergency",
                                       "discharge-emergency", "outpatient-visit", "admit-inpatient",
                                       "episode-of-care", "referral"]
    assert df["event_type"].tolist() == ["admission", "discharge", "admission", "discharge", "outpatient_visit",
                                         "admission", "other", "referral"]
    assert df["timestamp"].tolist() == [utc("2023-03-01T08:00:00+01:00"), utc("2023-03-04T12:30:00+01:00"),
                                        utc("2023-03-10T22:10:00+01:00"), utc("2023-03-11T03:40:00+01:00"),
                                        utc("2023-04-03T09:00:00+02:00"), utc("2023-04-20T14:00:00+02:00"),
                                        utc("2023-03-01T00:00:00+01:00"),  # a date alone: midnight in tz
                                        utc("2023-03-04T11:00:00+01:00")]
    assert df["end_timestamp"].tolist()[4] == utc("2023-04-03T09:30:00+02:00")
    assert df["end_timestamp"].tolist()[6] == utc("2023-06-30T00:00:00+02:00")
    assert df["unit"].tolist() == ["Medicinsk afdeling M1"] * 2 + ["Akutmodtagelsen"] * 2 + [
        "Ortopædkirurgisk ambulatorium"] + ["Medicinsk afdeling M1"] * 3
    assert df["referral_to"].tolist()[7] == "Ortopædkirurgisk ambulatorium"
    assert df["sor"].tolist()[0] == "1164561000016009" and df["gln"].tolist()[4] == "5790000123456"
    # p1 has a CPR number; p2 only a local identifier, so it is hashed as Patient/p2
    p1, p2 = pseudonym("2512489996"), pseudonym("Patient/p2")
    assert df["case_id"].tolist() == [p1, p1, p2, p2, p1, p2, p1, p1]
    assert df["encounter"].tolist()[:6] == ["e1", "e1", "e2", "e2", "e3", "e4"]
    assert df["notified"].isna().all() and df["message"].isna().all()
    assert log.notes["cancellations"] == 1  # e5, entered in error
    assert log.notes["entries_not_read"] == 1  # the Observation


def test_gzipped_ndjson_and_a_bundle_per_line(tmp_path):
    with open(os.path.join(DATA, "bulk.ndjson"), "rb") as f, gzip.open(tmp_path / "bulk.ndjson.gz", "wb") as g:
        g.write(f.read())
    assert events(read(tmp_path / "bulk.ndjson.gz")).equals(events(read(os.path.join(DATA, "bulk.ndjson"))))
    # the messages as one Bundle per line give the events the JSON files give
    lines = [json.dumps(json.load(open(f, encoding="utf-8")))
             for f in sorted(glob.glob(os.path.join(DATA, "hn_*.json")))]
    (tmp_path / "messages.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    a = events(read(tmp_path / "messages.ndjson")).drop(columns="row")
    b = events(read(os.path.join(DATA, "hn_*.json"))).drop(columns="row")
    assert a.equals(b)


# --- privacy -----------------------------------------------------------------------------------------------

def test_the_cpr_number_and_names_never_reach_the_engine():
    """After the read, no engine table holds the CPR number, the name or the address (the fixtures have them)."""
    log = read(os.path.join(DATA, "hn_01_admit.json"))
    con = log.backend.con
    tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    assert tables
    for t in tables:
        text = con.execute(f'SELECT string_agg(CAST(columns(*) AS VARCHAR), \'|\') FROM "{t}"').fetchall()[0]
        text = "|".join(str(v) for v in text)
        assert CPR not in text and "Elmer" not in text and "Nordre Ringvej" not in text, t
    assert CPR not in log.to_pandas().to_string()


def test_the_key_comes_from_the_environment_else_a_random_key_with_a_warning(monkeypatch):
    path = os.path.join(DATA, "hn_07_readmit.json")
    monkeypatch.setenv("PATHWAYS_PSEUDONYM_KEY", "fra miljøet")
    assert pw.read_fhir(path).to_pandas()["case_id"].tolist() == [pseudonym(CPR, "fra miljøet")]
    monkeypatch.delenv("PATHWAYS_PSEUDONYM_KEY")
    with pytest.warns(pw.PathwaysWarning, match="random key"):
        a = pw.read_fhir(path).to_pandas()["case_id"].tolist()
    with pytest.warns(pw.PathwaysWarning, match="not stable|another pseudonym"):
        b = pw.read_fhir(path).to_pandas()["case_id"].tolist()
    assert a != b and pseudonym(CPR) not in a


# --- bad input -----------------------------------------------------------------------------------------------

def test_files_that_are_not_fhir_raise_naming_the_file(tmp_path):
    (tmp_path / "a.json").write_text('{"patient": "2509479989", "admitted": "2022-12-07"}', encoding="utf-8")
    with pytest.raises(EventLogError, match=r"a\.json' is not FHIR.*'resourceType'") as err:
        pw.read_fhir(tmp_path / "a.json", key=KEY)
    assert CPR not in str(err.value)
    (tmp_path / "b.json").write_text("hello, world", encoding="utf-8")
    with pytest.raises(EventLogError, match=r"cannot read .*b\.json' as JSON"):
        pw.read_fhir(tmp_path / "b.json", key=KEY)
    (tmp_path / "c.csv").write_text("cpr;aktivitet\n2509479989;Indlæggelse\n", encoding="utf-8")
    with pytest.raises(EventLogError, match=r"c\.csv' is not a FHIR file.*pw\.read_csv"):
        pw.read_fhir(tmp_path / "c.csv", key=KEY)
    (tmp_path / "d.ndjson").write_text("cpr;aktivitet\n2509479989;Indlæggelse\n", encoding="utf-8")
    with pytest.raises(EventLogError, match=r"d\.ndjson' is not FHIR: none of its 2 line"):
        pw.read_fhir(tmp_path / "d.ndjson", key=KEY)
    with pytest.raises(EventLogError, match="no FHIR file"):
        pw.read_fhir(tmp_path / "missing", key=KEY)


def bulk_with(tmp_path, *extra: str):
    lines = open(os.path.join(DATA, "bulk.ndjson"), encoding="utf-8").read().splitlines()[:6]  # p1, p2, o1-o3, e1
    path = tmp_path / "x.ndjson"
    path.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    return path


def test_entry_level_problems_go_to_rejected_with_file_and_line(tmp_path):
    enc = {"resourceType": "Encounter", "status": "finished", "class": {"code": "IMP"},
           "serviceProvider": {"reference": "Organization/o1"}}
    path = bulk_with(
        tmp_path,
        "this line is not JSON 2509479989",                                                       # line 7
        json.dumps({"id": "x", "status": "final"}),                                               # line 8
        json.dumps({**enc, "id": "n1", "subject": {"reference": "Patient/nobody"},                 # line 9
                    "period": {"start": "2023-05-01T10:00:00+02:00"}}),
        json.dumps({**enc, "id": "n2", "subject": {"reference": "Patient/p1"},                     # line 10
                    "period": {"start": "2023-05-01T10:00:00", "end": "2023-05-02"}}),
        json.dumps({"resourceType": "Practitioner", "id": "dr1"}))                                # line 11
    with pytest.warns(pw.PathwaysWarning, match="moved to log.rejected"):
        log = pw.read_fhir(path, key=KEY)
    r = exploded(log.rejected)  # one problem per entry here
    assert len(r) == len(log.rejected) and r["file"].tolist() == [str(path)] * 4
    assert r["entry"].tolist() == ["line 7", "line 8", "line 9", "line 10"]
    assert r["problem"].tolist() == ["not JSON", "not a FHIR resource (no resourceType)",
                                     "a reference that points nowhere", "time without a time zone"]
    assert r["column"].tolist() == ["resourceType", "resourceType", "Encounter.subject", "Encounter.period.start"]
    assert r["value"].tolist() == ["", "", "Patient/…", "2023-05-01T10:00:00"]  # no line text, no reference id
    assert CPR not in r.to_string()
    # e1 still gives its two events; n2's end, a date alone, gives its discharge at midnight in tz
    df = log.to_pandas()
    assert df["encounter"].tolist() == ["e1", "e1", "n2"]
    assert df["timestamp"].tolist()[2] == pd.Timestamp("2023-05-02 00:00", tz="Europe/Copenhagen")
    # n2 gave one of its events, so it counts as an entry that became events
    assert log.notes["entries_rejected"] == 3 and log.notes["entries_not_read"] == 1
    assert log.notes["entries_read"] == 11 and len(log) + len(log.rejected) == log.n_read


def test_times_are_typed_alike_whether_or_not_they_end_in_a_zone(tmp_path):
    """A time ending in Z or an offset skips the check for a missing zone (issue 21, item 6: the check ran a
    regular expression on every time); the results are those FHIR's rules give, worked out by hand."""
    enc = {"resourceType": "Encounter", "status": "finished", "class": {"code": "IMP"},
           "subject": {"reference": "Patient/p1"}, "serviceProvider": {"reference": "Organization/o1"}}
    path = bulk_with(
        tmp_path,
        json.dumps({**enc, "id": "z1", "period": {"start": "2023-05-01T10:00:00Z",                       # line 7
                                                  "end": "2023-05-02T10:00:00.5-03:00"}}),
        json.dumps({**enc, "id": "z2", "period": {"start": "2023-05-03", "end": "2023-05-04T10:00"}}),   # line 8
        json.dumps({**enc, "id": "z3", "period": {"start": "2023-05-05T10:00:00.123456",                 # line 9
                                                  "end": "2023-05-06T10:00:00+02:00"}}),
        json.dumps({**enc, "id": "z4", "period": {"start": "2023-05", "end": "2023-05-08T00:00:00Z"}}))   # line 10
    with pytest.warns(pw.PathwaysWarning, match="moved to log.rejected"):
        log = pw.read_fhir(path, key=KEY)
    df = events(log)
    # each time is checked alone: an Encounter with one bad time still gives the event of its other time
    assert df["encounter"].tolist() == ["e1", "e1", "z1", "z1", "z2", "z3", "z4"]
    assert df["activity"].tolist()[4:] == ["admit-inpatient", "discharge-inpatient", "discharge-inpatient"]
    assert df["timestamp"].tolist()[2:] == [utc("2023-05-01T10:00:00Z"), utc("2023-05-02T13:00:00.5Z"),
                                            utc("2023-05-02T22:00:00Z"),  # a date alone: midnight in tz (+02:00)
                                            utc("2023-05-06T08:00:00Z"), utc("2023-05-08T00:00:00Z")]
    r = exploded(log.rejected)
    assert r[["entry", "column", "problem", "value"]].values.tolist() == [
        ["line 8", "Encounter.period.end", "time without a time zone", "2023-05-04T10:00"],
        ["line 9", "Encounter.period.start", "time without a time zone", "2023-05-05T10:00:00.123456"],
        ["line 10", "Encounter.period.start", "not a date", "2023-05"]]


def test_a_message_without_an_encounter_is_rejected(tmp_path):
    bundle = json.load(open(os.path.join(DATA, "hn_07_readmit.json"), encoding="utf-8"))
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Encounter"]
    (tmp_path / "m.json").write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.warns(pw.PathwaysWarning, match="moved to log.rejected"):
        log = pw.read_fhir(tmp_path / "m.json", key=KEY)
    assert len(log) == 0
    assert exploded(log.rejected)[["entry", "column", "problem"]].values.tolist() == [
        ["entry[0]", "MessageHeader.focus",
         "a message without an Encounter (MessageHeader.focus points nowhere)"]]
    assert exploded(log.rejected)["value"].tolist() == ["Encounter/…"]


def test_strict_raises_on_the_first_rejected_entry(tmp_path):
    path = bulk_with(tmp_path, "not json")
    with pytest.raises(EventLogError, match="not JSON"):
        pw.read_fhir(path, key=KEY, strict=True)


def test_an_xml_file_with_a_dtd_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "evil.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE Bundle [<!ENTITY x "2509479989">]>\n'
                    '<Bundle xmlns="http://hl7.org/fhir"><id value="&x;"/></Bundle>\n', encoding="utf-8")
    with pytest.raises(EventLogError, match=r"evil\.xml") as err:
        pw.read_fhir(path, key=KEY)
    assert CPR not in str(err.value)


def test_lines_are_numbered_per_file_when_ndjson_and_json_files_are_read_together(tmp_path):
    # the documents are parsed in one order-keeping scan and numbered by their row: the JSON files come after the
    # NDJSON ones there, and a Bundle's row is read as its entries, so each file's lines must still count from 1
    bulk_with(tmp_path).rename(tmp_path / "a.ndjson")
    shutil.copy(os.path.join(DATA, "hn_01_admit.json"), tmp_path / "b_admit.json")
    admit = json.load(open(os.path.join(DATA, "hn_03_start_leave.json"), encoding="utf-8"))
    enc = {"resourceType": "Encounter", "id": "n1", "status": "finished", "class": {"code": "IMP"},
           "subject": {"reference": "Patient/nobody"}, "period": {"start": "2023-05-01T10:00:00+02:00"}}
    (tmp_path / "c.ndjson").write_text("\n".join([
        json.dumps(admit),                                                  # line 1: a Bundle, read as entries
        "not JSON",                                                         # line 2
        json.dumps(enc),                                                    # line 3: points nowhere
        "{\"id\": 1}"]) + "\n", encoding="utf-8")                           # line 4: no resourceType
    with pytest.warns(pw.PathwaysWarning, match="moved to log.rejected"):
        log = pw.read_fhir(tmp_path, key=KEY)
    r = exploded(log.rejected)
    assert r["file"].tolist() == [str(tmp_path / "c.ndjson")] * 3
    assert r["entry"].tolist() == ["line 2", "line 3", "line 4"]
    assert r["problem"].tolist() == ["not JSON", "a reference that points nowhere",
                                     "not a FHIR resource (no resourceType)"]
    # e1 (a.ndjson, line 6) gives its admission and discharge; the two messages their admission and leave start
    df = log.to_pandas()
    assert sorted(df["activity"]) == sorted(["admit-inpatient", "discharge-inpatient", "admit-inpatient",
                                             "start-leave-inpatient"])
    assert len(log) + len(log.rejected) == log.n_read
