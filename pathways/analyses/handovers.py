"""Handovers between units, the handover matrix and psychiatric-somatic bounces (DOMAIN.md section 4).

"Hvem ringer vi så til?": a handover is the moment one unit lets go of the
patient and the next one takes over. All three functions work on the unit path
of :func:`pathways.analyses.unitpath.unit_path_expr` (consecutive repeats in a
unit collapsed, events without a unit skipped), in the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import ibis
import pandas as pd

from ..errors import check_choice
from ..parameters import BOUNCE_WITHIN, GAP_THRESHOLD, renamed
from .common import TEXT, days_between, days_option, duration, fetch, grouped_quantiles, typed_result, with_parameters
from .unitpath import unit_path_expr

if TYPE_CHECKING:
    from ..eventlog import EventLog

PSY, SOM = "psychiatric", "somatic"
KINDS = (f"{PSY}→{SOM}", f"{SOM}→{PSY}", "cross-sector", "within-sector", "unknown")

HANDOVER_COLUMNS = {
    "case_id": TEXT, "step": "int64", "from_unit": TEXT, "to_unit": TEXT,
    "from_domain": TEXT, "to_domain": TEXT, "from_sector": TEXT, "to_sector": TEXT,
    "left_at": "datetime64[us, UTC]", "arrived_at": "datetime64[us, UTC]", "gap_days": "float64",
    "kind": TEXT, "long_gap": "bool",
}
MATRIX_COLUMNS = {"from": TEXT, "to": TEXT, "n_handovers": "int64", "n_cases": "int64",
                  "median_gap_days": "float64", "n_long_gaps": "int64"}
BOUNCE_COLUMNS = {
    "case_id": TEXT, "step": "int64", "first_unit": TEXT, "middle_unit": TEXT,
    "last_unit": TEXT, "first_domain": TEXT, "middle_domain": TEXT, "last_domain": TEXT,
    "start": "datetime64[us, UTC]", "end": "datetime64[us, UTC]", "duration_days": "float64",
    "kind": TEXT,
}


def kind_expr(from_domain, to_domain, from_sector, to_sector):
    """Ibis expression: the kind of a handover (psychiatric/somatic first, then the sectors)."""
    return ibis.cases(
        ((from_domain == PSY) & (to_domain == SOM), KINDS[0]),
        ((from_domain == SOM) & (to_domain == PSY), KINDS[1]),
        ((from_sector == "unknown") | (to_sector == "unknown"), "unknown"),
        (from_sector != to_sector, "cross-sector"),
        else_="within-sector",
    )


def handover_expr(log, *, threshold=GAP_THRESHOLD, purpose: str = "handovers"):
    """Ibis expression with one row per handover (the columns of :func:`handovers`, UTC times).

    A handover is a step of the unit path with a next step (see
    :func:`pathways.analyses.unitpath.unit_path_expr`, computed once per log).
    """
    gap = days_option(threshold, "threshold")
    s = unit_path_expr(log, purpose=purpose)
    s = s.filter(s.next_unit.notnull())
    s = s.select(
        "case_id", "step", from_unit=s.unit, to_unit=s.next_unit, from_domain=s.domain, to_domain=s.next_domain,
        from_sector=s.sector, to_sector=s.next_sector, left_at=s.left_at, arrived_at=s.next_arrived,
        gap_days=days_between(s.left_at, s.next_arrived),
        kind=kind_expr(s.domain, s.next_domain, s.sector, s.next_sector))
    return s.mutate(long_gap=s.gap_days > gap)


@renamed(max_gap="threshold")
def handovers_table(log, *, threshold=GAP_THRESHOLD):
    """Ibis expression: the rows of :func:`handovers` in its order, kept in the engine (UTC times)."""
    return handover_expr(log, threshold=threshold).order_by(["case_id", "step"])


@renamed(max_gap="threshold")
def handovers(log: EventLog, *, threshold=GAP_THRESHOLD) -> pd.DataFrame:
    """Every handover: a change of unit between two consecutive steps of a case's unit path.

    Parameters
    ----------
    log : EventLog
        Must map ``unit``.
    threshold : str or timedelta, default "7D"
        A handover whose gap is longer than this is flagged in ``long_gap`` (the
        patient "falder mellem to stole").

    Returns
    -------
    pandas.DataFrame
        One row per handover, sorted by case and step: ``case_id``, ``step`` (the
        step of the unit path the patient leaves, see :func:`pathways.unit_paths`),
        ``from_unit``, ``to_unit``, ``from_domain``, ``to_domain``, ``from_sector``,
        ``to_sector``, ``left_at`` (departure from the first unit: the latest event
        time or end time of its step), ``arrived_at`` (first event in the next unit),
        ``gap_days`` (arrived_at − left_at in days, exact across daylight saving; it
        is negative when the stays overlap), ``kind`` and ``long_gap``
        (gap_days > threshold).

        ``kind`` is ``"psychiatric→somatic"`` or ``"somatic→psychiatric"`` when the
        domains say so (these win), else ``"cross-sector"`` when the sectors differ,
        ``"within-sector"`` when they are equal, and ``"unknown"`` when either unit's
        sector is unknown to the taxonomy (never guessed).
        ``df.attrs["parameters"]`` records ``threshold``.

    Raises
    ------
    OptionError
        The log does not map ``unit``, or ``threshold`` is not a duration.

    See Also
    --------
    handover_matrix : counts per pair of units, domains or sectors.
    bounces : psychiatric→somatic→psychiatric and the reverse.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A"],
    ...     "what": ["Akut kontakt", "Overflytning", "Lægekonsultation"],
    ...     "when": ["2023-03-01 22:00", "2023-03-02 06:00", "2023-03-20 10:00"],
    ...     "afsnit": ["Psykiatrisk Akutmodtagelse", "Akutmodtagelse", "Egen læge"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="afsnit")
    >>> h = pw.handovers(log)
    >>> h[["to_unit", "gap_days", "kind", "long_gap"]]
              to_unit   gap_days                 kind  long_gap
    0  Akutmodtagelse   0.333333  psychiatric→somatic     False
    1       Egen læge  18.166667         cross-sector      True
    """
    df = typed_result(fetch(handovers_table(log, threshold=threshold)), HANDOVER_COLUMNS, log.tz,
                      ["left_at", "arrived_at"])
    return with_parameters(df, threshold=duration(threshold, argument="threshold"))


@renamed(max_gap="threshold")
def handover_matrix(log: EventLog, *, by: Literal["unit", "domain", "sector"] = "unit",
                    threshold=GAP_THRESHOLD) -> pd.DataFrame:
    """Handovers counted per pair (from, to) of units, domains or sectors.

    Parameters
    ----------
    log : EventLog
        Must map ``unit``.
    by : {"unit", "domain", "sector"}, default "unit"
        What ``from`` and ``to`` are. Handovers between two units of the same
        domain (or sector) count on the diagonal.
    threshold : str or timedelta, default "7D"
        Threshold for ``n_long_gaps``.

    Returns
    -------
    pandas.DataFrame
        ``from``, ``to``, ``n_handovers``, ``n_cases`` (cases with at least one such
        handover), ``median_gap_days`` and ``n_long_gaps`` (handovers with a gap
        over ``threshold``); most frequent first. ``df.attrs["parameters"]`` records
        ``by`` and ``threshold``.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B", "B"],
    ...     "what": ["Henvisning", "Indlæggelse", "Henvisning", "Indlæggelse"],
    ...     "when": ["2023-03-01", "2023-03-03", "2023-04-01", "2023-04-02"],
    ...     "afsnit": ["Egen læge", "Medicinsk afdeling", "Egen læge", "Smerteklinik"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="afsnit")
    >>> pw.handover_matrix(log, by="domain")[["from", "to", "n_handovers", "median_gap_days"]]
                   from       to  n_handovers  median_gap_days
    0  general_practice  somatic            2              1.5
    """
    check_choice("by", by, ["unit", "domain", "sector"])
    h = handover_expr(log, threshold=threshold, purpose="handover_matrix")
    h = h.mutate(**{"from": h[f"from_{by}"], "to": h[f"to_{by}"]})
    m = grouped_quantiles(log, h, ["from", "to"], h.gap_days, {"median_gap_days": 0.5}, pairs_of=by,
                          n_handovers=h.count(), n_cases=h.case_id.nunique(), n_long_gaps=h.long_gap.sum())
    df = fetch(m)
    if len(df):
        df["n_long_gaps"] = df["n_long_gaps"].fillna(0)
        df = df.sort_values(["n_handovers", "from", "to"], ascending=[False, True, True], kind="stable")
    df = typed_result(df, MATRIX_COLUMNS, log.tz, [])
    return with_parameters(df, by=by, threshold=duration(threshold, argument="threshold"))


def bounces_table(log, *, within=BOUNCE_WITHIN):
    """Ibis expression: the rows of :func:`bounces` in its order, kept in the engine (UTC times)."""
    days = days_option(within, "within")
    s = unit_path_expr(log, purpose="bounces")
    w = ibis.window(group_by="case_id", order_by="step")
    s = s.mutate(u1=s.unit.lead(1).over(w), u2=s.unit.lead(2).over(w), d1=s.domain.lead(1).over(w),
                 d2=s.domain.lead(2).over(w), a2=s.arrived_at.lead(2).over(w))
    pattern = (((s.domain == PSY) & (s.d1 == SOM)) | ((s.domain == SOM) & (s.d1 == PSY))) & (s.d2 == s.domain)
    s = s.filter(pattern & s.a2.notnull())
    s = s.mutate(duration_days=days_between(s.left_at, s.a2))
    s = s.filter(s.duration_days <= days)
    s = s.select("case_id", "step", first_unit=s.unit, middle_unit=s.u1, last_unit=s.u2, first_domain=s.domain,
                 middle_domain=s.d1, last_domain=s.d2, start=s.left_at, end=s.a2, duration_days=s.duration_days,
                 kind=s.domain.concat("→", s.d1, "→", s.d2))
    return s.order_by(["case_id", "step"])


def bounces(log: EventLog, *, within=BOUNCE_WITHIN) -> pd.DataFrame:
    """Psychiatric–somatic bounces: psychiatric → somatic → psychiatric, or the reverse, within a window.

    A bounce is three consecutive steps of the unit path whose domains are
    psychiatric, somatic, psychiatric (or somatic, psychiatric, somatic), where the
    patient is back in the first domain at most ``within`` after leaving it:
    arrival at the third step − departure from the first ≤ ``within`` (the edge
    counts). Steps overlap: psychiatric, somatic, psychiatric, somatic gives two
    bounces, one of each kind.

    Parameters
    ----------
    log : EventLog
        Must map ``unit``.
    within : str or timedelta, default "30D"

    Returns
    -------
    pandas.DataFrame
        One row per bounce, sorted by case and step: ``case_id``, ``step`` (step of
        the first unit), ``first_unit``, ``middle_unit``, ``last_unit``,
        ``first_domain``, ``middle_domain``, ``last_domain``, ``start`` (departure
        from the first unit), ``end`` (arrival at the last), ``duration_days`` and
        ``kind`` (``"psychiatric→somatic→psychiatric"`` or
        ``"somatic→psychiatric→somatic"``). ``df.attrs["parameters"]`` records
        ``within``.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A"],
    ...     "what": ["Akut kontakt", "Overflytning", "Akut kontakt"],
    ...     "when": ["2023-03-01 22:00", "2023-03-02 06:00", "2023-03-04 18:00"],
    ...     "afsnit": ["Psykiatrisk Akutmodtagelse", "Akutmodtagelse", "Psykiatrisk Akutmodtagelse"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="afsnit")
    >>> pw.bounces(log)[["middle_unit", "duration_days", "kind"]]
          middle_unit  duration_days                             kind
    0  Akutmodtagelse           2.833333  psychiatric→somatic→psychiatric
    """
    df = typed_result(fetch(bounces_table(log, within=within)), BOUNCE_COLUMNS, log.tz, ["start", "end"])
    return with_parameters(df, within=duration(within, argument="within"))


__all__ = ["handovers", "handover_matrix", "bounces", "handover_expr", "handovers_table", "bounces_table", "kind_expr",
           "KINDS"]
