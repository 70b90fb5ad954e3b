"""Declarative rules checked per case in the engine: response within a time, precedence, never both.

Each rule is one Ibis expression over the log's events (window functions per
case), so a million cases cost one pass per rule, with no Python loop over
cases or events. Milestones are named as in :func:`pathways.waiting_times`: an
event type or an activity name (an event type wins; prefix ``"activity:"`` to
force the activity), or a list of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import ibis
import pandas as pd

from .. import schema as S
from ..analyses.common import days_between, duration, with_parameters
from ..errors import OptionError

if TYPE_CHECKING:
    from ..eventlog import EventLog

_COLUMNS = {"case_id": "object", "rule": "object", "holds": "bool", "n_activations": "int64",
            "n_violations": "int64", "days": "float64"}


def _names(value, argument: str) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip() and value.strip() != "*":
        return (value.strip(),)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    raise OptionError(f"{argument}={value!r} is not a milestone; name an event type or activity "
                      "(e.g. 'referral_received'), or a list of them.")


def _show(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else "(" + " | ".join(names) + ")"


@dataclass(frozen=True)
class Response:
    """Every ``trigger`` is followed by ``then`` (within ``within``, when given).

    Each occurrence of the trigger counts: it is answered by the first ``then``
    event after it; a trigger with no ``then`` after it, or answered later than
    ``within``, is a violation. ``days`` in :func:`check_rules` is the longest time
    from a trigger to its answer.

    Examples
    --------
    >>> Response("referral_received", "assessment_start", within="30D")
    Response('referral_received' → 'assessment_start' within 30D)
    """

    trigger: str | tuple
    then: str | tuple
    within: str | timedelta | None = None
    name: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "trigger", _names(self.trigger, "trigger"))
        object.__setattr__(self, "then", _names(self.then, "then"))
        if self.within is not None:
            duration(self.within, argument="within")

    @property
    def label(self) -> str:
        limit = f" within {self.within}" if self.within is not None else ""
        return self.name or f"response: {_show(self.trigger)} → {_show(self.then)}{limit}"

    def __repr__(self) -> str:
        limit = f" within {self.within}" if self.within is not None else ""
        return f"Response({_show(self.trigger)!r} → {_show(self.then)!r}{limit})"


@dataclass(frozen=True)
class Precedence:
    """``then`` happens only after ``first``: every ``then`` event has a ``first`` event before it.

    Examples
    --------
    >>> Precedence("assessment_end", "treatment_start")
    Precedence('assessment_end' before 'treatment_start')
    """

    first: str | tuple
    then: str | tuple
    name: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "first", _names(self.first, "first"))
        object.__setattr__(self, "then", _names(self.then, "then"))

    @property
    def label(self) -> str:
        return self.name or f"precedence: {_show(self.first)} before {_show(self.then)}"

    def __repr__(self) -> str:
        return f"Precedence({_show(self.first)!r} before {_show(self.then)!r})"


@dataclass(frozen=True)
class NotCoExistence:
    """A case never has both ``a`` and ``b`` (e.g. a rejected referral and a treatment start in one unit).

    Examples
    --------
    >>> NotCoExistence("referral_rejected", "treatment_start")
    NotCoExistence('referral_rejected', 'treatment_start')
    """

    a: str | tuple
    b: str | tuple
    name: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "a", _names(self.a, "a"))
        object.__setattr__(self, "b", _names(self.b, "b"))

    @property
    def label(self) -> str:
        return self.name or f"not both: {_show(self.a)} and {_show(self.b)}"

    def __repr__(self) -> str:
        return f"NotCoExistence({_show(self.a)!r}, {_show(self.b)!r})"


RULES = (Response, Precedence, NotCoExistence)


def _rule_expr(log, rule, types):
    """Ibis table, one row per case with at least one event: case_id, n_activations, n_violations, days."""
    from ..analyses.waits import milestone

    t = log.table
    after = ibis.window(group_by=S.CASE, order_by=[S.TIMESTAMP, S.ROW], rows=(1, None))
    before = ibis.window(group_by=S.CASE, order_by=[S.TIMESTAMP, S.ROW], rows=(None, -1))
    if isinstance(rule, Response):
        is_a = milestone(t, list(rule.trigger), types)
        is_b = milestone(t, list(rule.then), types)
        # the first answer after each event: the earliest answer time among the events after it
        e = t.mutate(_a=is_a, _next=ibis.cases((is_b, t.timestamp), else_=ibis.null(t.timestamp.type()))
                     .min().over(after))
        gap = days_between(e.timestamp, e._next)
        bad = e._next.isnull()
        if rule.within is not None:
            limit = duration(rule.within, argument="within").total_seconds() / 86_400.0
            bad = bad | (gap > limit)
        return e.group_by(S.CASE).aggregate(
            n_activations=e._a.cast("int64").sum(), n_violations=(e._a & bad).cast("int64").sum(),
            days=ibis.cases((e._a, gap), else_=ibis.null("float64")).max())
    if isinstance(rule, Precedence):
        is_a = milestone(t, list(rule.first), types)
        is_b = milestone(t, list(rule.then), types)
        e = t.mutate(_b=is_b, _seen=is_a.cast("int64").max().over(before))
        g = e.group_by(S.CASE).aggregate(
            n_activations=e._b.cast("int64").sum(),
            n_violations=(e._b & (e._seen.fill_null(0) == 0)).cast("int64").sum())
        return g.mutate(days=ibis.null("float64"))
    is_a = milestone(t, list(rule.a), types)
    is_b = milestone(t, list(rule.b), types)
    e = t.mutate(_a=is_a.cast("int64"), _b=is_b.cast("int64"))
    g = e.group_by(S.CASE).aggregate(na=e._a.sum(), nb=e._b.sum())
    return g.select(S.CASE, n_activations=(g.na + g.nb).cast("int64"),
                    n_violations=((g.na > 0) & (g.nb > 0)).cast("int64"), days=ibis.null("float64"))


def _check_present(log, rules, types) -> None:
    """OptionError with a did-you-mean for any milestone of a rule that no event of the log matches."""
    from ..analyses.waits import milestone
    from ._names import absent_message

    t = log.table
    names = []
    for r in rules:
        for field in ("trigger", "then", "first", "a", "b"):
            for n in getattr(r, field, ()):
                if n not in names:
                    names.append(n)
    counts = t.aggregate(**{f"n{i}": milestone(t, [n], types).cast("int64").sum()
                            for i, n in enumerate(names)}).to_pyarrow().to_pylist()[0]
    for i, n in enumerate(names):
        if not counts[f"n{i}"]:
            raise OptionError(absent_message(log, f"the rule milestone {n!r}", n, types))


def check_rules(log: EventLog, rules) -> pd.DataFrame:
    """Evaluate declarative rules for every case: does each case keep each rule?

    Parameters
    ----------
    log : EventLog
    rules : a rule or a list of rules
        :class:`Response` (``trigger`` is followed by ``then``, optionally within a
        time), :class:`Precedence` (``then`` only after ``first``),
        :class:`NotCoExistence` (never both). A milestone no event of the log
        matches is refused with a did-you-mean.

    Returns
    -------
    pandas.DataFrame
        One row per case and rule, sorted by rule (in the order given) and case id:
        ``case_id``, ``rule`` (its label), ``holds``, ``n_activations`` (events that
        make the rule apply: triggers, ``then`` events for precedence, events of
        either side for not-coexistence; 0 = the rule holds vacuously),
        ``n_violations`` (triggers not answered in time, ``then`` events without an
        earlier ``first``, 1 when both sides occur) and ``days`` (response rules: the
        longest time from a trigger to its answer; NaN otherwise). The log is taken
        as complete: a trigger still waiting at the end of the extract is a
        violation (use :func:`pathways.waiting_times` with ``as_of`` for open waits).

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A", "B", "B"],
    ...                    "act": ["Henvisning modtaget", "Udredning start", "Behandling start",
    ...                            "Henvisning modtaget", "Behandling start"],
    ...                    "ts": ["2024-01-01", "2024-01-21", "2024-02-01", "2024-01-01", "2024-03-15"]})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    >>> rules = [pw.Response("referral_received", "assessment_start", within="30D", name="udredningsret"),
    ...          pw.Precedence("assessment_start", "treatment_start")]
    >>> rules[1].label
    'precedence: assessment_start before treatment_start'
    >>> pw.check_rules(log, rules).drop(columns="rule")
      case_id  holds  n_activations  n_violations  days
    0       A   True              1             0  20.0
    1       B  False              1             1   NaN
    2       A   True              1             0   NaN
    3       B  False              1             1   NaN
    """
    from ..analyses.waits import event_types

    rules = [rules] if isinstance(rules, RULES) else list(rules) if isinstance(rules, (list, tuple)) else None
    if not rules or not all(isinstance(r, RULES) for r in rules):
        raise OptionError("rules must be a rule or a list of rules: pw.Response(trigger, then, within=...), "
                          "pw.Precedence(first, then), pw.NotCoExistence(a, b).")
    labels = [r.label for r in rules]
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        raise OptionError(f"two rules are both labelled {dup[0]!r}; give one of them name=... .")
    if len(log) == 0:
        return with_parameters(pd.DataFrame({c: pd.Series([], dtype=d) for c, d in _COLUMNS.items()}),
                               rules=[repr(r) for r in rules])
    types = event_types(log)
    _check_present(log, rules, types)
    parts = [_rule_expr(log, r, types).mutate(rule=ibis.literal(r.label), _order=ibis.literal(i))
             for i, r in enumerate(rules)]
    expr = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    out = expr.to_pyarrow().to_pandas()
    out["n_violations"] = out["n_violations"].fillna(0).astype("int64")
    out["n_activations"] = out["n_activations"].fillna(0).astype("int64")
    out["holds"] = out["n_violations"].to_numpy() == 0
    out["days"] = out["days"].astype("float64")
    out = out.sort_values(["_order", "case_id"], kind="stable", ignore_index=True)
    out = out[list(_COLUMNS)]
    return with_parameters(out, rules=[repr(r) for r in rules])


__all__ = ["Response", "Precedence", "NotCoExistence", "check_rules"]
