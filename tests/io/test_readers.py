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
    assert exploded(log.rejected).to_dict("records") == [
        {"row": 3, "code": "not_a_date", "column": "tidspunkt", "problem": "not a date", "value": "31-02-2023 09:00"}]
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
    assert exploded(log.rejected).to_dict("records") == [
        {"row": 1, "code": "wrong_field_count", "column": "*",
         "problem": "a different number of fields than the header",
         "value": "1;Visitation;2023-01-02 10:00;Egen læge;EXTRA"}]
    assert len(log) + len(log.rejected) == log.n_read == 3


def test_csv_duplicate_header_names(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("cpr;tid;tid\n1;a;b\n", encoding="utf-8")
    with pytest.raises(pw.EventLogError, match=r"duplicate column names \[.tid.\]"):
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


def test_parquet_rows_are_numbered_in_ranges_and_across_files(tmp_path):
    """DuckDB scans a row group on one thread: a row group holding more than a thread's share of the rows is read
    in that many ranges of rows, side by side. 1,000 rows in row groups of 600 and 400, on 3 and on 2 threads: the
    shares are 334 and 500 rows, so the 600 are read in 2 ranges (and the 400 in 2 on 3 threads); on 1 thread,
    whole. The same rows in a folder of three files (300 rows, none, 700) are numbered by each file's row number
    plus the rows of the files before it. Whatever the ranges and files, the log holds every row once, in its input
    order, and a bad row is reported by its own number."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pathways.io.parquet import _row_ranges

    assert _row_ranges(3, [600, 400]) == [(0, 300), (300, 600), (600, 800), (800, 1000)]
    assert _row_ranges(2, [600, 400]) == [(0, 300), (300, 600), (600, 1000)]
    assert _row_ranges(2, [500, 500]) == _row_ranges(1, [600, 400]) == _row_ranges(2, []) == [(None, None)]
    n = 1000
    times = [f"2023-01-{1 + i % 28:02d} {i % 24:02d}:00" for i in range(n)]
    times[700] = "not a time"
    table = pa.table({"c": [f"p{i // 10}" for i in range(n)], "a": [f"a{i % 7}" for i in range(n)], "t": times})
    pq.write_table(table, tmp_path / "events.parquet", row_group_size=600)
    (tmp_path / "parts").mkdir()
    for name, lo, hi in (("a", 0, 300), ("b", 300, 300), ("c", 300, n)):
        pq.write_table(table.slice(lo, hi - lo), tmp_path / "parts" / f"{name}.parquet")
    before = pw.configure_engine()["threads"]
    try:
        for threads, path in ((3, "events.parquet"), (2, "events.parquet"), (1, "events.parquet"), (2, "parts")):
            pw.configure_engine(threads=threads)
            with pytest.warns(pw.PathwaysWarning, match="1 of 1,000 rows"):
                log = pw.read_parquet(tmp_path / path, case="c", activity="a", timestamp="t")
            df = log.to_pandas()
            assert log.n_read == n and df["row"].tolist() == [i for i in range(n) if i != 700]
            assert df["activity"].tolist() == [f"a{i % 7}" for i in range(n) if i != 700]
            assert log.rejected["row"].tolist() == [700]
    finally:
        pw.configure_engine(threads=before)


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


# --------------------------------------------------------------------------- issue 19: input data semantics
import csv  # noqa: E402
import io  # noqa: E402
import warnings  # noqa: E402

from pathways.eventlog import WHITESPACE  # noqa: E402
from pathways.rejections import exploded

# openpyxl refuses the control characters XML cannot carry (U+000B, U+000C, U+001C-U+001F)
_XML_SAFE = [c for c in WHITESPACE if c in "\t\n\r" or ord(c) >= 0x20]


def _whitespace_rows(chars):
    """Per character: a blank activity (rejected), values wrapped in it (trimmed), a blank unit (NULL)."""
    rows = []
    for i, ch in enumerate(chars):
        rows += [[f"p{i}", ch, "2023-01-02", "Egen læge"],
                 [f"{ch}p{i}{ch}", f"{ch}Henvisning{ch}", f"{ch}2023-01-03 10:00{ch}", f"{ch}Egen læge{ch}"],
                 [f"p{i}", "Visitation", "2023-01-04", ch]]
    return rows


@pytest.mark.parametrize("fmt", FORMATS)
def test_whitespace_cells_in_every_reader(fmt, tmp_path):
    # before: ConversionException "Could not convert string '\t' to ENUM(...)" from every reader
    chars = list(WHITESPACE) if fmt != "xlsx" else _XML_SAFE
    rows = _whitespace_rows(chars)
    path = tmp_path / f"ws.{fmt}"
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
            w.writerow(HEADER)
            w.writerows(rows)
    else:
        write(fmt, tmp_path, rows=rows).rename(path)
    log = read(fmt, path)
    n = len(chars)
    assert log.n_read == 3 * n
    assert log.rejected["row"].tolist() == [3 * i for i in range(n)]
    assert set(exploded(log.rejected)["problem"]) == {"missing activity"}
    out = log.to_pandas()
    assert out["case_id"].tolist() == [f"p{i}" for i in range(n) for _ in range(2)]
    assert out["activity"].tolist() == ["Henvisning", "Visitation"] * n
    assert [None if pd.isna(u) else u for u in out["unit"]] == ["Egen læge", None] * n
    assert out["timestamp"].dt.strftime("%d %H:%M").tolist() == ["03 10:00", "04 00:00"] * n


def test_whitespace_cells_in_xes(tmp_path):
    def ref(text):  # characters as references, so XML keeps them as they are
        return "".join(f"&#{ord(c)};" if c.isspace() else c for c in text)

    events = []
    for ch in _XML_SAFE:
        events.append(f'<event><string key="concept:name" value="{ref(ch)}"/>'
                      f'<date key="time:timestamp" value="2023-01-02T10:00:00"/></event>')
        events.append(f'<event><string key="concept:name" value="{ref(ch + "Henvisning" + ch)}"/>'
                      f'<string key="org:group" value="{ref(ch)}"/>'
                      f'<date key="time:timestamp" value="2023-01-03T10:00:00"/></event>')
    path = tmp_path / "ws.xes"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><log xes.version="1.0"><trace>'
                    '<string key="concept:name" value="p1"/>' + "".join(events) + "</trace></log>", encoding="utf-8")
    log = pw.read_xes(path)
    assert len(log) == len(_XML_SAFE) and len(log.rejected) == len(_XML_SAFE)
    assert set(exploded(log.rejected)["problem"]) == {"missing activity"}
    assert set(log.to_pandas()["activity"]) == {"Henvisning"} and log.to_pandas()["unit"].isna().all()


def test_csv_header_name_with_a_line_break_and_a_quote(tmp_path):
    # before: 0 events and 1 rejected row from 1,000 records (the header was read from the first physical
    # line, the data skipped one physical line)
    path = tmp_path / "note.csv"
    body = "".join(f"{i},Henvisning,2023-01-02 10:00,n{i}\n" for i in range(1000))
    path.write_text('c,a,t,"note\n"""\n' + body, encoding="utf-8")
    log = pw.read_csv(path, case="c", activity="a", timestamp="t")
    assert (len(log), len(log.rejected), log.n_read) == (1000, 0, 1000)
    assert log.attributes == ('note\n"',) and log.to_pandas()['note\n"'].tolist()[:2] == ["n0", "n1"]


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_csv_header_names_with_control_characters(tmp_path, eol):
    names = ["c", "a", "t", "esc\x1b[2J", "cr\ry", "q;\"uote\"", "lf\nz", "tab\tbell\x07"]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator=eol, quoting=csv.QUOTE_NONNUMERIC)
    w.writerow(names)
    w.writerows([["1", "Henvisning", "2023-01-02", "a", "b", "c", "d", "e"],
                 ["1", "Visitation", "2023-01-03", "f", "g", "h", "i;j", "k"]])
    path = tmp_path / "ctl.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    log = pw.read_csv(path, case="c", activity="a", timestamp="t")
    assert list(log.attributes) == names[3:]
    assert log.to_pandas()[names[3:]].values.tolist() == [["a", "b", "c", "d", "e"], ["f", "g", "h", "i;j", "k"]]
    # a NUL cannot be kept in a name (result frames cut it there): refused, saying so
    path.write_bytes(buf.getvalue().replace("esc", "nul\x00").encode("utf-8"))
    with pytest.raises(pw.EventLogError, match="a column name with a NUL character"):
        pw.read_csv(path, case="c", activity="a", timestamp="t")


@pytest.mark.parametrize("before", ["\n", "\n\n\n", "\r\n  \r\n", " \t\n\n"])
def test_csv_blank_lines_before_the_header_are_skipped(tmp_path, before):
    # before: a raw ParserException / ArrowInvalid
    path = tmp_path / "blank.csv"
    path.write_text(before + "cpr;hændelse;tidspunkt;afsnit\n"
                    "1;Henvisning;2023-01-02 10:00;Egen læge\n"
                    "1;Visitation;2023-01-03 10:00;Egen læge;EXTRA\n"
                    "2;Henvisning;2023-01-04 10:00;Egen læge\n", encoding="utf-8", newline="")
    log = read("csv", path)
    assert log.to_pandas()["row"].tolist() == [0, 2] and log.n_read == 3
    assert exploded(log.rejected)[["row", "problem"]].to_dict("records") == [
        {"row": 1, "problem": "a different number of fields than the header"}]


@pytest.mark.parametrize("data", [b"cpr;h\xc3\xa6ndelse;tidspunkt", b"\n\ncpr;h\xc3\xa6ndelse;tidspunkt\r\n",
                                  b'cpr;h\xc3\xa6ndelse;"tids\npunkt"'])
def test_csv_header_only_is_an_empty_log(tmp_path, data):
    # before: "Could not skip initial 1 rows" when the file ends without a line break
    path = tmp_path / "head.csv"
    path.write_bytes(data)
    log = pw.read_csv(path, case="cpr", activity="hændelse", timestamp=data.split(b";")[-1].strip(b'"\r\n')
                      .decode())
    assert (len(log), len(log.rejected), log.n_read) == (0, 0, 0)


def test_csv_header_with_an_unclosed_quote_is_refused(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('cpr;hændelse;"tidspunkt\n1;Henvisning;2023-01-02\n', encoding="utf-8")
    with pytest.raises(pw.EventLogError, match="the header has a quote that is never closed"):
        read("csv", path)


def _ascii_head(tail: bytes) -> bytes:
    """A CSV whose first 64 KiB are plain ASCII, then ``tail`` (one more row)."""
    rows = b"".join(b"%d;Henvisning;2023-01-02 10:00;Egen laege\n" % i for i in range(2000))
    assert len(rows) > 1 << 16
    return b"cpr;h\xc3\xa6ndelse;tidspunkt;afsnit\n".replace(b"h\xc3\xa6ndelse", b"haendelse") + rows + tail


def test_csv_windows_1252_after_an_ascii_head_is_read_as_such_with_a_warning(tmp_path):
    # before: re-read as cp1252 without a word
    path = tmp_path / "late.csv"
    path.write_bytes(_ascii_head("9;Henvisning;2023-01-02 10:00;Børne- og Ungeafsnit\n".encode("cp1252")))
    with pytest.warns(pw.PathwaysWarning, match=r"not UTF-8 \(1 byte\(s\) are not\).*read as Windows-1252 "
                                                r"\(cp1252\)\. Pass encoding='cp1252'"):
        log = pw.read_csv(path, case="cpr", activity="haendelse", timestamp="tidspunkt", unit="afsnit")
    assert log.to_pandas()["unit"].iloc[-1] == "Børne- og Ungeafsnit" and len(log) == 2001


def test_csv_utf8_letters_beside_a_stray_byte_stay_letters(tmp_path):
    # before: the whole file was re-read as cp1252, and "Ærø" became "Ã†rÃ¸"
    path = tmp_path / "mixed.csv"
    path.write_bytes(_ascii_head("9;Henvisning;2023-01-02 10:00;Ærø\n".encode("utf-8")
                                 + b"10;Henvisning;2023-01-02 10:00;Afsnit \x85\n"))
    with pytest.warns(pw.PathwaysWarning, match=r"UTF-8 but for 1 byte\(s\) that are not: each was read as the "
                                                r"replacement character"):
        log = pw.read_csv(path, case="cpr", activity="haendelse", timestamp="tidspunkt", unit="afsnit")
    assert log.to_pandas()["unit"].tolist()[-2:] == ["Ærø", "Afsnit \ufffd"]


def test_csv_in_utf8_or_cp1252_from_the_start_needs_no_warning(tmp_path):
    for encoding in ["utf-8", "cp1252"]:
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes("cpr;hændelse;tidspunkt\n1;Førstegangssamtale;2023-01-02\n".encode(encoding))
        with warnings.catch_warnings():
            warnings.simplefilter("error", pw.PathwaysWarning)
            log = pw.read_csv(path, case="cpr", activity="hændelse", timestamp="tidspunkt")
        assert log.to_pandas()["activity"].tolist() == ["Førstegangssamtale"]


def test_parquet_names_that_differ_only_in_case_are_refused(tmp_path):
    # before: accepted silently (DuckDB renamed one of them)
    path = tmp_path / "case.parquet"
    pd.DataFrame({"c": ["1"], "a": ["Henvisning"], "t": ["2023-01-02"], "Afsnit": ["x"],
                  "afsnit": ["y"]}).to_parquet(path)
    with pytest.raises(pw.EventLogError, match=r"duplicate column names \['Afsnit', 'afsnit'\]"):
        pw.read_parquet(path, case="c", activity="a", timestamp="t")


def test_parquet_nan_case_ids_are_missing(tmp_path):
    # before: every NaN case id became one case "nan"
    import pyarrow as pa
    import pyarrow.parquet as pq

    nan = float("nan")
    path = tmp_path / "nan.parquet"
    pq.write_table(pa.table({"c": pa.array([1.0, nan, nan, 2.0], from_pandas=False),
                             "a": pa.array(["Henvisning", "Visitation", None, "Henvisning"]),
                             "u": pa.array([nan, 1.0, 2.0, 3.0], from_pandas=False),
                             "t": ["2023-01-02"] * 4}), path)
    log = pw.read_parquet(path, case="c", activity="a", timestamp="t", unit="u")
    assert log.rejected[["row", "code"]].to_dict("records") == [
        {"row": 1, "code": ["missing_case_id"]}, {"row": 2, "code": ["missing_case_id", "missing_activity"]}]
    out = log.to_pandas()
    assert out["case_id"].tolist() == ["1", "2"] and [None if pd.isna(u) else u for u in out["unit"]] == [None, "3"]
