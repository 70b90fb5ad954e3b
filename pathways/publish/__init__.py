"""One home for the rules that make a number publishable, shared by the maps, the charts, the report, the CLI and
the notebooks.

- :mod:`~pathways.publish.suppression`: the suppression rule (a count from 1 to
  ``min_count - 1`` is ``"<5"``, a zero is published) and complementary
  suppression of tables published with totals (:func:`pathways.suppress`);
- :mod:`~pathways.publish.numbers`: the one number formatter
  (:class:`pathways.Formatter`): counts, shares, durations, dates in Danish or
  English, every count through the suppression rule;
- :mod:`~pathways.publish.words`: the one translation table (:data:`WORDS`, :func:`say`);
- :mod:`~pathways.publish.tables`: tables as they may be published
  (:func:`pathways.publishable`) and written as CSV for Excel (:func:`pathways.save_table`).
"""
