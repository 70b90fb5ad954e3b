"""Big results straight from the engine to Parquet: one row per step, handover or bounce, no pandas frame.

An analysis that returns one row per step or handover can outgrow memory as a pandas
DataFrame (10 million handovers on a log where nearly every event changes unit). Its
rows are written here by the engine, in the order the function returns them.
"""

from __future__ import annotations

import inspect

from ..errors import OptionError, check_choice


def _tables() -> dict:
    """The analyses whose rows ``pw.write_parquet(log, path, analysis=...)`` writes, and their engine expressions."""
    from ..analyses.handovers import bounces_table, handovers_table
    from ..analyses.unitpath import unit_paths_table

    return {"handovers": handovers_table, "unit_paths": unit_paths_table, "bounces": bounces_table}


def result_table(log, analysis: str, options: dict):
    """The engine expression of ``analysis``'s rows with ``options``; OptionError for an unknown one."""
    tables = _tables()
    check_choice("analysis", analysis, list(tables))
    build = tables[analysis]
    allowed = [p for p in inspect.signature(build).parameters if p != "log"]
    unknown = sorted(set(options) - set(allowed) - set(getattr(build, "renamed", ())))
    if unknown:
        raise OptionError(f"pw.{analysis} takes no option {unknown[0]!r}; its options are "
                          f"{', '.join(allowed) or 'none'}, e.g. pw.write_parquet(log, path, analysis={analysis!r}"
                          f"{', ' + allowed[0] + '=...' if allowed else ''}).")
    return build(log, **options)
