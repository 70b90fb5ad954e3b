"""Every option of every public function that takes a log, given a wrong type or value, gives a result or a
PathwaysError with the fix; never a TypeError, ValueError or an engine's exception from deep inside.

The readers have their own walk (tests/io/test_reader_options.py). Here the functions are taken from
``pathways.__all__`` and their options from their signatures, so a new function or option is walked too;
a function that takes a log must have its base call in BASE (a test fails otherwise).
"""

from __future__ import annotations

import inspect
import warnings

import pandas as pd
import pytest

import pathways as pw
from pathways.datasets import load_sample
from pathways.errors import PathwaysError

AS_OF = "2024-01-01"
#: The arguments each function needs besides the log (its valid base call); None: not walked here, with why.
BASE = {
    "bounces": {}, "case_summary": {}, "circular_referrals": {}, "circular_routes": {}, "cohort_timeline": {},
    "conformance": {"reference": pw.ReferencePathway([pw.Step("referral"), pw.Step("admission", optional=True)])},
    "check_rules": {"rules": [pw.Response("referral", "admission", within="30D")]},
    "discharge_timing": {}, "discover_bpmn": {}, "discover_petri_net": {}, "discover_process_tree": {},
    "filter_activities": {"activities": ["Henvisning"]}, "filter_attribute": {"column": "sex", "values": ["K"]},
    "filter_cases": {"min_events": 2}, "filter_period": {"since": "2022-01-01"},
    "filter_units": {"sectors": ["region"]}, "guarantees": {"as_of": AS_OF},
    "handover_matrix": {}, "handovers": {}, "indicators": {"as_of": AS_OF}, "interactive_map": {"max_cases": 20},
    "notification_delays": {},
    "notification_summary": {},
    "process_map": {}, "pseudonymize": {"key": "en nøgle til test"},
    "quality_report": {}, "readmission_rates": {}, "rule_classified": {}, "readmissions": {}, "repeats": {},
    "revolving_door": {},
    "transition_graph": {}, "transitions": {}, "unit_graph": {}, "unit_map": {}, "unit_paths": {}, "variants": {},
    "wait_summary": {"start": "referral_received", "end": "assessment_start", "as_of": AS_OF},
    "waiting_times": {"start": "referral_received", "end": "assessment_start", "as_of": AS_OF},
    "case_timeline": None,  # takes one case id: walked in tests/render/test_timelines.py
    "write_parquet": None, "write_xes": None,  # paths: tests/hardening/test_outputs.py
}
#: Functions walked on another sample than psychiatry_somatic (they need what only that sample has).
SAMPLE = {"notification_delays": "hospital_notifications", "notification_summary": "hospital_notifications"}
#: Wrong values of every kind: a foreign object, numbers where text is meant and back, empty, NaN, a mapping.
BAD = [object(), -1, 0, 1.5, float("nan"), True, "nope", "", [], ["nope"], {"a": 1}]


def _public_log_functions():
    for name in pw.__all__:
        f = getattr(pw, name)
        if callable(f) and not isinstance(f, type):
            params = list(inspect.signature(f).parameters)
            if params and params[0] == "log":
                yield name, f


FUNCTIONS = dict(_public_log_functions())


@pytest.fixture(scope="module")
def logs():
    """The log each function is walked on, by sample name: the first 80 cases."""
    out = {}
    for name in {"psychiatry_somatic", *SAMPLE.values()}:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the notification sample is read with a random key
            full = load_sample(name)
        first = full.to_pandas()["case_id"].drop_duplicates().head(80).tolist()
        out[name] = pw.filter_cases(full, first)
    return out


def _log_for(logs, name):
    return logs[SAMPLE.get(name, "psychiatry_somatic")]


def test_every_function_that_takes_a_log_has_its_base_call():
    assert len(FUNCTIONS) >= 35
    assert sorted(FUNCTIONS) == sorted(BASE)


def _cases():
    for name, f in FUNCTIONS.items():
        if BASE[name] is None:
            continue
        for option in list(inspect.signature(f).parameters)[1:]:
            for value in BAD:
                yield pytest.param(name, option, value, id=f"{name}-{option}-{value!r}"[:90])


@pytest.mark.parametrize(("name", "option", "value"), list(_cases()))
def test_a_wrong_option_is_a_result_or_a_pathways_error(logs, name, option, value):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            FUNCTIONS[name](_log_for(logs, name), **{**BASE[name], option: value})
        except PathwaysError as err:
            assert str(err).strip()  # a message, with the option or the fix in it
        except Exception as err:  # noqa: BLE001 - the point of the test
            pytest.fail(f"pw.{name}({option}={value!r}) raised {type(err).__name__}: {err}")


def test_the_base_calls_run(logs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, f in FUNCTIONS.items():
            if BASE[name] is not None:
                f(_log_for(logs, name), **BASE[name])


def test_tables_of_analyses_with_wrong_options():
    """The functions that take an analysis table instead of a log."""
    waits = pd.DataFrame({"wait_days": [1.0, 2.0], "ended": [True, False]})
    for value in BAD:
        for call in (lambda: pw.wait_curve(waits, by=value), lambda: pw.wait_curve(waits, min_at_risk=value),
                     lambda: pw.conformance_summary(waits, by=value), lambda: pw.wait_curve(value)):
            try:
                call()
            except PathwaysError:
                pass


#: The public classes a user builds, with a valid base call.
CLASSES = {"Frequency": {}, "Performance": {}, "Step": {"name": "referral"},
           "Response": {"trigger": "referral", "then": "admission"},
           "Precedence": {"first": "referral", "then": "admission"},
           "NotCoExistence": {"a": "referral", "b": "admission"},
           "ReferencePathway": {"steps": [pw.Step("referral")]}, "UnitTaxonomy": {}, "Vocabulary": {},
           "Indicator": {"name": "own", "numerator": "admission", "denominator": "discharge"}}
#: Loaders of files and tables users write by hand.
LOADERS = {"UnitTaxonomy.from_dict": pw.UnitTaxonomy.from_dict, "UnitTaxonomy.from_csv": pw.UnitTaxonomy.from_csv,
           "UnitTaxonomy.from_yaml": pw.UnitTaxonomy.from_yaml, "UnitTaxonomy.from_frame": pw.UnitTaxonomy.from_frame,
           "UnitTaxonomy.extend": pw.UnitTaxonomy.default().extend,
           "UnitTaxonomy.classify": pw.UnitTaxonomy.default().classify,
           "Vocabulary.from_dict": pw.Vocabulary.from_dict, "Vocabulary.from_csv": pw.Vocabulary.from_csv,
           "Vocabulary.from_yaml": pw.Vocabulary.from_yaml, "Vocabulary.from_frame": pw.Vocabulary.from_frame,
           "Vocabulary.extend": pw.Vocabulary.default().extend, "Vocabulary.classify": pw.Vocabulary.default().classify,
           "read_pnml": pw.read_pnml, "read_bpmn": pw.read_bpmn}


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_the_classes_users_build_refuse_wrong_arguments_with_a_pathways_error(name):
    """Was a TypeError for UnitTaxonomy(entries=5), Vocabulary(mappings=[]) or rules=None."""
    cls = getattr(pw, name)
    cls(**CLASSES[name])
    for option in inspect.signature(cls).parameters:
        for value in [*BAD, None]:
            try:
                cls(**{**CLASSES[name], option: value})
            except PathwaysError:
                pass


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_loaders_refuse_what_is_not_their_input_with_a_pathways_error(name):
    """Was a TypeError or IsADirectoryError for a path that is a number, a list, None or ''."""
    for value in [*BAD, None]:
        try:
            LOADERS[name](value)
        except PathwaysError:
            pass


def test_pictures_and_models_refuse_wrong_options_with_a_pathways_error(logs, tmp_path):
    """Was a TypeError for dpi='nope', engine=[...] (an unhashable cache key) or a model saved to path=5."""
    log = logs["psychiatry_somatic"]
    diagram, model = pw.unit_map(log), pw.discover_process_tree(log)
    calls = [lambda v: diagram.png(dpi=v), lambda v: diagram.png(engine=v), lambda v: diagram.svg(engine=v),
             lambda v: diagram.svg(timeout=v), lambda v: diagram.save(tmp_path / "k.png", dpi=v),
             lambda v: diagram.save(v), lambda v: model.save(v), lambda v: model.save(tmp_path / "m.pnml", make_dirs=v)]
    for call in calls:
        for value in BAD:
            try:
                call(value)
            except PathwaysError:
                pass
