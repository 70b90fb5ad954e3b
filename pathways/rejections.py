"""Why a row could not be used: one stable code per reason, its words in English and Danish, and its fix.

The readers find the problems (in the engine's SQL, on either engine) and name each by its code;
the words are rendered from the code here and nowhere else, so that no module matches on a
sentence. A shared module of the package tree: the readers (``pathways.io``), the validation
(``pathways.eventlog``), the quality report and the privacy tools use it.

``log.rejected`` has one row per input row that could not be used (``len(log) +
len(log.rejected) == log.n_read``): ``row``, and the lists ``code``, ``column``, ``problem``
and ``value``, one item per problem of the row, in the order of the checks.
``EventLogError.failure_cases`` is the same in long form, one row per problem.

Examples
--------
>>> import warnings, pandas as pd, pathways as pw
>>> df = pd.DataFrame({"pt": ["A", None], "what": ["Henvisning", None], "when": ["2024-01-02", "soon"]})
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     log = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
>>> log.rejected.loc[0, "code"]
['missing_case_id', 'missing_activity', 'not_a_date']
>>> from pathways.rejections import exploded, text
>>> exploded(log.rejected)[["row", "column", "problem"]].to_dict("records")[2]
{'row': 1, 'column': 'when', 'problem': 'not a date'}
>>> [text(code, "da") for code in log.rejected.loc[0, "code"]]
['mangler patient-id', 'mangler hændelse', 'tidspunkt er ikke en dato']
"""

from __future__ import annotations

from typing import NamedTuple


class Reason(NamedTuple):
    en: str
    da: str
    fix: str = "See err.failure_cases"   # the advice that follows the problem in an error message


_NUMBERS_FIX = ("Numbers are not read as times: convert them first, e.g. df[{column!r}] = pd.to_datetime("
                "df[{column!r}], unit='s') for seconds since 1970 (unit='ms' for milliseconds), or give the times as "
                "text or dates")

#: Every reason a row can be rejected for, by its stable code.
REASONS: dict[str, Reason] = {
    # the row checks of every reader (pathways.eventlog.row_checks)
    "missing_case_id": Reason("missing case id", "mangler patient-id",
                              "Fill in the case id or remove the rows"),
    "missing_activity": Reason("missing activity", "mangler hændelse", "Fill in the activity or remove the rows"),
    "missing_timestamp": Reason("missing timestamp", "mangler tidspunkt", "Fill in the time or remove the rows"),
    "not_a_date": Reason("not a date", "tidspunkt er ikke en dato",
                         "Pass timestamp_format='%d-%m-%Y %H:%M' (or dayfirst=True for day-first dates)"),
    "not_a_date_number": Reason("not a date (a number)", "tidspunkt er et tal, ikke en dato", _NUMBERS_FIX),
    "end_not_a_date": Reason("end timestamp not a date", "sluttidspunkt er ikke en dato",
                             "Pass timestamp_format=... matching both columns"),
    "end_not_a_date_number": Reason("end timestamp not a date (a number)", "sluttidspunkt er et tal, ikke en dato",
                                    _NUMBERS_FIX),
    "time_out_of_range": Reason("time out of range", "tidspunkt uden for årene 1-9999",
                                "Times must lie between the years 1 and 9999; 0001-01-01 and 9999-12-31 are "
                                "often placeholders for 'unknown': clear them or fix the source"),
    "end_time_out_of_range": Reason("end time out of range", "sluttidspunkt uden for årene 1-9999",
                                    "End times must lie between the years 1 and 9999; leave an open end empty "
                                    "instead of a placeholder such as 9999-12-31"),
    "end_before_start": Reason("end before start", "slut før start",
                               "Check whether the two time columns are swapped"),
    "duplicate_row": Reason("duplicate of an earlier row", "dublet af en tidligere række",
                            "Pass duplicates='keep' to keep exact duplicates"),
    # a column named in the reading options that the source does not have (EventLogError only, row -1)
    "no_such_column": Reason("no such column", "ingen sådan kolonne", "Pass the name of a column the file has"),
    # a file that cannot be read at all (EventLogError only, row -1; where and what in the value)
    "unreadable_file": Reason("the file cannot be read", "filen kan ikke læses"),
    # text files (pw.read_csv): the whole line, column "*"
    "wrong_field_count": Reason("a different number of fields than the header",
                                "et andet antal felter end overskriften",
                                "Check the separator and the quotes of those lines"),
    # XES (pw.read_xes)
    "xml_character": Reason("character not allowed in XML", "tegn der ikke er tilladt i XML",
                            "Remove the control characters from the file"),
    # FHIR (pw.read_fhir): one entry of a file
    "not_json": Reason("not JSON", "ikke JSON"),
    "no_resource_type": Reason("not a FHIR resource (no resourceType)", "ikke en FHIR-ressource (ingen resourceType)"),
    "entry_without_resource": Reason("a Bundle entry without a resource", "en Bundle-indgang uden ressource"),
    "nested_bundle": Reason("a Bundle inside a Bundle is not read", "en Bundle i en Bundle læses ikke"),
    "message_without_encounter": Reason("a message without an Encounter (MessageHeader.focus points nowhere)",
                                        "en meddelelse uden Encounter (MessageHeader.focus peger ingen steder hen)"),
    "message_without_provenance": Reason("a message without its Provenance (none targets the MessageHeader)",
                                         "en meddelelse uden Provenance (ingen peger på MessageHeader)"),
    "provenance_without_activity": Reason("a Provenance without an activity code", "en Provenance uden aktivitetskode"),
    "encounter_without_subject": Reason("an Encounter without a subject (Patient)",
                                        "en Encounter uden patient (subject)"),
    "no_subject": Reason("no subject (Patient)", "ingen patient (subject)"),
    "dangling_reference": Reason("a reference that points nowhere", "en reference der peger ingen steder hen"),
    "time_without_zone": Reason("time without a time zone", "tidspunkt uden tidszone"),
}


def text(code: str, language: str = "en") -> str:
    """The words of a rejection ``code`` in ``language`` ("en" or "da").

    Examples
    --------
    >>> text("end_before_start"), text("end_before_start", "da")
    ('end before start', 'slut før start')
    """
    reason = REASONS[code]
    return reason.da if language == "da" else reason.en


def fix(code: str, column: str) -> str:
    """The advice an error message gives for ``code`` in ``column``."""
    return REASONS[code].fix.format(column=column)


def long_form(failures):
    """``failures`` (``row``, ``column``, ``code``, ``value``; one row per problem, rows in order) with the
    English ``problem`` of each code: ``EventLogError.failure_cases``."""
    import pandas as pd

    if not len(failures):
        return pd.DataFrame({"row": pd.Series([], dtype="int64"), "column": pd.Series([], dtype="str"),
                             "code": pd.Series([], dtype="str"), "problem": pd.Series([], dtype="str"),
                             "value": pd.Series([], dtype="str")})
    out = failures[["row", "column", "code", "value"]].copy()
    unknown = sorted(set(out["code"]) - set(REASONS))
    if unknown:
        raise KeyError(f"rejection code(s) without words in pathways.rejections.REASONS: {unknown}")
    out.insert(3, "problem", out["code"].map(lambda c: REASONS[c].en))
    return out


def per_row(failures):
    """``log.rejected`` from the long form: one row per input row, the lists ``code``, ``column``, ``problem`` and
    ``value`` one item per problem (the order of ``failures`` kept)."""
    import pandas as pd

    failures = long_form(failures)
    if not len(failures):
        return pd.DataFrame({"row": pd.Series([], dtype="int64"), **{c: pd.Series([], dtype=object)
                                                                    for c in ("code", "column", "problem", "value")}})
    grouped = failures.groupby("row", sort=True)[["code", "column", "problem", "value"]].agg(list)
    return grouped.reset_index()


def exploded(rejected):
    """``log.rejected`` in long form, one row per problem: ``row``, ``code``, ``column``, ``problem``, ``value`` (and
    the reader's own columns, such as ``file`` and ``entry`` of :func:`pathways.read_fhir`)."""
    lists = ["code", "column", "problem", "value"]
    return rejected.explode(lists, ignore_index=True).astype({"row": "int64"}) if len(rejected) else \
        rejected.copy()


__all__ = ["REASONS", "Reason", "text", "fix", "long_form", "per_row", "exploded"]
