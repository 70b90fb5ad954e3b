"""Conformance of every case to a reference: fitness, and each deviation with its position.

Two kinds of reference:

* a :class:`~pathways.ReferencePathway` (milestones, optional steps, time limits):
  the deviations follow from the pathway's definitions and are computed in the
  engine (first occurrence of each milestone per case, order, time gaps) and with
  numpy over the small per-case table; the fitness is pm4py's replay of the
  case's milestones against the pathway's model;
* a :class:`~pathways.models.ProcessModel` (discovered, or read from PNML/BPMN):
  each distinct trace is replayed once by pm4py, and the result joined back to
  the cases that follow it.

Positions count the events of the case from 1, in time order (ties by input
row), every event included, so ``@3`` is the case's third event; a skipped step
is placed where it was due: before the event at that position (``n_events + 1``
when it was due after the last event).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import ibis
import numpy as np
import pandas as pd

from .. import schema as S
from ..analyses.common import duration, with_parameters
from ..errors import OptionError, check_choice, closest, outside_stacklevel
from ..timeunits import in_unit, limit_unit
from . import _pm4py
from .model import ProcessModel
from .reference import ReferencePathway

if TYPE_CHECKING:
    from ..eventlog import EventLog

METHODS = ("token_replay", "alignments")
#: The deviation kinds, in the order they are listed at one position.
DEVIATION_KINDS = ("skipped", "out_of_order", "inserted", "time_limit")
_KIND_ORDER = {k: i for i, k in enumerate(DEVIATION_KINDS)}
_COUNT_COLUMNS = {"skipped": "n_skipped", "out_of_order": "n_out_of_order", "inserted": "n_inserted",
                  "time_limit": "n_time_limit"}
COLUMNS = ["case_id", "fitness", "n_deviations", "n_skipped", "n_out_of_order", "n_inserted", "n_time_limit",
           "deviations", "status"]
_US_PER_DAY = 86_400 * 1_000_000


@dataclass(frozen=True, slots=True)
class Deviation:
    """One deviation of a case from its reference; prints as ``skipped visitation@2``.

    ``kind`` is one of ``skipped``, ``out_of_order``, ``inserted``, ``time_limit``;
    ``step`` the label; ``position`` the case's event number (from 1); for a time
    limit, ``days`` taken, ``limit_days`` allowed and ``after`` the step measured from.

    Examples
    --------
    >>> d = Deviation("time_limit", "first_contact", 3, 41.25, 30.0, "visitation")
    >>> d
    time_limit first_contact@3 (41.2 d > 30 d after visitation)
    >>> d.kind, d.position
    ('time_limit', 3)
    >>> Deviation("time_limit", "triage", 2, 80 / 1440, 1 / 24, "arrival")  # a 1-hour limit, in hours
    time_limit triage@2 (1.3 h > 1 h after arrival)
    """

    kind: str
    step: str
    position: int
    days: float | None = None
    limit_days: float | None = None
    after: str | None = None

    def __str__(self) -> str:
        text = f"{self.kind} {self.step}@{self.position}"
        if self.kind == "time_limit" and self.days is not None:
            unit = limit_unit(self.limit_days)  # the limit's own unit ("1 h", "30 d"), the time taken in it too
            short = {"minutes": "min", "hours": "h", "days": "d"}[unit]
            text += (f" ({in_unit(self.days, unit):.1f} {short} > {in_unit(self.limit_days, unit):g} {short} "
                     f"after {self.after})")
        return text

    def __repr__(self) -> str:
        return str(self)


# --- helpers -----------------------------------------------------------------------------------
def _timeout_seconds(value) -> float:
    seconds = duration(value, argument="timeout_per_case").total_seconds()
    if seconds <= 0:
        raise OptionError(f"timeout_per_case={value!r} must be longer than zero, e.g. '10s'.")
    return seconds


def _empty() -> pd.DataFrame:
    dtypes = {"case_id": "object", "fitness": "float64", "n_deviations": "int64", "n_skipped": "int64",
              "n_out_of_order": "int64", "n_inserted": "int64", "n_time_limit": "int64", "deviations": "object",
              "status": "object"}
    return pd.DataFrame({c: pd.Series([], dtype=dtypes[c]) for c in COLUMNS})


def _finish(cases: pd.DataFrame, devs: pd.DataFrame, fitness: np.ndarray, status) -> pd.DataFrame:
    """The result table from the cases (in order), the deviation rows (``ci`` = case index) and fitness."""
    n = len(cases)
    tuples = pd.Series([()] * n, dtype="object")
    grouped = _group(devs)
    if len(grouped):
        tuples.iloc[grouped.index.to_numpy()] = grouped.to_numpy()
    out = pd.DataFrame({"case_id": cases["case_id"].to_numpy(dtype=object), "fitness": fitness.astype("float64")})
    ci = devs["ci"].to_numpy("int64") if len(devs) else np.zeros(0, dtype="int64")
    out["n_deviations"] = np.bincount(ci, minlength=n).astype("int64")
    kinds = devs["kind"].to_numpy() if len(devs) else np.zeros(0, dtype=object)
    for kind, col in _COUNT_COLUMNS.items():
        out[col] = np.bincount(ci[kinds == kind], minlength=n).astype("int64")
    out["deviations"] = tuples.to_numpy()
    out["status"] = status
    return out[COLUMNS].sort_values("case_id", kind="stable", ignore_index=True)


def _group(devs: pd.DataFrame) -> pd.Series:
    """Deviation rows (``ci`` = case index, kind, step, position, days, limit_days, after) -> tuple per case."""
    if not len(devs):
        return pd.Series([], dtype="object")
    order = devs["order"] if "order" in devs else pd.Series(np.arange(len(devs)), index=devs.index)
    devs = devs.assign(_k=devs["kind"].map(_KIND_ORDER), _o=order).sort_values(
        ["ci", "position", "_k", "_o"], kind="stable", ignore_index=True)
    cols = [devs[c].astype(object).tolist() for c in ("kind", "step", "position", "days", "limit_days", "after")]
    objs = [Deviation(k, s, int(p), None if d is None or d != d else float(d),
                      None if lim is None or lim != lim else float(lim), a if isinstance(a, str) else None)
            for k, s, p, d, lim, a in zip(*cols)]
    ci = devs["ci"].to_numpy("int64")
    cuts = np.flatnonzero(np.diff(ci)) + 1
    starts = np.concatenate([[0], cuts]).astype("int64")
    ends = np.concatenate([cuts, [len(ci)]]).astype("int64")
    return pd.Series([tuple(objs[a:b]) for a, b in zip(starts, ends)], index=ci[starts], dtype="object")


def _token_fitness(results: list[dict], weights) -> float:
    m = sum(r["missing_tokens"] * w for r, w in zip(results, weights))
    c = sum(r["consumed_tokens"] * w for r, w in zip(results, weights))
    rem = sum(r["remaining_tokens"] * w for r, w in zip(results, weights))
    p = sum(r["produced_tokens"] * w for r, w in zip(results, weights))
    if not c or not p:
        return 1.0
    return 0.5 * (1 - m / c) + 0.5 * (1 - rem / p)


def _replay(traces: list[tuple], weights, net, im, fm, method: str, timeout: float):
    """Fitness per trace (NaN on timeout), pm4py's raw results, and the log-level fitness."""
    if method == "token_replay":
        results = _pm4py.token_replay(traces, net, im, fm)
        fitness = np.array([float(r["trace_fitness"]) for r in results])
        return fitness, results, _token_fitness(results, weights)
    results = [_pm4py.alignment(tr, net, im, fm, timeout=timeout) for tr in traces]  # one time limit each
    fitness = np.array([math.nan if r is None else float(r["fitness"]) for r in results])
    done = [(r, w) for r, w in zip(results, weights) if r is not None]
    cost = sum(r["cost"] * w for r, w in done)
    bwc = sum(r["bwc"] * w for r, w in done)
    return fitness, results, (1 - cost / bwc if bwc else math.nan)


# --- reference pathway ---------------------------------------------------------------------------
def _lis(seq: list[int]) -> set[int]:
    """The longest increasing subsequence of step numbers; on ties, the one with the smallest steps first."""
    best: list[tuple] = [()] * len(seq)
    for i in range(len(seq) - 1, -1, -1):
        tail = ()
        for j in range(i + 1, len(seq)):
            if seq[j] > seq[i] and (len(best[j]) > len(tail) or (len(best[j]) == len(tail) and best[j] < tail)):
                tail = best[j]
        best[i] = (seq[i],) + tail
    top = ()
    for b in best:
        if len(b) > len(top) or (len(b) == len(top) and b < top):
            top = b
    return set(top)


def _match_steps(log, ref: ReferencePathway):
    """Ibis predicates of the steps; OptionError (did-you-mean) for a step no event matches or overlapping steps."""
    from ..analyses.waits import event_types, milestone
    from ._names import absent_message

    t = log.table
    types = event_types(log)
    preds = [milestone(t, [s.name], types) for s in ref.steps]
    k = len(preds)
    aggs = {f"n{i}": preds[i].cast("int64").sum() for i in range(k)}
    aggs.update({f"o{i}_{j}": (preds[i] & preds[j]).cast("int64").sum() for i in range(k) for j in range(i + 1, k)})
    row = t.aggregate(**aggs).to_pyarrow().to_pylist()[0]
    for i, s in enumerate(ref.steps):
        if not row[f"n{i}"]:
            raise OptionError(absent_message(log, f"step {i + 1} of {ref.name!r}, {s.name!r},", s.name, types))
    for i in range(k):
        for j in range(i + 1, k):
            if row[f"o{i}_{j}"]:
                raise OptionError(f"{row[f'o{i}_{j}']:,} events match both step {ref.steps[i].name!r} and step "
                                  f"{ref.steps[j].name!r} (an activity and its event type?), so a milestone would "
                                  "count twice. Name each step once, e.g. only the event type.")
    return preds


def _conform_reference(log, ref: ReferencePathway, method: str, timeout: float) -> pd.DataFrame:
    preds = _match_steps(log, ref)
    K = len(ref.steps)
    t = log.table
    w = ibis.window(group_by=S.CASE, order_by=[S.TIMESTAMP, S.ROW])
    step = ibis.cases(*[(p, i) for i, p in enumerate(preds)], else_=ibis.null("int64"))
    e = t.mutate(_pos=(ibis.row_number().over(w) + 1).cast("int64"), _step=step.cast("int64"))
    # one row per case: its number of events and its milestones in time order (the projected trace)
    per_case = e.group_by(S.CASE).aggregate(
        n_events=e.count(),
        proj=e._step.cast("string").group_concat(",", where=e._step.notnull(), order_by=[e.timestamp, e.row]))
    cases = per_case.order_by(S.CASE).to_pyarrow().to_pandas()
    # every milestone event: case, step, position, time (microseconds since the epoch, exact)
    from ..udf import epoch_us

    m = e.filter(e._step.notnull())
    m = m.select(S.CASE, step=m._step, position=m._pos, us=epoch_us(m.timestamp)).order_by([S.CASE, "position"])
    m = m.to_pyarrow().to_pandas()

    n = len(cases)
    ci = pd.Index(cases[S.CASE]).get_indexer(m[S.CASE])
    kk = m["step"].to_numpy("int64")
    occ = m.groupby([S.CASE, "step"], sort=False).cumcount().to_numpy()
    first = occ == 0
    P = np.full((n, K), np.inf)
    T = np.zeros((n, K), dtype="int64")
    P[ci[first], kk[first]] = m["position"].to_numpy("float64")[first]
    T[ci[first], kk[first]] = m["us"].to_numpy("int64")[first]
    present = np.isfinite(P)
    n_events = cases["n_events"].to_numpy("int64")

    # out of order: per distinct order pattern (few), the fewest steps whose moving restores the order
    ranks = np.where(present, np.argsort(np.argsort(P, axis=1, kind="stable"), axis=1, kind="stable"), -1)
    patterns, inverse = np.unique(ranks, axis=0, return_inverse=True)
    in_order_p = np.zeros(patterns.shape, dtype=bool)
    for r, pat in enumerate(patterns):
        seq = [int(k) for k in np.argsort(np.where(pat < 0, K + 1, pat), kind="stable") if pat[k] >= 0]
        keep = _lis(seq)
        in_order_p[r, list(keep)] = True
    in_order = in_order_p[inverse.reshape(-1)] & present
    out_of_order = present & ~in_order

    mandatory = np.array([not s.optional for s in ref.steps])
    skipped = ~present & mandatory[None, :]
    # a skipped step was due before the next step (later in the pathway) that the case did, in order
    q = np.where(in_order, P, np.inf)
    later = np.minimum.accumulate(q[:, ::-1], axis=1)[:, ::-1]
    due = np.concatenate([later[:, 1:], np.full((n, 1), np.inf)], axis=1)
    skip_pos = np.where(np.isfinite(due), due, (n_events + 1)[:, None])

    # time limits, between first occurrences, in exact microseconds
    idx = np.where(in_order, np.arange(K)[None, :], -1)
    prev_in_order = np.concatenate([np.full((n, 1), -1), np.maximum.accumulate(idx, axis=1)[:, :-1]], axis=1)
    late_rows = []
    for k, s in enumerate(ref.steps):
        if s.within_days is None:
            continue
        limit_us = int(round(s.within_days * _US_PER_DAY))
        if s.after is not None:
            j = ref.labels.index(ref.anchor(k))
            anchor = np.full(n, j)
            valid = present[:, k] & present[:, j]
        else:
            anchor = prev_in_order[:, k]
            valid = present[:, k] & (anchor >= 0)
        anchor_us = T[np.arange(n), np.maximum(anchor, 0)]
        gap = T[:, k] - anchor_us
        late = valid & (gap > limit_us)
        rows = np.flatnonzero(late)
        if len(rows):
            late_rows.append(pd.DataFrame({
                "ci": rows, "kind": "time_limit", "step": s.label, "order": k, "position": P[rows, k].astype("int64"),
                "days": gap[rows] / _US_PER_DAY, "limit_days": s.within_days,
                "after": [ref.labels[a] for a in anchor[rows]]}))

    parts = []
    labels = np.array(ref.labels, dtype=object)
    for kind, mask, pos in (("skipped", skipped, skip_pos), ("out_of_order", out_of_order, P)):
        rows, cols = np.nonzero(mask)
        if len(rows):
            parts.append(pd.DataFrame({"ci": rows, "kind": kind, "step": labels[cols], "order": cols,
                                       "position": pos[rows, cols].astype("int64")}))
    rep = ~first
    if rep.any():
        parts.append(pd.DataFrame({"ci": ci[rep], "kind": "inserted", "step": labels[kk[rep]], "order": kk[rep],
                                   "position": m["position"].to_numpy("int64")[rep]}))
    parts += late_rows
    devs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["ci", "kind", "step", "position"])
    for c in ("days", "limit_days", "after"):
        if c not in devs:
            devs[c] = np.nan if c != "after" else None
    devs["after"] = devs["after"].astype(object).where(devs["after"].notna(), None)

    # fitness: replay each distinct projected trace once against the pathway's model
    proj = cases["proj"].fillna("").astype(str)
    distinct = pd.Series(proj.unique())
    traces = [tuple(labels[int(x)] for x in p.split(",")) if p else () for p in distinct]
    weights = proj.value_counts().reindex(distinct).to_numpy()
    net, im, fm = ref.to_model().petri_net()
    fit, _results, log_fitness = _replay(traces, weights, net, im, fm, method, timeout)
    fitness = pd.Series(fit, index=distinct.to_numpy()).reindex(proj.to_numpy()).to_numpy()
    status = np.where(np.isnan(fitness), "timeout", "ok")
    out = _finish(cases, devs, fitness, status)
    out.attrs["log_fitness"] = float(log_fitness)
    out.attrs["n_traces_replayed"] = len(traces)
    return out


# --- process model ---------------------------------------------------------------------------------
def _sorted_arcs(arcs):
    """pm4py keeps arcs in sets (iteration order varies between runs): a fixed order, for repeatable results."""
    def key(a):
        return (str(getattr(a.source, "label", None) or ""), str(a.source.name),
                str(getattr(a.target, "label", None) or ""), str(a.target.name))
    return sorted(arcs, key=key)


def _cheapest_chain(starts, goal, step, *, fired: set):
    """Dijkstra over places: the chain of unfired transitions (visible steps cost 1, silent 0) from a place in
    ``starts`` to one satisfying ``goal``; ``step(place)`` yields ``(transition, next place)``. None if none."""
    import heapq
    import itertools

    tie = itertools.count()
    heap = [(0, next(tie), p, ()) for p in starts]
    done = set()
    while heap:
        cost, _, place, chain = heapq.heappop(heap)
        if place in done:
            continue
        done.add(place)
        if chain and goal(place):
            return place, chain
        if len(chain) >= 25:
            continue
        for t, nxt in step(place):
            if t.label is not None and t.label in fired:
                continue
            heapq.heappush(heap, (cost + (t.label is not None), next(tie), nxt, chain + (t,)))
    return None


def _tbr_deviations(trace: tuple, result: dict, net, im, fm, known: set) -> list[tuple]:
    """Deviations read off pm4py's token replay of one trace (see :func:`conformance`, token replay).

    pm4py's firing sequence is fired again here, keeping for each token the
    position it was produced at, to see where tokens were missing and which were
    left over. A missing token that a leftover token (produced earlier) could have
    delivered through steps never done is explained by those steps being skipped
    there; the rest is out of order (first occurrence) or inserted (a repeat).
    Leftover tokens that could still reach the end through steps never done mark
    those steps as skipped at the end of the case.
    """
    n = len(trace)
    positions = [i + 1 for i, label in enumerate(trace) if label in known]
    out = [("inserted", label, i + 1) for i, label in enumerate(trace) if label not in known]
    tokens = {p: [0.0] * int(k) for p, k in im.items()}  # place -> production positions of its tokens
    fired = {t.label for t in result["activated_transitions"] if t.label is not None}
    problems = []  # (label, position, places missing a token, repeat?)
    seen, v = set(), 0
    for tr in result["activated_transitions"]:
        pos = float(positions[v]) if tr.label is not None and v < len(positions) else \
            (positions[v] - 0.5 if v < len(positions) else n + 0.5)
        missing = []
        for arc in _sorted_arcs(tr.in_arcs):
            have = tokens.setdefault(arc.source, [])
            for _ in range(arc.weight):
                if have:
                    have.pop()  # the newest token: the oldest stay to explain later gaps
                else:
                    missing.append(arc.source)
        for arc in tr.out_arcs:
            tokens.setdefault(arc.target, []).extend([pos] * arc.weight)
        if tr.label is None:
            continue
        v += 1
        if missing:
            problems.append((tr.label, int(pos), missing, tr.label in seen))
        seen.add(tr.label)
    for p, k in fm.items():  # the final marking's tokens are not left over
        for _ in range(int(k)):
            if tokens.get(p):
                tokens[p].pop(0)
    def backward(place):
        return ((a.source, b.source) for a in _sorted_arcs(place.in_arcs) for b in _sorted_arcs(a.source.in_arcs))

    def forward(place):
        return ((a.target, b.target) for a in _sorted_arcs(place.out_arcs) for b in _sorted_arcs(a.target.out_arcs))

    skipped = []
    for label, pos, missing, repeat in problems:
        if repeat:
            out.append(("inserted", label, pos))
            continue
        explained = True
        for q in missing:
            found = _cheapest_chain([q], lambda p, pos=pos: any(x < pos for x in tokens.get(p, ())), backward,
                                    fired=fired)
            if found is None:
                explained = False
                continue
            place, chain = found
            earliest = min(x for x in tokens[place] if x < pos)
            tokens[place].remove(earliest)
            skipped += [(t.label, pos) for t in reversed(chain) if t.label is not None]
        if not explained:
            out.append(("out_of_order", label, pos))
    short = {p for p, k in fm.items() if len(tokens.get(p, ())) < k}
    left = sorted((p for p, ts in tokens.items() if ts and p not in fm), key=lambda p: str(p.name))
    for p in left:
        found = _cheapest_chain([p], lambda x: x in short, forward, fired=fired)
        if found is not None:
            skipped += [(t.label, n + 1) for t in found[1] if t.label is not None]
    done = set()
    for label, pos in skipped:
        if (label, pos) not in done:
            done.add((label, pos))
            out.append(("skipped", label, pos))
    return out


def _alignment_deviations(trace: tuple, result: dict | None) -> list[tuple] | None:
    """Deviations from an optimal alignment: log moves inserted, model moves skipped, a pair of both out of order."""
    if result is None:
        return None
    out = []
    pos = 0
    for log_move, model_move in result["alignment"]:
        if log_move != ">>":
            pos += 1
            if model_move == ">>":
                # in a run of the same step, which one is "inserted" is a tie the search breaks at
                # random: report the run's last event, as token replay does
                at = pos
                while at < len(trace) and trace[at] == log_move:
                    at += 1
                out.append(["inserted", log_move, at])
        elif model_move is not None and model_move != ">>":
            out.append(["skipped", model_move, pos + 1])
    for label in {d[1] for d in out if d[0] == "skipped"} & {d[1] for d in out if d[0] == "inserted"}:
        skips = [d for d in out if d[0] == "skipped" and d[1] == label]
        ins = [d for d in out if d[0] == "inserted" and d[1] == label]
        for s, i in zip(skips, ins):  # the step happened, but elsewhere: one deviation, where it happened
            out.remove(s)
            i[0] = "out_of_order"
    return [tuple(d) for d in out]


def _check_labels(log, model: ProcessModel) -> None:
    col = log.table[S.EVENT_TYPE if model.level == "event_type" else S.ACTIVITY]
    present = sorted(str(x) for x in log.table.select(x=col).distinct().to_pyarrow().column(0).to_pylist()
                     if x is not None)
    missing = [a for a in model.activities if a not in set(present)]
    if not missing:
        return
    hints = {a: closest(a, present) for a in missing}
    text = "; ".join(f"{a!r}" + (f" (did you mean {hints[a]!r}?)" if hints[a] else "") for a in missing[:8])
    what = "event types" if model.level == "event_type" else "activities"
    if len(missing) == len(model.activities):
        other = "activity" if model.level == "event_type" else "event_type"
        raise OptionError(f"none of the model's {what} occurs in the log: {text}. Is the model at the other level? "
                          f"Read it with level={other!r}.")
    warnings.warn(f"{len(missing)} of the model's {len(model.activities)} {what} never occur in this log: {text}. "
                  "Cases cannot follow those paths; check the names if that is unexpected.",
                  stacklevel=outside_stacklevel())


def _conform_model(log, model: ProcessModel, method: str, timeout: float) -> pd.DataFrame:
    from .discovery import case_traces

    model.check_sound()
    _check_labels(log, model)
    net, im, fm = model.petri_net()
    known = set(model.activities)
    ct = case_traces(log, model.level)
    cases = ct.select(S.CASE, "variant_id").order_by(S.CASE).to_pyarrow().to_pandas()
    v = ct.group_by("variant_id").aggregate(trace=ct.trace.arbitrary(), n_cases=ct.count()).to_pyarrow().to_pylist()
    vid = [int(r["variant_id"]) for r in v]
    traces = [tuple(r["trace"] or ()) for r in v]
    fit, results, log_fitness = _replay(traces, [int(r["n_cases"]) for r in v], net, im, fm, method, timeout)
    if method == "token_replay":
        per_variant = [_tbr_deviations(tr, r, net, im, fm, known) for tr, r in zip(traces, results)]
    else:
        per_variant = [_alignment_deviations(tr, r) for tr, r in zip(traces, results)]
    # join the variants' results back to their cases
    case_v = pd.Index(vid).get_indexer(cases["variant_id"])
    fitness = fit[case_v]
    rows = [(v_i, *d) for v_i, ds in enumerate(per_variant) if ds for d in ds]
    dv = pd.DataFrame(rows, columns=["v", "kind", "step", "position"])
    devs = pd.DataFrame(columns=["ci", "kind", "step", "position"])
    if len(dv):
        ci = pd.DataFrame({"ci": np.arange(len(cases)), "v": case_v})
        devs = ci.merge(dv, on="v", how="inner").drop(columns="v")
    devs["days"], devs["limit_days"], devs["after"] = np.nan, np.nan, None
    timed_out = np.array([ds is None for ds in per_variant])[case_v] if len(per_variant) else np.zeros(0, bool)
    out = _finish(cases, devs, fitness, np.where(timed_out, "timeout", "ok"))
    if timed_out.any():
        out.loc[out["status"] == "timeout", "deviations"] = None
    out.attrs["log_fitness"] = float(log_fitness)
    out.attrs["n_traces_replayed"] = len(traces)
    return out


# --- public ------------------------------------------------------------------------------------------
def conformance(log: EventLog, reference, *, method: Literal["token_replay", "alignments"] = "token_replay",
                timeout_per_case="10s") -> pd.DataFrame:
    """Compare every case with a reference: its fitness and its deviations, each with its position.

    Parameters
    ----------
    log : EventLog
    reference : ReferencePathway or ProcessModel
        The agreed pathway (:class:`pathways.ReferencePathway`), or a process model
        (discovered, or read with :func:`pathways.read_bpmn` / :func:`pathways.read_pnml`).
        An empty or unsound model is refused (OptionError); a pathway step no event
        matches is refused with a did-you-mean.
    method : {"token_replay", "alignments"}, default "token_replay"
        How pm4py replays each distinct trace: token-based replay (fast), or optimal
        alignments (exact, can be slow on large models; each trace gets
        ``timeout_per_case``, after which its row has ``status = "timeout"``, NaN
        fitness, and for a model no deviations).
    timeout_per_case : str or timedelta, default "10s"
        Time limit of one alignment (distinct traces are aligned once each).

    Returns
    -------
    pandas.DataFrame
        One row per case, sorted by case id: ``case_id``, ``fitness`` (0–1, 1 =
        the case fits), ``n_deviations``, ``n_skipped``, ``n_out_of_order``,
        ``n_inserted``, ``n_time_limit``, ``deviations`` (a tuple of
        :class:`~pathways.models.Deviation`, printed as ``"skipped visitation@2"``),
        ``status`` (``"ok"`` or ``"timeout"``). Join it with
        :func:`pathways.case_summary` on ``case_id``. ``df.attrs`` holds
        ``parameters``, ``log_fitness`` (pm4py's fitness of the whole log) and
        ``n_traces_replayed``.

    Notes
    -----
    **Against a ReferencePathway** only milestone events count (other events are
    ignored). *skipped*: a mandatory step never happens (placed before the next
    step of the pathway that the case did in order); *out_of_order*: the first
    occurrence of a step breaks the agreed order (the fewest such steps); *inserted*:
    a milestone happening again; *time_limit*: a step's first occurrence later than
    its ``within`` after the step before (the nearest earlier step done in order) or
    after its ``after`` step. Fitness is pm4py's replay of the case's milestone
    sequence against :meth:`ReferencePathway.to_model`: time limits do not lower it.

    **Against a model** every event counts, labelled by the model's ``level``.
    With alignments: a log move is *inserted*, a model move *skipped*, and an
    activity both skipped and inserted in one case is *out_of_order* (at the
    position where it happened). With token replay the deviations are read off
    the replay: an activity the model lacks is *inserted*; an event the model did
    not enable is explained, when it can be, by steps never done that would have
    delivered the missing token from one left over (*skipped* there), otherwise it
    is *out_of_order* (first time) or *inserted* (a repeat); tokens left at the end
    that could still reach the end through steps never done mark those steps
    *skipped* at ``n_events + 1``. On the usual deviations this gives what
    alignments give, far faster; where several explanations cost the same the two
    methods may pick different ones (and pm4py's alignment search breaks such
    ties by object identity, so it may pick differently from run to run; token
    replay is repeatable). pm4py's token-replay fitness ignores
    activities the model lacks (they are listed as inserted all the same).

    Compare only the cases the reference applies to: filter the log first, e.g.
    ``pw.filter_activities(log, event_types="referral_received", keep="cases")``;
    a case with none of the milestones has every mandatory step skipped.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({
    ...     "pt": ["A"] * 3 + ["B"] * 2 + ["C"] * 3,
    ...     "act": ["Henvisning", "Visitation", "Førstegangssamtale",
    ...             "Henvisning", "Førstegangssamtale",
    ...             "Henvisning", "Visitation", "Førstegangssamtale"],
    ...     "ts": ["2024-01-02", "2024-01-10", "2024-01-30",
    ...            "2024-02-01", "2024-02-20",
    ...            "2024-03-01", "2024-03-05", "2024-05-01"]})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    >>> ref = pw.ReferencePathway(["referral", "visitation", pw.Step("first_contact", within="30D")])
    >>> table = pw.conformance(log, ref)
    >>> table[["case_id", "fitness", "n_deviations", "n_skipped", "n_time_limit"]]
      case_id   fitness  n_deviations  n_skipped  n_time_limit
    0       A  1.000000             0          0             0
    1       B  0.666667             1          1             0
    2       C  1.000000             1          0             1
    >>> for case, devs in zip(table.case_id, table.deviations):
    ...     print(case, [str(d) for d in devs])
    A []
    B ['skipped visitation@2']
    C ['time_limit first_contact@3 (57.0 d > 30 d after visitation)']
    """
    check_choice("method", method, list(METHODS))
    timeout = _timeout_seconds(timeout_per_case)
    if isinstance(reference, ReferencePathway):
        params = dict(reference=reference.name, method=method, timeout_per_case=timeout_per_case)
        out = _empty() if len(log) == 0 else _conform_reference(log, reference, method, timeout)
    elif isinstance(reference, ProcessModel):
        params = dict(reference=reference.name or reference.source, method=method,
                      timeout_per_case=timeout_per_case, level=reference.level)
        if len(log) == 0:
            reference.check_sound()
            out = _empty()
        else:
            out = _conform_model(log, reference, method, timeout)
    else:
        raise OptionError(f"reference must be a pw.ReferencePathway or a process model (pw.discover_petri_net, "
                          f"pw.read_bpmn, ...), got {type(reference).__name__}.")
    return with_parameters(out, **params)


def _explode(table: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame) or not {"case_id", "deviations"} <= set(table.columns):
        raise OptionError("conformance_summary expects the table pw.conformance returns (with case_id and "
                          "deviations columns).")
    rows = [(c, d.kind, d.step, d.position, d.days) for c, ds in zip(table["case_id"], table["deviations"])
            if ds for d in ds]
    return pd.DataFrame(rows, columns=["case_id", "kind", "step", "position", "days"])


def conformance_summary(table: pd.DataFrame, *, by: Literal["deviation", "unit"] = "deviation",
                        log=None) -> pd.DataFrame:
    """How often each deviation happens: by kind and step, or by the unit where it happened.

    Parameters
    ----------
    table : pandas.DataFrame
        The result of :func:`pathways.conformance`.
    by : {"deviation", "unit"}, default "deviation"
        ``"deviation"``: one row per kind and step. ``"unit"``: one row per unit,
        kind and step; the unit is that of the event at the deviation's position
        (for a skipped step, of the event before it: the unit that held the patient
        when the step was due). Needs ``log``.
    log : EventLog, optional
        The log the table was computed from (required for ``by="unit"``).

    Returns
    -------
    pandas.DataFrame
        ``kind, step`` (with ``unit`` first for ``by="unit"``), ``n_deviations``,
        ``n_cases`` (cases with this deviation), ``share_of_cases`` (of all cases in
        the table) and ``median_days`` (time taken, for time limits; NaN otherwise).
        Sorted by ``n_cases``, most first.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B", "C", "C"],
    ...                    "act": ["Henvisning", "Visitation", "Henvisning", "Visitation", "Henvisning"],
    ...                    "ts": ["2024-01-02", "2024-01-10", "2024-02-01", "2024-03-01", "2024-03-05"],
    ...                    "unit": ["Egen læge", "Psykiatrisk Visitationsklinik", "Egen læge",
    ...                             "Psykiatrisk Visitationsklinik", "Egen læge"]})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    >>> table = pw.conformance(log, pw.ReferencePathway(["referral", "visitation"]))
    >>> pw.conformance_summary(table)[["kind", "step", "n_cases", "share_of_cases"]]
               kind        step  n_cases  share_of_cases
    0  out_of_order  visitation        1        0.333333
    1       skipped  visitation        1        0.333333
    >>> pw.conformance_summary(table, by="unit", log=log)[["unit", "kind", "n_deviations"]]
                                unit          kind  n_deviations
    0                      Egen læge       skipped             1
    1  Psykiatrisk Visitationsklinik  out_of_order             1
    """
    check_choice("by", by, ["deviation", "unit"])
    long = _explode(table)
    n_cases = int(table["case_id"].nunique())
    keys = ["kind", "step"]
    if by == "unit":
        if log is None:
            raise OptionError("by='unit' needs the log the table was computed from: "
                              "pw.conformance_summary(table, by='unit', log=log).")
        log.require("unit", purpose="conformance_summary(by='unit')")
        long["unit"] = _units_at(log, long)
        keys = ["unit", *keys]
    cols = [*keys, "n_deviations", "n_cases", "share_of_cases", "median_days"]
    if not len(long):
        return with_parameters(pd.DataFrame({c: pd.Series([], dtype="object") for c in cols}), by=by)
    g = long.groupby(keys, dropna=False, sort=True)
    out = g.agg(n_deviations=("case_id", "size"), n_cases=("case_id", "nunique"),
                median_days=("days", "median")).reset_index()
    out["share_of_cases"] = out["n_cases"] / n_cases if n_cases else np.nan
    out = out[cols].sort_values(["n_cases", "n_deviations", *keys], ascending=[False, False] + [True] * len(keys),
                                kind="stable", ignore_index=True)
    out.attrs["n_cases"] = n_cases
    return with_parameters(out, by=by)


def _units_at(log, long: pd.DataFrame) -> np.ndarray:
    """The unit of the event at each deviation's position (the event before, for skipped steps)."""
    look = np.where(long["kind"].to_numpy() == "skipped", np.maximum(long["position"].to_numpy() - 1, 1),
                    long["position"].to_numpy()).astype("int64")
    keys = pd.DataFrame({"case_id": long["case_id"].astype(str).to_numpy(), "position": look}).drop_duplicates()
    t = log.table
    w = ibis.window(group_by=S.CASE, order_by=[S.TIMESTAMP, S.ROW])
    e = t.select(S.CASE, S.UNIT, position=(ibis.row_number().over(w) + 1).cast("int64"))
    wanted = ibis.memtable(keys)
    j = e.join(wanted, [e.case_id == wanted.case_id, e.position == wanted.position])
    found = j.select(e.case_id, e.position, e.unit).to_pyarrow().to_pandas()
    merged = pd.DataFrame({"case_id": long["case_id"].astype(str).to_numpy(), "position": look}).merge(
        found, on=["case_id", "position"], how="left")
    return merged["unit"].astype(object).where(merged["unit"].notna(), None).to_numpy()


__all__ = ["conformance", "conformance_summary", "Deviation", "DEVIATION_KINDS", "METHODS"]
