"""Shared pieces of the hardening tests: how many examples, the strategies, and the checks.

The number of examples per property is small in the normal suite. The long run sets
``PATHWAYS_FUZZ_EXAMPLES`` (see benchmarks/README.md, "Fuzzing"), which only these
modules read:

    .venv/bin/python benchmarks/fuzz.py --examples 2000
"""

from __future__ import annotations

import datetime as dt
import os
import warnings

import pandas as pd
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import pathways as pw
from pathways.errors import EventLogError, OptionError
from pathways.rejections import exploded

#: Examples per property in the long run (None: the small number each test asks for).
LONG_RUN = int(os.environ.get("PATHWAYS_FUZZ_EXAMPLES", "0")) or None


def fuzz_settings(n: int, *, long_share: float = 1.0, **kw):
    """Hypothesis settings: ``n`` examples, or ``long_share`` of PATHWAYS_FUZZ_EXAMPLES in the long run;
    no deadline, no example database. The normal suite is derandomized (the same examples every run);
    the long run draws new ones each time."""
    examples = max(1, int(LONG_RUN * long_share)) if LONG_RUN else n
    return settings(max_examples=examples, deadline=None, database=None, derandomize=LONG_RUN is None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture], **kw)


# --------------------------------------------------------------------------- values
ACTIVITIES = ["Henvisning", "Henvisning modtaget", "Visitation", "Førstegangssamtale", "Udredning start",
              "Indlæggelse", "Udskrivning", "Afslag", "Ambulant besøg", "Genindlæggelse"]
UNITS = ["Egen læge", "Distriktspsykiatri", "Psykiatrisk afsnit P1", "Medicinsk afdeling", "Akutmodtagelse",
         "Hjemmepleje", "Smerteklinik", "Ortopædkirurgisk afdeling"]

#: Texts real extracts and hostile ones bring: markup, DOT, separators, quotes, controls, RTL, very long.
NASTY = ["", " ", "NA", "null", "None", "NaN", "nan", "-", "0", "007", "=1+1", "+45 1234", "-2", "@SUM(A1)",
         "<script>alert(1)</script>", "</svg><svg onload=alert(1)>", "a -> b", '"}; x [label="y"]', "digraph{",
         "a;b", "a,b", "a\tb", "a|b", 'a"b', "a'b", "line1\nline2", "cr\rlf", "\x00\x01\x1b[2J", "\u202eevil\u202c",
         "\u200f\u200e", "æøå ÆØÅ", "日本語", "😀", "\ufeff", "x" * 300, "&amp; &#0; &lt;", "\\", "%s %d {0}",
         "2023-02-30", "31/02/2023", "1e309", "a; b", "; ;"]
DATES = ["2023-01-02 08:00", "2023-01-02T08:00:00+01:00", "2023-03-26T02:30:00", "02-01-2023 08:00",
         "02/01/2023", "2023-01-02", "20230102", "0001-01-01", "1677-09-21 00:12:43", "1900-01-01",
         "2262-04-11 23:47:16", "9999-12-31 23:59:59", "10000-01-01", "294247-01-10 04:00:54", "-0001-01-01",
         "1970-01-01T00:00:00Z", "2023-10-29 02:30:00", "2023-13-01", "yesterday", "", " ", "0", "99999999",
         "2023-01-02; 08:00"]


#: Every character Python's str.isspace() accepts, of every Unicode category: Cc (tab, LF, VT, FF, CR, the
#: separators U+001C-U+001F, NEL U+0085), Zs (space, no-break, en/em/thin/ideographic spaces), Zl (U+2028),
#: Zp (U+2029). A cell of them alone is a missing value; around a value they are trimmed (issue 19).
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
#: Words DuckDB reads as dates whatever the format; pathways does not.
SPECIAL_DATES = ["epoch", "infinity", "-infinity", "inf", "-inf", "EPOCH", "today", "now"]


def whitespace():
    """One to three whitespace characters of any category."""
    return st.text(alphabet=WHITESPACE, min_size=1, max_size=3)


def wrapped(values):
    """``values`` with whitespace of any category before and after (sometimes)."""
    return st.tuples(st.one_of(st.just(""), whitespace()), values, st.one_of(st.just(""), whitespace())) \
        .map(lambda t: t[0] + t[1] + t[2])


def texts(alphabet_nasty: bool = True):
    plain = st.sampled_from(ACTIVITIES + UNITS)
    rnd = st.text(max_size=12)
    options = [plain, plain, rnd, whitespace(), wrapped(plain)] + ([st.sampled_from(NASTY)] if alphabet_nasty
                                                                   else [])
    return st.one_of(*options)


def date_texts():
    return st.one_of(st.sampled_from(DATES + SPECIAL_DATES),
                     st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31))
                     .map(lambda d: d.isoformat(sep=" ")),
                     wrapped(st.sampled_from(DATES[:8])), whitespace(),
                     st.text(max_size=10))


def cell_values():
    """Python values of an object column: text, numbers, NaN, None, dates (tiny and huge), booleans, bytes."""
    return st.one_of(
        texts(), date_texts(), st.none(), st.just(float("nan")), st.just(pd.NaT), st.just(pd.NA),
        st.integers(min_value=-(2 ** 70), max_value=2 ** 70), st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(), st.binary(max_size=6),
        st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
        st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31),
                     timezones=st.just(dt.timezone(dt.timedelta(hours=5)))),
        st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
        st.sampled_from([pd.Timestamp("1677-09-21 00:12:43.145224193"), pd.Timestamp("2262-04-11 23:47:16.854775807"),
                         dt.timedelta(days=3), [1, 2], {"a": 1}]))


# --------------------------------------------------------------------------- checks
def check_accounting(log, n_input: int) -> None:
    """Nothing lost: every input row is an event or a rejected row, exactly once."""
    assert log.n_read == n_input
    assert len(log) + len(log.rejected) == n_input
    kept = log.table.select("row").to_pandas()["row"].tolist()
    rejected = log.rejected["row"].tolist()
    assert len(set(kept)) == len(kept) and len(set(rejected)) == len(rejected)
    assert sorted(kept + rejected) == list(range(n_input))
    assert set(log.rejected.columns) >= {"row", "column", "problem", "value"}
    assert exploded(log.rejected)["problem"].map(lambda p: isinstance(p, str) and p != "").all()
    repr(log), log._repr_html_()


def expect_log_or_error(build):
    """``build()`` gives an EventLog, or raises EventLogError with a message; anything else fails the test."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return build()
    except EventLogError as err:
        assert str(err).strip(), "EventLogError without a message"
        assert {"row", "column", "problem", "value"} <= set(err.failure_cases.columns)
        return None


def _analyses(log):
    as_of = "2030-01-01"
    calls = {
        "transitions": lambda: pw.transitions(log),
        "transitions(event_type)": lambda: pw.transitions(log, level="event_type"),
        "variants": lambda: pw.variants(log),
        "handovers": lambda: pw.handovers(log),
        "handover_matrix": lambda: pw.handover_matrix(log, by="sector"),
        "bounces": lambda: pw.bounces(log),
        "circular_referrals": lambda: pw.circular_referrals(log),
        "circular_routes": lambda: pw.circular_routes(log),
        "repeats": lambda: pw.repeats(log),
        "waiting_times": lambda: pw.waiting_times(log, start=["referral", "referral_received"], end="*",
                                                  threshold="30D", as_of=as_of),
        "readmissions": lambda: pw.readmissions(log, acute=None),
        "discharge_timing": lambda: pw.discharge_timing(log),
        "case_summary": lambda: pw.case_summary(log),
        "unit_graph": lambda: pw.unit_graph(log),
        "transition_graph": lambda: pw.transition_graph(log),
        "process_map": lambda: pw.process_map(log, highlight=["long_waits"]).dot,
        "unit_map": lambda: pw.unit_map(log).dot,
        "quality_report": lambda: pw.quality_report(log, as_of=as_of),
    }
    return calls


#: Analyses that need nothing but the three required columns: they must always give a result.
ALWAYS = ("transitions", "transitions(event_type)", "variants", "case_summary", "transition_graph", "process_map",
          "quality_report")


def run_every_analysis(log) -> dict:
    """Run the public analyses; only the documented OptionError (the log lacks a column or the events an
    analysis needs, e.g. no unit column, no admissions) is allowed.

    Returns {analysis: "ok" | "option error: ..."}; any other exception fails with the analysis named.
    """
    out = {}
    for name, call in _analyses(log).items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                call()
            out[name] = "ok"
        except OptionError as err:
            assert name not in ALWAYS, (name, err)
            assert str(err).strip()
            if not log.has("unit") and name in ("handovers", "handover_matrix", "bounces", "unit_graph", "unit_map",
                                                "circular_referrals", "circular_routes"):
                assert "unit" in str(err), (name, err)
            out[name] = f"option error: {str(err)[:80]}"
        except Exception as err:  # noqa: BLE001 - name the analysis in the failure
            raise AssertionError(f"{name} failed on a fuzzed log: {type(err).__name__}: {err}") from err
    return out


def is_number(cell: str) -> bool:
    """Whether a CSV cell is a number (decimal point or comma): a leading minus is then no formula."""
    try:
        float(cell.replace(",", "."))
        return True
    except ValueError:
        return False
