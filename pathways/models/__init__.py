"""Process models and conformance: discovery with pm4py, reference pathways, declarative rules.

This package is the only place pathways imports pm4py, and only inside
functions (quietly: no banner, no warnings, no progress bars), so
``import pathways`` stays fast. pm4py works on aggregates of the log (its
variants or its directly-follows graph), never on the raw events.

* discovery: :func:`discover_process_tree`, :func:`discover_petri_net`, :func:`discover_bpmn`
* models: :class:`ProcessModel` (repr, ``.save("x.pnml"|"x.bpmn")``; drawn by ``pw.model_map``),
  :func:`read_pnml`, :func:`read_bpmn`
* reference pathways: :class:`ReferencePathway`, :class:`Step`
* conformance: :func:`conformance`, :func:`conformance_summary`
* declarative rules: :func:`check_rules` with :class:`Response`, :class:`Precedence`,
  :class:`NotCoExistence` (engine only, no pm4py)
"""

from .conformance import DEVIATION_KINDS, Deviation, conformance, conformance_summary
from .discovery import discover_bpmn, discover_petri_net, discover_process_tree
from .model import ProcessModel, read_bpmn, read_pnml
from .reference import ReferencePathway, Step
from .rules import NotCoExistence, Precedence, Response, check_rules

__all__ = ["discover_process_tree", "discover_petri_net", "discover_bpmn", "ProcessModel", "read_pnml",
           "read_bpmn", "ReferencePathway", "Step", "conformance", "conformance_summary", "Deviation",
           "DEVIATION_KINDS", "check_rules", "Response", "Precedence", "NotCoExistence"]
