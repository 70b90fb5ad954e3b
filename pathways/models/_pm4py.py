"""The one door to pm4py: a quiet import and the few pm4py calls the models package makes.

pm4py prints a licence banner on import, emits deprecation warnings on several
calls, prints diagnostics (Woflan) and draws tqdm progress bars; none of that
reaches the user. Every import of pm4py in pathways happens inside a function of
this package, so ``import pathways`` never loads it.

Silencing touches nothing the rest of the process shares: ``sys.stdout`` and
``sys.stderr`` stay as they are (another thread printing while a discovery runs
is heard). pm4py's modules get their own ``print``, which writes to a buffer of
the thread inside :func:`quiet` and is the built-in ``print`` everywhere else;
progress bars are switched off by pm4py's ``show_progress_bar`` parameter; and
warnings raised in pm4py's modules are ignored unless a filter of the user's
says otherwise (one filter, appended once to the end of the list).
"""

from __future__ import annotations

import builtins
import contextlib
import io
import sys
import threading
import warnings
from collections import Counter

_PM4PY = None

#: pm4py options that keep its replay and alignment code silent
QUIET = {"show_progress_bar": False}

_LOCAL = threading.local()  # .sink: the buffer pm4py's print writes to in this thread, inside quiet()
_PATCHED: set[str] = set()  # pm4py modules whose print is _print
_PM4PY_MODULES = r"pm4py(\.|$)"


def _print(*args, file=None, **kwargs):
    """``print`` as pm4py's modules see it: into the thread's buffer inside :func:`quiet`, else as usual."""
    sink = getattr(_LOCAL, "sink", None)
    builtins.print(*args, file=file if sink is None else sink, **kwargs)


def _patch_prints() -> None:
    """Give every pm4py module imported so far the quiet-aware ``print`` (once per module)."""
    for name, module in list(sys.modules.items()):
        if (name == "pm4py" or name.startswith("pm4py.")) and name not in _PATCHED and module is not None:
            module.print = _print
            _PATCHED.add(name)


def _ignore_pm4py_warnings() -> None:
    """Append (once) a filter ignoring warnings raised in pm4py's modules; the user's own filters,
    which come first, still decide. Adding it again would reset every warning registry, so it is not."""
    if not any(f[0] == "ignore" and f[3] is not None and f[3].pattern == _PM4PY_MODULES for f in warnings.filters):
        warnings.filterwarnings("ignore", module=_PM4PY_MODULES, append=True)


@contextlib.contextmanager
def quiet():
    """Silence pm4py in this thread while the block runs: its prints go to the buffer yielded (and its
    warnings are ignored, as always). Other threads, ``sys.stdout`` and ``sys.stderr`` are not touched."""
    _ignore_pm4py_warnings()
    _patch_prints()
    before = getattr(_LOCAL, "sink", None)
    _LOCAL.sink = sink = io.StringIO()
    try:
        yield sink
    finally:
        _LOCAL.sink = before
        _patch_prints()  # modules imported inside the block


def load():
    """The pm4py module, imported once, without its start-up banner."""
    global _PM4PY
    if _PM4PY is None:
        with quiet():
            import pm4py
        _PM4PY = pm4py
    return _PM4PY


_GRAPHVIZ_LOCK = threading.Lock()


def write_bpmn(model, path: str) -> None:
    """Write a pm4py BPMN model with its diagram layout (BPMN DI), laid out by pathways' own engine.

    pm4py lays the diagram out by running the ``dot`` command of the ``graphviz`` package, which a
    machine without Graphviz does not have; pathways' engine (the system ``dot``, else the
    pip-installed ``graphviz-pure``, which takes the same command line) is handed to it instead.
    """
    from graphviz.backend import dot_command

    from ..layout import HINT, RenderError, find_engine

    engine = find_engine()
    if engine is None:
        raise RenderError(f"cannot lay out the BPMN diagram to save it. {HINT}")
    pm4py = load()
    with _GRAPHVIZ_LOCK:  # the graphviz package reads the command from a module constant
        before = dot_command.DOT_BINARY
        dot_command.DOT_BINARY = type(before)(engine.path)
        try:
            with quiet():
                pm4py.write_bpmn(model, path)
        finally:
            dot_command.DOT_BINARY = before


def event_log(traces):
    """A pm4py EventLog with one trace per sequence of labels (no timestamps: replay needs none)."""
    load()
    from pm4py.objects.log.obj import Event, EventLog, Trace

    out = EventLog()
    for labels in traces:
        trace = Trace()
        for label in labels:
            trace.append(Event({"concept:name": label}))
        out.append(trace)
    return out


def sequence_tree(steps):
    """A process tree: the labels in sequence; an optional one is a choice between it and a silent step.

    ``steps`` is a list of ``(label, optional)``.
    """
    load()
    from pm4py.objects.process_tree.obj import Operator, ProcessTree

    root = ProcessTree(operator=Operator.SEQUENCE)
    for label, optional in steps:
        if optional:
            choice = ProcessTree(operator=Operator.XOR, parent=root)
            choice.children.extend([ProcessTree(label=label, parent=choice), ProcessTree(parent=choice)])
            root.children.append(choice)
        else:
            root.children.append(ProcessTree(label=label, parent=root))
    return root


def inductive_on_variants(variants: Counter, noise: float):
    """Inductive miner (IMf when ``noise > 0``, else IM) on a counter of variants (tuple of labels -> cases).

    pm4py's inductive miner works on exactly this structure internally (a
    "univariate variant-compressed log"), so each distinct trace is handled once
    with its multiplicity, whatever the number of cases.
    """
    load()
    with quiet():
        from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
        from pm4py.algo.discovery.inductive.variants.im import IMUVCL
        from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL
        from pm4py.objects.process_tree.utils import generic as pt_util

        parameters = {"noise_threshold": float(noise)}
        miner = IMFUVCL(parameters) if noise > 0 else IMUVCL(parameters)
        tree = miner.apply(IMDataStructureUVCL(Counter(variants)), parameters)
        tree = pt_util.fold(tree)
        pt_util.tree_sort(tree)
    return tree


def inductive_on_dfg(graph: dict, starts: dict, ends: dict):
    """Inductive miner directly-follows (IMd) on a DFG given as counts."""
    pm4py = load()
    from pm4py.objects.dfg.obj import DFG

    with quiet():
        return pm4py.discover_process_tree_inductive(DFG(graph, starts, ends))


def heuristics_on_dfg(graph: dict, occurrences: dict, starts: dict, ends: dict, *, dependency: float,
                      and_threshold: float, loop_two: float):
    """Heuristics miner on DFG counts; returns (net, initial marking, final marking)."""
    load()
    with quiet():
        from pm4py.algo.discovery.heuristics.variants import classic

        parameters = {classic.Parameters.DEPENDENCY_THRESH: dependency,
                      classic.Parameters.AND_MEASURE_THRESH: and_threshold,
                      classic.Parameters.LOOP_LENGTH_TWO_THRESH: loop_two}
        return classic.apply_dfg(dict(graph), activities=list(occurrences), activities_occurrences=dict(occurrences),
                                 start_activities=dict(starts), end_activities=dict(ends), parameters=parameters)


def soundness(net, im, fm) -> tuple[bool, str]:
    """Whether the net is a sound workflow net (Woflan), and Woflan's reason when it is not."""
    load()
    from pm4py.algo.analysis.woflan import algorithm as woflan

    with quiet() as out:  # Woflan's diagnostics are printed: they are read back from the buffer
        try:
            ok = woflan.apply(net, im, fm, parameters={"print_diagnostics": True,
                                                       "return_asap_when_not_sound": True})
        except Exception as exc:  # noqa: BLE001 - Woflan fails on nets it cannot analyse
            return False, f"Woflan could not analyse it ({type(exc).__name__}: {exc})"
    lines = [ln.strip() for ln in out.getvalue().splitlines()
             if ln.strip() and ln.strip() != "Input is ok." and " is a workflow net" not in ln]
    lines = [ln if len(ln) <= 160 else ln[:157] + "..." for ln in lines[:2]]
    return bool(ok), "; ".join(ln.rstrip(".") for ln in lines)


def token_replay(traces, net, im, fm) -> list[dict]:
    """pm4py token-based replay of each sequence of labels (one result per sequence, in order)."""
    load()
    with quiet():
        from pm4py.algo.conformance.tokenreplay import algorithm as tbr

        return tbr.apply(event_log(traces), net, im, fm,
                         parameters={**QUIET, "consider_activities_not_in_model_in_fitness": True})


def alignment(labels, net, im, fm, *, timeout: float):
    """pm4py's optimal alignment of one sequence of labels, or None when it took longer than ``timeout`` s."""
    load()
    with quiet():
        from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments

        parameters = {**QUIET, alignments.Parameters.PARAM_MAX_ALIGN_TIME_TRACE: float(timeout),
                      alignments.Parameters.PARAM_MAX_ALIGN_TIME: float(timeout)}
        return alignments.apply(event_log([labels])[0], net, im, fm, parameters=parameters)
