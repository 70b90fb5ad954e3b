"""Every reader against the bad inputs real extracts bring. Expected values worked out by hand."""


import pandas as pd
import pytest

import pathways as pw

MAP = dict(case="cpr", activity="hændelse", timestamp="tidspunkt", unit="afsnit")
ROWS = [
    ["1", "Henvisning", "02-01-2023 08:00", "Egen læge"],
    ["1", "Førstegangssamtale", "20-01-2023 10:30", "Distriktspsykiatri"],
    ["2", "Henvisning", "2023-01-03 09:00", "Egen læge"],   # ISO among day-first: mixed formats
    ["NA", "Indlæggelse", "31-02-2023 09:00", "Medicinsk afdeling"],  # no 31 February
]
HEADER = ["cpr", "hændelse", "tidspunkt", "afsnit"]


def write(fmt, tmp_path, rows=ROWS, header=HEADER, sep=";", encoding="utf-8"):
    path = tmp_path / f"extract.{fmt}"
    df = pd.DataFrame(rows, columns=header, dtype="str")
    if fmt == "csv":
        with open(path, "w", encoding=encoding, newline="") as f:
            f.write(sep.join(header) + "\n")
            for r in rows:
                f.write(sep.join(r) + "\n")
    elif fmt == "parquet":
        df.to_parquet(path)
    elif fmt == "xlsx":
        df.to_excel(path, index=False)
    return path


def read(fmt, path, **kw):
    reader = {"csv": pw.read_csv, "parquet": pw.read_parquet, "xlsx": pw.read_excel}[fmt]
    return reader(path, **{**MAP, "dayfirst": True, **kw})


FORMATS = ["csv", "parquet", "xlsx"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_mixed_formats_and_a_bad_date(fmt, tmp_path):
    log = read(fmt, write(fmt, tmp_path))
    assert len(log) == 3 and log.n_read == 4
    assert log.rejected.to_dict("records") == [
        {"row": 3, "column": "tidspunkt", "problem": "not a date", "value": "31-02-2023 09:00"}]
    got = log.to_pandas()["timestamp"].dt.strftime("%Y-%m-%d %H:%M").tolist()
    assert got == ["2023-01-02 08:00", "2023-01-20 10:30", "2023-01-03 09:00"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_file(fmt, tmp_path):
    path = tmp_path / f"empty.{fmt}"
    path.write_bytes(b"")
    with pytest.raises(pw.EventLogError):
        read(fmt, path)


@pytest.mark.parametrize("fmt", FORMATS)
def test_header_only_gives_an_empty_log(fmt, tmp_path):
    log = read(fmt, write(fmt, tmp_path, rows=[]))
    assert len(log) == 0 and len(log.rejected) == 0 and log.n_read == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_row(fmt, tmp_path):
    log = read(fmt, write(fmt, tmp_path, rows=ROWS[:1]))
    assert len(log) == 1 and log.to_pandas().loc[0, "unit"] == "Egen læge"


@pytest.mark.parametrize("fmt", FORMATS)
def test_integer_case_ids(fmt, tmp_path):
    rows = [["101", "Henvisning", "2023-01-01 10:00", "Egen læge"],
            ["0042", "Henvisning", "2023-01-02 10:00", "Egen læge"]]
    path = write(fmt, tmp_path, rows=rows)
    if fmt == "parquet":  # a real integer column
        pd.DataFrame({"cpr": [101, 42], "hændelse": ["Henvisning"] * 2,
                      "tidspunkt": ["2023-01-01 10:00", "2023-01-02 10:00"],
                      "afsnit": ["Egen læge"] * 2}).to_parquet(path)
    ids = read(fmt, path).to_pandas()["case_id"].tolist()
    assert ids == (["101", "42"] if fmt == "parquet" else ["101", "0042"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_case_column(fmt, tmp_path):
    with pytest.raises(pw.EventLogError) as err:
        read(fmt, write(fmt, tmp_path), case="cpr_nr")
    assert "case='cpr_nr': no such column (closest: 'cpr')" in str(err.value)
    assert "'hændelse'" in str(err.value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_file(fmt, tmp_path):
    with pytest.raises(pw.EventLogError, match="no (Parquet )?file at"):
        read(fmt, tmp_path / f"nowhere.{fmt}")


def test_csv_wrong_separator_says_which_to_use(tmp_path):
    with pytest.raises(pw.EventLogError) as err:
        read("csv", write("csv", tmp_path), sep=",")
    assert "pass sep=';'" in str(err.value)


def test_csv_separator_is_guessed(tmp_path):
    for sep in [";", ",", "\t", "|"]:
        assert len(read("csv", write("csv", tmp_path, sep=sep))) == 3


def test_csv_latin1_and_cp1252(tmp_path):
    for enc in ["latin-1", "cp1252"]:
        log = read("csv", write("csv", tmp_path, encoding=enc))
        assert set(log.to_pandas()["activity"]) == {"Henvisning", "Førstegangssamtale"}
    rows = [["1", "Henvisning", "2023-01-01 10:00", "Afd. € “Øst”"]]
    log = read("csv", write("csv", tmp_path, rows=rows, encoding="cp1252"))
    assert log.to_pandas().loc[0, "unit"] == "Afd. € “Øst”"


def test_csv_utf8_bom_and_quoted_newline(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffcpr;hændelse;tidspunkt;afsnit\n"
                     "1;\"Henvisning\nmed note\";2023-01-01 10:00;Egen læge\n"
                     "1;Visitation;2023-01-02 10:00;Egen læge\n".encode("utf-8"))
    df = read("csv", path).to_pandas()
    assert df["activity"].tolist() == ["Henvisning\nmed note", "Visitation"]


def test_csv_na_and_null_are_ids_not_missing(tmp_path):
    rows = [["NA", "Henvisning", "2023-01-01", "Egen læge"], ["null", "Henvisning", "2023-01-01", "Egen læge"],
            ["None", "Henvisning", "2023-01-01", ""]]
    log = read("csv", write("csv", tmp_path, rows=rows))
    df = log.to_pandas()
    assert df["case_id"].tolist() == ["NA", "null", "None"]
    assert df["unit"].isna().tolist() == [False, False, True]


def test_csv_ragged_line_is_rejected_with_its_row(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("cpr;hændelse;tidspunkt;afsnit\n"
                    "1;Henvisning;2023-01-01 10:00;Egen læge\n"
                    "1;Visitation;2023-01-02 10:00;Egen læge;EXTRA\n"
                    "2;Henvisning;2023-01-03 10:00;Egen læge\n", encoding="utf-8")
    log = read("csv", path)
    assert log.to_pandas()["row"].tolist() == [0, 2]
    assert log.rejected.to_dict("records") == [
        {"row": 1, "column": "*", "problem": "5 fields where the header has 4",
         "value": "1;Visitation;2023-01-02 10:00;Egen læge;EXTRA"}]
    assert len(log) + len(log.rejected) == log.n_read == 3


def test_csv_duplicate_header_names(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("cpr;tid;tid\n1;a;b\n", encoding="utf-8")
    with pytest.raises(pw.EventLogError, match="repeats the column name"):
        pw.read_csv(path, case="cpr", activity="tid", timestamp="tid")


def test_parquet_round_trip_keeps_everything(tmp_path):
    log = read("csv", write("csv", tmp_path))
    out = tmp_path / "out.parquet"
    pw.write_parquet(log, out)
    back = pw.read_parquet(out, case="case_id", activity="activity", timestamp="timestamp",
                           end_timestamp="end_timestamp", unit="unit", attributes=[])
    a, b = log.to_pandas(), back.to_pandas()
    assert a["timestamp"].tolist() == b["timestamp"].tolist()
    assert a["unit"].tolist() == b["unit"].tolist()


def test_parquet_folder_keeps_file_order(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    for i in range(2):
        pd.DataFrame({"c": [f"p{i}", f"p{i}"], "a": ["x", "y"], "t": ["2023-01-01", "2023-01-02"]}) \
            .to_parquet(folder / f"part{i}.parquet")
    df = pw.read_parquet(folder, case="c", activity="a", timestamp="t").to_pandas()
    assert df["row"].tolist() == [0, 1, 2, 3] and df["case_id"].tolist() == ["p0", "p0", "p1", "p1"]


def test_not_a_parquet_file(tmp_path):
    path = tmp_path / "x.parquet"
    path.write_text("cpr;tid\n1;2\n")
    with pytest.raises(pw.EventLogError, match="as Parquet"):
        pw.read_parquet(path, case="cpr", activity="tid", timestamp="tid")


def test_excel_dates_stay_dates(tmp_path):
    path = tmp_path / "x.xlsx"
    pd.DataFrame({"cpr": ["NA", "2"], "hændelse": ["Henvisning", "Visitation"],
                  "tidspunkt": pd.to_datetime(["2023-05-01 10:00", "2023-05-02 11:00"]),
                  "afsnit": ["Egen læge", "PVK"]}).to_excel(path, index=False)
    df = read("xlsx", path).to_pandas()
    assert df["case_id"].tolist() == ["NA", "2"]
    assert df["timestamp"].dt.strftime("%d-%m %H:%M").tolist() == ["01-05 10:00", "02-05 11:00"]
