"""Diagrams and charts drawn from the analyses' tables (never computing analytics themselves).

Modules: ``maps`` (process_map, unit_map, Frequency, Performance), ``interactive`` (interactive_map),
``models`` (model_map), ``timelines`` (case_timeline, cohort_timeline), ``charts`` (Chart, funnel_plot,
control_chart), ``plots`` (histogram, km_chart, heatmap, bar_chart: the report's charts), ``diagram``
(Diagram), ``dot`` (escaping, DOT building), ``pdf`` (vector PDF from SVG), ``styles`` (colours and fonts).
Layout engines are :mod:`pathways.layout`; every word and number drawn comes from :mod:`pathways.publish`
(the drawing functions take ``language="en"|"da"`` and ``min_count``).
"""
