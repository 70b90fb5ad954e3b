"""Diagrams drawn from the analyses' tables with Graphviz (never computing analytics themselves).

Modules: ``maps`` (process_map, unit_map, Frequency, Performance), ``timelines``
(case_timeline, cohort_timeline), ``diagram`` (Diagram), ``dot`` (escaping, DOT
building), ``engines`` (system ``dot`` or ``graphviz-pure``), ``styles``, ``words`` (every
word drawn, in English and Danish: the drawing functions take ``language="en"|"da"``).
"""
