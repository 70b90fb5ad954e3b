"""Data defects that real extracts have, injected on request and recorded row by row.

Two families:

* **kept** defects change a row in place (or add an exact duplicate) and the
  reader keeps the row: ``identical_timestamp``, ``date_only``,
  ``missing_unit``, ``unknown_unit``, ``duplicate``, ``case_named_na``. They
  are placed where they cannot change any ground-truth table: on benign events
  (outpatient visits, GP consultations, discharge letters, allocations) in the
  middle of a stay, and unknown units only on a one-event step of a case with
  no loop, bounce or psychiatric-somatic handover. So the truth of the clean
  log is also the truth of the dirty one once the rejected rows are gone.
* **rejected** defects are extra, corrupted copies of a real row inserted
  right after it: ``missing_case``, ``missing_activity``,
  ``missing_timestamp``, ``unparseable_timestamp``, ``end_before_start``. A
  reader must reject exactly these rows.
"""

from __future__ import annotations

import numpy as np

from ..errors import OptionError
from .truth import DAY, NO_TIME, _TYPE
from .vocabulary import U, UNIT_DOMAIN, UNIT_NAMES, UNIT_SECTOR, UNKNOWN_UNITS

KEPT = ("identical_timestamp", "date_only", "missing_unit", "unknown_unit", "duplicate",
        "case_named_na")
REJECTED = ("missing_case", "missing_activity", "missing_timestamp", "unparseable_timestamp",
            "end_before_start")
KINDS = KEPT + REJECTED
COLUMN_OF_KIND = {
    "identical_timestamp": "timestamp", "date_only": "timestamp", "missing_unit": "unit",
    "unknown_unit": "unit", "duplicate": None, "case_named_na": "case_id",
    "missing_case": "case_id", "missing_activity": "activity", "missing_timestamp": "timestamp",
    "unparseable_timestamp": "timestamp", "end_before_start": "end_timestamp",
}
BAD_DATES = ("31-02-2023 10:00", "2023-13-45 08:00", "ukendt", "00-00-0000 00:00",
             "32.01.2022 kl. 9", "#VÆRDI!")
_BENIGN = np.isin(_TYPE, ("outpatient_visit", "gp_contact", "discharge_letter", "visitation"))


def normalise(defects) -> dict[str, int]:
    """``defects`` (None, a mapping kind -> count, or a sequence of kinds = 5 each) as a dict."""
    if defects is None:
        return {}
    if isinstance(defects, str):
        defects = [defects]
    if not hasattr(defects, "items"):
        defects = {k: 5 for k in defects}
    out = {}
    from ..errors import check_choice

    for kind, count in defects.items():
        check_choice("defects", kind, KINDS)
        if not isinstance(count, (int, np.integer)) or count < 0:
            raise OptionError(f"defects[{kind!r}] must be a whole number >= 0, got {count!r}.")
        if kind == "case_named_na" and count > 1:
            raise OptionError("defects['case_named_na'] can be at most 1: every renamed case would "
                              "become the same case 'NA'.")
        if count:
            out[kind] = int(count)
    return out


def inject(rng: np.random.Generator, ev: dict, counts: dict[str, int], protected_cases: np.ndarray):
    """Inject defects into the sorted clean events ``ev`` (dict of arrays, one chunk).

    Returns ``(ev, records, raw_text)``: the new arrays (rows inserted), the list of
    ``(row, kind, column, value)`` and ``{row: text}`` for timestamps that cannot be
    represented as datetimes.
    """
    n = ev["t"].size
    case, unit, act, t = ev["pat"], ev["unit"], ev["act"], ev["t"]
    used = np.zeros(n, bool)
    same_prev = np.zeros(n, bool)
    same_prev[1:] = (case[1:] == case[:-1]) & (unit[1:] == unit[:-1])
    same_next = np.zeros(n, bool)
    same_next[:-1] = same_prev[1:]
    benign = _BENIGN[act]
    interior = benign & same_prev & same_next
    mods: list[tuple[int, str]] = []
    inserts: list[tuple[int, str]] = []

    def take(kind, cand, k):
        idx = np.flatnonzero(cand & ~used)
        if idx.size < k:
            raise OptionError(
                f"defects[{kind!r}]={k} asks for more than the {idx.size} suitable rows of this "
                f"log (chunk of {n:,} events); ask for fewer or generate more patients.")
        pick = np.sort(rng.choice(idx, size=k, replace=False))
        used[pick] = True
        used[np.maximum(pick - 1, 0)] = True
        used[np.minimum(pick + 1, n - 1)] = True
        return pick

    if counts.get("case_named_na"):
        pats = np.unique(case)
        p = rng.choice(pats)
        rows = np.flatnonzero(case == p)
        used[rows] = True
        mods += [(int(r), "case_named_na") for r in rows]
    if counts.get("unknown_unit"):
        single = ~same_prev & ~same_next & benign & (unit >= 0)
        dom = np.array(UNIT_DOMAIN)[np.maximum(unit, 0)]
        sec = np.array(UNIT_SECTOR)[np.maximum(unit, 0)]
        single &= (dom != "psychiatric") & (sec != "municipality") & ~np.isin(case, protected_cases)
        mods += [(int(r), "unknown_unit") for r in take("unknown_unit", single, counts["unknown_unit"])]
    if counts.get("missing_unit"):
        mods += [(int(r), "missing_unit") for r in take("missing_unit", interior, counts["missing_unit"])]
    if counts.get("identical_timestamp"):
        other_act = np.zeros(n, bool)  # so that the tie is not also an exact duplicate
        other_act[1:] = act[1:] != act[:-1]
        mods += [(int(r), "identical_timestamp") for r in take("identical_timestamp", interior & other_act,
                                                               counts["identical_timestamp"])]
    if counts.get("date_only"):
        earlier_day = np.zeros(n, bool)
        earlier_day[1:] = (t[:-1] // DAY) < (t[1:] // DAY)
        mods += [(int(r), "date_only") for r in take("date_only", interior & earlier_day,
                                                       counts["date_only"])]
    if counts.get("duplicate"):
        inserts += [(int(r), "duplicate") for r in take("duplicate", benign, counts["duplicate"])]
    for kind in REJECTED:
        if counts.get(kind):
            idx = np.flatnonzero(~used)
            src = np.sort(rng.choice(idx, size=counts[kind], replace=False))
            inserts += [(int(r), kind) for r in src]

    # --- build the output rows: originals, each followed by the copies inserted after it
    ins_src = np.array([r for r, _ in inserts], dtype=np.int64)
    out_src = np.concatenate([np.arange(n), ins_src])
    sub = np.concatenate([np.zeros(n, np.int64), np.arange(1, ins_src.size + 1)])
    order = np.lexsort((sub, out_src))
    new = {k: v[out_src[order]].copy() for k, v in ev.items()}
    new["na"] = np.zeros(order.size, bool)
    pos_of_orig = np.empty(n, np.int64)
    is_orig = order < n
    pos_of_orig[order[is_orig]] = np.flatnonzero(is_orig)
    pos_of_insert = np.empty(ins_src.size, np.int64)
    pos_of_insert[order[~is_orig] - n] = np.flatnonzero(~is_orig)

    records: list[tuple[int, str, str | None, str | None]] = []
    raw: dict[int, str] = {}
    n_unknown = 0
    for r, kind in mods:
        p = int(pos_of_orig[r])
        value = None
        if kind == "case_named_na":
            new["na"][p] = True
            value = "NA"
        elif kind == "unknown_unit":
            new["unit"][p] = len(UNIT_NAMES) + n_unknown % len(UNKNOWN_UNITS)
            value = UNKNOWN_UNITS[n_unknown % len(UNKNOWN_UNITS)]
            n_unknown += 1
        elif kind == "missing_unit":
            new["unit"][p] = -1
        elif kind == "identical_timestamp":
            new["t"][p] = new["t"][p - 1]
        elif kind == "date_only":
            new["t"][p] = (new["t"][p] // DAY) * DAY
        records.append((p, kind, COLUMN_OF_KIND[kind], value))
    for k, (r, kind) in enumerate(inserts):
        p = int(pos_of_insert[k])
        value = None
        if kind == "missing_case":
            new["pat"][p] = -1
        elif kind == "missing_activity":
            new["act"][p] = -1
        elif kind == "missing_timestamp":
            new["t"][p] = NO_TIME
        elif kind == "unparseable_timestamp":
            new["t"][p] = NO_TIME
            value = BAD_DATES[int(rng.integers(len(BAD_DATES)))]
            raw[p] = value
        elif kind == "end_before_start":
            new["end"][p] = new["t"][p] - int(rng.integers(60, 3 * DAY))
        records.append((p, kind, COLUMN_OF_KIND[kind], value))
    records.sort()
    return new, records, raw


__all__ = ["KINDS", "KEPT", "REJECTED", "inject", "normalise", "U"]
