"""pw.read_fhir(..., engine="spark") equals the DuckDB reader (issue 26, item 5).

Each test reads the same files on both engines with the same key and compares the events (``to_pandas()``, in the
log's order), ``log.rejected`` (codes, columns, values, file and entry) and ``log.notes``; a few values are also
checked against what the DuckDB tests (tests/io/test_fhir.py) worked out by hand, so that a fault both readers
share does not pass. Spark's local session (the reader runs no Python on the executors: no UDFs).
"""

from __future__ import annotations

import copy
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
from pathways.errors import EventLogError, OptionError
from pathways.rejections import exploded

pytestmark = pytest.mark.parametrize("spark", ["local"], indirect=True)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data", "fhir")
SAMPLE = os.path.join(ROOT, "pathways", "sample_logs", "hospital_notifications.ndjson.gz")
KEY = "hemmelig nøgle"


def pseudonym(text: str) -> str:
    return hmac.new(KEY.encode(), text.encode(), hashlib.sha256).hexdigest()[:16]


def both(path, **options):
    """The log read by DuckDB and by Spark, and the warnings' texts of each read."""
    logs, said = [], []
    for engine in ("duckdb", "spark"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            logs.append(pw.read_fhir(path, key=KEY, engine=engine, **options))
        said.append([str(w.message) for w in caught if issubclass(w.category, pw.PathwaysWarning)])
    return logs[0], logs[1], said


def assert_same(duck, spark, said=None):
    a, b = duck.to_pandas(), spark.to_pandas()
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert len(a) == len(spark)
    pd.testing.assert_frame_equal(duck.rejected, spark.rejected, check_dtype=False)
    assert duck.notes == spark.notes
    assert duck.n_read == spark.n_read
    if said is not None:
        assert said[0] == said[1]


def test_the_bundled_hospital_notifications(spark):
    duck, sp, said = both(SAMPLE)
    assert_same(duck, sp, said)
    assert len(sp) > 1000 and sp.notes["duplicate_messages"] > 0 and sp.notes["revisions"] > 0
    assert sp.notes["cancellations"] > 0


def test_plain_encounters_episodes_and_referrals(spark, tmp_path):
    duck, sp, said = both(os.path.join(DATA, "bulk.ndjson"))
    assert_same(duck, sp, said)
    df = sp.to_pandas()
    # worked out by hand in tests/io/test_fhir.py::test_bulk_ndjson
    assert df["activity"].tolist() == ["admit-inpatient", "discharge-inpatient", "admit-emergency",
                                       "discharge-emergency", "outpatient-visit", "admit-inpatient",
                                       "episode-of-care", "referral"]
    p1, p2 = pseudonym("2512489996"), pseudonym("Patient/p2")
    assert df["case_id"].tolist() == [p1, p1, p2, p2, p1, p2, p1, p1]
    assert df["timestamp"].tolist()[6] == pd.Timestamp("2023-03-01T00:00:00+01:00")  # a date alone: midnight in tz
    assert sp.notes["cancellations"] == 1 and sp.notes["entries_not_read"] == 1
    # a date alone is midnight in the log's zone, whichever it is
    duck_utc, sp_utc, said_utc = both(os.path.join(DATA, "bulk.ndjson"), tz="America/New_York")
    assert_same(duck_utc, sp_utc, said_utc)
    assert sp_utc.to_pandas()["timestamp"].tolist()[6] == pd.Timestamp("2023-03-01T00:00:00-05:00")
    # gzipped
    with open(os.path.join(DATA, "bulk.ndjson"), "rb") as f, gzip.open(tmp_path / "bulk.ndjson.gz", "wb") as g:
        g.write(f.read())
    pd.testing.assert_frame_equal(pw.read_fhir(tmp_path / "bulk.ndjson.gz", key=KEY, engine="spark").to_pandas(),
                                  df)


def test_messages_with_a_revision_a_cancellation_and_a_duplicate(spark, tmp_path):
    """The nine HospitalNotification messages as JSON files and as one Bundle per NDJSON line."""
    duck, sp, said = both(os.path.join(DATA, "hn_*.json"))
    assert_same(duck, sp, said)
    assert {k: sp.notes[k] for k in ("duplicate_messages", "revisions", "cancellations")} == {
        "duplicate_messages": 1, "revisions": 1, "cancellations": 1}
    df = sp.to_pandas()
    assert df["activity"].tolist() == ["admit-inpatient", "start-leave-inpatient", "end-leave-inpatient",
                                       "discharge-inpatient-home", "admit-inpatient"]
    assert df["timestamp"].tolist()[0] == pd.Timestamp("2022-12-07T13:00:00+02:00")  # the revised time
    assert df["revised"].notna().tolist() == [True, False, False, False, False]
    lines = [json.dumps(b) for b in _bundles()]
    (tmp_path / "messages.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    duck2, sp2, said2 = both(tmp_path / "messages.ndjson")
    assert_same(duck2, sp2, said2)
    pd.testing.assert_frame_equal(sp2.to_pandas().drop(columns="row"), df.drop(columns="row"))
    # and as FHIR XML (parsed on the driver, as on DuckDB)
    duck3, sp3, said3 = both(os.path.join(DATA, "hn_*.xml"))
    assert_same(duck3, sp3, said3)
    pd.testing.assert_frame_equal(sp3.to_pandas(), df)


def _bundles():
    return [json.load(open(f, encoding="utf-8")) for f in sorted(glob.glob(os.path.join(DATA, "hn_*.json")))]


def _another_message(bundle, new_id: str):
    """A copy of ``bundle`` as another message: its MessageHeader's id and the Provenance's target renamed."""
    bundle = copy.deepcopy(bundle)
    for e in bundle["entry"]:
        r = e["resource"]
        if r["resourceType"] == "MessageHeader":
            r["id"] = new_id
        if r["resourceType"] == "Provenance":
            r["target"] = [{"reference": f"MessageHeader/{new_id}"}]
    return bundle


def test_messages_with_bad_entries(spark, tmp_path):
    """A message whose Encounter's subject points nowhere, one whose Provenance.recorded and admission time have
    no zone, one without an Encounter, a line that is not JSON, a MessageHeader sent twice in one file."""
    bundles = _bundles()
    dangling = _another_message(bundles[6], "another-message-1")
    for e in dangling["entry"]:
        if e["resource"]["resourceType"] == "Encounter":
            e["resource"]["subject"] = {"reference": "Patient/nobody"}
    zoneless = _another_message(bundles[6], "another-message-2")  # the readmission, as a stay of its own
    for e in zoneless["entry"]:
        r = e["resource"]
        if r["resourceType"] == "Provenance":
            r["recorded"] = r["recorded"][:19]
        if r["resourceType"] == "Encounter":
            r["period"]["start"] = r["period"]["start"][:16]
            for eoc in r["episodeOfCare"]:
                eoc["identifier"]["value"] = "another-stay"
    no_encounter = _another_message(bundles[4], "another-message-3")
    no_encounter["entry"] = [e for e in no_encounter["entry"] if e["resource"]["resourceType"] != "Encounter"]
    lines = [json.dumps(b) for b in bundles] + ["{not json", json.dumps(dangling), json.dumps(zoneless),
                                                json.dumps(no_encounter), json.dumps(bundles[0])]
    (tmp_path / "m.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    duck, sp, said = both(tmp_path / "m.ndjson")
    assert_same(duck, sp, said)
    r = exploded(sp.rejected)
    # the message's problems at its MessageHeader (entry 0); the time's at the Provenance (entry 5), whose event it is
    assert r["entry"].tolist() == ["line 10", "line 11, entry[0]", "line 12, entry[5]", "line 13, entry[0]"]
    assert r["code"].tolist() == ["not_json", "dangling_reference", "time_without_zone",
                                  "message_without_encounter"]
    assert r["value"].tolist()[:2] == ["", "Patient/…"]
    assert sp.notes["duplicate_messages"] == 2  # hn_06 resends hn_05; line 14 resends line 1


def test_entry_level_problems_and_times_without_a_zone(spark, tmp_path):
    lines = open(os.path.join(DATA, "bulk.ndjson"), encoding="utf-8").read().splitlines()[:6]
    enc = {"resourceType": "Encounter", "status": "finished", "class": {"code": "IMP"},
           "serviceProvider": {"reference": "Organization/o1"}, "subject": {"reference": "Patient/p1"}}
    extra = [
        "this line is not JSON 2509479989",                                                        # line 7
        json.dumps({"id": "x", "status": "final"}),                                                # line 8
        json.dumps({**enc, "id": "n1", "subject": {"reference": "Patient/nobody"},                 # line 9
                    "period": {"start": "2023-05-01T10:00:00+02:00"}}),
        json.dumps({**enc, "id": "n2", "period": {"start": "2023-05-01T10:00:00", "end": "2023-05-02"}}),
        json.dumps({"resourceType": "Practitioner", "id": "dr1"}),                                # line 11
        "",                                                                                        # line 12
        json.dumps({**enc, "id": "z1", "period": {"start": "2023-05-01T10:00:00Z",
                                                  "end": "2023-05-02T10:00:00.5-03:00"}}),
        json.dumps({**enc, "id": "z2", "period": {"start": "2023-05-03", "end": "2023-05-04T10:00"}}),
        json.dumps({**enc, "id": "z4", "period": {"start": "2023-05", "end": "2023-05-08T00:00:00Z"}}),
        json.dumps({"resourceType": "Encounter", "id": "s1", "status": "finished", "class": {"code": "AMB"},
                    "subject": {"reference": "Patient/p2"}, "serviceProvider": {"reference": "Organization/o9"},
                    "period": {"start": "2023-06-01T10:00:00+02:00"}}),                           # line 16
        json.dumps({"resourceType": "ServiceRequest", "id": "r1", "status": "active", "authoredOn": "2023-06-02",
                    "subject": {"reference": "Patient/p2"}, "requester": {"reference": "Organization/o1"},
                    "performer": [{"reference": "Organization/o3"}]}),
        json.dumps({"resourceType": "EpisodeOfCare", "id": "c1", "status": "active",
                    "patient": {"reference": "Patient/p1"}, "managingOrganization": {"reference": "Organization/o2"},
                    "period": {"start": "2023-06-03T08:00:00+02:00", "end": "2023-06-04"}})]
    path = tmp_path / "x.ndjson"
    path.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    duck, sp, said = both(path)
    assert_same(duck, sp, said)
    assert said[1] and "moved to log.rejected" in said[1][0]
    r = exploded(sp.rejected)
    assert r["entry"].tolist() == ["line 7", "line 8", "line 9", "line 10", "line 12", "line 14", "line 15",
                                   "line 16"]
    assert r["code"].tolist() == ["not_json", "no_resource_type", "dangling_reference", "time_without_zone",
                                  "not_json", "time_without_zone", "not_a_date", "dangling_reference"]
    assert "2509479989" not in r.to_string()
    df = sp.to_pandas()
    assert df["encounter"].fillna("-").tolist() == ["e1", "e1", "n2", "z1", "z1", "z2", "z4", "-", "-"]
    assert df["activity"].tolist()[-2:] == ["referral", "episode-of-care"]
    assert df["referral_to"].tolist()[-2] == "Ortopædkirurgisk ambulatorium"
    # strict: the same error on both engines
    errors = []
    for engine in ("duckdb", "spark"):
        with pytest.raises(EventLogError) as err:
            pw.read_fhir(path, key=KEY, engine=engine, strict=True)
        errors.append(str(err.value))
    assert errors[0] == errors[1]


def test_ndjson_and_json_files_read_together(spark, tmp_path):
    """A folder: lines are numbered per file, the JSON files' entries by entry."""
    shutil.copy(os.path.join(DATA, "bulk.ndjson"), tmp_path / "a.ndjson")
    for f in sorted(glob.glob(os.path.join(DATA, "hn_0[5-9]*.json"))):
        shutil.copy(f, tmp_path / os.path.basename(f))
    (tmp_path / "z.ndjson").write_text('{"resourceType": "Patient", "id": "q"}\nnot json\n', encoding="utf-8")
    duck, sp, said = both(tmp_path)
    assert_same(duck, sp, said)
    assert exploded(sp.rejected)[["file", "entry"]].values.tolist() == [[str(tmp_path / "z.ndjson"), "line 2"]]


def test_the_engine_is_checked_and_the_key_is_the_same(spark):
    with pytest.raises(OptionError, match="engine"):
        pw.read_fhir(os.path.join(DATA, "bulk.ndjson"), key=KEY, engine="sparc")
    with pytest.raises(EventLogError, match="not FHIR"):
        pw.read_fhir(os.path.join(ROOT, "pathways", "sample_logs", "dirty_extract.csv").replace(".csv", ".truth.json"),
                     key=KEY, engine="spark")
