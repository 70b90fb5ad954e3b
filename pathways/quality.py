"""The data-quality report: what is odd about an extract, how much, and what to do."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import pandas as pd

from . import rejections
from .analyses.common import duration, timestamp
from .engine import local_midnight

if TYPE_CHECKING:
    from .eventlog import EventLog

#: Every check of :func:`quality_report`: its id (what code, e.g. the report, matches on) and its English name
#: (``{detail}``: the note's name, or the days of ``max_span``; a rejection's code, whose words follow its name).
CHECKS = {
    "rejected": "rejected rows", "dst_gap": "local times in a daylight-saving gap",
    "dst_overlap": "local times in a daylight-saving overlap", "note": "{detail}",
    "ties": "identical timestamps within a case", "midnight": "timestamps exactly at midnight",
    "after_as_of": "events after as_of", "unknown_units": "unknown units", "no_unit": "events without a unit",
    "unknown_activities": "activities without an event type", "units_by_rule": "units placed by a rule",
    "activities_by_rule": "activities placed by a rule", "staff_groups": "units that behave like staff groups",
    "single_event_cases": "single-event cases", "duplicates": "duplicate events",
    "long_cases": "cases spanning more than {detail} days", "missing_end": "end timestamps missing",
}
#: What a reader counted beside the events (``log.notes``, kept by :func:`pathways.read_fhir`), by code, in English
#: (the report's Danish words are in pathways.publish.words.NOTES_DA): a note's row of the report has the id "note"
#: and the code as its detail.
NOTES = {
    "entries_read": "entries read", "entries_to_events": "entries that became events",
    "supporting_entries": "supporting entries", "entries_folded": "entries folded into other events",
    "entries_of_duplicates": "entries of duplicate messages", "entries_not_read": "entries of types not read",
    "entries_rejected": "entries rejected", "duplicate_messages": "duplicate messages", "revisions": "revisions",
    "cancellations": "cancellations",
}
_COLUMNS = ["id", "check", "detail", "severity", "n_rows", "n_cases", "share", "example", "action"]
#: The characters that start a new line (str.splitlines): an example from the data is shown with them escaped
_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: The columns a person reads (``id`` and ``detail`` are for code).
_SHOWN = ["check", "severity", "n_rows", "n_cases", "share", "example", "action"]


class QualityReport(pd.DataFrame):
    """A pandas DataFrame, one row per check, with a one-line text summary and a small HTML view.

    Columns: ``id`` (the check's stable identifier, one of :data:`CHECKS`; what code matches on),
    ``check`` (its name in English), ``detail`` (the rejection's code of :data:`pathways.rejections.REASONS`,
    the note or the number of
    days it is about, else empty), ``severity`` (error, warning, info, ok), ``n_rows`` (events or
    input rows affected), ``n_cases``, ``share`` (of the rows read), ``example`` (a
    value, never a case id) and ``action`` (what to do). ``rule_classified`` is the
    table of :func:`rule_classified`: every name a built-in rule placed, with the rule.

    Examples
    --------
    >>> import pathways as pw
    >>> qr = pw.quality_report(pw.datasets.load_sample("dirty_extract"), as_of="2024-01-01")
    >>> qr.summary()
    'QualityReport: 20 checks, 5 errors, 5 warnings, 1 notes'
    >>> print(qr.loc[qr["id"] == "rejected", ["detail", "check", "n_rows"]].to_string(index=False))
               detail                       check  n_rows
     end_before_start   rejected: end before start       5
     missing_activity   rejected: missing activity       5
      missing_case_id    rejected: missing case id       5
    missing_timestamp  rejected: missing timestamp       5
           not_a_date         rejected: not a date       5
    """

    _metadata = ["rule_classified"]

    @property
    def _constructor(self):  # slices and computations give plain DataFrames
        return pd.DataFrame

    def summary(self) -> str:
        """One line: checks run and how many found something."""
        found = self[self["n_rows"] > 0]
        counts = found["severity"].value_counts()
        parts = [f"{counts.get(s, 0)} {s}{'s' if counts.get(s, 0) != 1 else ''}" for s in ("error", "warning")]
        return f"QualityReport: {len(self)} checks, {', '.join(parts)}, {counts.get('info', 0)} notes"

    def __repr__(self) -> str:
        return self.text()

    def text(self) -> str:
        """The whole report as text: one line per check (shares in per cent), then for every check that found
        something its example and what to do, nothing cut short (``pathways validate`` prints this)."""
        table = pd.DataFrame(self)[["check", "severity", "n_rows", "n_cases", "share"]].assign(
            share=lambda d: d["share"].map(_fmt))
        width = int(table["check"].str.len().max()) if len(table) else 0
        text = table.to_string(index=False, formatters={"check": f"{{:<{width}}}".format})
        lines = [self.summary(), text, ""]
        for r in self[self["n_rows"] > 0].itertuples(index=False):
            example = _BREAKS.sub(lambda m: m.group().encode("unicode_escape").decode(), str(r.example))
            lines.append(f"{r.check} ({r.severity}): {r.n_rows:,} rows" + (f", e.g. {example}" if example else ""))
            lines.append(f"    {r.action}")
        return "\n".join(lines).rstrip("\n")

    def _repr_html_(self) -> str:
        colour = {"error": "#b2182b", "warning": "#d95f02", "info": "#4d4d4d", "ok": "#1b7837"}
        head = "".join(f"<th>{c}</th>" for c in _SHOWN)
        body = ""
        for r in self.itertuples(index=False):
            cells = [f"<td style='color:{colour.get(r.severity, 'black')}'>{html.escape(str(r.severity))}</td>"
                     if c == "severity" else f"<td>{html.escape(_fmt(getattr(r, c)))}</td>" for c in _SHOWN]
            body += "<tr>" + "".join(cells) + "</tr>"
        return (f"<p>{html.escape(self.summary())}</p><table><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table>")


def _fmt(v) -> str:
    if isinstance(v, float):  # a share: in per cent, small ones with the digits that show them
        return f"{v:.1%}" if v == 0 or v >= 0.001 else f"{v:.3%}"
    return "" if v is None else str(v)


def check_name(check_id: str, detail="") -> str:
    """The English name of a check of :data:`CHECKS`, with its detail.

    Examples
    --------
    >>> check_name("rejected", "missing_case_id"), check_name("long_cases", 1826), check_name("note", "revisions")
    ('rejected: missing case id', 'cases spanning more than 1826 days', 'revisions')
    """
    if check_id == "rejected" and detail != "":
        return f"rejected: {rejections.text(detail)}"
    if check_id == "note":
        return NOTES.get(detail, str(detail))  # a note of a file written before the codes: its own words
    return CHECKS[check_id].format(detail=detail)


def quality_report(log: EventLog, *, as_of=None, max_span: str = "1826D") -> QualityReport:
    """Check an event log for what real extracts get wrong.

    Parameters
    ----------
    log : EventLog
    as_of : str or datetime, optional
        The extract date. Events after it are flagged; without it that check is
        reported as not run.
    max_span : str or timedelta, default "1826D"
        Cases spanning more than this (5 years) are flagged.

    Returns
    -------
    QualityReport
        One row per check: rejected rows (one row per reason), local times the
        zone skipped or passed twice at a daylight-saving change (counted when the
        log was read), the counts a reader kept in ``log.notes`` (for
        :func:`pathways.read_fhir`: entries read, duplicate messages, revisions,
        cancellations), identical timestamps within a case, timestamps exactly at
        midnight, events after ``as_of``,
        unknown units, events without a unit, unknown activities, units and activities placed
        by a built-in rule (listed in ``report.rule_classified`` for the user to confirm), units
        that behave like staff groups (most returns to a unit within ``STAFF_TURN_HOURS`` hours,
        see :func:`staff_turns`), single-event cases,
        duplicate events, cases spanning more than ``max_span``, and missing end
        timestamps for activities that usually have one.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A", "B"],
    ...                    "act": ["Henvisning", "Henvisning", "Visitation", "Henvisning"],
    ...                    "ts": ["2023-01-02 08:00", "2023-01-02 08:00", "2023-01-03", "2023-01-04 09:00"],
    ...                    "unit": ["Egen læge", "Egen læge", "Afsnit Q", None]})
    >>> qr = pw.quality_report(pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit"))
    >>> qr.set_index("check").loc[["identical timestamps within a case", "unknown units",
    ...                            "single-event cases", "duplicate events"], ["n_rows", "n_cases"]]
                                       n_rows  n_cases
    check
    identical timestamps within a case      2        1
    unknown units                           1        1
    single-event cases                      1        1
    duplicate events                        1        1
    """
    span = duration(max_span, argument="max_span")
    t = log.table
    n_read = max(int(log.n_read), 1)
    rows: list[dict] = []

    def add(check_id, severity, n_rows, n_cases, example, action, detail=""):
        n_rows = int(n_rows or 0)
        rows.append({"id": check_id, "check": check_name(check_id, detail), "detail": str(detail),
                     "severity": severity if n_rows else "ok", "n_rows": n_rows,
                     "n_cases": int(n_cases or 0), "share": n_rows / n_read,
                     "example": "" if example is None or not n_rows else str(example), "action": action})

    # 1. rejected rows, one line per reason
    rej = rejections.exploded(log.rejected)
    if len(rej):  # a row with several problems counts under each
        for code, grp in rej.groupby("code", sort=True):
            first = grp.iloc[0]
            # a whole input line (a CSV line with the wrong number of fields) holds the case id: not shown
            shown = first["column"] != "*" and first["value"] is not None
            add("rejected", "error", len(grp), None,
                f"row {first['row']}: {first['value']!r}" if shown else f"row {first['row']}",
                "See log.rejected; fix the source or the reading options.", detail=code)
    else:
        add("rejected", "error", 0, 0, None, "Nothing to do.")

    # 1b. wall-clock times at a daylight-saving change (counted by the engine when the log was read)
    _local_times(log, add, rows)

    # 1c. what the reader counted beside the events (pw.read_fhir: the entries read and what became of them, the
    # duplicate messages, revisions and cancellations)
    for name, n in (log.notes or {}).items():
        add("note", "info", n, None, None, "Counted when the log was read (log.notes); nothing to do.", detail=name)

    # 2. ties within a case
    ties = t.group_by(["case_id", "timestamp"]).aggregate(n=t.count()).filter(lambda g: g.n > 1)
    tie = ties.aggregate(n_rows=ties.n.sum(), n_cases=ties.case_id.nunique(),
                         example=ties.timestamp.min()).to_pyarrow().to_pylist()[0]
    add("ties", "warning", tie["n_rows"], tie["n_cases"],
        _local(tie["example"], log.tz),
        "Order within a tie follows the input rows; check that the extract lists events in order.")

    # 3. midnight (date-only) timestamps
    # (a log whose times all sit at one clock time per season is dates too: every row counts, the pattern shown)
    pattern = log.stats["date_pattern"]
    mid = t if pattern else t.filter(local_midnight(t.timestamp, log.tz, log.backend))
    m = mid.aggregate(n_rows=mid.count(), n_cases=mid.case_id.nunique(),
                      example=mid.activity.min()).to_pyarrow().to_pylist()[0]
    add("midnight", "info" if pattern else "warning", m["n_rows"], m["n_cases"],
        f"dates without times ({pattern})" if pattern else m["example"],
        "Dates without times: order within a day is uncertain; waits under a day are not measurable.")

    # 4. events after the extract date
    if as_of is None:
        rows.append({"id": "after_as_of", "check": check_name("after_as_of"), "detail": "", "severity": "info",
                     "n_rows": 0, "n_cases": 0, "share": 0.0, "example": "not run",
                     "action": "Pass as_of='YYYY-MM-DD' (the extract date)."})
    else:
        cutoff = timestamp(as_of, log.tz, argument="as_of")
        late = t.filter(t.timestamp > cutoff)
        a = late.aggregate(n_rows=late.count(), n_cases=late.case_id.nunique(),
                           example=late.timestamp.max()).to_pyarrow().to_pylist()[0]
        add("after_as_of", "warning", a["n_rows"], a["n_cases"], _local(a["example"], log.tz),
            "Future-dated events: check the date columns or the as_of date.")

    # 5-6. units
    if log.has("unit"):
        unk = t.filter(t.domain == "unknown")
        u = unk.aggregate(n_rows=unk.count(), n_cases=unk.case_id.nunique(),
                          example=unk.unit.min()).to_pyarrow().to_pylist()[0]
        add("unknown_units", "warning", u["n_rows"], u["n_cases"], u["example"],
            "Add them to a UnitTaxonomy (unit -> domain, sector); see log.units.")
        nou = t.filter(t.unit.isnull())
        n = nou.aggregate(n_rows=nou.count(), n_cases=nou.case_id.nunique(),
                          example=nou.activity.min()).to_pyarrow().to_pylist()[0]
        add("no_unit", "warning", n["n_rows"], n["n_cases"], n["example"],
            "These events are skipped in unit paths, handovers and loops.")

    # 7. activities no vocabulary entry matches
    oth = t.filter(t.event_type == "other")
    o = oth.aggregate(n_rows=oth.count(), n_cases=oth.case_id.nunique(),
                      example=oth.activity.min()).to_pyarrow().to_pylist()[0]
    add("unknown_activities", "info", o["n_rows"], o["n_cases"], o["example"],
        "Map them with Vocabulary.default().extend({...}) to use them as milestones.")

    # 7b. names placed by a rule (not by the user's mapping): listed for the user to confirm
    placed = rule_classified(log)
    if log.has("unit"):
        _rule_row(add, t, placed, "unit", "units_by_rule",
                  "Confirm them in report.rule_classified (pw.rule_classified(log)); map a wrong one with "
                  "UnitTaxonomy.default().extend({unit: (domain, sector)}).")
    _rule_row(add, t, placed, "activity", "activities_by_rule",
              "Confirm them in report.rule_classified (pw.rule_classified(log)); map a wrong one with "
              "Vocabulary.default().extend({activity: event_type}).")

    # 7c. "units" that behave like staff or resource groups taking turns
    if log.has("unit"):
        _staff_like(log, add)

    # 8. single-event cases
    per_case = t.group_by("case_id").aggregate(n=t.count(), first=t.timestamp.min(), last=t.timestamp.max())
    single = per_case.filter(per_case.n == 1)
    add("single_event_cases", "info", single.count().to_pyarrow().as_py(), single.count().to_pyarrow().as_py(),
        None, "Often cases cut by the extract period; they have no transitions.")

    # 9. duplicate events
    key = ["case_id", "activity", "timestamp", "end_timestamp", "unit", "resource", "referral_to",
           *log.attributes]
    # the count's name cannot be an attribute's: source names starting with __pw_ are refused when reading
    dup = t.group_by(key).aggregate(__pw_n=t.count()).filter(lambda g: g.__pw_n > 1)
    d = dup.aggregate(n_rows=(dup.__pw_n - 1).sum(), n_cases=dup.case_id.nunique(),
                      example=dup.activity.min()).to_pyarrow().to_pylist()[0]
    add("duplicates", "warning", d["n_rows"], d["n_cases"], d["example"],
        "Exact repeats (counted beyond the first). Read with duplicates='reject' to set them aside.")

    # 10. very long cases
    long = per_case.filter((per_case["last"].epoch_seconds() - per_case["first"].epoch_seconds())
                           > span.total_seconds())
    n_long = long.count().to_pyarrow().as_py()
    add("long_cases", "info", n_long, n_long, None,
        "Possibly reused ids or patients followed for years; consider episode ids.", detail=span.days)

    # 11. end timestamps missing where the activity usually has one
    if log.has("end_timestamp"):
        per_act = t.group_by("activity").aggregate(n=t.count(), with_end=t.end_timestamp.count())
        usual = per_act.filter(per_act.with_end >= per_act.n * 0.5).select("activity")
        miss = t.filter(t.end_timestamp.isnull()).semi_join(usual, "activity")
        e = miss.aggregate(n_rows=miss.count(), n_cases=miss.case_id.nunique(),
                           example=miss.activity.min()).to_pyarrow().to_pylist()[0]
        add("missing_end", "warning", e["n_rows"], e["n_cases"], e["example"],
            "Departure falls back to the event time; durations of these stays are unknown.")

    report = QualityReport(pd.DataFrame(rows, columns=_COLUMNS))
    report.rule_classified = placed
    return report


#: A return to a unit within this many hours is a turn of a staff group, not a referral.
STAFF_TURN_HOURS = 4


def rule_classified(log: EventLog) -> pd.DataFrame:
    """Every unit and activity name that a built-in rule placed (not a mapping), with the rule.

    The table a user confirms or corrects: one row per name, columns ``kind``
    (``"unit"`` or ``"activity"``), ``name``, ``placed_as`` (``"domain / sector"``
    or the event type), ``rule`` (the rule's name, see ``UnitTaxonomy.rules_table``),
    ``n_events`` and ``n_cases``; units first, then by events. A wrong line is
    corrected by mapping the name (``UnitTaxonomy.default().extend(...)``,
    ``Vocabulary.default().extend(...)``). :func:`quality_report` counts them and
    keeps this table as ``report.rule_classified``.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B"], "act": ["Henvisning til DP", "Return ER", "Return ER"],
    ...                    "ts": ["2023-01-02", "2023-01-03", "2023-01-04"],
    ...                    "unit": ["Pharmacy Laboratory", "Pharmacy", "Distriktspsykiatri"]})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    >>> placed = pw.rule_classified(log)
    >>> placed[["kind", "name", "placed_as", "n_events"]]
           kind                 name             placed_as  n_events
    0      unit   Distriktspsykiatri  psychiatric / region         1
    1      unit  Pharmacy Laboratory      somatic / region         1
    2  activity    Henvisning til DP              referral         1
    >>> placed.loc[1, "rule"]
    'anæstesi / billeddiagnostik / laboratorium'
    """
    columns = ["kind", "name", "placed_as", "rule", "n_events", "n_cases"]
    parts = []
    if log.has("unit"):
        u = log.units
        u = u[u["classified_by"] == "rule"]
        parts.append(pd.DataFrame({"kind": "unit", "name": u["unit"], "placed_as": u["domain"] + " / " + u["sector"],
                                   "rule": u["rule"], "n_events": u["n_events"], "n_cases": u["n_cases"]}))
    a = log.activities
    a = a[a["classified_by"] == "rule"]
    parts.append(pd.DataFrame({"kind": "activity", "name": a["activity"], "placed_as": a["event_type"],
                               "rule": a["rule"], "n_events": a["n_events"], "n_cases": a["n_cases"]}))
    out = pd.concat([p for p in parts if len(p)] or [pd.DataFrame(columns=columns)], ignore_index=True)
    return out[columns].astype({"n_events": "int64", "n_cases": "int64"})


def _rule_row(add, t, placed: pd.DataFrame, kind: str, check_id: str, action: str) -> None:
    """One quality row: the events (and cases) whose unit or activity a rule placed; example: the busiest."""
    names = placed.loc[placed["kind"] == kind]
    column = "unit" if kind == "unit" else "activity"
    if len(names):
        hit = t.filter(t[column].isin(list(names["name"])))
        n = hit.aggregate(n_rows=hit.count(), n_cases=hit.case_id.nunique()).to_pyarrow().to_pylist()[0]
        first = names.iloc[0]
        example = (f"{len(names):,} name{'s' if len(names) != 1 else ''}, e.g. {first['name']!r} -> "
                   f"{first['placed_as']} by rule {first['rule']!r}")
    else:
        n, example = {"n_rows": 0, "n_cases": 0}, None
    add(check_id, "info", n["n_rows"], n["n_cases"], example, action)


def staff_turns(log) -> dict:
    """Whether the mapped units take turns like staff or resource groups rather than care units.

    Computed in the engine on the returns of the unit path (:func:`pathways.analyses.loops.return_expr`,
    default options; a return is a step back to a unit visited 2 to 5 steps before): ``n_returns``,
    ``n_short`` (returns within ``STAFF_TURN_HOURS`` hours of leaving the unit; on a log of dates
    without times, those on the same day), ``n_short_cases``, ``n_cycling`` (cases with a return) and
    ``turns``: True when most returns are short. Most cases cycling is not enough on its own: on the
    synthetic psychiatric sample, a log about circular referrals, 48 % of the patients have a loop.
    """
    from .analyses.loops import return_expr

    r = return_expr(log)
    short = r.duration_days < STAFF_TURN_HOURS / 24
    s = r.aggregate(n=r.count(), n_short=short.sum(), n_cases=r.case_id.nunique(),
                    n_short_cases=r.case_id.nunique(where=short)).to_pyarrow().to_pylist()[0]
    out = {"n_returns": int(s["n"] or 0), "n_short": int(s["n_short"] or 0),
           "n_short_cases": int(s["n_short_cases"] or 0), "n_cycling": int(s["n_cases"] or 0)}
    out["turns"] = out["n_short"] > out["n_returns"] / 2
    return out


def _staff_like(log, add) -> None:
    """The quality row of :func:`staff_turns`: the short returns and their cases, when most returns are short."""
    s = staff_turns(log)
    example = None
    if s["turns"]:
        within = "on the same day" if log.date_only else f"within {STAFF_TURN_HOURS} hours"
        example = (f"{s['n_short']:,} of {s['n_returns']:,} returns to a unit {within}; "
                   f"{s['n_cycling']:,} of {log.n_cases:,} cases go round in a loop")
    add("staff_groups", "warning", s["n_short"] if s["turns"] else 0,
        s["n_short_cases"] if s["turns"] else 0, example,
        "The mapped 'units' take turns like staff or resource groups, so loops and handovers are not referrals. "
        "Count loops on referrals only (on='referrals'), read another column as the unit, or map the units "
        "with a UnitTaxonomy.")


def _local_times(log, add, rows) -> None:
    """The two checks of local times at a daylight-saving change: skipped (gap) and passed twice (overlap)."""
    notes = log.local_times
    actions = {
        "gap": f"These clock times do not exist in {log.tz} (the clocks jumped forward); each was moved forward "
               "by the jump. Check the source, or give the times with their UTC offset.",
        "overlap": f"These clock times happened twice in {log.tz} (the clocks went back); each was read as the "
                   "later one. Give the times with their UTC offset if the earlier one was meant.",
    }
    for key, action in actions.items():
        check_id = f"dst_{key}"
        if notes is None:  # an EventLog built by hand, not by a reader (every reader counts, on both engines)
            rows.append({"id": check_id, "check": check_name(check_id), "detail": "", "severity": "info", "n_rows": 0,
                         "n_cases": 0, "share": 0.0, "example": "not counted",
                         "action": "Counted when a log is read by a pathways reader."})
        else:
            n_rows, n_cases, example = notes[key]
            add(check_id, "warning", n_rows, n_cases, example, action)


def _local(value, tz: str):
    if value is None:
        return None
    return pd.Timestamp(value).tz_convert(tz).strftime("%Y-%m-%d %H:%M")
