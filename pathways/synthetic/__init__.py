"""Synthetic Danish cross-sector care pathways with ground truth.

``generate(n_patients, seed=...)`` returns a :class:`SyntheticLog` whose
``.events`` is a pandas DataFrame in the canonical columns (Danish unit and
activity names) and whose ``.truth`` holds the ground-truth tables (cases,
episodes, loops, handovers, bounces, waits, readmissions, discharges,
age_transitions, defects, units, scenarios). ``write(path, n_patients, ...)``
streams large logs straight to Parquet or CSV.

Examples
--------
>>> from pathways.synthetic import generate, SCENARIOS
>>> len(SCENARIOS) >= 12
True
>>> syn = generate(100, seed=3, scenarios=["pain_clinic_loop"])
>>> set(syn.truth.cases["scenarios"].str.split(";").explode()) == {"pain_clinic_loop"}
True
"""

from .core import SyntheticLog, Truth, generate
from .defects import KINDS as DEFECT_KINDS
from .scenarios import SCENARIOS
from .writer import write

__all__ = ["generate", "write", "SyntheticLog", "Truth", "SCENARIOS", "DEFECT_KINDS"]
