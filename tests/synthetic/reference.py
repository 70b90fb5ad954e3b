"""Plain pandas/Python reference implementation of DOMAIN.md section 4, used to check the truth.

Deliberately simple and slow: one Python loop per case over its rows, no
numpy tricks, event types from ``pathways.schema.EVENT_TYPES`` and domains
from the generator's units table.
"""

from __future__ import annotations

import pandas as pd

from pathways import schema

DAY = pd.Timedelta(days=1)
TYPE_OF = {name: etype for etype, (danish, _en) in schema.EVENT_TYPES.items() for name in danish}


def event_type(activity) -> str:
    return TYPE_OF.get(str(activity).strip().lower(), schema.UNKNOWN_EVENT_TYPE)


def steps_of(events: pd.DataFrame) -> dict[str, list[dict]]:
    """case_id -> list of steps (unit, arrival, departure, rows) in row order."""
    out: dict[str, list[dict]] = {}
    for case, g in events.groupby("case_id", sort=False):
        steps: list[dict] = []
        for row in g.itertuples():
            if pd.isna(row.unit):
                continue
            dep = row.timestamp if pd.isna(row.end_timestamp) else max(row.timestamp, row.end_timestamp)
            if steps and steps[-1]["unit"] == row.unit:
                steps[-1]["departure"] = max(steps[-1]["departure"], dep)
                steps[-1]["rows"].append(row.Index)
            else:
                steps.append({"unit": row.unit, "arrival": row.timestamp, "departure": dep,
                              "rows": [row.Index]})
        out[case] = steps
    return out


def loops(events: pd.DataFrame, steps: dict) -> pd.DataFrame:
    rows = []
    groups = dict(tuple(events.groupby("case_id", sort=False)))
    for case, st in steps.items():
        returns = []
        for j in range(len(st)):
            prev = [i for i in range(j) if st[i]["unit"] == st[j]["unit"]]
            if not prev:
                continue
            i = prev[-1]
            if 2 <= j - i <= 5 and st[j]["arrival"] - st[i]["departure"] <= 180 * DAY:
                returns.append((i, j))
        episodes = []  # union of the step ranges [i, j] that share a step
        for i, j in sorted(returns):
            if episodes and i <= episodes[-1]["last"]:
                e = episodes[-1]
                e["last"] = max(e["last"], j)
                e["js"].append(j)
            else:
                episodes.append({"first": i, "last": j, "js": [j]})
        g = groups[case]
        types = g["activity"].map(event_type)
        for e in episodes:
            start = st[e["first"]]["arrival"]
            end = max(st[j]["departure"] for j in e["js"])
            after = g[(g["timestamp"] > end) & (g["timestamp"] <= end + 90 * DAY)]
            inside = types[(g["timestamp"] >= start) & (g["timestamp"] <= end)]
            ended = inside.isin(["closure", "treatment_start"]).any()
            rows.append({"case_id": case,
                         "units": " → ".join(s["unit"] for s in st[e["first"]:e["last"] + 1]),
                         "n_returns": len(e["js"]), "start": start, "end": end,
                         "gave_up": after.empty and not ended})
    return pd.DataFrame(rows, columns=["case_id", "units", "n_returns", "start", "end", "gave_up"])


def psych_somatic(steps: dict, domain_of: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    ho, bo = [], []
    pair = {("psychiatric", "somatic"), ("somatic", "psychiatric")}
    for case, st in steps.items():
        doms = [domain_of.get(s["unit"], "unknown") for s in st]
        for k in range(len(st) - 1):
            if (doms[k], doms[k + 1]) in pair:
                ho.append({"case_id": case, "from_unit": st[k]["unit"], "to_unit": st[k + 1]["unit"],
                           "left_at": st[k]["departure"], "arrived_at": st[k + 1]["arrival"]})
                if (k + 2 < len(st) and doms[k + 2] == doms[k]
                        and st[k + 2]["arrival"] - st[k]["departure"] <= 30 * DAY):
                    bo.append({"case_id": case, "left_at": st[k]["departure"],
                               "returned_at": st[k + 2]["arrival"],
                               "units": " → ".join(s["unit"] for s in st[k:k + 3])})
    return (pd.DataFrame(ho, columns=["case_id", "from_unit", "to_unit", "left_at", "arrived_at"]),
            pd.DataFrame(bo, columns=["case_id", "left_at", "returned_at", "units"]))


def readmissions(events: pd.DataFrame) -> pd.DataFrame:
    rows = []
    types = events["activity"].map(event_type)
    for case, g in events.groupby("case_id", sort=False):
        tg = types.loc[g.index]
        adm = g[tg == "admission"]
        for idx in g.index[tg == "discharge"]:
            later = adm[adm.index > idx]
            if len(later) and later["timestamp"].iloc[0] - g.at[idx, "timestamp"] <= 30 * DAY:
                rows.append({"case_id": case, "discharge_at": g.at[idx, "timestamp"],
                             "readmission_at": later["timestamp"].iloc[0]})
    return pd.DataFrame(rows, columns=["case_id", "discharge_at", "readmission_at"])


def waits(events: pd.DataFrame, start_type: str, end_test, as_of, start_test=None) -> pd.DataFrame:
    """Pair each start with the first end after it and before the next start."""
    rows = []
    types = events["activity"].map(event_type)
    for case, g in events.groupby("case_id", sort=False):
        tg = types.loc[g.index]
        starts = [i for i in g.index if tg[i] == start_type and (start_test is None or start_test(g.loc[i]))]
        ends = [i for i in g.index if end_test(tg[i], g.loc[i])]
        for k, s in enumerate(starts):
            nxt = starts[k + 1] if k + 1 < len(starts) else None
            e = next((i for i in ends if i > s), None)
            if e is not None and (nxt is None or e < nxt):
                rows.append({"case_id": case, "start_at": g.at[s, "timestamp"],
                             "end_at": g.at[e, "timestamp"], "outcome": "ended"})
            elif nxt is not None:
                rows.append({"case_id": case, "start_at": g.at[s, "timestamp"], "end_at": pd.NaT,
                             "outcome": "superseded"})
            else:
                rows.append({"case_id": case, "start_at": g.at[s, "timestamp"], "end_at": pd.NaT,
                             "outcome": "open"})
    return pd.DataFrame(rows, columns=["case_id", "start_at", "end_at", "outcome"])
