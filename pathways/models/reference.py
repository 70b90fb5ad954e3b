"""Reference pathways declared in a few lines: ordered milestones, optional steps, time limits.

The agreed pathway of a quality unit (forløbsprogram, pakkeforløb, the health
agreement's discharge procedure) is mostly a sequence of milestones with
maximum times between them. :class:`ReferencePathway` says exactly that, without
a modelling tool, and converts to a process model when one is wanted (to draw
it, to save it as BPMN for colleagues, or to replay against it).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import timedelta

from .. import schema as S
from ..analyses.common import duration
from ..errors import OptionError

_PREFIXES = ("activity:", "event_type:")


def _label(name: str) -> str:
    for p in _PREFIXES:
        if name.startswith(p):
            return name[len(p):].strip()
    return name


@dataclass(frozen=True)
class Step:
    """One milestone of a :class:`ReferencePathway`.

    Parameters
    ----------
    name : str
        An event type (``"visitation"``) or an activity name (``"Visitation"``), as
        in :func:`pathways.waiting_times`: a name that is an event type of the log
        means the event type; prefix ``"activity:"`` (or ``"event_type:"``) to say
        which.
    within : str or timedelta, optional
        The longest allowed time from the step before (``"14D"``, ``"72h"``,
        ``"4W"``), measured between first occurrences. Exactly the limit is in time.
    after : str, optional
        Measure ``within`` from this earlier step instead of the step just
        before (e.g. first contact within 30 days *of the referral being received*).
    optional : bool, default False
        A case may leave this step out without a deviation.

    Examples
    --------
    >>> Step("first_contact", within="30D", after="referral_received")
    Step('first_contact', within='30D', after='referral_received')
    >>> Step("treatment_start", optional=True).within_days is None
    True
    """

    name: str
    within: str | timedelta | None = None
    after: str | None = None
    optional: bool = False
    within_days: float | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self):
        if not isinstance(self.name, str) or not _label(self.name.strip()):
            raise OptionError(f"Step name {self.name!r} is not allowed; name an event type ('visitation') or an "
                              "activity ('Visitation').")
        object.__setattr__(self, "name", self.name.strip())
        if self.name == "*":
            raise OptionError("Step('*') is not allowed: a milestone must name an event type or an activity.")
        if self.within is not None:
            days = duration(self.within, argument="within").total_seconds() / 86_400.0
            object.__setattr__(self, "within_days", days)
        if self.after is not None and (not isinstance(self.after, str) or not self.after.strip()):
            raise OptionError(f"after={self.after!r} must name an earlier step of the pathway.")
        if self.after is not None and self.within is None:
            raise OptionError(f"Step({self.name!r}, after={self.after!r}) has no within=: after= says where a "
                              "time limit is measured from, so give the limit too (e.g. within='30D').")
        if not isinstance(self.optional, bool):
            raise OptionError(f"optional={self.optional!r} must be True or False.")

    @property
    def label(self) -> str:
        """The step's name without an ``activity:``/``event_type:`` prefix (its label in models and tables)."""
        return _label(self.name)

    def __repr__(self) -> str:
        parts = [repr(self.name)]
        if self.within is not None:
            parts.append(f"within={self.within!r}" if isinstance(self.within, str) else f"within='{self.within}'")
        if self.after is not None:
            parts.append(f"after={self.after!r}")
        if self.optional:
            parts.append("optional=True")
        return f"Step({', '.join(parts)})"


class ReferencePathway:
    """An agreed pathway as ordered milestones with optional steps and time limits.

    Conformance (:func:`pathways.conformance`) compares each case with it:

    * **skipped**: a step that is not optional never happens in the case;
    * **out_of_order**: a step's first occurrence is out of the agreed order
      (the fewest steps that explain the order: the others keep their places);
    * **inserted**: a milestone happens again after its first occurrence;
    * **time_limit**: a step's first occurrence came later than ``within`` after
      the step before it (the nearest earlier step that the case did, in order)
      or after the step named by ``after``.

    Events that are no milestone are ignored: the reference says what must
    happen, not everything that may.

    Parameters
    ----------
    steps : list of str or Step
        The milestones in their agreed order; a plain string is a mandatory step
        without a time limit.
    name : str, default "reference pathway"

    Examples
    --------
    >>> import pathways as pw
    >>> ref = pw.ReferencePathway(
    ...     ["referral", "referral_received", pw.Step("visitation", within="14D"),
    ...      pw.Step("first_contact", within="30D", after="referral_received"),
    ...      pw.Step("treatment_start", within="4W", optional=True)],
    ...     name="PVK to district psychiatry")
    >>> ref
    ReferencePathway 'PVK to district psychiatry': referral → referral_received → visitation (≤ 14 d) → first_contact (≤ 30 d after referral_received) → [treatment_start (≤ 28 d)]
    >>> ref.to_model().activities
    ('first_contact', 'referral', 'referral_received', 'treatment_start', 'visitation')
    """

    def __init__(self, steps, *, name: str = "reference pathway"):
        if isinstance(steps, (str, Step)) or not hasattr(steps, "__iter__"):
            raise OptionError("steps must be a list of milestones, e.g. ['referral', pw.Step('visitation', "
                              "within='14D')].")
        out = [s if isinstance(s, Step) else Step(s) if isinstance(s, str) else None for s in steps]
        bad = [s for s, o in zip(steps, out) if o is None]
        if bad:
            raise OptionError(f"step {bad[0]!r} is neither a name nor a pw.Step; write each milestone as "
                              "'visitation' or pw.Step('visitation', within='14D').")
        if not out:
            raise OptionError("a ReferencePathway needs at least one step; an empty pathway would match nothing.")
        labels = [s.label for s in out]
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            raise OptionError(f"step {dup[0]!r} appears more than once; each milestone is listed once (a repeat "
                              "of a milestone in a case is reported as 'inserted').")
        for k, s in enumerate(out):
            if s.after is not None:
                anchor = _label(s.after)
                if anchor not in labels[:k]:
                    where = "a later step" if anchor in labels else "no step of the pathway"
                    raise OptionError(f"Step({s.name!r}, after={s.after!r}): {s.after!r} is {where}; after= must "
                                      f"name a step before it ({', '.join(map(repr, labels[:k])) or 'none'}).")
            elif s.within is not None and k == 0:
                raise OptionError(f"the first step {s.name!r} has within={s.within!r} but no step before it to "
                                  "measure from. Drop within= or put the step it is measured from first.")
        if not isinstance(name, str) or not name.strip():
            raise OptionError(f"name={name!r} must be a non-empty text.")
        self.steps: tuple[Step, ...] = tuple(out)
        self.name = name.strip()

    # --- facts --------------------------------------------------------------------
    @property
    def labels(self) -> tuple[str, ...]:
        """The step labels in order."""
        return tuple(s.label for s in self.steps)

    def anchor(self, k: int) -> str | None:
        """The label of the step a time limit of step ``k`` is measured from when ``after`` names it."""
        s = self.steps[k]
        return _label(s.after) if s.after is not None else None

    def describe_matching(self) -> str:
        return "event type or activity name"

    def _level(self) -> str:
        types = set(S.EVENT_TYPES) | {S.UNKNOWN_EVENT_TYPE}
        kinds = {"event_type" if (s.name.startswith("event_type:") or
                                  (s.name in types and not s.name.startswith("activity:"))) else "activity"
                 for s in self.steps}
        return "event_type" if kinds == {"event_type"} else "activity"

    # --- conversions --------------------------------------------------------------------
    def to_model(self):
        """The pathway as a process tree: the steps in sequence, each optional one a choice with a silent step.

        Time limits are not part of a control-flow model; they stay with the
        pathway (and in :func:`pathways.conformance`). Labels are the step labels;
        the model's ``level`` is ``"event_type"`` when every step names a built-in
        event type, else ``"activity"``.
        """
        from . import _pm4py
        from .model import ProcessModel

        root = _pm4py.sequence_tree([(s.label, s.optional) for s in self.steps])
        return ProcessModel(root, kind="process_tree", source=f"reference pathway {self.name!r}",
                            level=self._level(), name=self.name, parameters={"steps": [repr(s) for s in self.steps]},
                            sound=True)

    def diagram(self, **_):
        """Moved: drawing is the renderer's job, ``pw.model_map(pathway)``."""
        raise AttributeError("ReferencePathway.diagram() is now pw.model_map(pathway).")

    # --- display ------------------------------------------------------------------------
    def _step_text(self, s: Step) -> str:
        text = s.label
        if s.within_days is not None:
            text += f" (≤ {s.within_days:g} d" + (f" after {_label(s.after)})" if s.after else ")")
        return f"[{text}]" if s.optional else text

    def __repr__(self) -> str:
        return f"ReferencePathway {self.name!r}: " + " → ".join(self._step_text(s) for s in self.steps)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{k + 1}</td><td>{html.escape(s.label)}</td><td>{'yes' if s.optional else ''}</td>"
            f"<td>{'' if s.within_days is None else f'{s.within_days:g} d'}</td>"
            f"<td>{html.escape(_label(s.after)) if s.after else ('' if s.within_days is None else 'step before')}"
            f"</td></tr>" for k, s in enumerate(self.steps))
        return (f"<table><caption>ReferencePathway {html.escape(self.name)}</caption><tr><th>#</th><th>step</th>"
                f"<th>optional</th><th>within</th><th>measured from</th></tr>{rows}</table>")


__all__ = ["Step", "ReferencePathway"]
