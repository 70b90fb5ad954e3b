"""Five shapes of event log at any size, and the analysis bundle timed on each (issue 20).

    .venv/bin/python benchmarks/shapes.py                                   # every shape, 1.1 and 11 million
    .venv/bin/python benchmarks/shapes.py --shapes long_cases huge_cases --events 1100000 --repeat 3
    .venv/bin/python benchmarks/shapes.py --events 200000 --repeat 1 --no-pm4py   # a quick check

The shapes (every one but "danish" independent of ``pathways.synthetic``):

* ``danish``: today's benchmark log, ``pathways.synthetic.write(path, events / 14.6, seed=11)``, the file
  benchmarks/analyses.py reads (``bundle_<events>.parquet``; it carries a few patient columns more);
* ``unit_dense``: ~11 events per case, 53 real-looking Danish units (psychiatric, somatic, municipal,
  general practice), 30 activities; ~96 % of consecutive events of a case change unit; almost every
  case a variant of its own;
* ``high_variant``: ~10 events per case, each case referral -> referral received -> assessment start
  (~25 days later), then activities drawn from 50 others, 18 units; 70 % of cases have an admission and a
  discharge, a fifth of those a second one ~20 days later: >= 70 % of cases (88 % at 11 million events)
  have a variant of their own, and waits and readmissions have pairs;
* ``long_cases``: ~130 events per case in visits of ~5 events on one day (BPI Challenge 2011's hospital
  log): 650 activity codes with Zipf-like frequencies, 40 departments, events of a visit mostly at one
  time, ~40 % of events at midnight, ~1 % without a unit;
* ``huge_cases``: 1,000 cases whatever the size (events / 1,000 each), 40 units, 50 activities.

Timestamps are naive local times (Europe/Copenhagen) in 2022-2024, none in the spring-forward gap.
Generation is vectorised numpy/pyarrow, chunk by chunk (about 4 million events each; a case never
straddles two chunks), each chunk with its own seeded random generator, so ``events()`` and
``data_file()`` give the same rows and a file of any size is written in bounded memory, in Parquet
row groups of pyarrow's default size (1,048,576 rows). Files go to benchmarks/data/ (git-ignored) and are written once (11 million
events in ~8 s).

The runner times each (shape, size) in a fresh subprocess, after the files are written and after a
warm-up on the shape's 20,000-event file (imports, engine start, Ibis compilation): reading
(``pw.read_parquet(file, **MAP)``), then the bundle on that one log, each analysis once, each result
dropped before the next (shared tables such as the unit path are built once, as in a notebook):
transitions, handovers, circular_referrals, case_summary, variants, and waiting_times (referral
received -> assessment start, 30 days, as_of the day after the last event) and readmissions where the
log's activities have those event types (acute only where the log has an ``acute`` attribute). Up to 2
million events: best of ``--repeat`` (each run a fresh read), and pathways' route to pm4py's numbers
(read_parquet + transitions + handover_matrix(by="unit")) against pm4py's (pd.read_parquet +
format_dataframe + performance DFG + handover-of-work network between units), reading counted on both
sides. Peak memory is the subprocess's peak resident memory (VmHWM; DuckDB runs in it) up to the end
of the bundle, before the routes. The shape's own figures come from DuckDB SQL on the file, not pathways.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES = ("danish", "unit_dense", "high_variant", "long_cases", "huge_cases")
MAP = dict(case="case_id", activity="activity", timestamp="timestamp", end_timestamp="end_timestamp",
           unit="unit", resource="resource", referral_to="referral_to")  # read mapping for every shape
CHUNK = 4_000_000  # events per chunk (and Parquet row group)
HUGE_CASES = 1_000
# Row groups of pyarrow's (and so pandas') default size: DuckDB reads a file's row groups in parallel, so a
# file of one 4-million-row group was read by one thread (unit_dense at 1.1 million: 1.15 s against 0.7 s).
ROW_GROUP = 1_048_576

# --- names ----------------------------------------------------------------------------------

DENSE_UNITS = (
    # psychiatric (12)
    "Psykiatrisk Afdeling Aarhus", "Psykiatrisk Afdeling Odense", "Psykiatrisk Center København",
    "Psykiatrisk Akutmodtagelse Aalborg", "Børne- og Ungdomspsykiatri Risskov", "Børne- og Ungdomspsykiatri Odense",
    "Distriktspsykiatri Vest", "Distriktspsykiatri Syd", "OPUS Aarhus", "Psykiatrisk Sengeafsnit P1",
    "Klinik for Spiseforstyrrelser Aarhus", "Privatpraktiserende psykiater Vejle",
    # somatic hospital (18)
    "Kardiologisk Afdeling Aarhus Universitetshospital", "Kardiologisk Afdeling Odense", "Medicinsk Afdeling Randers",
    "Medicinsk Afdeling Viborg", "Akutmodtagelse Aarhus", "Akutmodtagelse Odense", "Geriatrisk Afdeling Aalborg",
    "Gastroenterologisk Afdeling Herlev", "Ortopædkirurgisk Afdeling Vejle", "Neurologisk Afdeling Glostrup",
    "Onkologisk Afdeling Herlev", "Lungemedicinsk Afdeling Silkeborg", "Intensiv Afdeling Skejby",
    "Smerteklinik Hvidovre", "Endokrinologisk Afdeling Odense", "Nyremedicinsk Afdeling Holstebro",
    "Hæmatologisk Afdeling Vejle", "Radiologisk Afdeling Aarhus",
    # municipal (13)
    "Hjemmepleje Aarhus Kommune", "Hjemmepleje Odense Kommune", "Hjemmesygepleje Vejle", "Akutteam Aalborg",
    "Midlertidig plads Randers", "Plejecenter Solgården", "Genoptræning Silkeborg", "Sundhedscenter Viborg",
    "Misbrugscenter Aarhus", "Jobcenter Odense", "Socialpsykiatri Vejle", "Bosted Skovbrynet",
    "Visitation og Hjælpemidler Herning",
    # general practice and other (10)
    "Egen læge Aarhus C", "Egen læge Odense M", "Egen læge Vejle", "Egen læge Aalborg Øst",
    "Lægevagten Region Midtjylland", "Lægehuset Viby", "Fysioterapeut Klinik Nord", "Tandlæge Centrum",
    "Privathospital Mølholm", "Speciallæge i øre-næse-hals Randers",
)
VARIANT_UNITS = DENSE_UNITS[::3]  # 18 of every kind
# hospital departments (long cases, huge cases)
DEPARTMENTS = (
    "Klinisk Biokemisk Afdeling", "Klinisk Mikrobiologisk Afdeling", "Patologisk Afdeling", "Radiologisk Afdeling",
    "Nuklearmedicinsk Afdeling", "Klinisk Fysiologisk Afdeling", "Blodbanken", "Anæstesiologisk Afdeling",
    "Gynækologisk Afdeling", "Gynækologisk Ambulatorium", "Obstetrisk Afdeling", "Onkologisk Afdeling",
    "Onkologisk Ambulatorium", "Hæmatologisk Afdeling", "Kirurgisk Afdeling", "Kirurgisk Ambulatorium",
    "Urologisk Afdeling", "Ortopædkirurgisk Afdeling", "Medicinsk Afdeling", "Kardiologisk Afdeling",
    "Lungemedicinsk Afdeling", "Neurologisk Afdeling", "Nyremedicinsk Afdeling", "Endokrinologisk Afdeling",
    "Gastroenterologisk Afdeling", "Geriatrisk Afdeling", "Intensiv Afdeling", "Akutmodtagelse",
    "Børneafdeling", "Øjenafdeling", "Øre-Næse-Halskirurgisk Afdeling", "Dermatologisk Afdeling",
    "Reumatologisk Afdeling", "Infektionsmedicinsk Afdeling", "Plastikkirurgisk Afdeling", "Karkirurgisk Afdeling",
    "Palliativ Enhed", "Smerteklinik", "Fysio- og Ergoterapi", "Klinisk Genetisk Afdeling",
)
ACTIVITIES = (  # 30 names the default vocabulary maps (or leaves "other": tests, scans)
    "Lægekonsultation", "Akut kontakt", "Henvisning", "Henvisning modtaget", "Visitation", "Førstegangssamtale",
    "Udredning start", "Udredning slut", "Diagnostisk konference", "Behandling start", "Ambulant besøg",
    "Indlæggelse", "Overflytning", "Færdigmeldt", "Varsling", "Udskrivning", "Epikrise", "Plejeforløbsplan",
    "Kommunal visitation", "Hjemmepleje start", "Midlertidigt ophold", "Genoptræning start", "Genoptræning slut",
    "Afslutning", "Blodprøve", "Røntgenundersøgelse", "Medicingennemgang", "Telefonkonsultation",
    "Samtale med pårørende", "Kontrol",
)
_STRUCTURE = ("Henvisning", "Henvisning modtaget", "Udredning start", "Indlæggelse", "Udskrivning")
EXTRA_ACTIVITIES = (
    "Psykologsamtale", "EKG", "Ultralydsscanning", "CT-scanning", "MR-scanning", "Fysioterapi", "Ergoterapi",
    "Diætistsamtale", "Sygeplejekonsultation", "Videokonsultation", "Urinprøve", "Vaccination", "Sårpleje",
    "Gruppesamtale", "Netværksmøde", "Medicinudlevering", "Spirometri", "Hjemmebesøg", "Kostvejledning",
    "Tolkebistand", "Funktionsundersøgelse", "Blodtryksmåling", "Biopsi", "Endoskopi", "Audiometri",
)
# high_variant: the structural five, and 50 others for the middle of a case
VARIANT_ACTIVITIES = _STRUCTURE + tuple(a for a in ACTIVITIES if a not in _STRUCTURE) + EXTRA_ACTIVITIES
# huge_cases: 50 activities, the structural five among them
HUGE_ACTIVITIES = VARIANT_ACTIVITIES[:50]
_CODE_KINDS = ("Klinisk biokemi NPU", "Mikrobiologi MBA", "Patologi T", "Billeddiagnostik UX", "Procedure K",
               "Ydelse BA", "Blodbank BB", "Fysiologi ZZ", "Genetik GE", "Ambulant ydelse AMB")
LONG_ACTIVITIES = tuple(f"{_CODE_KINDS[i % len(_CODE_KINDS)]}{10007 + 37 * i:05d}" for i in range(650))
STAFF = tuple(f"Medarbejder {i:04d}" for i in range(1, 301))

# --- time -----------------------------------------------------------------------------------

EPOCH = np.datetime64("2022-01-01T00:00:00", "s")
RANGE_S = int((np.datetime64("2025-01-01T00:00:00", "s") - EPOCH) / np.timedelta64(1, "s"))  # 2022-2024
# days (from EPOCH) of the last Sunday of March: local 02:00-03:00 does not exist in Europe/Copenhagen
_SPRING_FORWARD = np.array([(np.datetime64(d) - EPOCH.astype("datetime64[D]")).astype(int)
                            for d in ("2022-03-27", "2023-03-26", "2024-03-31")])
DAY, HOUR = 86_400, 3_600


def _out_of_gap(sec: np.ndarray) -> np.ndarray:
    """Local wall-clock seconds since EPOCH, moved one hour on where they fall in a spring-forward gap."""
    gap = np.isin(sec // DAY, _SPRING_FORWARD) & (sec % DAY >= 2 * HOUR) & (sec % DAY < 3 * HOUR)
    return sec + gap * HOUR


# --- vectorised helpers ---------------------------------------------------------------------

def _group_cumsum(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting at every True of ``first`` (first[0] must be True)."""
    total = np.cumsum(values)
    before = (total - values)[first]  # the running total just before each group
    return total - np.repeat(before, np.diff(np.append(np.flatnonzero(first), len(values))))


def _zipf(rng, n_names: int, size: int, s: float) -> np.ndarray:
    """Indices 0..n_names-1 drawn with probability proportional to 1 / (rank + 1) ** s."""
    p = 1.0 / np.arange(1, n_names + 1) ** s
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(size), side="right").clip(0, n_names - 1)


def _walk(rng, n_units: int, size: int, stay: float) -> np.ndarray:
    """Unit indices as a walk: each event stays in the unit before with probability ``stay``, else moves
    to another unit (uniformly). The walk runs through the whole chunk; each case starts anywhere."""
    steps = rng.integers(1, n_units, size)
    steps[rng.random(size) < stay] = 0
    return np.cumsum(steps) % n_units


def _strings(names, codes: np.ndarray) -> pa.Array:
    """The names at ``codes``; a negative code is null."""
    return pc.take(pa.array(names, pa.string()), pa.array(codes, mask=codes < 0))


# --- the shapes: per chunk, activity and unit codes and offsets from the case's start ----------
# Each takes (rng, pos, length, first): the event's position in its case, its case's length and
# whether it opens its case, and returns (activity codes, unit codes, offset seconds, day_aligned).

def _unit_dense(rng, pos, length, first):
    n = len(pos)
    gaps = rng.exponential(3 * DAY, n).astype(np.int64)
    gaps[first] = 0
    return (rng.integers(0, len(ACTIVITIES), n), _walk(rng, len(DENSE_UNITS), n, 0.04),
            _group_cumsum(gaps, first), False)


def _high_variant(rng, pos, length, first):
    n = len(pos)
    case_of = np.cumsum(first) - 1
    admitted = (rng.random(len(length[first])) < 0.7)[case_of]
    again = admitted & (rng.random(len(length[first])) < 0.35)[case_of] & (length >= 10)
    act = rng.integers(len(_STRUCTURE), len(VARIANT_ACTIVITIES), n)  # the middle: 50 others
    gaps = rng.exponential(7 * DAY, n)
    act[pos == 0] = 0  # referral
    act[pos == 1] = 1  # referral received, after 0-3 days
    gaps[pos == 1] = rng.uniform(0, 3 * DAY, (pos == 1).sum())
    act[pos == 2] = 2  # assessment start, after ~25 days (a third over 30 days)
    gaps[pos == 2] = rng.exponential(25 * DAY, (pos == 2).sum())
    # admitted: admission and discharge at the 4th and 3rd position from the end; admitted again: the
    # last two (a readmission after ~20 days); an admission lasts 1-14 days
    for at, code, mean in ((4, 3, 7 * DAY), (3, 4, None), (2, 3, 20 * DAY), (1, 4, None)):
        where = (admitted if at > 2 else again) & (pos == length - at)
        act[where] = code
        gaps[where] = (rng.uniform(DAY, 14 * DAY, where.sum()) if mean is None
                       else rng.exponential(mean, where.sum()))
    gaps[first] = 0
    units = _walk(rng, len(VARIANT_UNITS), n, 0.5)
    return act, units, _group_cumsum(gaps.astype(np.int64), first), False


def _long_cases(rng, pos, length, first):
    n = len(pos)
    visit_starts = first | (rng.random(n) < 0.2)  # visits of ~5 events on one day
    n_visits = int(visit_starts.sum())
    visit_of = np.cumsum(visit_starts) - 1
    new_case = first[visit_starts]
    days = 1 + rng.poisson(3, n_visits)  # days since the visit before
    days[new_case] = 0
    midnight = rng.random(n_visits) < 0.4  # a visit recorded by date only
    clock = np.where(midnight, 0, rng.integers(7 * 60, 21 * 60, n_visits) * 60)  # else 07:00-21:00
    # within a timed visit most events share the visit's time; some come minutes later
    minutes = np.where(rng.random(n) < 0.25, rng.integers(1, 30, n), 0) * 60
    minutes[visit_starts | midnight[visit_of]] = 0
    offset = (_group_cumsum(days, new_case) * DAY + clock)[visit_of] + _group_cumsum(minutes, visit_starts)
    act = _zipf(rng, len(LONG_ACTIVITIES), n, 0.9)
    # an event is recorded by its visit's department, or (40 %) by its code's home department (lab, scans)
    home = (np.arange(len(LONG_ACTIVITIES)) * 7919) % len(DEPARTMENTS)
    units = np.where(rng.random(n) < 0.6, _zipf(rng, len(DEPARTMENTS), n_visits, 0.8)[visit_of], home[act])
    units[rng.random(n) < 0.01] = -1  # ~1 % without a unit
    return act, units, offset.astype(np.int64), True


def _huge_cases(rng, pos, length, first):
    n = len(pos)
    gaps = rng.exponential(0.9 * RANGE_S / length).astype(np.int64)  # a case spans ~90 % of 2022-2024
    gaps[first] = 0
    units = _walk(rng, len(DEPARTMENTS), n, 0.7)
    units[rng.random(n) < 0.005] = -1
    return _zipf(rng, len(HUGE_ACTIVITIES), n, 0.8), units, _group_cumsum(gaps, first), False


_SHAPE = {  # generator, activity names, unit names, share of events with an end time, with a resource
    "unit_dense": (_unit_dense, ACTIVITIES, DENSE_UNITS, 0.2, 0.9),
    "high_variant": (_high_variant, VARIANT_ACTIVITIES, VARIANT_UNITS, 0.2, 0.9),
    "long_cases": (_long_cases, LONG_ACTIVITIES, DEPARTMENTS, 0.0, 0.0),
    "huge_cases": (_huge_cases, HUGE_ACTIVITIES, DEPARTMENTS, 0.1, 0.9),
}
_MEAN_LENGTH = {"unit_dense": 11, "high_variant": 10, "long_cases": 130}


def _lengths(shape: str, n_events: int, seed: int) -> np.ndarray:
    """Events per case, summing to exactly ``n_events`` (the last case is cut to fit)."""
    if shape == "huge_cases":
        return np.full(HUGE_CASES, n_events // HUGE_CASES) + (np.arange(HUGE_CASES) < n_events % HUGE_CASES)
    rng = np.random.default_rng([seed, SHAPES.index(shape)])
    mean = _MEAN_LENGTH[shape]
    size = int(n_events / mean * 1.2) + 10
    if shape == "unit_dense":
        lengths = 1 + rng.poisson(mean - 1, size)
    elif shape == "high_variant":
        lengths = rng.integers(8, 13, size)  # 8..12
    else:
        lengths = np.maximum(10, rng.normal(mean, 45, size).round()).astype(np.int64)
    total = np.cumsum(lengths)
    k = int(np.searchsorted(total, n_events))  # the case in which the n-th event falls
    lengths = lengths[:k + 1].copy()
    lengths[k] -= total[k] - n_events
    return lengths


def _chunk(shape: str, lengths: np.ndarray, first_case: int, rng) -> pa.Table:
    make, activities, units, p_end, p_resource = _SHAPE[shape]
    n = int(lengths.sum())
    first = np.zeros(n, bool)
    first[np.cumsum(lengths) - lengths] = True
    case_of = np.repeat(np.arange(len(lengths)), lengths)
    pos = np.arange(n) - (np.cumsum(lengths) - lengths)[case_of]
    length = lengths[case_of]
    act, unit, offset, day_aligned = make(rng, pos, length, first)
    span = offset[np.cumsum(lengths) - 1]
    if not day_aligned:  # a case longer than 2022-2024 (rare; huge cases of few events) is squeezed in
        squeeze = np.minimum(1.0, 0.95 * RANGE_S / np.maximum(span, 1))
        offset = (offset * squeeze[case_of]).astype(np.int64)
        span = offset[np.cumsum(lengths) - 1]
    start = (rng.random(len(lengths)) * np.maximum(RANGE_S - span - DAY, 0)).astype(np.int64)
    if day_aligned:
        start -= start % DAY
    sec = _out_of_gap(start[case_of] + offset)
    last = np.append(first[1:], True)
    # an end time on some events: before the next event of the case (at most 8 hours after the start)
    to_next = np.where(last, HOUR, np.append(sec[1:], 0) - sec).clip(0, 8 * HOUR)
    end = _out_of_gap(sec + (rng.random(n) * to_next).astype(np.int64))
    has_end = rng.random(n) < p_end
    # a referral is to the unit of the case's next event
    referral = (act == activities.index("Henvisning")) & ~last if "Henvisning" in activities else np.zeros(n, bool)
    referral_to = np.where(referral, np.append(unit[1:], -1), -1)
    staff = np.where(rng.random(n) < p_resource, rng.integers(0, len(STAFF), n), -1)
    ids = pc.cast(pa.array(np.arange(first_case + 1, first_case + len(lengths) + 1)), pa.string())
    case_ids = pc.binary_join_element_wise("C", pc.utf8_lpad(ids, 8, "0"), "")
    stamp = pa.timestamp("us")
    return pa.table({
        "case_id": pc.take(case_ids, pa.array(case_of)),
        "activity": _strings(activities, act),
        "timestamp": pa.array((EPOCH + sec).astype("datetime64[us]"), stamp),
        "end_timestamp": pa.array((EPOCH + end).astype("datetime64[us]"), stamp, mask=~has_end),
        "unit": _strings(units, unit),
        "resource": _strings(STAFF, staff),
        "referral_to": _strings(units, referral_to),
    })


def _tables(shape: str, n_events: int, seed: int):
    """The shape's events, one pyarrow Table per chunk of whole cases (~CHUNK events)."""
    lengths = _lengths(shape, n_events, seed)
    total = np.cumsum(lengths)
    cuts = [0, *np.searchsorted(total, np.arange(CHUNK, n_events, CHUNK), side="right"), len(lengths)]
    for i, (lo, hi) in enumerate(zip(cuts, cuts[1:])):
        if hi > lo:
            yield _chunk(shape, lengths[lo:hi], lo, np.random.default_rng([seed, SHAPES.index(shape), i]))


def _check_shape(shape: str) -> None:
    from pathways.errors import check_choice

    check_choice("shape", shape, SHAPES)


def _danish_file(n_events: int) -> str:
    sys.path.insert(0, HERE)
    import analyses

    return analyses.data_file(n_events)


def events(shape: str, n_events: int, seed: int = 7):
    """The shape's events as a pandas DataFrame (for small sizes; ``danish`` reads its file)."""
    _check_shape(shape)
    if shape == "danish":
        import pandas as pd

        return pd.read_parquet(_danish_file(n_events))
    return pa.concat_tables(_tables(shape, n_events, seed)).to_pandas()


def data_file(shape: str, n_events: int, seed: int = 7) -> str:
    """benchmarks/data/shape_<shape>_<n_events>.parquet (``_<seed>`` added unless seed 7), written once.

    ``danish`` is analyses.py's file, ``bundle_<n_events>.parquet`` (its generator's seed is fixed at 11).
    """
    _check_shape(shape)
    if shape == "danish":
        return _danish_file(n_events)
    import pyarrow.parquet as pq

    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    path = os.path.join(HERE, "data", f"shape_{shape}_{n_events}{'' if seed == 7 else f'_{seed}'}.parquet")
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}.tmp"  # whole or not at all
        writer = None
        for table in _tables(shape, n_events, seed):
            writer = writer or pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table, row_group_size=min(CHUNK, ROW_GROUP))
        writer.close()
        os.replace(tmp, path)
    return path


# --- the runner ------------------------------------------------------------------------------

BUNDLE = ("transitions", "handovers", "circular_referrals", "case_summary", "variants", "waiting_times",
          "readmissions")
WARM_UP = 20_000  # events of the small file of the same shape each run warms up on
SMALL = 2_000_000  # up to this size: best of --repeat, and pm4py's route; above: one run, no pm4py

FIGURES_SQL = """
WITH e AS (SELECT case_id, activity, unit, timestamp, file_row_number AS r
           FROM read_parquet('{path}', file_row_number = true)),
o AS (SELECT unit, lag(unit) OVER (PARTITION BY case_id ORDER BY timestamp, r) AS before FROM e),
v AS (SELECT string_agg(activity, chr(31) ORDER BY timestamp, r) AS variant FROM e GROUP BY case_id),
n AS (SELECT count(*) AS n FROM v GROUP BY variant)
SELECT (SELECT count(DISTINCT case_id) FROM e) AS cases, (SELECT count(DISTINCT activity) FROM e) AS activities,
       (SELECT count(DISTINCT unit) FROM e) AS units,
       (SELECT avg((unit <> before)::int) FROM o WHERE unit IS NOT NULL AND before IS NOT NULL) AS unit_changes,
       (SELECT sum(n) FILTER (WHERE n = 1) / sum(n) FROM n) AS singleton_variants
"""


def figures(path: str) -> dict:
    """The file's own figures, straight from DuckDB SQL on the Parquet file (not through pathways):
    cases, activities, units, the share of consecutive events of a case (both with a unit, in time
    then file order) that change unit, and the share of cases whose variant no other case has."""
    import duckdb

    row = duckdb.connect().execute(FIGURES_SQL.format(path=path.replace("'", "''"))).fetchall()[0]
    return dict(zip(("cases", "activities", "units", "unit_changes", "singleton_variants"),
                    (int(row[0]), int(row[1]), int(row[2]), float(row[3] or 0), float(row[4]))))


def peak_mb() -> int:
    """Peak resident memory of this process so far, MB (DuckDB runs inside it).

    Linux's ``VmHWM``, the peak of this program's own memory: ``ru_maxrss`` of a subprocess starts from
    its parent's resident memory at the fork, and the runner's parent holds DuckDB's memory from
    computing the shape's figures (3.8 GB at 11 million events, which was reported as three shapes' peak).
    """
    try:
        with open("/proc/self/status") as f:
            return next(round(int(line.split()[1]) / 1024) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):  # not Linux
        import resource

        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def bundle_calls(log) -> dict:
    """The analyses of the bundle that have work on this log: name -> call. Waits need referral_received and
    assessment_start events, readmissions admissions and discharges (event types of the log's activities);
    readmissions count acute ones only where the log has an ``acute`` attribute."""
    import pandas as pd
    import pathways as pw

    types = set(log.activities.event_type)
    as_of = (pd.Timestamp(log.stats["last"]).tz_convert(log.tz).tz_localize(None).normalize()
             + pd.Timedelta(days=1)).strftime("%Y-%m-%d")  # the day after the last event
    calls = {name: getattr(pw, name) for name in BUNDLE[:5]}
    if {"referral_received", "assessment_start"} <= types:
        calls["waiting_times"] = lambda log: pw.waiting_times(log, start="referral_received", end="assessment_start",
                                                              threshold="30D", as_of=as_of)
    if {"admission", "discharge"} <= types:
        calls["readmissions"] = lambda log: pw.readmissions(log)
    return calls


def lean_bundle(log, calls: dict) -> dict:
    """Each analysis once on the one log (shared tables built once, as in a notebook), each result dropped
    before the next: seconds per analysis."""
    import time

    parts = {}
    for name, call in calls.items():
        t0 = time.perf_counter()
        result = call(log)
        parts[name] = time.perf_counter() - t0
        del result
    return parts


def run_one(shape: str, n_events: int, repeat: int, with_pm4py: bool) -> dict:
    """One (shape, size) in this process: the reading and the bundle, best of ``repeat`` runs each on a fresh
    read; then, up to SMALL events, pathways' and pm4py's routes to a DFG and a handover network."""
    import gc
    import time
    import warnings

    import pathways as pw

    warnings.simplefilter("ignore")
    path = data_file(shape, n_events)
    small = pw.read_parquet(data_file(shape, WARM_UP), **MAP)  # imports, engine start, Ibis compilation
    lean_bundle(small, bundle_calls(small))
    del small
    repeat = repeat if n_events <= SMALL else 1
    out = {"shape": shape, "file_events": n_events, "repeat": repeat}
    best = {}
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        log = pw.read_parquet(path, **MAP)
        read_s = time.perf_counter() - t0
        calls = bundle_calls(log)  # untimed, as the counts: what the log holds
        out.update(events=len(log), cases=log.n_cases, calls=list(calls), rejected=len(log.rejected))
        parts = lean_bundle(log, calls)
        run = {"read": read_s, **parts, "bundle": sum(parts.values())}
        best = {k: min(v, best.get(k, v)) for k, v in run.items()}
        del log
    out.update({f"{k}_s": round(v, 2) for k, v in best.items()})
    out["peak_rss_mb"] = peak_mb()  # the pathways part's peak: warm-up, reading, bundle
    if with_pm4py and n_events <= SMALL:
        import pandas as pd
        from analyses import best as best_of, pm4py_route, quiet_pm4py, same_numbers

        def pathways_route():
            same_numbers(pw.read_parquet(path, **MAP))  # transitions + handover_matrix(by="unit")

        quiet_pm4py()
        out["pathways_route_s"] = round(best_of(pathways_route, repeat), 2)
        out["pm4py_route_s"] = round(best_of(lambda: pm4py_route(pd.read_parquet(path)), repeat), 2)
        out["pm4py_over_pathways"] = round(out["pm4py_route_s"] / out["pathways_route_s"], 1)
    return out


def _cell(value, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def table(results: list[dict]) -> str:
    """The markdown tables: times per (shape, events), and each shape's own figures."""
    with_pm4py = any("pm4py_route_s" in r for r in results)
    head = ["shape", "events", "read s", *(f"{b} s" for b in BUNDLE), "bundle s", "read + bundle s", "peak MB"]
    head += ["pathways route s", "pm4py route s", "pm4py / pathways"] if with_pm4py else []
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['shape']} | {r['events']:,} | stopped: {r['error']} |")
            continue
        cells = [r["shape"], _cell(r["events"]), _cell(r["read_s"]), *(_cell(r.get(f"{b}_s")) for b in BUNDLE),
                 _cell(r["bundle_s"]), _cell(round(r["read_s"] + r["bundle_s"], 2)), _cell(r["peak_rss_mb"])]
        if with_pm4py:
            ratio = r.get("pm4py_over_pathways")
            cells += [_cell(r.get("pathways_route_s")), _cell(r.get("pm4py_route_s")),
                      "–" if ratio is None else f"{ratio:.1f}×"]
        lines.append("| " + " | ".join(cells) + " |")
    head = ["shape", "events", "cases", "activities", "units", "unit changes", "singleton variants", "rejected"]
    lines += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        f = r["figures"]
        lines.append(f"| {r['shape']} | {r['events']:,} | {f['cases']:,} | {f['activities']:,} | {f['units']:,} | "
                     f"{f['unit_changes']:.1%} | {f['singleton_variants']:.1%} | {r.get('rejected', '–')} |")
    return "\n".join(lines)


def main() -> None:
    import argparse
    import json
    import subprocess

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES))
    parser.add_argument("--events", type=int, nargs="+", default=[1_100_000, 11_000_000])
    parser.add_argument("--repeat", type=int, default=3, help=f"best of N runs up to {SMALL:,} events (above: 1)")
    parser.add_argument("--no-pm4py", action="store_true")
    parser.add_argument("--one", nargs=2, metavar=("SHAPE", "EVENTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]), args.repeat, not args.no_pm4py)))
        return
    results = []
    for n_events in args.events:
        for shape in args.shapes:
            data_file(shape, WARM_UP)  # files are written here, not in the timed process
            fig = figures(data_file(shape, n_events))
            cmd = [sys.executable, os.path.abspath(__file__), "--one", shape, str(n_events), "--repeat",
                   str(args.repeat)] + (["--no-pm4py"] if args.no_pm4py else [])
            done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if done.returncode:  # a run that stops is a result too: the table says where and why
                error = (done.stderr.strip().splitlines() or ["no message"])[-1]
                results.append({"shape": shape, "events": n_events, "error": error[:200], "figures": fig})
            else:
                results.append({**json.loads(done.stdout.splitlines()[-1]), "figures": fig})
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print("\nSeconds (best of {} up to {:,} events; 1 run above), events counted after reading; the bundle runs "
          "on one log, each result dropped before the next (bundle s: the best run's total; each analysis: its "
          "best); peak MB: the process's peak resident memory "
          "(DuckDB included) through reading and bundle; routes: read_parquet + transitions + "
          "handover_matrix(by='unit') vs pd.read_parquet + pm4py format_dataframe + performance DFG + "
          "handover network; – = not run (waits, readmissions: the log has no such events; routes: above "
          "{:,} events or --no-pm4py).\n".format(args.repeat, SMALL, SMALL))
    print(table(results))


if __name__ == "__main__":
    main()
