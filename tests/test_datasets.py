"""The bundled sample logs: they load, agree with their ground truth, and fit in the wheel."""

from __future__ import annotations

from importlib import resources

import pandas as pd
import pytest

import pathways as pw
from pathways import datasets
from pathways.errors import OptionError
from pathways.rejections import exploded


def test_list_and_describe():
    assert datasets.list_samples() == ["dirty_extract", "elderly_medical", "psychiatry_somatic"]
    assert datasets.DEMO_SAMPLE in datasets.list_samples()
    assert "Danish" in datasets.describe("dirty_extract")
    with pytest.raises(OptionError, match="psychiatry_somatic"):
        datasets.load_sample("psychiatry_somatc")


@pytest.mark.parametrize("name, n_cases", [("psychiatry_somatic", 3000), ("elderly_medical", 2000),
                                           ("dirty_extract", 600)])
def test_samples_load_with_their_truth(name, n_cases):
    log = datasets.load_sample(name)
    truth = datasets.load_truth(name)
    assert log.n_cases == n_cases == len(truth.cases)
    rejected = int(truth.defects["rejected"].sum())
    assert len(log.rejected) == rejected
    assert len(log) + len(log.rejected) == log.n_read
    assert truth.params["seed"] in (101, 202, 303)


def test_dirty_sample_rejects_exactly_the_injected_rows():
    log = datasets.load_sample("dirty_extract")
    d = datasets.load_truth("dirty_extract").defects
    assert len(log.rejected) == 25
    assert sorted(log.rejected["row"]) == sorted(d.loc[d["rejected"], "row"])
    kinds = dict(zip(d["row"], d["kind"]))
    problems = {kinds[r]: p for r, p in zip(log.rejected["row"], exploded(log.rejected)["problem"])}
    assert problems["unparseable_timestamp"] == "not a date"
    assert problems["end_before_start"] == "end before start"
    assert (log.to_pandas()["case_id"] == "NA").sum() == (d["kind"] == "case_named_na").sum() > 0


def test_builtin_taxonomy_agrees_with_the_generators_units():
    units = datasets.load_truth("elderly_medical").units.set_index("unit")
    for name in ("psychiatry_somatic", "elderly_medical"):
        got = datasets.load_sample(name).units.set_index("unit")
        for unit, row in got.iterrows():
            assert (row["domain"], row["sector"]) == tuple(units.loc[unit, ["domain", "sector"]]), unit


def test_truth_matches_the_shipped_events():
    truth = datasets.load_truth("elderly_medical")
    with datasets.sample_path("elderly_medical") as p:
        ev = pd.read_parquet(p)
    r = truth.readmissions
    assert len(r) > 100
    first = r.iloc[0]
    g = ev[ev["case_id"] == first["case_id"]]
    assert first["discharge_at"] in set(g.loc[g["activity"] == "Udskrivning", "timestamp"])
    assert first["readmission_at"] in set(g.loc[g["activity"] == "Indlæggelse", "timestamp"])


def test_xes_copy_reads_back():
    with datasets.sample_path("elderly_medical", kind="xes") as p:
        log = pw.read_xes(p)
    assert log.n_cases == 2000
    with pytest.raises(OptionError, match="XES copy"):
        with datasets.sample_path("dirty_extract", kind="xes"):
            pass


def test_data_is_package_data_and_small():
    folder = resources.files("pathways") / "sample_logs"
    files = {f.name: f for f in folder.iterdir() if f.is_file()}
    assert "README.md" in files
    for name in datasets.list_samples():
        assert f"{name}.truth.json" in files
    total = sum(len(f.read_bytes()) for f in files.values())
    assert total < 10_000_000
