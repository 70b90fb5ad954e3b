"""Every option of every reader, with wrong types and wrong values: an OptionError that names the option.

The walk is generated from the readers' signatures (``reader_options``) and the table of checks
(``pathways.io.options.CHECKS``): a reader option without a check, or without bad values here,
fails the walk. Then the CLI (config file and flags) and a Hypothesis property.
"""

from __future__ import annotations

import inspect
import pathlib
import zoneinfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pathways as pw
from pathways.errors import EventLogError, OptionError, PathwaysError
from pathways.io import options as _options
from pathways.io.options import CHECKS, FORWARDED, check_option, reader_options
import pathways_fuzz as F  # tests/hardening/_fuzz.py, registered by tests/conftest.py

#: every public reader; from_spark's options are checked before pyspark is even imported
READERS = {"read_csv": pw.read_csv, "read_parquet": pw.read_parquet, "read_excel": pw.read_excel,
           "read_xes": pw.read_xes, "from_pandas": pw.from_pandas, "from_pm4py": pw.from_pm4py,
           "from_spark": pw.from_spark}

#: two events of one case, with a unit and a free-text column
FRAME = pd.DataFrame({"c": ["1", "1"], "a": ["Henvisning", "Visitation"], "t": ["2023-01-02", "2023-01-05"],
                      "u": ["Egen læge", "Psykiatrisk Visitationsklinik"], "note": ["x", "y"]})
ROLES = {"case": "c", "activity": "a", "timestamp": "t"}

#: option -> wrong values (wrong type or wrong value); each must give OptionError naming the option
BAD = {
    **{role: [5, ["c", "d"], None, b"c", 1.5] for role in ("case", "activity", "timestamp")},
    **{role: [5, ["u"], b"u", True] for role in ("end_timestamp", "unit", "resource", "referral_to")},
    "attributes": ["note", {"note"}, 5, ["note", "note"], [1], {"note": 1}],
    "tz": ["Europe/Kobenhavn", 5, zoneinfo.ZoneInfo("UTC"), "", None],
    "timestamp_format": ["%Q", [], 5, ["%Y-%m-%d", 5], "", "%", ("%Y", "%J"), {"%Y"}],
    "dayfirst": ["no", 1, None, "True"],
    "strict": ["yes", 0, None],
    "duplicates": ["drop", True, None, ["keep"]],
    "taxonomy": ["danish", {}, 5],
    "vocabulary": ["danish", {}, 5],
    "sep": ["", ";;", 5, '"', "\n", "\r", "§", [";"]],
    "encoding": ["nope", "base64", "rot13", 5, b"utf-8"],
    "sheet": [None, -1, [0], 1.5, True],
    "max_value_chars": [0, -5, "x", 1.5, True, None],
    "engine": ["pandas", 5, None],
    "origin": [5, None],
    "path": [5, None, b"x.csv", ["x.csv"]],
    "df": [5, "frame.csv", None, {"c": [1]}],
}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """reader name -> (positional args, keyword args) of a call that reads FRAME's two events."""
    folder = tmp_path_factory.mktemp("options")
    csv = folder / "x.csv"
    FRAME.to_csv(csv, sep=";", index=False)
    parquet = folder / "x.parquet"
    FRAME.to_parquet(parquet)
    xlsx = folder / "x.xlsx"
    FRAME.to_excel(xlsx, index=False)
    xes = pw.write_xes(pw.from_pandas(FRAME, **ROLES, unit="u"), folder / "x.xes")
    pm4py = FRAME.rename(columns={"c": "case:concept:name", "a": "concept:name", "t": "time:timestamp"})
    return {"read_csv": ((str(csv),), ROLES), "read_parquet": ((str(parquet),), ROLES),
            "read_excel": ((xlsx,), ROLES), "read_xes": ((str(xes),), {}), "from_pandas": ((FRAME,), ROLES),
            "from_pm4py": ((pm4py,), {}), "from_spark": ((None,), ROLES)}


def _walk():
    """(reader, option, bad value) for every option of every reader; gaps are params that fail."""
    for reader, fn in READERS.items():
        for option in reader_options(fn):
            if option not in CHECKS:
                yield pytest.param(reader, option, "no check", id=f"{reader}-{option}-NO-CHECK")
            elif option not in BAD:
                yield pytest.param(reader, option, "no bad values", id=f"{reader}-{option}-NO-BAD-VALUES")
            elif reader == "from_spark" and option == "df":
                continue  # from_spark checks its Spark DataFrame after importing pyspark (tests/spark)
            else:
                for k, value in enumerate(BAD[option]):
                    yield pytest.param(reader, option, value, id=f"{reader}-{option}-{k}")


def _call(base, reader, **changes):
    args, kwargs = base[reader]
    args, kwargs = list(args), {**kwargs, **changes}
    first = next(iter(inspect.signature(inspect.unwrap(READERS[reader])).parameters))
    if first in kwargs:  # the file or the frame, given positionally
        args[0] = kwargs.pop(first)
    return READERS[reader](*args, **kwargs)


@pytest.mark.parametrize("reader, option, value", list(_walk()))
def test_every_bad_option_of_every_reader_is_an_option_error_naming_it(base, reader, option, value):
    assert value not in ("no check", "no bad values"), (
        f"{reader} takes {option!r}, but {'_options.CHECKS has no check' if value == 'no check' else 'BAD has no wrong values'} "
        "for it: add one")
    if option == "df":  # not a DataFrame at all: bad input data, as from_pandas always said
        with pytest.raises(EventLogError, match=f"{reader} expects a pandas DataFrame, got"):
            _call(base, reader, df=value)
        return
    with pytest.raises(OptionError) as info:
        _call(base, reader, **{option: value})
    assert isinstance(info.value, PathwaysError)
    assert str(info.value).startswith(f"{option}="), str(info.value)
    assert "\n" not in str(info.value)  # one problem, one line


def test_the_base_calls_read_the_two_events(base):
    """The walk's calls differ from these only in the bad option: these read FRAME's 2 events of 1 case."""
    for reader in READERS:
        if reader == "from_spark":
            continue  # Spark is tested in tests/spark
        log = _call(base, reader)
        assert (len(log), log.n_cases, len(log.rejected)) == (2, 1, 0), reader


def test_the_forwarded_options_are_those_of_both_validators():
    """A new option of build (DuckDB) or build_spark must get a check, or this fails."""
    from pathways.eventlog import build
    from pathways.io.spark import build_spark

    internal = {"source", "backend", "n_read", "origin", "extra_failures"}
    for builder in (build, build_spark):
        params = set(inspect.signature(builder).parameters) - internal
        assert params == {"case", "activity", "timestamp", "tz", *FORWARDED}, builder.__name__
    assert set(FORWARDED) <= set(CHECKS)


@pytest.mark.parametrize("reader", [r for r in READERS if r != "from_pandas"])
def test_a_typo_of_any_option_is_an_option_error_with_did_you_mean(base, reader):
    for option in reader_options(READERS[reader]):
        typo = option + "x"
        with pytest.raises(OptionError) as info:
            _call(base, reader, **{typo: "c"})
        assert f"{reader} has no option {typo!r}. Did you mean {option}=...?" in str(info.value), option


def test_a_typo_of_a_required_option_is_not_a_type_error(base):
    # before: TypeError "read_csv() missing 1 required keyword-only argument: 'timestamp'"
    with pytest.raises(OptionError) as info:
        pw.read_csv(base["read_csv"][0][0], case="c", activity="a", timestap="t")
    assert str(info.value).startswith("read_csv has no option 'timestap'. Did you mean timestamp=...? "
                                      "Its options are: path, case, activity, timestamp, sep, encoding, tz, ")
    # the missing timestamp is the same problem: said once
    assert "needs timestamp" not in str(info.value)


def test_a_missing_role_and_extra_positional_arguments(base):
    path = base["read_csv"][0][0]
    with pytest.raises(OptionError, match=r"^read_csv needs timestamp=\.\.\. \(the event time column\)\. "
                                          r"Pass e\.g\. timestamp='<column name>'\.$"):
        pw.read_csv(path, case="c", activity="a")
    with pytest.raises(OptionError, match=r"^read_csv takes only path by position, found 1 more\. Pass every "
                                          r"other option by keyword"):
        pw.read_csv(path, "c", activity="a", timestamp="t")
    with pytest.raises(OptionError, match="^read_csv got path twice"):
        pw.read_csv(path, path=path, **ROLES)


def test_every_problem_is_named_at_once(base):
    with pytest.raises(OptionError) as info:
        pw.read_csv(base["read_csv"][0][0], **ROLES, sep=";;", encoding="nope", dayfirst="no")
    lines = str(info.value).splitlines()
    assert [line.split(":")[0].split(" ")[0] for line in lines] == ["sep=';;'", "encoding='nope'", "dayfirst='no'"]


def test_the_messages_say_what_was_found_and_the_fix():
    def message(name, value):
        with pytest.raises(OptionError) as info:
            check_option(name, value)
        return str(info.value)

    assert message("sep", ";;") == (
        "sep=';;': expected one character, found 2. A separator is one character, e.g. ';', ',', '|' or a tab "
        "'\\t'; leave it out to guess it from the header. Did you mean sep=';'?")
    assert message("sep", "\\t").endswith("Did you mean sep='\\t'?")  # a backslash and a t: the tab
    assert message("encoding", "utf8x").endswith("Did you mean 'utf_8'?")
    assert message("encoding", "rot13").startswith("encoding='rot13' is not a text encoding Python knows.")
    assert message("timestamp_format", "%d-%m-%Y %Q").startswith(
        "timestamp_format='%d-%m-%Y %Q': DuckDB cannot parse with '%d-%m-%Y %Q' (Unrecognized format for "
        "strftime/strptime: %Q). Use strptime codes DuckDB knows, e.g. '%d-%m-%Y %H:%M'")
    assert message("attributes", "note") == ("attributes='note': attributes is a list of column names, found one "
                                             "text. Pass attributes=['note'].")
    assert message("case", 12) == "case=12: a column is named by text, found int. Pass one column name, e.g. case='12'."
    assert message("tz", "Europe/Copenhagn").endswith("Did you mean 'Europe/Copenhagen'?")
    assert message("sep", "x" * 500).startswith("sep='xxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxx': expected one")


def test_good_values_of_every_kind_are_still_accepted(base, tmp_path):
    """What was accepted before stays accepted: tuples, pandas Index, numpy bools, Paths, format lists."""
    log = pw.from_pandas(FRAME, **ROLES, attributes=FRAME.columns[4:], dayfirst=np.bool_(False),
                         timestamp_format=("%d-%m-%Y", "%Y-%m-%d"), strict=True, duplicates="reject",
                         unit="u", origin="udtræk")
    assert (len(log), list(log.attributes), log.origin) == (2, ["note"], "udtræk")
    csv = pathlib.Path(base["read_csv"][0][0])
    log = pw.read_csv(csv, **ROLES, sep=";", encoding="latin-1", tz="UTC", attributes=("note",))
    assert (len(log), list(log.attributes)) == (2, ["note"])
    assert len(pw.read_excel(base["read_excel"][0][0], **ROLES, sheet="Sheet1")) == 2
    assert len(pw.read_xes(base["read_xes"][0][0], max_value_chars=100, unit=None)) == 2


def test_the_rejection_warning_points_at_the_callers_line(base):
    """Through the option checks and readers calling readers, the warning names this file, not pathways'."""
    import warnings

    from pathways.eventlog import PathwaysWarning

    frame = FRAME.assign(t=["2023-01-02", "31-02-2023"])  # one date that is not a date
    for reader, call in [("from_pandas", lambda: pw.from_pandas(frame, **ROLES)),
                         ("read_excel", lambda: pw.read_excel(base["read_excel"][0][0], **ROLES,
                                                              timestamp_format="%d-%m-%Y"))]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PathwaysWarning)
            call()
        assert [(w.category, w.filename) for w in caught] == [(PathwaysWarning, __file__)], reader


def test_a_codec_that_does_not_fit_the_file_is_an_event_log_error(base):
    # before: a raw UnicodeError "UTF-16 stream does not start with BOM" left read_csv
    with pytest.raises(EventLogError, match=r"encoding utf-16\): UTF-16 stream does not start with BOM\. "
                                            r"Pass sep=\.\.\. or encoding=\.\.\. explicitly\.$"):
        pw.read_csv(base["read_csv"][0][0], **ROLES, encoding="utf-16")


# --------------------------------------------------------------------------- the CLI
@pytest.fixture
def extract(tmp_path):
    path = tmp_path / "x.csv"
    FRAME.to_csv(path, sep=";", index=False)
    return path


def _cli(capsys, *args):
    from pathways.cli import main

    code = main(["validate", *map(str, args)])
    return code, capsys.readouterr().err


def test_cli_config_with_wrong_value_types_exits_2_naming_each(extract, tmp_path, capsys):
    config = tmp_path / "cfg.yaml"
    config.write_text("columns:\n  case: [1, 2]\n  activity: a\n  timestamp: t\n  unit: null\n"
                      "reading:\n  sep: 5\n  dayfirst: 'no'\n  encoding: null\n", encoding="utf-8")
    code, err = _cli(capsys, extract, "--config", config)
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == (f"pathways: error: {str(config)!r}, setting columns.case: case=[1, 2]: a column is named by "
                        "text, found list. Pass one column name, e.g. --case '<column name>'. In the file, write e.g. "
                        'case: "..." (text in quotes).')
    assert lines[1].startswith(f"  {str(config)!r}, setting reading.sep: --sep 5: expected one character, found int.")
    assert lines[2].startswith(f"  {str(config)!r}, setting reading.dayfirst: dayfirst='no': expected True or False")
    assert lines[2].endswith("In the file, write e.g. dayfirst: true.")
    assert "internal error" not in err


def test_cli_config_with_good_values_and_nulls_still_reads(extract, tmp_path, capsys):
    config = tmp_path / "cfg.yaml"
    config.write_text("columns:\n  case: c\n  activity: a\n  timestamp: t\n  unit: u\n  resource: null\n"
                      "reading:\n  sep: ';'\n  dayfirst: false\n  encoding: utf-8\n  timestamp_format: ['%Y-%m-%d']\n"
                      "  tz: null\n", encoding="utf-8")
    code, err = _cli(capsys, extract, "--config", config)
    assert (code, err) == (0, "")


@pytest.mark.parametrize("flag, value, start", [
    # the command line's messages speak in its flags
    ("--encoding", "nope", "--encoding nope is not a text encoding Python knows."),
    ("--sep", ";;", "--sep ';;': expected one character, found 2."),
    ("--timestamp-format", "%Q", "--timestamp-format %Q: DuckDB cannot parse with '%Q'"),
    ("--tz", "Europe/Kobenhavn", "--tz Europe/Kobenhavn is not a time zone."),
])
def test_cli_bad_reading_flags_exit_2_not_internal_error(extract, capsys, flag, value, start):
    code, err = _cli(capsys, extract, "--case", "c", "--activity", "a", "--timestamp", "t", f"{flag}={value}")
    assert code == 2
    assert err.startswith(f"pathways: error: {start}"), err
    assert "internal error" not in err


# --------------------------------------------------------------------------- the property
#: values that read (so that the property goes past the checks too), per option
PLAUSIBLE = {
    "case": ["c", "a", "nope"], "activity": ["a", "u"], "timestamp": ["t", "note"],
    "end_timestamp": [None, "t", "note"], "unit": [None, "u", "auto"], "resource": [None, "note"],
    "referral_to": [None, "u"], "attributes": [None, [], ["note"], ("note", "u")],
    "tz": ["UTC", "Europe/Copenhagen", "Asia/Kolkata"],
    "timestamp_format": [None, "%Y-%m-%d", "%d-%m-%Y", ["%Y-%m-%d", "%z"], "abc", "%Y-%m-%d %H:%M"],
    "dayfirst": [True, False], "strict": [True, False], "duplicates": ["keep", "reject"],
    "sep": [None, ";", ",", "\t", "|", " ", "a", "\x01"],
    "encoding": [None, "utf-8", "cp1252", "latin-1", "utf-8-sig", "ascii", "utf-16", "utf-32", "cp865"],
    "sheet": [0, 1, "Sheet1", "nope"], "max_value_chars": [1, 5, 1_000_000],
    "engine": ["duckdb"],  # "spark" would start Spark: tests/spark
    "origin": ["udtræk"],
}
ANY = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=8),
                st.binary(max_size=4), st.lists(st.text(max_size=3), max_size=3), st.dictionaries(st.text(max_size=2),
                                                                                                 st.integers(), max_size=2))


@st.composite
def reader_calls(draw):
    reader = draw(st.sampled_from([r for r in READERS if r != "from_spark"]))
    names = [o for o in reader_options(READERS[reader]) if o not in ("path", "df")]
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=4))
    if draw(st.sampled_from([False] * 9 + [True])):
        chosen.append(draw(st.sampled_from(["timestap", "sepx", "Case", ""])))  # an unknown option
    # mostly values that read, so that the property goes past the checks into the readers
    plausible = st.sampled_from
    options = {o: draw(st.one_of(*[plausible(PLAUSIBLE.get(o, [None]))] * 4, ANY)) for o in chosen}
    return reader, options


@F.fuzz_settings(100)
@given(call=reader_calls())
def test_random_options_give_an_event_log_or_a_pathways_error(base, call):
    reader, options = call
    try:
        out = _call(base, reader, **options)
    except PathwaysError:
        return
    assert isinstance(out, pw.EventLog)
    assert len(out) + len(out.rejected) == out.n_read


def test_the_module_is_the_one_table_the_cli_uses():
    from pathways import cli

    assert set(cli.ROLES) | set(cli.READING) <= set(_options.CHECKS)


CONFIG_PLAUSIBLE = {"case": ["c"], "activity": ["a"], "timestamp": ["t"], "end_timestamp": [None, "t"],
                    "unit": [None, "u"], "resource": [None, "note"], "referral_to": [None, "u"],
                    **{k: PLAUSIBLE[k] for k in ("sep", "encoding", "dayfirst", "timestamp_format", "tz")}}


@st.composite
def configs(draw):
    from pathways.cli import READING, ROLES

    section = {}
    # --engine/--master start Spark: their checks are tested in tests/spark, not with random configs here
    reading = [n for n in READING if n not in ("engine", "master")]
    for key, names in (("columns", ROLES), ("reading", reading)):
        chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=4))
        values = {n: draw(st.one_of(*[st.sampled_from(CONFIG_PLAUSIBLE[n])] * 3, ANY)) for n in chosen}
        section[key] = {**({n: CONFIG_PLAUSIBLE[n][0] for n in ("case", "activity", "timestamp")}
                           if key == "columns" else {}), **values}
    return section


@F.fuzz_settings(40, long_share=0.25)  # each input runs the command line on a file
@given(config=configs())
def test_random_config_values_never_make_the_cli_say_internal_error(extract, tmp_path, capsys, config):
    import yaml

    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    code, err = _cli(capsys, extract, "--config", path)
    assert code in (0, 1, 2), err
    assert "internal error" not in err
    assert (code == 2) == err.startswith("pathways: error: ")
