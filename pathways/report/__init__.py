"""The self-contained HTML report: ``pw.report(log, "report.html")``.

Modules: :mod:`~pathways.report.build` (the :func:`report` function),
:mod:`~pathways.report.sections` (one function per section: its tables and its
finding), :mod:`~pathways.report.blocks` (figures, notes and sections around
the tables; the charts are :mod:`pathways.render`'s),
:mod:`~pathways.report.html` (the page) and :mod:`~pathways.report.export`
(the figures folder: SVG, PNG, CSV). Words, numbers, suppression and tables are
those of :mod:`pathways.publish`, shared with the maps, the CLI and the notebooks.
"""

from __future__ import annotations

import sys
import types

from .build import Report, report


class _CallableModule(types.ModuleType):
    """``pathways.report`` is both this package and the function: importing a submodule
    (``from pathways.report import sections``) makes Python bind the package to the name
    ``pathways.report``, so the package calls :func:`report` when called."""

    def __call__(self, *args, **kwargs):
        return report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["report", "Report"]
