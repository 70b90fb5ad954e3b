"""The ProcessModel object: a pm4py process tree, Petri net or BPMN diagram with a repr, a drawing and files.

A model is what discovery returns, what :func:`read_pnml` / :func:`read_bpmn`
load from a modelling tool, and what :meth:`ReferencePathway.to_model` builds.
It remembers where it came from (``source``) and which column of the log its
activity labels name (``level``), so :func:`pathways.conformance` can replay a
log against it without further options.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Literal

import pandas as pd

from ..files import input_file
from ..errors import OptionError, PathwaysError, check_choice
from . import _pm4py

KINDS = ("process_tree", "petri_net", "bpmn")
LEVELS = ("activity", "event_type")
_KIND_NAMES = {"process_tree": "process tree", "petri_net": "Petri net", "bpmn": "BPMN diagram"}
_MODEL_SUFFIXES = (".pnml", ".bpmn")
_PICTURE_SUFFIXES = (".svg", ".png", ".pdf", ".dot")


class ProcessModel:
    """A process model: a pm4py process tree, Petri net or BPMN diagram, with where it came from.

    Build one with :func:`pathways.discover_process_tree`, :func:`pathways.discover_petri_net`,
    :func:`pathways.discover_bpmn`, :func:`pathways.read_pnml`, :func:`pathways.read_bpmn`
    or :meth:`pathways.ReferencePathway.to_model`; pass it to :func:`pathways.conformance`.

    Attributes
    ----------
    kind : {"process_tree", "petri_net", "bpmn"}
    source : str
        Where the model came from, e.g. ``"top 540 of 540 variants covering 100.0 % of cases"``
        or ``"directly-follows graph of 1,148,474 events (75,342 cases)"`` or a file name.
    level : {"activity", "event_type"}
        The column of the log its labels name.
    activities : tuple of str
        The labels of its visible steps, sorted.
    parameters : dict
        The options it was discovered with.
    note : str
        What the activity budget of discovery left out, e.g. ``"showing 50 of 300 activities
        (the 250 rarest, 4.2 % of events, left out)"``; ``""`` when nothing was.
    left_out : pandas.DataFrame
        The labels left out, one row each: the label (column ``activity`` or ``event_type``,
        as ``level``), ``n_cases`` (cases with it) and ``n_events``; most cases first.

    Examples
    --------
    >>> import pathways as pw
    >>> ref = pw.ReferencePathway(["referral", "visitation", "first_contact"], name="PVK")
    >>> m = ref.to_model()
    >>> m
    ProcessModel: process tree 'PVK', 3 activities (event types); reference pathway 'PVK'
    >>> m.to_petri_net()
    ProcessModel: Petri net 'PVK', 3 activities (event types), 4 places, 3 transitions (0 silent); reference pathway 'PVK'
    """

    def __init__(self, obj, *, kind: Literal["process_tree", "petri_net", "bpmn"], source: str,
                 level: Literal["activity", "event_type"] = "activity", name: str | None = None,
                 parameters: dict | None = None, sound: bool | None = None,
                 left_out: pd.DataFrame | None = None, note: str = ""):
        check_choice("kind", kind, KINDS)
        check_choice("level", level, LEVELS)
        if kind == "petri_net" and not (isinstance(obj, tuple) and len(obj) == 3):
            raise OptionError("a Petri net model is the triple (net, initial_marking, final_marking).")
        self._obj = obj
        self.kind = kind
        self.source = str(source)
        self.level = level
        self.name = name
        self.parameters = dict(parameters or {})
        self.left_out = left_out if left_out is not None else pd.DataFrame(
            {level: pd.Series([], dtype=object), "n_cases": pd.Series([], dtype="int64"),
             "n_events": pd.Series([], dtype="int64")})
        self.note = str(note)
        self._sound = sound  # True when sound by construction (inductive miner); None = not checked yet
        self._net = obj if kind == "petri_net" else None
        self._reason = ""

    # --- conversions -------------------------------------------------------------
    def to_pm4py(self):
        """The pm4py object: a ``ProcessTree``, a ``BPMN``, or for a Petri net the triple
        ``(net, initial_marking, final_marking)`` that pm4py's functions take (``*model.to_pm4py()``)."""
        return self._obj

    def petri_net(self):
        """The model as pm4py's ``(net, initial_marking, final_marking)`` (converted once, then kept)."""
        if self._net is None:
            pm4py = _pm4py.load()
            with _pm4py.quiet():
                self._net = pm4py.convert_to_petri_net(self._obj)
        return self._net

    def _like(self, obj, kind):
        return ProcessModel(obj, kind=kind, source=self.source, level=self.level, name=self.name,
                            parameters=self.parameters, sound=self._sound, left_out=self.left_out, note=self.note)

    def to_petri_net(self) -> "ProcessModel":
        """The same model as a Petri net."""
        return self if self.kind == "petri_net" else self._like(self.petri_net(), "petri_net")

    def to_bpmn(self) -> "ProcessModel":
        """The same model as a BPMN diagram."""
        if self.kind == "bpmn":
            return self
        pm4py = _pm4py.load()
        with _pm4py.quiet():
            bpmn = pm4py.convert_to_bpmn(self._obj if self.kind == "process_tree" else self.petri_net())
        return self._like(bpmn, "bpmn")

    def to_process_tree(self) -> "ProcessModel":
        """The same model as a process tree; OptionError when it is not block-structured."""
        if self.kind == "process_tree":
            return self
        pm4py = _pm4py.load()
        try:
            with _pm4py.quiet():
                tree = pm4py.convert_to_process_tree(self._obj if self.kind == "bpmn" else self.petri_net())
        except Exception as exc:  # noqa: BLE001 - pm4py raises plain exceptions here
            raise OptionError(f"this {_KIND_NAMES[self.kind]} is not block-structured, so it has no process "
                              f"tree ({exc}). Use it as a Petri net or BPMN diagram instead.") from None
        return self._like(tree, "process_tree")

    # --- facts ---------------------------------------------------------------------
    @property
    def activities(self) -> tuple[str, ...]:
        """The labels of the visible steps, sorted."""
        net, _im, _fm = self.petri_net()
        return tuple(sorted({str(t.label) for t in net.transitions if t.label is not None}))

    def check_sound(self) -> None:
        """Raise OptionError unless the model has activities and is a sound workflow net.

        Sound means (Woflan): one start place and one end place, every step can be
        reached, and from every reachable state the end can be reached with nothing
        left over. Models from the inductive miner are sound by construction;
        heuristics nets and models drawn in other tools are checked once.
        """
        net, im, fm = self.petri_net()
        what = f"the {_KIND_NAMES[self.kind]}" + (f" {self.name!r}" if self.name else "") + f" ({self.source})"
        if not any(t.label is not None for t in net.transitions):
            raise OptionError(f"{what} is empty: it has no activities, so there is nothing to compare a log with. "
                              "Discover it from a non-empty log, or draw at least one task.")
        if not len(im) or not len(fm):
            raise OptionError(f"{what} has no {'initial' if not len(im) else 'final'} marking, so a case cannot be "
                              "replayed from start to end. Give the start place a token (PNML initialMarking) "
                              "and the end place a final marking (or draw start and end events in BPMN).")
        if self._sound is None:
            self._sound, self._reason = _pm4py.soundness(net, im, fm)
        if not self._sound:
            reason = f" Woflan says: {self._reason}." if self._reason else ""
            raise OptionError(f"{what} is not a sound workflow net: a case could deadlock, leave tokens behind, "
                              f"or some steps can never happen.{reason} Conformance against it would be "
                              "meaningless. Fix the model, or discover one with algorithm='inductive' (always "
                              "sound), or declare the pathway with pw.ReferencePathway.")

    # --- files -----------------------------------------------------------------------
    def save(self, path, *, make_dirs: bool = False) -> Path:
        """Write the model to ``path``: ``.pnml`` (Petri net) or ``.bpmn`` (BPMN 2.0 XML); a picture is
        ``pw.model_map(model).save(path)``. The folder must exist unless ``make_dirs``; the file is written
        under a temporary name and renamed into place. Returns the path."""
        from ..files import check_output, write_atomically

        path = check_output(path, make_dirs=make_dirs)
        suffix = path.suffix.lower()
        if suffix in _PICTURE_SUFFIXES:
            raise OptionError(f"cannot save {str(path)!r} from the model: a picture is drawn by the renderer, "
                              f"pw.model_map(model).save({str(path)!r}).")
        if suffix not in _MODEL_SUFFIXES:
            raise OptionError(f"cannot save {str(path)!r}: the suffix must be .pnml or .bpmn (a picture: "
                              f"pw.model_map(model).save(path)); found {path.suffix or 'none'!r}.")
        if suffix == ".bpmn":
            model = self.to_bpmn().to_pm4py()
            return write_atomically(path, lambda tmp: _pm4py.write_bpmn(model, tmp), make_dirs=make_dirs)
        pm4py = _pm4py.load()
        with _pm4py.quiet():
            net, im, fm = self.petri_net()
            return write_atomically(path, lambda tmp: pm4py.write_pnml(net, im, fm, tmp), make_dirs=make_dirs)

    # --- pictures --------------------------------------------------------------------
    def diagram(self, **_):
        """Moved: drawing a model is the renderer's job, ``pw.model_map(model)``."""
        raise AttributeError("ProcessModel.diagram() is now pw.model_map(model) (and model.save('x.svg') is "
                             "pw.model_map(model).save('x.svg')).")

    # --- display ---------------------------------------------------------------------
    def _facts(self) -> str:
        acts = self.activities
        what = "event types" if self.level == "event_type" else "activities"
        parts = [f"{len(acts)} activities" + (f" ({what})" if self.level == "event_type" else "")]
        if self.kind == "petri_net":
            net, _im, _fm = self._obj
            silent = sum(t.label is None for t in net.transitions)
            parts.append(f"{len(net.places)} places, {len(net.transitions)} transitions ({silent} silent)")
        elif self.kind == "bpmn":
            nodes = self._obj.get_nodes()
            gateways = sum(type(n).__name__.endswith("Gateway") for n in nodes)
            parts.append(f"{gateways} gateways")
        return ", ".join(parts)

    def __repr__(self) -> str:
        try:
            name = f" {self.name!r}" if self.name else ""
            note = f"; {self.note}" if self.note else ""
            return f"ProcessModel: {_KIND_NAMES[self.kind]}{name}, {self._facts()}; {self.source}{note}"
        except Exception as exc:  # noqa: BLE001 - a repr never raises
            return f"ProcessModel ({exc})"

    def _repr_html_(self) -> str:
        try:
            rows = [("kind", _KIND_NAMES[self.kind]), ("name", self.name or ""), ("model", self._facts()),
                    ("source", self.source), ("left out", self.note),
                    ("labels name", "event types" if self.level == "event_type" else "activities")]
        except Exception as exc:  # noqa: BLE001
            return f"<p>ProcessModel ({html.escape(str(exc))})</p>"
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                       for k, v in rows if v)
        return f"<table><caption>ProcessModel</caption>{body}</table>"


def read_pnml(path, *, level: Literal["activity", "event_type"] = "activity", name: str | None = None) -> ProcessModel:
    """Load a Petri net drawn in another tool (PNML) as a reference model.

    Parameters
    ----------
    path : str or Path
        A ``.pnml`` file. A net without a final marking gets one guessed (the
        places without outgoing arcs), as pm4py does.
    level : {"activity", "event_type"}, default "activity"
        Which column of the log the transition labels name: activity names
        (``"Visitation"``) or standard event types (``"visitation"``).
    name : str, optional
        A name for the model (default: the file name).

    Returns
    -------
    ProcessModel
        Of kind ``"petri_net"``. Its soundness is checked when it is first used as a
        reference for :func:`pathways.conformance`.

    Examples
    --------
    >>> import os, tempfile, pathways as pw
    >>> path = os.path.join(tempfile.mkdtemp(), "pvk.pnml")
    >>> _ = pw.ReferencePathway(["referral", "visitation"]).to_model().save(path)
    >>> pw.read_pnml(path, level="event_type").activities
    ('referral', 'visitation')
    """
    p = input_file(path, "PNML")
    check_choice("level", level, LEVELS)
    pm4py = _pm4py.load()
    try:
        with _pm4py.quiet():
            net, im, fm = pm4py.read_pnml(str(p), auto_guess_final_marking=True)
    except Exception as exc:  # noqa: BLE001 - XML and PNML errors of every kind
        raise PathwaysError(f"{str(path)!r} could not be read as PNML ({type(exc).__name__}: {exc}). "
                            "Export the net from your tool as PNML (Petri Net Markup Language, .pnml).") from None
    return ProcessModel((net, im, fm), kind="petri_net", source=f"read from {p.name}", level=level,
                        name=name or p.stem)


def read_bpmn(path, *, level: Literal["activity", "event_type"] = "activity", name: str | None = None) -> ProcessModel:
    """Load a BPMN 2.0 diagram drawn in another tool (Camunda, Signavio, bpmn.io, ...) as a reference model.

    Parameters
    ----------
    path : str or Path
        A ``.bpmn`` XML file. Task names are the labels.
    level : {"activity", "event_type"}, default "activity"
        Which column of the log the task names name.
    name : str, optional
        A name for the model (default: the file name).

    Returns
    -------
    ProcessModel
        Of kind ``"bpmn"``.

    Examples
    --------
    >>> import os, tempfile, pathways as pw
    >>> path = os.path.join(tempfile.mkdtemp(), "pvk.bpmn")
    >>> _ = pw.ReferencePathway(["referral", "visitation"]).to_model().save(path)
    >>> m = pw.read_bpmn(path, level="event_type")
    >>> m.kind, m.activities
    ('bpmn', ('referral', 'visitation'))
    """
    p = input_file(path, "BPMN")
    check_choice("level", level, LEVELS)
    pm4py = _pm4py.load()
    try:
        with _pm4py.quiet():
            bpmn = pm4py.read_bpmn(str(p))
    except Exception as exc:  # noqa: BLE001
        raise PathwaysError(f"{str(path)!r} could not be read as BPMN 2.0 XML ({type(exc).__name__}: {exc}). "
                            "Export the diagram from your tool as BPMN 2.0 (.bpmn).") from None
    return ProcessModel(bpmn, kind="bpmn", source=f"read from {p.name}", level=level, name=name or p.stem)


__all__ = ["ProcessModel", "read_pnml", "read_bpmn", "KINDS", "LEVELS"]
