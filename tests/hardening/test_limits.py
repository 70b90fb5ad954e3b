"""Size limits: huge numbers of distinct units or activities, layout time, CSV files read in blocks.

The 5 GB CSV (read, validated and analysed in under 8 GB) and the million distinct activities run
in benchmarks/ (see benchmarks/README.md, "Hardening"); here the same code paths at a size the
test suite can afford.
"""

from __future__ import annotations

import os
import re
import time
import warnings

import numpy as np
import pandas as pd
import pytest

import pathways as pw
from pathways.render.dot import DotBuilder
from pathways.layout import RenderError
from pathways.render.maps import DEFAULT_MAX_NODES

N_DISTINCT = 40_000
FREQUENT_UNITS = ["Egen læge", "Medicinsk afdeling", "Distriktspsykiatri", "Hjemmepleje"]
FREQUENT_ACTS = ["Henvisning", "Indlæggelse", "Udskrivning", "Visitation"]


@pytest.fixture(scope="module")
def wide_log():
    """40,000 events in 10,000 cases of four steps: two common ones, then two with a name of their own
    (activity and unit): 20,004 distinct activities and as many units."""
    rng = np.random.default_rng(5)
    n = N_DISTINCT
    own = np.arange(n) % 4 >= 2
    acts = np.where(own, [f"Aktivitet {i}" for i in range(n)], rng.choice(FREQUENT_ACTS, n))
    units = np.where(own, [f"Afsnit {i}" for i in range(n)], rng.choice(FREQUENT_UNITS, n))
    df = pd.DataFrame({"pt": (np.arange(n) // 4).astype(str), "act": acts, "unit": units,
                       "ts": pd.Timestamp("2023-01-01") + pd.to_timedelta(np.arange(n) * 600, unit="s")})
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")


def _real_nodes(d) -> int:
    return len(re.findall(r"^\s+n\d+ \[", d.dot, flags=re.M))


@pytest.mark.parametrize("kind", ["process_map", "process_map_units", "unit_map"])
def test_tens_of_thousands_of_distinct_names_give_a_small_readable_map(wide_log, kind):
    t0 = time.perf_counter()
    if kind == "unit_map":
        d, noun, terminals = pw.unit_map(wide_log), "units", 0
    else:
        level = "unit" if kind.endswith("units") else "activity"
        d, noun, terminals = pw.process_map(wide_log, level=level), "units" if level == "unit" else "activities", 2
    built = time.perf_counter() - t0
    total = N_DISTINCT // 2 + 4
    assert d.info["n_nodes_total"] == total
    assert d.info["n_nodes_shown"] == len(d.nodes) <= DEFAULT_MAX_NODES[kind.split("_units")[0]]
    assert _real_nodes(d) <= len(d.nodes) + terminals  # the DOT holds the budget, nothing more
    assert f"showing {d.info['n_nodes_shown']} of {total} {noun}" in d.dot  # the map says what it left out
    shown = set(d.nodes["name"])
    assert shown == set(FREQUENT_UNITS if noun == "units" else FREQUENT_ACTS)  # the frequent ones, all of them
    t1 = time.perf_counter()
    svg = d.svg(timeout=30)
    assert svg.count('class="node"') == _real_nodes(d)
    assert built < 60 and time.perf_counter() - t1 < 30, (built, time.perf_counter() - t1)


def test_layout_is_stopped_at_its_time_limit_with_a_clear_message():
    b = DotBuilder("big")
    ids = [b.node(i, label=str(i)) for i in range(4000)]
    for i in range(0, 4000, 2):
        b.edge(ids[i], ids[(i * 7919) % 4000])
        b.edge(ids[i], ids[(i * 104729 + 1) % 4000])
    d = pw.Diagram(b.source(), title="too big")
    t0 = time.perf_counter()
    with pytest.raises(RenderError, match=r"took longer than 0\.2 s and was stopped.*max_nodes=.*timeout="):
        d.svg(timeout=0.2)
    assert time.perf_counter() - t0 < 10
    assert repr(d).startswith("Diagram: too big")  # the repr never lays out, never raises


def test_a_map_asked_for_every_node_is_still_bounded_by_the_time_limit(wide_log):
    t0 = time.perf_counter()
    d = pw.process_map(wide_log, max_nodes=3_000, min_share=1, min_count=1)
    assert time.perf_counter() - t0 < 30  # choosing what to draw is a sort, whatever the budget
    assert d.info["n_nodes_shown"] > 1000  # the caller asked for it: the DOT holds it
    with pytest.raises(RenderError, match="took longer than"):
        d.svg(timeout=0.5)


def test_the_same_map_on_every_run():
    """Which edges a map keeps does not depend on Python's per-process string hashing: a map drawn in
    another process (another hash seed) is the same, byte for byte."""
    import hashlib
    import subprocess
    import sys

    from pathways import datasets

    def digest(log) -> str:
        dots = (pw.process_map(log, level="unit", max_nodes=40, min_share=0.6).dot
                + pw.process_map(log, max_nodes=40, min_share=0.6).dot)
        return hashlib.sha256(dots.encode()).hexdigest()

    code = ("import warnings, hashlib; warnings.simplefilter('ignore'); import pathways as pw; "
            "from pathways import datasets; log = datasets.load_sample('dirty_extract'); "
            "print(hashlib.sha256((pw.process_map(log, level='unit', max_nodes=40, min_share=0.6).dot "
            "+ pw.process_map(log, max_nodes=40, min_share=0.6).dot).encode()).hexdigest())")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                           env={**os.environ, "PYTHONHASHSEED": "12345"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        here = digest(datasets.load_sample("dirty_extract"))
    assert other.returncode == 0, other.stderr[-500:]
    assert other.stdout.strip() == here


def _write_csv(path, n: int) -> int:
    """A CSV of ``n`` records: quoted newlines, separators in values, every 97th line one field too many."""
    lines = ["cpr;hændelse;tidspunkt;afsnit;note"]
    for i in range(n):
        note = f'"linje 1\nlinje 2; {i}"' if i % 13 == 0 else f"n{i}"
        line = f"P{i // 5};{FREQUENT_ACTS[i % 4]};2023-01-{1 + i % 28:02d} 08:{i % 60:02d};{FREQUENT_UNITS[i % 4]};{note}"
        if i % 97 == 5:
            line += ";extra"
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sum(1 for i in range(n) if i % 97 == 5)


def test_csv_read_in_small_blocks_and_batches_loses_nothing(tmp_path, monkeypatch):
    """The reader streams blocks into the engine (bounded memory): row numbers and rejections stay exact."""
    from pathways.io import csv as csv_module

    path = tmp_path / "udtraek.csv"
    n_bad = _write_csv(path, 5_000)
    mapping = dict(case="cpr", activity="hændelse", timestamp="tidspunkt", unit="afsnit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = pw.read_csv(path, **mapping)
        monkeypatch.setattr(csv_module, "_BLOCK_BYTES", 4096)
        monkeypatch.setattr(csv_module, "_BATCH_ROWS", 300)
        small = pw.read_csv(path, **mapping)
    assert whole.n_read == small.n_read == 5_000
    assert len(small.rejected) == n_bad and len(small) == 5_000 - n_bad
    assert small.rejected["row"].tolist() == [i for i in range(5_000) if i % 97 == 5]
    pd.testing.assert_frame_equal(whole.to_pandas(), small.to_pandas())
    pd.testing.assert_frame_equal(whole.rejected, small.rejected)
    kept = small.to_pandas()
    assert kept.loc[kept["row"] == 13, "note"].item() == "linje 1\nlinje 2; 13"


def test_a_row_longer_than_a_block_is_read(tmp_path):
    path = tmp_path / "lang.csv"
    path.write_text("cpr;hændelse;tidspunkt;note\n1;Henvisning;2023-01-01;" + "x" * 3_000_000
                    + "\n2;Henvisning;2023-01-02;kort\n", encoding="utf-8")
    log = pw.read_csv(path, case="cpr", activity="hændelse", timestamp="tidspunkt")
    assert len(log) == 2 and len(log.to_pandas()["note"][0]) == 3_000_000


def test_a_utf8_file_with_a_broken_last_line_is_read(tmp_path):
    """A truncated download cuts a multi-byte letter in two: that line is rejected, the rest is read."""
    path = tmp_path / "afkortet.csv"
    path.write_bytes("cpr;hændelse;tidspunkt\nA;Førstegangssamtale;2023-01-01\nB;F".encode("utf-8") + b"\xc3")
    log = pw.read_csv(path, case="cpr", activity="hændelse", timestamp="tidspunkt")
    assert log.to_pandas()["activity"].tolist() == ["Førstegangssamtale"]  # still UTF-8, not mojibake
    assert log.rejected["row"].tolist() == [1]


def test_an_xes_file_with_a_key_per_event_is_refused_fast_in_bounded_memory(tmp_path):
    """The probe's file: 35 MB, 200,000 events, each with an attribute key of its own (before: 32 s and
    4.6 GB, or a frame of 200,000 x 200,000 cells refused only once every event was read). Each key
    becomes a column, so the reader stops at key number 1,001, while streaming: it reads about 1,000
    events, in well under a second and a few MB."""
    import tracemalloc

    path = tmp_path / "keys.xes"
    with open(path, "w", encoding="utf-8") as f:
        f.write('<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n')
        for t in range(0, 200_000, 10):
            f.write(f'<trace><string key="concept:name" value="patient {t:06d}"/>\n' + "".join(
                f'<event><string key="concept:name" value="Ambulant besøg"/>'
                f'<date key="time:timestamp" value="2023-01-01T10:00:00+01:00"/>'
                f'<string key="laboratoriesvar {i:06d}" value="{i}"/></event>\n' for i in range(t, t + 10))
                + "</trace>\n")
        f.write("</log>\n")
    assert path.stat().st_size > 35_000_000
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(pw.EventLogError, match=r"more than 1,000 different attribute keys .*key number 1,001 "
                                                   r"is 'laboratoriesvar 000997'.*attributes=\[\.\.\.\]"):
            pw.read_xes(path)
        took = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert took < 5 and peak < 20_000_000, (took, peak)
