"""Timelines: one patient's pathway over time in sector swimlanes, and a dotted chart of many.

Both are drawn from :func:`pathways.unit_paths` (the steps of each case, with
arrival and departure) and laid out with fixed positions (Graphviz ``neato -n2``):
time runs left to right. Neither prints a case id; times are days since the
first contact (or calendar months for the cohort chart with ``time="absolute"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..errors import OptionError, check_choice
from . import styles as st
from .diagram import Diagram
from .dot import HTML, MAX_LABEL_CHARS, DotBuilder, html_text
from ..publish.words import DOMAIN_LANES, SECTOR_LANES, check_language, say

if TYPE_CHECKING:
    from ..eventlog import EventLog

WIDTH = 900.0       # points for the time axis
LEFT = 200.0        # room for lane names
ROW = 46.0          # height of one row of boxes in a lane
_TICKS = (1, 2, 7, 14, 30, 60, 90, 180, 365, 730)


def _text_width(text: str, size: float = 10.0) -> float:
    # labels are cut at MAX_LABEL_CHARS (html_text), so a box never grows wider than that text
    return min(len(str(text)), MAX_LABEL_CHARS) * size * 0.56 + 14


def _tick_step(span_days: float) -> int:
    for step in _TICKS:
        if span_days / step <= 10:
            return step
    return 1825


def _days(series: pd.Series, t0) -> np.ndarray:
    return ((series - t0) / pd.Timedelta("1D")).to_numpy(dtype=float)


def _axis(b: DotBuilder, *, y: float, span: float, scale: float, label) -> None:
    step = _tick_step(span)
    a = b.node(("axis", "from"), shape="point", width=0.01, color="#9aa5ae", pos=f"{LEFT:.1f},{y:.1f}!")
    z = b.node(("axis", "to"), shape="point", width=0.01, color="#9aa5ae",
               pos=f"{LEFT + span * scale:.1f},{y:.1f}!")
    b.edge(a, z, dir="none", color="#9aa5ae")
    for k in range(0, int(span // step) + 1):
        day = k * step
        b.node(("tick", day), shape="plaintext", label=label(day), fontsize=9, fontcolor="#4a5560",
               style="", pos=f"{LEFT + day * scale:.1f},{y - 12:.1f}!")


def _label(b: DotBuilder, title: str, caption: str, rows: str = "") -> None:
    """The graph label: title and caption (plain text, escaped here), then legend ``rows`` (HTML)."""
    b.graph_attrs["label"] = HTML(
        f'<table border="0" cellborder="0" cellspacing="1"><tr><td align="left"><font point-size="13"><b>'
        f'{html_text(title)}</b></font></td></tr><tr><td align="left"><font color="#4a5560">'
        f"{html_text(caption)}</font></td></tr>{rows}</table>")


def _case_steps(log, case_id) -> pd.DataFrame:
    from ..analyses.unitpath import unit_paths
    from ..filters import filter_cases

    log.require("unit", purpose="case_timeline")
    steps = unit_paths(filter_cases(log, [case_id]))
    if not len(steps):
        raise OptionError("case_timeline: the log has no case with that id, or the case has no event with a "
                          "unit. Check the id (the same type as the log's case column, e.g. a string).")
    return steps


def case_timeline(log: EventLog, case_id, *, lanes: Literal["sector", "domain"] = "sector", title: str | None = None,
                  language: Literal["en", "da"] = "en") -> Diagram:
    """Draw one patient's pathway over time: each stay in a unit as a box in its sector's swimlane.

    For a quality unit reviewing a single case. The diagram necessarily concerns
    one case, but **it never shows the case id** (the title is "Patient pathway")
    and no calendar dates: time is days since the first contact. Boxes start at
    the arrival in the unit and are as long as the stay (at least as long as
    their label); arrows are the handovers, in order. Boxes are filled by domain.

    Parameters
    ----------
    log : EventLog
        Must map ``unit``.
    case_id
        The case to draw (as in the log's case column).
    lanes : {"sector", "domain"}, default "sector"
    title : str, optional
        Default "Patient pathway" ("Patientforløb"). Do not put the case id here
        in diagrams that leave the team.
    language : {"en", "da"}, default "en"
        Language of every word drawn (lane names, "day 8–18" / "dag 8–18", caption,
        default title); also of ``.info["caption"]`` ("3 stays" / "3 ophold").

    Returns
    -------
    Diagram
        ``.nodes`` is one row per step (step, unit, domain, sector, day_from,
        day_to, n_events); no id and no dates.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> from pathways.render.timelines import case_timeline
    >>> df = pd.DataFrame({"pt": ["P-123"] * 3, "what": ["Lægekonsultation", "Henvisning modtaget", "Indflytning"],
    ...     "when": ["2023-01-02", "2023-01-10", "2023-02-01"],
    ...     "unit": ["Egen læge", "Distriktspsykiatri", "Bosted"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="unit")
    >>> t = case_timeline(log, "P-123")
    >>> t.nodes[["unit", "sector", "day_from"]]
                     unit            sector  day_from
    0           Egen læge  general_practice       0.0
    1  Distriktspsykiatri            region       8.0
    2              Bosted      municipality      30.0
    >>> "P-123" in t.dot
    False
    >>> "<b>Almen praksis</b>" in case_timeline(log, "P-123", language="da").dot
    True
    """
    check_choice("lanes", lanes, ["sector", "domain"])
    language = check_language(language)
    steps = _case_steps(log, case_id)
    t0 = steps["arrived_at"].min()
    day_from, day_to = _days(steps["arrived_at"], t0), _days(steps["left_at"], t0)
    span = max(float(np.nanmax(day_to)), float(np.nanmax(day_from)), 1.0)
    scale = WIDTH / span
    names = (SECTOR_LANES if lanes == "sector" else DOMAIN_LANES)[language]
    order = list(names)
    values = steps[lanes].fillna("unknown").astype(str)
    lane_list = sorted(set(values), key=lambda v: (order.index(v) if v in order else len(order), v))

    # rows inside each lane: a box goes to the first row where it does not overlap
    boxes = []
    rows_end: dict = {lane: [] for lane in lane_list}
    for i, r in enumerate(steps.itertuples(index=False)):
        label2 = (say("day", language, n=day_from[i]) if round(day_to[i]) == round(day_from[i])
                  else say("day_span", language, a=day_from[i], b=day_to[i]))
        x0 = LEFT + day_from[i] * scale
        w = max((day_to[i] - day_from[i]) * scale, _text_width(r.unit), _text_width(label2, 9))
        ends = rows_end[values.iloc[i]]
        row = next((k for k, end in enumerate(ends) if end + 6 <= x0), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = x0 + w
        boxes.append((x0, w, values.iloc[i], row, label2))
    heights = {lane: max(1, len(rows_end[lane])) * ROW + 16 for lane in lane_list}
    b = DotBuilder("case_timeline", graph={**st.GRAPH, "splines": "true", "outputorder": "nodesfirst"},
                   node={**st.NODE, "fixedsize": "true"}, edge={**st.EDGE_DEFAULTS, "color": "#55606a"})
    right = max(x0 + w for x0, w, *_ in boxes) + 20
    top, lane_y = 0.0, {}
    for lane in lane_list:  # lanes top to bottom, in the order of names
        top -= heights[lane]
        lane_y[lane] = top
        h = heights[lane]
        b.node(("lane", lane), shape="box", style="filled", color="#d5dce2",
               fillcolor=st.LANE_FILL.get(lane, "#f7f7f7"), label="",
               width=(right + 10) / 72, height=(h - 4) / 72, pos=f"{(right + 10) / 2:.1f},{top + h / 2:.1f}!")
        b.node(("lane label", lane), shape="plaintext", style="", fontsize=11, width=(LEFT - 12) / 72,
               label=HTML(f"<b>{html_text(names.get(lane, lane))}</b>"),
               pos=f"{LEFT / 2 + 2:.1f},{top + h / 2:.1f}!")
    ids = []
    for i, (r, (x0, w, lane, row, label2)) in enumerate(zip(steps.itertuples(index=False), boxes)):
        y = lane_y[lane] + heights[lane] - 8 - ROW / 2 - row * ROW
        ids.append(b.node(("step", i), pos=f"{x0 + w / 2:.1f},{y:.1f}!", width=w / 72, height=(ROW - 10) / 72,
                          fillcolor=st.DOMAIN_FILL.get(r.domain, "#ffffff"),
                          label=HTML(f"<b>{html_text(r.unit)}</b><br/>"
                                     f'<font point-size="9">{html_text(label2)}</font>')))
    for a, z in zip(ids[:-1], ids[1:]):
        b.edge(a, z)
    _axis(b, y=top - 14, span=span, scale=scale, label=lambda d: say("day", language, n=d))
    caption = say("case_caption", language, n=len(steps), units=int(steps["unit"].nunique()), span=round(span))
    _label(b, title or say("title_case", language), caption)
    nodes = pd.DataFrame({"step": steps["step"].to_numpy(), "unit": steps["unit"].to_numpy(),
                          "domain": steps["domain"].to_numpy(), "sector": steps["sector"].to_numpy(),
                          "day_from": day_from.round(2), "day_to": day_to.round(2),
                          "n_events": steps["n_events"].to_numpy()})
    edges = pd.DataFrame({"from_step": nodes["step"].to_numpy()[:-1], "to_step": nodes["step"].to_numpy()[1:],
                          "from_unit": nodes["unit"].to_numpy()[:-1], "to_unit": nodes["unit"].to_numpy()[1:]})
    return Diagram(b.source(), nodes=nodes, edges=edges, title="patient pathway",
                   info={"caption": say("case_info", language, n=len(steps))}, layout="neato", layout_args=("-n2",))


def cohort_timeline(log: EventLog, *, max_cases: int = 100, time: Literal["relative", "absolute"] = "relative",
                    color: Literal["domain", "sector"] = "domain", title: str | None = None,
                    language: Literal["en", "da"] = "en") -> Diagram:
    """Draw a dotted chart of many cases: one row per case, one dot per arrival in a unit.

    Rows are cases in order of their first contact, without ids; dots are the
    steps of :func:`pathways.unit_paths`, coloured by the unit's domain (or
    sector). With more than ``max_cases`` cases an evenly spread sample over the
    start dates is drawn, and the diagram says how many of how many.

    Parameters
    ----------
    log : EventLog
        Must map ``unit``.
    max_cases : int, default 100
    time : {"relative", "absolute"}, default "relative"
        ``"relative"``: days since each case's first contact (compare pathway
        shapes); ``"absolute"``: calendar time (see when things happen).
    color : {"domain", "sector"}, default "domain"
    title : str, optional
        Default "Pathways of a cohort" ("Forløb i en kohorte").
    language : {"en", "da"}, default "en"
        Language of every word drawn (caption, legend, "day 30" / "dag 30", default
        title) and of the numbers (Danish ``2.000``); also of ``.info["caption"]``
        ("showing 100 of 2,000 cases" / "viser 100 af 2.000 patienter").

    Returns
    -------
    Diagram
        ``.nodes`` has one row per dot (row, step, unit, domain, sector, x_days);
        ``.info`` has ``n_cases_total``, ``n_cases_shown`` and ``caption``.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> from pathways.render.timelines import cohort_timeline
    >>> df = pd.DataFrame({"pt": ["A", "A", "B", "B"], "what": ["Henvisning", "Visitation"] * 2,
    ...     "when": ["2023-01-02", "2023-01-10", "2023-02-01", "2023-02-03"],
    ...     "unit": ["Egen læge", "Psykiatrisk Visitationsklinik"] * 2})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="unit")
    >>> c = cohort_timeline(log)
    >>> c.nodes[["row", "unit", "x_days"]]
       row                           unit  x_days
    0    0                      Egen læge     0.0
    1    0  Psykiatrisk Visitationsklinik     8.0
    2    1                      Egen læge     0.0
    3    1  Psykiatrisk Visitationsklinik     2.0
    >>> "showing 2 of 2 cases" in c.dot
    True
    >>> cohort_timeline(log, language="da").info["caption"]
    'viser 2 af 2 patienter'
    """
    from ..analyses.unitpath import unit_paths

    if isinstance(max_cases, bool) or not isinstance(max_cases, int) or max_cases < 1:
        raise OptionError(f"max_cases={max_cases!r} is not allowed; give a whole number of cases (1 or more).")
    check_choice("time", time, ["relative", "absolute"])
    check_choice("color", color, ["domain", "sector"])
    language = check_language(language)
    log.require("unit", purpose="cohort_timeline")
    paths = unit_paths(log)
    starts = paths.groupby("case_id", sort=False)["arrived_at"].min().sort_values(kind="stable")
    n_total = len(starts)
    if n_total > max_cases:
        pick = np.unique(np.linspace(0, n_total - 1, max_cases).round().astype(int))
        starts = starts.iloc[pick]
    row_of = {c: i for i, c in enumerate(starts.index)}
    p = paths[paths["case_id"].isin(row_of)].copy()
    p["row"] = p["case_id"].map(row_of)
    if time == "relative":
        p["x_days"] = _days(p["arrived_at"], p["case_id"].map(starts)) if len(p) else []
    else:
        t0 = p["arrived_at"].min()
        p["x_days"] = _days(p["arrived_at"], t0)
    p = p.sort_values(["row", "step"], kind="stable")
    span = max(float(p["x_days"].max()) if len(p) else 1.0, 1.0)
    scale = WIDTH / span
    gap = 7.0 if len(row_of) > 60 else 12.0
    b = DotBuilder("cohort_timeline", graph={**st.GRAPH, "outputorder": "edgesfirst"},
                   node={"shape": "point", "fontname": st.FONT, "width": 0.07, "style": "filled", "color": "#ffffff", "penwidth": 0.3},
                   edge={"dir": "none", "color": "#d8dde2", "penwidth": 0.6})
    palette = st.DOMAIN_DOT if color == "domain" else {
        "region": "#2f6db5", "municipality": "#3f9a3a", "general_practice": "#707070", "private": "#9b59b6",
        "other": "#b0b0b0", "unknown": "#b0b0b0"}
    names = (DOMAIN_LANES if color == "domain" else SECTOR_LANES)[language]
    top = len(row_of) * gap
    for row, grp in p.groupby("row", sort=True):
        y = top - row * gap
        ids = []
        for k, r in enumerate(grp.itertuples(index=False)):
            ids.append(b.node(("dot", row, k), pos=f"{LEFT + r.x_days * scale:.1f},{y:.1f}!",
                              fillcolor=palette.get(getattr(r, color), "#b0b0b0")))
        if len(ids) > 1:
            b.edge(ids[0], ids[-1])
    if time == "relative":
        label = lambda d: say("day", language, n=d)  # noqa: E731
    else:
        t0 = p["arrived_at"].min()
        label = lambda d: (t0 + pd.Timedelta(days=d)).strftime("%Y-%m-%d")  # noqa: E731
    _axis(b, y=-4, span=span, scale=scale, label=label)
    b.node(("rows", "label"), shape="plaintext", style="", fontsize=10, fontname=st.FONT, width=1.8,
           label=HTML(html_text(say("cohort_rows", language, n=len(row_of)))),
           pos=f"{LEFT / 2:.1f},{top / 2:.1f}!")
    present = [v for v in names if v in set(p[color])] + sorted(set(p[color].dropna()) - set(names))
    rows = "".join(f'<tr><td align="left"><font color="{palette.get(v, "#b0b0b0")}"><b>●</b></font> '
                   f"{html_text(names.get(v, v))}</td></tr>" for v in present)
    showing = say("showing_cases", language, shown=len(row_of), total=n_total)
    caption = say("cohort_caption", language, showing=showing, axis=say(f"axis_{time}", language),
                  how=say("cohort_spread" if n_total > len(row_of) else "cohort_all", language))
    _label(b, title or say("title_cohort", language), caption, rows)
    nodes = p[["row", "step", "unit", "domain", "sector", "x_days"]].reset_index(drop=True)
    nodes["x_days"] = nodes["x_days"].round(2)
    info = {"n_cases_total": n_total, "n_cases_shown": len(row_of), "caption": showing}
    return Diagram(b.source(), nodes=nodes, edges=pd.DataFrame(), title="cohort timeline", info=info,
                   layout="neato", layout_args=("-n2",))


__all__ = ["case_timeline", "cohort_timeline"]
