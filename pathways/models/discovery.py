"""Process discovery with pm4py on aggregates of the log: its variants or its directly-follows graph.

pm4py never sees the raw events. Either the distinct traces of the log with how
many cases follow each (``source="variants"``: the inductive miner on the top
variants, each counted with its cases), or the directly-follows graph of
:func:`pathways.transitions` (``source="dfg"``: the inductive miner's DFG variant,
or the heuristics miner, on edge counts over every event). By default
(``source="auto"``) the variants, unless they are many or long (:func:`choose_input`):
the miner's time on variants grows with their length, on the DFG it does not.
The model's ``source`` says which, and when the DFG was chosen, why.

**Bounded.** The inductive miner's time grows about with the cube of the number of
distinct activities, so, like the maps' ``max_nodes``, discovery keeps an activity
budget (``max_activities``, default :data:`MAX_ACTIVITIES`): the activities in most
cases are kept, the events of the others are left out in the engine before anything
reaches pm4py, and the model says so (``model.note``, ``model.left_out``, its repr and
its drawing) and a warning too. Before a run estimated to take longer than
:data:`NOTICE_SECONDS`, a warning names the estimate and how to make it faster.
"""

from __future__ import annotations

import warnings
from collections import Counter
from typing import TYPE_CHECKING, Literal

import ibis
import pandas as pd

from .. import schema as S
from ..errors import OptionError, check_choice, outside_stacklevel
from ..eventlog import PathwaysWarning
from ..parameters import renamed
from . import _pm4py
from .model import LEVELS, ProcessModel

if TYPE_CHECKING:
    from ..eventlog import EventLog

#: Above this many events ``source="auto"`` discovers from the directly-follows graph instead of the variants.
DFG_EVENTS = 200_000
#: ``source="auto"`` discovers from the directly-follows graph when the variants average more events than this.
LONG_VARIANTS = 50
#: ... or when the top ``max_variants`` variants cover less than this share of the cases.
MIN_COVERAGE = 0.5
#: Default number of the most common variants given to the inductive miner.
MAX_VARIANTS = 1_000
#: Default activity budget: at most this many distinct labels (those in most cases) reach pm4py.
MAX_ACTIVITIES = 50
#: A warning is given before a discovery estimated (:func:`estimate_seconds`) to take longer than this.
NOTICE_SECONDS = 5.0
# (c, a, b) of estimate_seconds: seconds = c * activities**a * inputs**b (least squares in logs, see there)
_FIT = {"variants": (2.2e-6, 2.69, 0.37), "dfg": (1.0e-4, 1.44, 0.0)}
# on variants longer than _LENGTH[0] events on average, times (mean_length / _LENGTH[0]) ** _LENGTH[1]
_LENGTH = (15.0, 0.5)
SOURCES = ("auto", "dfg", "variants")
ALGORITHMS = ("inductive", "heuristics")

_LABEL = {"activity": S.ACTIVITY, "event_type": S.EVENT_TYPE}


# --- aggregates (computed in the engine) ---------------------------------------------------
def case_traces(log, level: str):
    """Ibis table, one row per case: ``case_id``, ``trace`` (labels in time order, ties by input row),
    ``variant_id`` (dense rank of the trace)."""
    t = log.table
    label = t[_LABEL[level]]
    cases = t.group_by(S.CASE).aggregate(trace=label.collect(order_by=[t.timestamp, t.row]))
    return cases.mutate(variant_id=ibis.dense_rank().over(order_by=cases.trace))


def variant_table(log, level: str) -> pd.DataFrame:
    """The distinct traces with their number of cases, most common first: ``trace`` (tuple), ``n_cases``."""
    cases = case_traces(log, level)
    v = cases.group_by("variant_id").aggregate(trace=cases.trace.arbitrary(), n_cases=cases.count())
    df = v.select("trace", "n_cases").to_pyarrow().to_pylist()
    out = pd.DataFrame({"trace": [tuple(r["trace"] or ()) for r in df],
                        "n_cases": [int(r["n_cases"]) for r in df]}, columns=["trace", "n_cases"])
    out["n_cases"] = out["n_cases"].astype("int64")
    out["_key"] = ["\x1f".join(tr) for tr in out["trace"]]
    out = out.sort_values(["n_cases", "_key"], ascending=[False, True], kind="stable", ignore_index=True)
    return out.drop(columns="_key")


def activity_counts(log, level: str) -> pd.DataFrame:
    """One row per label (column named after ``level``): ``n_cases`` (cases with it) and ``n_events``,
    the label in most cases first, ties by name. Computed in the engine, one row per label returned."""
    t = log.table
    col = _LABEL[level]
    agg = t.group_by(t[col].name(level)).aggregate(n_cases=t[S.CASE].nunique(), n_events=t.count())
    df = agg.to_pyarrow().to_pandas()
    out = pd.DataFrame({level: df[level].astype(str).astype(object), "n_cases": df["n_cases"].astype("int64"),
                        "n_events": df["n_events"].astype("int64")})
    return out.sort_values(["n_cases", level], ascending=[False, True], kind="stable", ignore_index=True)


def dfg_counts(log, level: str) -> tuple[dict, dict, dict, dict]:
    """The directly-follows graph from :func:`pathways.transitions`: edge counts, start, end and event counts."""
    from ..analyses.transitions import END, START, transitions

    tr = transitions(log, level=level)
    inner = tr[(tr["source"] != START) & (tr["target"] != END)]
    graph = {(a, b): int(n) for a, b, n in zip(inner["source"], inner["target"], inner["n_transitions"])}
    st = tr[tr["source"] == START]
    en = tr[tr["target"] == END]
    starts = {a: int(n) for a, n in zip(st["target"], st["n_transitions"])}
    ends = {a: int(n) for a, n in zip(en["source"], en["n_transitions"])}
    arriving = tr[tr["target"] != END].groupby("target")["n_transitions"].sum()  # every event is one edge's target
    occurrences = {a: int(n) for a, n in arriving.items()}
    return graph, starts, ends, occurrences


def _dfg_of_variants(variants: pd.DataFrame) -> tuple[dict, dict, dict, dict]:
    graph, starts, ends, occ = Counter(), Counter(), Counter(), Counter()
    for trace, n in zip(variants["trace"], variants["n_cases"]):  # one pass over distinct traces, not cases
        if not trace:
            continue
        starts[trace[0]] += n
        ends[trace[-1]] += n
        for a in trace:
            occ[a] += n
        for a, b in zip(trace[:-1], trace[1:]):
            graph[(a, b)] += n
    return dict(graph), dict(starts), dict(ends), dict(occ)


def _filter_dfg(graph: dict, starts: dict, ends: dict, noise: float) -> tuple[dict, dict, dict]:
    """IMf's noise rule on a DFG: drop edges under ``noise`` times the strongest edge leaving the same step.

    Start and end counts are edges from the start and to the end. Nothing is left
    dangling: a step that lost every way in (or out) keeps its strongest one.
    """
    if noise <= 0:
        return graph, starts, ends
    out = {**{(a, b): n for (a, b), n in graph.items()}, **{(a, None): n for a, n in ends.items()}}
    out.update({(None, b): n for b, n in starts.items()})
    strongest = Counter()
    for (a, _b), n in out.items():
        strongest[a] = max(strongest[a], n)
    kept = {e: n for e, n in out.items() if n >= noise * strongest[e[0]]}
    steps = {x for e in out for x in e if x is not None}
    for x in sorted(steps):
        for side in (0, 1):  # 0: ways out of x, 1: ways into x
            if not any(e[side] == x for e in kept):
                best = max((e for e in out if e[side] == x), key=lambda e: (out[e], str(e)), default=None)
                if best is not None:
                    kept[best] = out[best]
    return ({e: n for e, n in kept.items() if e[0] is not None and e[1] is not None},
            {e[1]: n for e, n in kept.items() if e[0] is None},
            {e[0]: n for e, n in kept.items() if e[1] is None})


# --- the activity budget and the time estimate ---------------------------------------------------
def _percent(share: float) -> str:
    text = f"{share:.1%}".replace("%", " %")
    if 0 < share < 0.001:
        return "<0.1 %"
    return ">99.9 %" if text == "100.0 %" and share < 1 else text


def _noun(level: str) -> str:
    return "event types" if level == "event_type" else "activities"


def _bound(log, level: str, max_activities: int | None):
    """The log with only the ``max_activities`` labels in most cases (filtered in the engine), the
    labels left out (:func:`activity_counts` rows) and the note saying so ("" when none is)."""
    if max_activities is None:
        return log, None, ""
    counts = activity_counts(log, level)
    left_out = counts.iloc[max_activities:].reset_index(drop=True)
    if left_out.empty:
        return log, left_out, ""
    kept = counts[level].iloc[:max_activities].tolist()
    noun = _noun(level)
    share = _percent(left_out["n_events"].sum() / counts["n_events"].sum())
    note = f"showing {len(kept):,} of {len(counts):,} {noun} (the {len(left_out):,} rarest, {share} of events, left out)"
    warnings.warn(f"{note}. The model is of the {len(kept):,} {noun} in most cases (ties by name); model.left_out "
                  f"lists the others. Pass max_activities=None to keep every one (the time grows about with the "
                  f"cube of their number), or a larger max_activities.", PathwaysWarning,
                  stacklevel=outside_stacklevel())
    t = log.table
    return log.replace(t.filter(t[_LABEL[level]].isin(kept))), left_out, note


def estimate_seconds(n_activities: int, n_inputs: int, *, source: Literal["variants", "dfg"] = "variants",
                     mean_length: float = _LENGTH[0]) -> float:
    """A rough estimate of the seconds pm4py's inductive miner takes on this input.

    ``n_inputs`` is the number of variants (``source="variants"``) or of directly-follows
    edges (``source="dfg"``); ``mean_length`` the variants' mean number of events (variants
    only). The model, ``c * n_activities**a * n_inputs**b``, is a least
    squares fit (in logarithms) to timings of pm4py 2.7 on this project's 2-core build
    machine, on two generated shapes: random sequences of Zipf-frequent activities, and
    staged pathways with skipped and repeated stages. On variants longer than 15 events
    on average it is multiplied by ``(mean_length / 15) ** 0.5``.

    * On variants (IMf, noise 0.2), 20 timings of 20–200 activities and 100–1,000
      variants: ``2.2e-6 * A**2.69 * V**0.37`` s. With 1,000 variants: 20 activities
      0.04 s, 30: 0.1–0.2 s, 50: 1.8–2.0 s, 70: 12 s, 100: 4.4–12 s, 200: 7–87 s.
      The fit is within a factor of 3 of 18 of them (6 at worst); simpler logs run
      faster (the sample logs: 0.2–0.4 s; issue 19's probe: 9 s at 500 activities).
    * The length factor, ``(mean_length / 15) ** 0.5``, is a least squares fit (in
      logarithms, the fit above held at 15 events) to 26 timings (issue 20) of IMf on
      1,000 variants of long cases (30–200 activities) cut to 10–120 events: a panel
      shape (visits of fixed sets of tests) takes 1.1, 1.5, 2.6 and 6.8 s at 50
      activities and 10, 20, 40 and 80 events, 2.8 and 13.6 s at 100 activities and
      10 and 80 events, while random Zipf sequences take 0.5–1.3 s at 50 activities
      whatever their length; 21 of the 26 within a factor of 3 (5 at worst).
    * On the DFG (IMd), 11 timings of 50–2,000 activities: ``1.0e-4 * A**1.44`` s
      (500: 0.6–0.9 s, 1,000: 1.1–3 s, 2,000: 8 s); a single long chain of steps is
      slower (300 activities: 7 s).

    Examples
    --------
    >>> from pathways.models.discovery import estimate_seconds
    >>> round(estimate_seconds(50, 1_000), 1), round(estimate_seconds(200, 1_000))
    (1.1, 44)
    >>> round(estimate_seconds(50, 1_000, mean_length=60), 1)
    2.1
    """
    c, a, b = _FIT[source]
    seconds = c * max(n_activities, 1) ** a * max(n_inputs, 1) ** b
    if source == "variants":
        seconds *= (max(mean_length, _LENGTH[0]) / _LENGTH[0]) ** _LENGTH[1]  # shorter ones: as measured
    return seconds


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _notice(n_activities: int, n_inputs: int, source: str, level: str, mean_length: float = _LENGTH[0]) -> None:
    """Warn, before pm4py starts, when the run is estimated to take longer than :data:`NOTICE_SECONDS`."""
    seconds = estimate_seconds(n_activities, n_inputs, source=source, mean_length=mean_length)
    if seconds <= NOTICE_SECONDS:
        return
    one = estimate_seconds(1, n_inputs, source=source, mean_length=mean_length)
    fits = max(1, int((NOTICE_SECONDS / one) ** (1 / _FIT[source][1])))
    what = (f"{n_inputs:,} variants averaging {mean_length:,.0f} events" if source == "variants"
            else f"{n_inputs:,} directly-follows edges")
    warnings.warn(f"this discovery may take about {_duration(seconds)} (estimated for pm4py's inductive miner on "
                  f"{n_activities:,} {_noun(level)} and {what}). To make it faster, pass max_activities={fits} "
                  f"(about {NOTICE_SECONDS:g} s) or fewer; a higher noise= or a smaller max_variants= changes "
                  f"the time less, and not always.", PathwaysWarning,
                  stacklevel=outside_stacklevel())


# --- options -------------------------------------------------------------------------------
def _check(log, noise, level, source, max_variants, max_activities) -> int:
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise < 1:
        raise OptionError(f"noise={noise!r} is not allowed; give a share in [0, 1): 0 keeps every path, "
                          "0.2 (the default) leaves out paths taken by fewer than 20 % of the cases at that point.")
    check_choice("level", level, list(LEVELS))
    check_choice("source", source, list(SOURCES))
    if isinstance(max_variants, bool) or not isinstance(max_variants, int) or max_variants < 1:
        raise OptionError(f"max_variants={max_variants!r} is not allowed; give a whole number of variants (1 or more).")
    if max_activities is not None and (isinstance(max_activities, bool) or not isinstance(max_activities, int)
                                       or max_activities < 1):
        raise OptionError(f"max_activities={max_activities!r} is not allowed; give a whole number of activities "
                          f"(1 or more), e.g. {MAX_ACTIVITIES}, or None to keep every activity.")
    n = len(log)
    if n == 0:
        raise OptionError("the log has no events, so there is no process to discover. Check the filters "
                          "applied before, or log.rejected for rows that could not be read.")
    return n


def choose_input(n_events: int, variants: pd.DataFrame | None, *, max_variants: int = MAX_VARIANTS) -> str:
    """Why ``source="auto"`` discovers from the directly-follows graph, or ``""`` when the variants are used.

    The variants (the distinct traces, each once with its number of cases, most
    common first: :func:`variant_table`) are the inductive miner's best input while
    they are short and their top ``max_variants`` describe most cases: it sees whole
    traces. The DFG is chosen instead when the log has more than :data:`DFG_EVENTS`
    events (``variants`` is then not needed: None), when the top ``max_variants``
    variants cover less than :data:`MIN_COVERAGE` (half) of the cases (the model would
    be of a minority), or when the variants average more than :data:`LONG_VARIANTS`
    events (the miner's time grows with their length, and such cases are nearly all
    variants of their own).

    Examples
    --------
    >>> import pandas as pd
    >>> from pathways.models.discovery import choose_input
    >>> v = pd.DataFrame({"trace": [("a",) * 120, ("b",) * 140], "n_cases": [1, 1]})
    >>> choose_input(260, v)
    '2 variants averaging 130 events (more than 50 on average)'
    >>> choose_input(260, v.head(1).assign(trace=[("a", "b")]))
    ''
    """
    if n_events > DFG_EVENTS:
        return f"the variants (more than {DFG_EVENTS:,} events)"
    mean = _mean_length(variants["trace"])
    n_cases = int(variants["n_cases"].sum())
    covered = int(variants["n_cases"].head(max_variants).sum()) / n_cases if n_cases else 1.0
    why = []
    if covered < MIN_COVERAGE:
        why.append(f"the top max_variants={max_variants:,} cover {_percent(covered)} of cases, less than half")
    if mean > LONG_VARIANTS:
        why.append(f"more than {LONG_VARIANTS} on average")
    events = f"{mean:,.0f} event" + ("" if f"{mean:.0f}" == "1" else "s")
    return f"{len(variants):,} variants averaging {events} ({', '.join(why)})" if why else ""


def _mean_length(traces) -> float:
    """The mean number of labels of distinct traces (one step per variant, not per case or event)."""
    return sum(map(len, traces)) / max(len(traces), 1)


def _input(log, level: str, source: str, max_variants: int, n_events: int) -> tuple[str, pd.DataFrame | None, str]:
    """What the miner is given: ``("variants", variant table, "")`` or ``("dfg", None, why)``, ``why`` the
    reason ``source="auto"`` chose the DFG (:func:`choose_input`; ``""`` when asked for)."""
    if source == "dfg" or (source == "auto" and n_events > DFG_EVENTS):
        return "dfg", None, choose_input(n_events, None) if source == "auto" else ""
    v = variant_table(log, level)
    why = choose_input(n_events, v, max_variants=max_variants) if source == "auto" else ""
    return ("dfg", None, why) if why else ("variants", v, "")


def _dfg_source(log, why: str) -> str:
    source = f"directly-follows graph of {len(log):,} events ({log.n_cases:,} cases)"
    return f"{source}, chosen over {why}" if why else source


def _variants_input(v: pd.DataFrame, max_variants: int) -> tuple[pd.DataFrame, str]:
    top = v.head(max_variants)
    n_cases, covered = int(v["n_cases"].sum()), int(top["n_cases"].sum())
    share = covered / n_cases if n_cases else 1.0
    source = (f"top {len(top):,} of {len(v):,} variants covering {share:.1%} of cases".replace("%", " %")
              + f" ({covered:,} of {n_cases:,} cases)")
    return top, source


def _tree(log, *, noise, level, source, max_variants, max_activities):
    """The inductive miner's tree, what it was discovered from, its parameters, the labels left out, the note."""
    n_events = _check(log, noise, level, source, max_variants, max_activities)
    log, left_out, note = _bound(log, level, max_activities)
    used, v, why = _input(log, level, source, max_variants, n_events)
    try:
        if used == "variants":
            top, source = _variants_input(v, max_variants)
            variants = Counter(dict(zip(top["trace"], top["n_cases"])))
            n_activities = len({a for trace in variants for a in trace})
            _notice(n_activities, len(variants), "variants", level, _mean_length(variants))
            tree = _pm4py.inductive_on_variants(variants, noise)
        else:
            full = dfg_counts(log, level)[:3]
            n_activities = len({a for edge in full[0] for a in edge} | set(full[1]) | set(full[2]))
            _notice(n_activities, len(full[0]), "dfg", level)
            source = _dfg_source(log, why)
            try:
                tree = _pm4py.inductive_on_dfg(*_filter_dfg(*full, noise))
            except Exception:  # noqa: BLE001 - pm4py's IMd fails on some filtered graphs: mine the whole graph
                tree = _pm4py.inductive_on_dfg(*full)
                source += " (noise filter not applicable: every edge kept)"
    except RecursionError:  # pm4py recurses once per level of the tree: a long chain of steps is too deep
        raise OptionError(f"pm4py's inductive miner nested deeper than Python allows on these {n_activities:,} "
                          f"{_noun(level)} (a long chain of steps makes a deep tree). Pass a smaller max_activities= "
                          f"(e.g. {MAX_ACTIVITIES}, the default).") from None
    params = {"algorithm": "inductive", "noise": noise, "level": level, "source": used, "max_variants": max_variants,
              "max_activities": max_activities}
    return ProcessModel(tree, kind="process_tree", source=source, level=level, parameters=params, sound=True,
                        left_out=left_out, note=note)


def _heuristics(log, *, dependency, level, source, max_variants, max_activities):
    """The heuristics miner's Petri net (on the DFG of every event, or of the top variants)."""
    if isinstance(dependency, bool) or not isinstance(dependency, (int, float)) or not 0 <= dependency <= 1:
        raise OptionError(f"dependency={dependency!r} is not allowed; give a threshold in [0, 1], e.g. 0.5.")
    _check(log, 0.0, level, source, max_variants, max_activities)
    used = "variants" if source == "variants" else "dfg"  # the heuristics miner works on DFG counts: every event
    log, left_out, note = _bound(log, level, max_activities)
    if used == "variants":
        top, source = _variants_input(variant_table(log, level), max_variants)
        graph, starts, ends, occ = _dfg_of_variants(top)
        source = f"directly-follows graph of the {source}"
    else:
        graph, starts, ends, occ = dfg_counts(log, level)
        source = _dfg_source(log, "")
    net = _pm4py.heuristics_on_dfg(graph, occ, starts, ends, dependency=float(dependency), and_threshold=0.65,
                                   loop_two=0.5)
    params = {"algorithm": "heuristics", "dependency": dependency, "level": level, "source": used,
              "max_variants": max_variants, "max_activities": max_activities}
    return ProcessModel(tuple(net), kind="petri_net", source=source, level=level, parameters=params, sound=None,
                        left_out=left_out, note=note)


# --- public ----------------------------------------------------------------------------------
@renamed(on="source")
def discover_process_tree(log: EventLog, *, noise: float = 0.2, level: Literal["activity", "event_type"] = "activity",
                          source: Literal["auto", "dfg", "variants"] = "auto",
                          max_variants: int = MAX_VARIANTS,
                          max_activities: int | None = MAX_ACTIVITIES) -> ProcessModel:
    """Discover a process tree with the inductive miner (pm4py), on the log's variants or its DFG.

    Parameters
    ----------
    log : EventLog
    noise : float, default 0.2
        Infrequent behaviour left out (pm4py's IMf noise threshold): at each step,
        paths taken less than ``noise`` times as often as the most common one are
        ignored. ``0`` keeps everything (IM; every case fits, the model is larger).
    level : {"activity", "event_type"}, default "activity"
        What the labels are: activity names or the standard event types.
    source : {"auto", "dfg", "variants"}, default "auto"
        ``"variants"``: the ``max_variants`` most common traces, each once with its
        number of cases; ``"dfg"``: the directly-follows graph of every event
        (inductive miner directly-follows, with the same noise rule on the edges);
        ``"auto"``: the variants, unless the log has more than 200,000 events
        (:data:`DFG_EVENTS`), the top ``max_variants`` variants cover less than half of
        the cases (:data:`MIN_COVERAGE`), or the variants average more than 50 events
        (:data:`LONG_VARIANTS`; long cases, e.g. a hospital's ~130 events each): then
        the DFG, and ``model.source`` says why (``"directly-follows graph of 83,338
        events (1,174 cases), chosen over 1,174 variants averaging 71 events (more than
        50 on average)"``; the variants are those of the activities kept by the budget).
        The miner's time on variants grows with their length (:func:`estimate_seconds`),
        on the DFG it does not.
    max_variants : int, default 1000
        How many of the most common variants ``source="variants"`` uses.
    max_activities : int or None, default 50
        The activity budget (:data:`MAX_ACTIVITIES`), as ``max_nodes`` of the maps:
        when the log has more distinct labels at ``level``, only those in the most
        cases (ties by name) are kept, and the events of the others are left out in
        the engine before pm4py sees anything. ``model.note`` says so ("showing 50 of
        300 activities (the 250 rarest, 4.2 % of events, left out)"), as do its repr,
        its drawing and a :class:`~pathways.PathwaysWarning`; ``model.left_out`` lists
        them. ``None``: no bound. The inductive miner's time grows about with the cube
        of the number of activities: on variants, measured on this project's 2-core
        machine with 1,000 variants, 50 activities take 2 s, 100 take 4–12 s, 200 take
        7–87 s (:func:`estimate_seconds`); hence the default.

    Returns
    -------
    ProcessModel
        Of kind ``"process_tree"``; ``model.source`` says what it was discovered from
        (e.g. ``"top 540 of 540 variants covering 100.0 % of cases (3,000 of 3,000 cases)"``)
        and, when ``source="auto"`` chose the DFG, why; ``model.parameters["source"]`` is the
        input used, ``"variants"`` or ``"dfg"``.

    Warns
    -----
    PathwaysWarning
        When activities were left out; and, before pm4py starts, when the run is
        estimated (:func:`estimate_seconds`) to take longer than :data:`NOTICE_SECONDS`
        (5 s): the estimate, and the ``max_activities`` that would fit in it. (``noise``
        changes the time too, but not predictably: on 100 activities and 1,000 variants,
        noise 0, 0.2, 0.5 and 0.8 took 23, 9, 18 and 18 s.)

    Raises
    ------
    OptionError
        For a bad option, an empty log, or when pm4py nests deeper than Python allows
        (a long chain of many activities): a smaller ``max_activities`` helps.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": [p for p in "ABCD" for _ in range(3)],
    ...                    "act": ["Henvisning", "Visitation", "Førstegangssamtale"] * 3
    ...                           + ["Henvisning", "Førstegangssamtale", "Visitation"],
    ...                    "ts": ["2023-01-02", "2023-01-09", "2023-02-01"] * 4})
    >>> tree = pw.discover_process_tree(pw.from_pandas(df, case="pt", activity="act", timestamp="ts"))
    >>> tree.source
    'top 2 of 2 variants covering 100.0 % of cases (4 of 4 cases)'
    >>> print(tree.to_pm4py())
    ->( 'Henvisning', +( 'Visitation', 'Førstegangssamtale' ) )
    """
    return _tree(log, noise=noise, level=level, source=source, max_variants=max_variants, max_activities=max_activities)


@renamed(on="source")
def discover_petri_net(log: EventLog, *, algorithm: Literal["inductive", "heuristics"] = "inductive",
                       noise: float = 0.2, dependency: float = 0.5, level: Literal["activity", "event_type"] = "activity",
                       source: Literal["auto", "dfg", "variants"] = "auto", max_variants: int = MAX_VARIANTS,
                       max_activities: int | None = MAX_ACTIVITIES) -> ProcessModel:
    """Discover a Petri net (pm4py): inductive miner (sound by construction) or heuristics miner.

    Parameters
    ----------
    log : EventLog
    algorithm : {"inductive", "heuristics"}, default "inductive"
        ``"inductive"``: as :func:`discover_process_tree`, converted to a Petri net.
        ``"heuristics"``: pm4py's heuristics miner on the directly-follows counts
        (of every event with ``source="dfg"``/``"auto"``, of the top variants with
        ``source="variants"``); its nets can be unsound, and
        :func:`pathways.conformance` refuses those.
    noise : float, default 0.2
        Inductive miner only; see :func:`discover_process_tree`.
    dependency : float, default 0.5
        Heuristics miner only: the dependency threshold (0–1) an edge needs to be kept.
    level, source, max_variants, max_activities
        See :func:`discover_process_tree`; the heuristics miner is bounded by the
        activity budget too.

    Returns
    -------
    ProcessModel
        Of kind ``"petri_net"``.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": [p for p in "ABC" for _ in range(2)],
    ...                    "act": ["Henvisning", "Visitation"] * 3,
    ...                    "ts": ["2023-01-02", "2023-01-09"] * 3})
    >>> net = pw.discover_petri_net(pw.from_pandas(df, case="pt", activity="act", timestamp="ts"))
    >>> net.activities
    ('Henvisning', 'Visitation')
    >>> net.kind, net.parameters["algorithm"]
    ('petri_net', 'inductive')
    """
    check_choice("algorithm", algorithm, list(ALGORITHMS))
    if algorithm == "inductive":
        return _tree(log, noise=noise, level=level, source=source, max_variants=max_variants,
                     max_activities=max_activities).to_petri_net()
    return _heuristics(log, dependency=dependency, level=level, source=source, max_variants=max_variants,
                       max_activities=max_activities)


@renamed(on="source")
def discover_bpmn(log: EventLog, *, noise: float = 0.2, level: Literal["activity", "event_type"] = "activity",
                  source: Literal["auto", "dfg", "variants"] = "auto", max_variants: int = MAX_VARIANTS,
                  max_activities: int | None = MAX_ACTIVITIES) -> ProcessModel:
    """Discover a BPMN diagram with the inductive miner (pm4py), to open in a modelling tool or draw.

    Parameters are those of :func:`discover_process_tree`; the tree is converted to
    BPMN (tasks, exclusive and parallel gateways). ``model.save("pathway.bpmn")``
    writes BPMN 2.0 XML with layout.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": [p for p in "ABC" for _ in range(2)],
    ...                    "act": ["Henvisning", "Visitation"] * 3,
    ...                    "ts": ["2023-01-02", "2023-01-09"] * 3})
    >>> bpmn = pw.discover_bpmn(pw.from_pandas(df, case="pt", activity="act", timestamp="ts"))
    >>> bpmn.kind, bpmn.activities
    ('bpmn', ('Henvisning', 'Visitation'))
    """
    return _tree(log, noise=noise, level=level, source=source, max_variants=max_variants,
                 max_activities=max_activities).to_bpmn()


__all__ = ["discover_process_tree", "discover_petri_net", "discover_bpmn", "DFG_EVENTS", "LONG_VARIANTS",
           "MIN_COVERAGE", "MAX_VARIANTS", "MAX_ACTIVITIES", "NOTICE_SECONDS", "case_traces", "variant_table",
           "activity_counts", "dfg_counts", "choose_input", "estimate_seconds"]
