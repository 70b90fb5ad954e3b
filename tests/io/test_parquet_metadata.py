"""pw.write_parquet keeps the mapping, zone, taxonomy and classes in the file; pw.read_parquet(path) reads the
log back with no arguments, skipping the work already done (issue 20, item 6). Values worked out by hand."""

import json
import warnings

import pandas as pd
import pyarrow.parquet as pq
import pytest

import pathways as pw
from pathways.errors import OptionError
from pathways.eventlog import PathwaysWarning
from pathways.taxonomy import Rule, UnitTaxonomy, Vocabulary
from pathways.rejections import exploded

FRAME = pd.DataFrame({
    "pt": ["A", "A", "A", "B", "B", "C"],
    "what": ["Henvisning", "Min aktivitet", "Indlæggelse", "Henvisning", "Kaffe", None],  # C: no activity
    "when": ["2023-01-02 08:00", "2023-03-05 10:30", "2023-03-06 09:00", "2023-02-01 09:00", "2023-02-02 10:00",
             "2023-02-03 10:00"],
    "afsnit": ["Klinik X", "Klinik X", "Team Nord 2", "Egen læge", "Afsnit Q", "Egen læge"],
    "note": ["a", "b", "c", "d", "e", "f"],
    "alder": [71, 71, 71, 34, 34, 50],
    "sector": ["x", "x", "x", "y", "y", "z"],  # clashes with the canonical column: kept as sector_attr
})
#: Klinik X changed owner on 1 March 2023; "Team Nord" is placed by a rule of the user's own; no Danish rules
TAXONOMY = UnitTaxonomy.from_dict({
    "Klinik X": [{"domain": "psychiatric", "sector": "region", "valid_to": "2023-03-01"},
                 {"domain": "social", "sector": "municipality", "valid_from": "2023-03-01"}],
    "Afsnit Q": ("somatic", "private")}).extend(
    UnitTaxonomy(rules=[Rule("team nord", r"\bteam nord\b", ("municipal_care", "municipality"))]))
VOCABULARY = Vocabulary.from_dict({"Min aktivitet": "referral"}).extend(
    Vocabulary(rules=[Rule("henvisning", r"henvis", ("referral",)), Rule("indlæg", r"indlaeg", ("admission",))]))


def custom_log():
    return pw.from_pandas(FRAME, case="pt", activity="what", timestamp="when", unit="afsnit", tz="Europe/London",
                          taxonomy=TAXONOMY, vocabulary=VOCABULARY, attributes=["note", "alder", "sector"])


def engine_types(log):
    return log.backend.con.execute(f"DESCRIBE {log.table.get_name()}").fetchall()


def assert_same_log(back, log):
    """The log read back equals the one written: events (dtypes included), mapping, zone, classes, notes."""
    pd.testing.assert_frame_equal(back.to_pandas(), log.to_pandas())
    assert back.columns == log.columns and back.attributes == log.attributes and back.tz == log.tz
    pd.testing.assert_frame_equal(back.unit_classes, log.unit_classes)
    pd.testing.assert_frame_equal(back.activity_classes, log.activity_classes)
    assert back.local_times == log.local_times and back.notes == log.notes
    assert engine_types(back) == engine_types(log)  # the ENUM columns typed as the first read typed them
    assert back.taxonomy.rules == log.taxonomy.rules and back.vocabulary.rules == log.vocabulary.rules
    pd.testing.assert_frame_equal(back.taxonomy.mappings, log.taxonomy.mappings)
    pd.testing.assert_frame_equal(back.vocabulary.mappings, log.vocabulary.mappings)
    # the file holds no rejected row: none now, and the counts of the first read beside them
    assert len(back.rejected) == 0 and back.n_read == len(back) == len(log)
    assert back.rejected.attrs == {"n_read_at_first_read": log.n_read, "n_rejected_at_first_read": len(log.rejected)}


@pytest.mark.parametrize("name", pw.datasets.list_samples() + pw.datasets.list_samples(messages=True))
def test_every_sample_log_comes_back_without_arguments(name, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PathwaysWarning)  # the message sample is read with a random key
        log = pw.datasets.load_sample(name)
    pw.write_parquet(log, tmp_path / "log.parquet")
    back = pw.read_parquet(tmp_path / "log.parquet")
    assert_same_log(back, log)
    assert back.origin == str(tmp_path / "log.parquet")
    pd.testing.assert_frame_equal(pw.transitions(back), pw.transitions(log))


def test_the_dirty_sample_keeps_its_row_numbers_and_says_what_was_rejected(tmp_path):
    log = pw.datasets.load_sample("dirty_extract")  # 9,167 rows read, 25 rejected
    pw.write_parquet(log, tmp_path / "log.parquet")
    back = pw.read_parquet(tmp_path / "log.parquet")
    assert back.rejected.attrs == {"n_read_at_first_read": 9167, "n_rejected_at_first_read": 25}
    assert back.to_pandas()["row"].tolist() == log.to_pandas()["row"].tolist()
    assert back.to_pandas()["row"].max() == 9166  # the input row numbers, not the rows' places in the file


def test_a_custom_taxonomy_vocabulary_zone_and_attributes_come_back(tmp_path):
    log = custom_log()
    pw.write_parquet(log, tmp_path / "log.parquet")
    back = pw.read_parquet(tmp_path / "log.parquet")
    assert_same_log(back, log)
    df = back.to_pandas()
    assert df[["row", "case_id", "unit", "domain", "sector", "event_type"]].values.tolist() == [
        [0, "A", "Klinik X", "psychiatric", "region", "referral"],          # before Klinik X changed owner
        [1, "A", "Klinik X", "social", "municipality", "referral"],         # after; "Min aktivitet" mapped
        [2, "A", "Team Nord 2", "municipal_care", "municipality", "admission"],  # the user's rules
        [3, "B", "Egen læge", "unknown", "unknown", "referral"],            # no Danish rules in this taxonomy
        [4, "B", "Afsnit Q", "somatic", "private", "other"]]
    assert df[["note", "alder", "sector_attr"]].values.tolist() == [
        ["a", 71, "x"], ["b", 71, "x"], ["c", 71, "x"], ["d", 34, "y"], ["e", 34, "y"]]
    assert back.columns == {"case": "pt", "activity": "what", "timestamp": "when", "unit": "afsnit",
                            "attributes": ["note", "alder", "sector"]}
    assert back.attributes == ("note", "alder", "sector_attr") and back.tz == "Europe/London"
    assert back.rejected.attrs == {"n_read_at_first_read": 6, "n_rejected_at_first_read": 1}
    # the taxonomy read back is the same rules and periods: it classifies as the one written
    assert back.taxonomy.classify("Klinik X", at="2023-02-28", tz="Europe/London").domain == "psychiatric"
    assert back.taxonomy.classify("Klinik X", at="2023-03-01", tz="Europe/London").domain == "social"
    assert back.taxonomy.classify("Team Nord 7").rule == "team nord"
    assert back.vocabulary.classify("min aktivitet").event_type == "referral"
    again = pw.from_pandas(FRAME, case="pt", activity="what", timestamp="when", unit="afsnit", tz="Europe/London",
                           taxonomy=back.taxonomy, vocabulary=back.vocabulary, attributes=["note", "alder", "sector"])
    pd.testing.assert_frame_equal(again.to_pandas(), log.to_pandas())


def test_a_filtered_log_comes_back_with_its_rows(tmp_path):
    log = pw.filter_cases(custom_log(), ["B"])
    pw.write_parquet(log, tmp_path / "b.parquet")
    back = pw.read_parquet(tmp_path / "b.parquet")
    assert back.to_pandas()["row"].tolist() == [3, 4] and back.n_read == 2
    pd.testing.assert_frame_equal(back.to_pandas(), log.to_pandas())


def test_reading_back_does_not_parse_validate_or_classify(tmp_path, monkeypatch):
    """Every piece of the full read is made to fail: the reload still gives the same log, and the full
    read of the same file (mapping given) does fail, so the patches do bite."""
    import pathways.eventlog as E
    import pathways.io.parquet as P

    log = custom_log()
    pw.write_parquet(log, tmp_path / "log.parquet")

    def refuse(*args, **kwargs):
        raise AssertionError("the reload ran the full read's work")

    for owner, name in [(E, "build"), (P, "build"), (E, "_timestamp_sql"), (E, "row_checks"), (E, "_classify"),
                        (E, "_local_time_notes"), (E, "map_columns"), (UnitTaxonomy, "table_for"),
                        (Vocabulary, "table_for"), (UnitTaxonomy, "classify"), (Vocabulary, "classify")]:
        monkeypatch.setattr(owner, name, refuse)
    back = pw.read_parquet(tmp_path / "log.parquet")
    pd.testing.assert_frame_equal(back.to_pandas(), log.to_pandas())
    pd.testing.assert_frame_equal(back.unit_classes, log.unit_classes)
    with pytest.raises(AssertionError, match="the reload ran the full read's work"):
        pw.read_parquet(tmp_path / "log.parquet", case="case_id", activity="activity", timestamp="timestamp")


def test_a_mapping_given_reads_a_pathways_file_in_full(tmp_path):
    log = pw.datasets.load_sample("dirty_extract")
    pw.write_parquet(log, tmp_path / "log.parquet")
    full = pw.read_parquet(tmp_path / "log.parquet", case="case_id", activity="activity", timestamp="timestamp",
                           unit="unit", attributes=[])
    assert full.columns == {"case": "case_id", "activity": "activity", "timestamp": "timestamp", "unit": "unit",
                            "attributes": []}
    assert full.to_pandas()["row"].tolist() == list(range(9142))  # numbered by place in the file: a new read
    assert full.rejected.attrs == {}


def test_a_plain_file_without_a_mapping_says_which_arguments_are_needed(tmp_path):
    FRAME.to_parquet(tmp_path / "plain.parquet")
    with pytest.raises(OptionError) as info:
        pw.read_parquet(tmp_path / "plain.parquet")
    message = str(info.value)
    assert message.startswith("read_parquet needs case=..., activity=... and timestamp=... (the columns of the case "
                              "id, the activity, the event time) to read ")
    assert "it was not written by pw.write_parquet (it holds no pathways metadata)" in message
    assert "Its columns: 'pt', 'what', 'when', 'afsnit', 'note', 'alder', 'sector'." in message
    assert message.endswith("Pass them, e.g. pw.read_parquet(path, case='cpr', activity='haendelse', "
                            "timestamp='tidspunkt').")
    with pytest.raises(OptionError, match=r"^read_parquet needs activity=\.\.\. and timestamp=\.\.\. \(the "
                                          r"columns of the activity, the event time\)"):
        pw.read_parquet(tmp_path / "plain.parquet", case="pt")
    with pytest.raises(OptionError, match="it holds 2 files"):
        FRAME.to_parquet(tmp_path / "plain2.parquet")
        pw.read_parquet(tmp_path / "*.parquet")


def test_options_without_the_mapping_on_a_pathways_file_show_the_call(tmp_path):
    pw.write_parquet(custom_log(), tmp_path / "log.parquet")
    with pytest.raises(OptionError) as info:
        pw.read_parquet(tmp_path / "log.parquet", tz="UTC")
    assert str(info.value) == (
        f"read_parquet needs case=..., activity=... and timestamp=... (the columns of the case id, the activity, "
        f"the event time) for a full read: {str(tmp_path / 'log.parquet')!r} was written by pw.write_parquet, and "
        "pw.read_parquet(path) reads it back without any option, while the options given (tz) ask to read it "
        "again in full. Pass its columns as written, e.g. pw.read_parquet(path, case='case_id', "
        "activity='activity', timestamp='timestamp', unit='unit', attributes=['note', 'alder', 'sector_attr'], "
        "tz='Europe/London', ...).")


def _rewrite(src, dst, *, table=None, metadata=None):
    """The file ``src`` written again by pyarrow (which keeps the key-value metadata), edited."""
    t = pq.read_table(src) if table is None else table
    meta = dict(pq.read_metadata(src).metadata)
    if metadata is not None:
        meta[b"pathways"] = metadata
    pq.write_table(t.replace_schema_metadata(meta), dst)


def test_a_newer_or_broken_metadata_is_an_option_error(tmp_path):
    src = tmp_path / "log.parquet"
    pw.write_parquet(custom_log(), src)
    data = json.loads(pq.read_metadata(src).metadata[b"pathways"])
    _rewrite(src, tmp_path / "newer.parquet", metadata=json.dumps({**data, "format": 99}).encode())
    with pytest.raises(OptionError, match=r"was written by a newer pathways \(metadata format 99; this version reads "
                                          r"format 1 and older\): upgrade pathways, or pass the mapping"):
        pw.read_parquet(tmp_path / "newer.parquet")
    _rewrite(src, tmp_path / "broken.parquet", metadata=b"{not json")
    with pytest.raises(OptionError, match=r"the pathways metadata of .* cannot be read .*Read it with the mapping"):
        pw.read_parquet(tmp_path / "broken.parquet")
    del data["taxonomy"]
    _rewrite(src, tmp_path / "cut.parquet", metadata=json.dumps(data).encode())
    with pytest.raises(OptionError, match=r"cannot be read \(KeyError: 'taxonomy'\)"):
        pw.read_parquet(tmp_path / "cut.parquet")
    # still readable as plain Parquet with the mapping: the full read validates it again
    assert len(pw.read_parquet(tmp_path / "newer.parquet", case="case_id", activity="activity",
                               timestamp="timestamp")) == 5


def _read_edited(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        log = pw.read_parquet(path)
    notes = [str(w.message) for w in caught if issubclass(w.category, PathwaysWarning)]
    return log, notes


def test_an_edited_file_is_read_in_full_with_a_warning(tmp_path):
    src = tmp_path / "log.parquet"
    pw.write_parquet(custom_log(), src)
    t = pq.read_table(src)

    # a column dropped: the rest is read and validated in full, with the stored zone and classes
    _rewrite(src, tmp_path / "no_note.parquet", table=t.drop_columns(["note"]))
    log, notes = _read_edited(tmp_path / "no_note.parquet")
    assert len(notes) == 1 and "no longer fits the pathways metadata pw.write_parquet stored in it: column 'note' " \
        "is missing" in notes[0] and "It is read and validated in full" in notes[0]
    assert log.columns["case"] == "case_id" and log.attributes == ("alder", "sector_attr") and log.tz == "Europe/London"
    assert log.to_pandas()["domain"].tolist() == ["psychiatric", "social", "municipal_care", "unknown", "somatic"]

    # rows removed (pyarrow keeps the metadata)
    _rewrite(src, tmp_path / "fewer.parquet", table=t.slice(0, 3))
    log, notes = _read_edited(tmp_path / "fewer.parquet")
    assert "it holds 3 rows, not the 5 events written" in notes[0] and len(log) == 3

    # an activity the first read never saw: classified now, by the stored vocabulary
    acts = t.column("activity").to_pylist()
    acts[4] = "Henvisning til DP"
    _rewrite(src, tmp_path / "new_activity.parquet", table=t.set_column(2, "activity", pa_array(acts)))
    log, notes = _read_edited(tmp_path / "new_activity.parquet")
    assert "a value lies outside the stored classes" in notes[0]
    assert log.to_pandas()["event_type"].tolist() == ["referral", "referral", "admission", "referral", "referral"]

    # an empty case id (seen in the footer's statistics): the full read rejects that row
    cases = t.column("case_id").to_pylist()
    cases[1] = None
    _rewrite(src, tmp_path / "no_case.parquet", table=t.set_column(1, "case_id", pa_array(cases)))
    log, notes = _read_edited(tmp_path / "no_case.parquet")
    assert "column 'case_id' has empty values" in notes[0]
    assert len(log) == 4 and exploded(log.rejected)["problem"].tolist() == ["missing case id"]


def pa_array(values):
    import pyarrow as pa

    return pa.array(values, type=pa.string())


def test_write_parquet_stores_one_key_of_json(tmp_path):
    log = custom_log()
    pw.write_parquet(log, tmp_path / "log.parquet")
    meta = pq.read_metadata(tmp_path / "log.parquet").metadata
    assert list(meta) == [b"pathways"]
    data = json.loads(meta[b"pathways"])
    assert {k: data[k] for k in ("format", "columns", "attributes", "tz", "n_events", "n_read", "n_rejected")} == {
        "format": 1, "columns": {"case": "pt", "activity": "what", "timestamp": "when", "unit": "afsnit",
                                 "attributes": ["note", "alder", "sector"]},
        "attributes": ["note", "alder", "sector_attr"], "tz": "Europe/London", "n_events": 5, "n_read": 6,
        "n_rejected": 1}
    assert data["taxonomy"]["rules"] == [["team nord", r"\bteam nord\b", ["municipal_care", "municipality"], None, "X"]]
    # other tools read the events as plain Parquet, in input order
    assert pd.read_parquet(tmp_path / "log.parquet")["case_id"].tolist() == ["A", "A", "A", "B", "B"]


def test_an_empty_log_comes_back(tmp_path):
    log = pw.filter_cases(custom_log(), ["nobody"])
    pw.write_parquet(log, tmp_path / "empty.parquet")
    back = pw.read_parquet(tmp_path / "empty.parquet")
    assert len(back) == 0 and back.columns == log.columns
    pd.testing.assert_frame_equal(back.to_pandas(), log.to_pandas())


def test_a_file_with_the_canonical_names_needs_no_mapping(tmp_path):
    """The bundled samples' columns are the canonical names: read_parquet(path) maps them (issue 23, item 7)."""
    with pw.datasets.sample_path("psychiatry_somatic") as path:
        log = pw.read_parquet(path)
    assert log.columns == pw.datasets.load_sample("psychiatry_somatic").columns == {
        "case": "case_id", "activity": "activity", "timestamp": "timestamp", "end_timestamp": "end_timestamp",
        "unit": "unit", "resource": "resource", "referral_to": "referral_to",
        "attributes": ["age", "sex", "municipality", "cluster", "birth_date", "acute"]}
    pd.testing.assert_frame_equal(log.to_pandas(), pw.datasets.load_sample("psychiatry_somatic").to_pandas())
    # only the three required names are needed; other options still apply
    FRAME.rename(columns={"pt": "case_id", "what": "activity", "when": "timestamp"}).drop(columns="sector").to_parquet(
        tmp_path / "plain.parquet")
    with pytest.warns(PathwaysWarning, match="rejected"):  # C has no activity
        plain = pw.read_parquet(tmp_path / "plain.parquet", tz="Europe/London")
    assert plain.columns == {"case": "case_id", "activity": "activity", "timestamp": "timestamp",
                             "attributes": ["afsnit", "note", "alder"]}
    assert (len(plain), len(plain.rejected), plain.tz) == (5, 1, "Europe/London")
