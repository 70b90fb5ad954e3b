"""The recipe of the bundled sample logs in ``pathways/sample_logs/``.

Rebuild them (byte for byte, given the same library versions) with::

    python -m pathways.synthetic.samples pathways/sample_logs
"""

from __future__ import annotations

import sys
from pathlib import Path

from .scenarios import COMBINES_WITH

ALL_DEFECTS = {"identical_timestamp": 5, "date_only": 5, "missing_unit": 5, "unknown_unit": 5,
               "duplicate": 5, "case_named_na": 1, "missing_case": 5, "missing_activity": 5,
               "missing_timestamp": 5, "unparseable_timestamp": 5, "end_before_start": 5}

#: name -> how it is generated and stored
SAMPLES = {
    "psychiatry_somatic": dict(
        file="psychiatry_somatic.parquet", patients=3000, seed=101,
        scenarios=list(COMBINES_WITH["adult"]) + ["child_psychiatry_age18"], defects=None,
        description="3,000 adult and young psychiatric patients: loops, psychiatric-somatic bounces, "
                    "refusals, dual diagnosis, long waits, the age-18 cliff and good pathways"),
    "elderly_medical": dict(
        file="elderly_medical.parquet", patients=2000, seed=202,
        scenarios=list(COMBINES_WITH["elderly"]), defects=None, xes="elderly_medical.xes.gz",
        description="2,000 elderly medical patients: readmissions within hours/days/30 days, "
                    "bed-blocking, Friday discharges, COPD and geriatric good pathways"),
    "dirty_extract": dict(
        file="dirty_extract.csv", patients=600, seed=303, scenarios=None, defects=ALL_DEFECTS,
        dialect="danish",
        description="600 patients of every scenario as a dirty Danish export: ';', Danish headers, "
                    "dd-mm-yyyy HH:MM, 50 defective rows + a case named NA (25 rows to reject)"),
}
START, END = "2021-01-01", "2023-12-31"
#: name -> the message stream (HospitalNotification Bundles, NDJSON) of a synthetic log's stays
STREAMS = {
    "hospital_notifications": dict(
        file="hospital_notifications.ndjson.gz", patients=1100, seed=404, scenarios=None,
        description="1,100 patients' hospital stays as the MedCom HospitalNotification messages their "
                    "municipalities received: delays per hospital, missing, revised, cancelled and duplicated "
                    "messages"),
}


def build(directory) -> dict[str, int]:
    """Generate every sample and message stream, its ``<name>.truth.json`` and the XES copy into ``directory``."""
    import pathways as pw

    from .core import generate
    from .notifications import hospital_notifications

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, spec in SAMPLES.items():
        syn = generate(spec["patients"], seed=spec["seed"], start=START, end=END,
                       scenarios=spec["scenarios"], defects=spec["defects"])
        target = directory / spec["file"]
        if target.suffix == ".csv":
            syn.to_csv(target, dialect=spec.get("dialect", "plain"))
        else:
            syn.to_parquet(target)
        syn.truth.to_json(directory / f"{name}.truth.json")
        if spec.get("xes"):
            log = pw.from_pandas(syn.events, case="case_id", activity="activity", timestamp="timestamp",
                                 end_timestamp="end_timestamp", unit="unit", resource="resource",
                                 referral_to="referral_to")
            pw.write_xes(log, directory / spec["xes"])
    for name, spec in STREAMS.items():
        syn = generate(spec["patients"], seed=spec["seed"], start=START, end=END, scenarios=spec["scenarios"])
        stream = hospital_notifications(syn, seed=spec["seed"])
        stream.to_ndjson(directory / spec["file"])
        stream.truth.to_json(directory / f"{name}.truth.json")
    for f in sorted(directory.iterdir()):
        sizes[f.name] = f.stat().st_size
    return sizes


if __name__ == "__main__":  # pragma: no cover
    for fname, size in build(sys.argv[1] if len(sys.argv) > 1 else "pathways/sample_logs").items():
        print(f"{size / 1e6:7.2f} MB  {fname}")
