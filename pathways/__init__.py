"""pathways: care-pathway process mining for Danish cross-sector health data.

Turn event logs of referrals, admissions, transfers and discharges into tables
and diagrams that show circular referrals, psychiatric-somatic handovers and
long waits. ``import pathways as pw``; every name is loaded on first use, so the
import itself is fast. The names, by what a user does with them:

Read
    read (any of the next five, by the file's type), read_csv, read_excel, read_parquet, read_xes, read_fhir,
    from_pandas, from_pm4py, from_spark,
    datasets (the bundled samples), EventLog, UnitTaxonomy, Vocabulary, configure_engine
Check
    quality_report, QualityReport, rule_classified, filter_period, filter_cases, filter_units,
    filter_activities, filter_attribute
Analyse
    handovers, handover_matrix, bounces, unit_paths, circular_referrals, circular_routes, repeats,
    waiting_times, wait_summary, wait_curve, guarantees, GUARANTEES, readmissions, readmission_rates,
    revolving_door, discharge_timing, notification_delays, notification_summary, case_summary,
    transitions, variants, indicators, Indicator, unit_graph, transition_graph
Draw
    unit_map, process_map, Frequency, Performance, interactive_map, model_map, case_timeline,
    cohort_timeline, funnel_plot, control_chart, histogram, km_chart, heatmap, bar_chart, Diagram, Chart
Model
    discover_process_tree, discover_petri_net, discover_bpmn, ProcessModel, read_pnml, read_bpmn,
    ReferencePathway, Step, conformance, conformance_summary, check_rules, Response, Precedence,
    NotCoExistence
Publish
    report, suppress, publishable, save_table, Formatter, pseudonymize, write_parquet, write_xes,
    synthetic (logs with ground truth)
Errors and the rest
    PathwaysError, EventLogError, OptionError, EngineMemoryError, PathwaysWarning, schema

The parameters mean the same everywhere (docs/parameters.md); the definitions are in docs/DOMAIN.md.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "EventLog": "eventlog",
    "PathwaysWarning": "eventlog",
    "PathwaysError": "errors",
    "EventLogError": "errors",
    "OptionError": "errors",
    "EngineMemoryError": "errors",
    "configure_engine": "engine",
    "UnitTaxonomy": "taxonomy",
    "Vocabulary": "taxonomy",
    "read": "io.read",
    "from_pandas": "io.pandas",
    "from_pm4py": "io.pandas",
    "from_spark": "io.spark",
    "read_csv": "io.csv",
    "read_parquet": "io.parquet",
    "write_parquet": "io.parquet",
    "read_excel": "io.excel",
    "read_xes": "io.xes",
    "read_fhir": "io.fhir",
    "write_xes": "io.xes",
    "quality_report": "quality",
    "QualityReport": "quality",
    "rule_classified": "quality",
    # analyses (DOMAIN.md section 4)
    "transitions": "analyses.transitions",
    "variants": "analyses.transitions",
    "handovers": "analyses.handovers",
    "handover_matrix": "analyses.handovers",
    "bounces": "analyses.handovers",
    "unit_paths": "analyses.unitpath",
    "circular_referrals": "analyses.loops",
    "circular_routes": "analyses.loops",
    "repeats": "analyses.loops",
    "waiting_times": "analyses.waits",
    "wait_summary": "analyses.waits",
    "wait_curve": "analyses.survival",
    "guarantees": "analyses.waits",
    "GUARANTEES": "analyses.waits",
    "readmissions": "analyses.readmissions",
    "readmission_rates": "analyses.readmissions",
    "revolving_door": "analyses.readmissions",
    "discharge_timing": "analyses.discharges",
    "case_summary": "analyses.cases",
    "notification_delays": "analyses.notifications",
    "notification_summary": "analyses.notifications",
    "indicators": "analyses.indicators",
    "Indicator": "analyses.indicators",
    "filter_period": "filters",
    "filter_cases": "filters",
    "filter_units": "filters",
    "filter_activities": "filters",
    "filter_attribute": "filters",
    "unit_graph": "graphs",
    "transition_graph": "graphs",
    # diagrams
    "process_map": "render.maps",
    "model_map": "render.models",
    "unit_map": "render.maps",
    "Frequency": "render.maps",
    "Performance": "render.maps",
    "interactive_map": "render.interactive",
    "case_timeline": "render.timelines",
    "cohort_timeline": "render.timelines",
    "Diagram": "render.diagram",
    "Chart": "render.charts",
    "funnel_plot": "render.charts",
    "control_chart": "render.charts",
    "histogram": "render.plots",
    "km_chart": "render.plots",
    "heatmap": "render.plots",
    "bar_chart": "render.plots",
    # process models and conformance (pm4py, imported only when used)
    "discover_process_tree": "models",
    "discover_petri_net": "models",
    "discover_bpmn": "models",
    "ProcessModel": "models",
    "read_pnml": "models",
    "read_bpmn": "models",
    "ReferencePathway": "models",
    "Step": "models",
    "conformance": "models",
    "conformance_summary": "models",
    "check_rules": "models",
    "Response": "models",
    "Precedence": "models",
    "NotCoExistence": "models",
    # privacy
    "pseudonymize": "privacy",
    # publishing: one suppression rule, one number formatter, one translation table (pathways/publish)
    "suppress": "publish.suppression",
    "Formatter": "publish.numbers",
    "publishable": "publish.tables",
    "save_table": "publish.tables",
}
# ``pw.report`` is the report package itself, callable as the function (pathways/report/__init__.py):
# binding the function here would hide the package from ``import pathways.report.build``
_SUBMODULES = ("datasets", "synthetic", "schema", "report")

__all__ = sorted([*_EXPORTS, *_SUBMODULES])


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        if _takes_log(value):  # given a DataFrame or None instead, a NotALogError saying how to build the log
            from .eventlog import takes_log

            value = takes_log(value)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'pathways' has no attribute {name!r}")
    globals()[name] = value
    return value


def _takes_log(value) -> bool:
    """Whether ``value`` is a public function whose first parameter is the event log."""
    import inspect

    if not inspect.isfunction(value):
        return False
    first = next(iter(inspect.signature(value).parameters), None)
    return first == "log"


def __dir__():
    return __all__
