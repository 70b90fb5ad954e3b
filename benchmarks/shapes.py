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
* ``high_variant``: ~10 events per case, each case referral -> referral received -> assessment start,
  then activities drawn from 50 others, 18 units, and in most cases an admission and a discharge (a third of those
  admitted come back): >= 70 % of cases have a variant of their own, and waits and readmissions have pairs;
* ``long_cases``: ~130 events per case in visits of ~5 events on one day (BPI Challenge 2011's hospital
  log): 650 activity codes with Zipf-like frequencies, 40 departments, events of a visit mostly at one
  time, ~40 % of events at midnight, ~1 % without a unit;
* ``huge_cases``: 1,000 cases whatever the size (events / 1,000 each), 40 units, 50 activities.

Timestamps are naive local times (Europe/Copenhagen) in 2022-2024, none in the spring-forward gap.
Generation is vectorised numpy/pyarrow, chunk by chunk (about 4 million events each; a case never
straddles two chunks), each chunk with its own seeded random generator, so ``events()`` and
``data_file()`` give the same rows and a file of any size is written in bounded memory, one Parquet
row group per chunk. Files go to benchmarks/data/ (git-ignored) and are written once.
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
            writer.write_table(table, row_group_size=CHUNK)
        writer.close()
        os.replace(tmp, path)
    return path
