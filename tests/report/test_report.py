"""pw.report: sections, stated numbers, privacy, escaping, offline, exports."""

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

import pathways as pw
from pathways import datasets
from pathways.publish.tables import merge_small, safe_cell
from pathways.publish.numbers import Formatter

HEADINGS = {
    "da": ["Udtrækket", "Enhedskort på tværs af sektorer", "Proceskort", "Cirkulære henvisninger",
           "Overgange mellem psykiatri og somatik", "Ventetider og garantier", "Genindlæggelser",
           "Udskrivningstidspunkter", "Sammenligning af kommuner"],
    "en": ["The extract", "Unit map across sectors", "Process map", "Circular referrals",
           "Psychiatric–somatic handovers", "Waits against the guarantees", "Readmissions", "Discharge timing",
           "Comparing municipalities"],
}


def page(rep) -> str:
    return Path(rep.path).read_text(encoding="utf-8")


def h2(text: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<h2>(.*?)</h2>", text)]


def finding(text: str, key: str) -> str:
    """The finding paragraph of section ``key``, as plain text."""
    m = re.search(rf'<section id="{key}"><h2>.*?</h2><div class="finding"><p>(.*?)</p>', text, flags=re.S)
    assert m, f"no section {key}"
    return html.unescape(m.group(1))


def tokens(text: str) -> set[str]:
    return set(re.findall(r"[\w-]+", text))


def dk(n: int) -> str:
    return f"{int(n):,}".replace(",", ".")


def small_log(units, *, n_cases=6, extra=None):
    """``n_cases`` patients, each through ``units`` (admitted and discharged in the last one)."""
    rows = []
    for i in range(n_cases):
        pt = f"PT{i:04d}"
        day = 1 + i
        for j, unit in enumerate(units):
            rows.append((pt, "Henvisning", f"2023-03-{day:02d} {8 + j:02d}:00", unit))
        rows.append((pt, "Indlæggelse", f"2023-03-{day:02d} 15:00", units[-1]))
        rows.append((pt, "Udskrivning", f"2023-03-{day + 3:02d} 11:00", units[-1]))
    for r in extra or []:
        rows.append(r)
    df = pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"])
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")


# --------------------------------------------------------------------------- the bundled samples
@pytest.mark.parametrize("name", ["dirty_extract", "elderly_medical", "psychiatry_somatic"])
def test_every_section_is_there_in_the_report_language(sample_reports, name):
    log, rep = sample_reports[name]
    text = page(rep)
    lang = "da" if name == "dirty_extract" else "en"
    assert list(rep.sections) == HEADINGS[lang]
    assert h2(text)[2:] == HEADINGS[lang]  # after the contents and the main findings
    assert f'<html lang="{lang}">' in text
    assert 1 <= len(rep.findings) <= 3
    for f in rep.findings:  # the main findings open the page
        assert html.escape(f, quote=True) in text.split('<section id="extract">')[0]


def without_the_map(text: str) -> str:
    """The page without the interactive map's script (once, exactly the package's) and its JSON data blocks."""
    from pathways.render.interactive import script

    assert text.count("<script>") == 1 and text.count(f"<script>{script()}</script>") == 1
    text = text.replace(f"<script>{script()}</script>", "")
    return re.sub(r'<script type="application/json" class="pw-imap-data" data-for="pw-imap-[0-9a-f]+">[^<]*</script>',
                  "", text)


@pytest.mark.parametrize("name", ["dirty_extract", "elderly_medical", "psychiatry_somatic"])
def test_offline_no_resources_only_the_maps_script(sample_reports, name):
    from pathways.render.interactive import script_hash

    text = page(sample_reports[name][1])
    assert "http://" not in text and "https://" not in text
    # the one script the page may run is the package's interactive map, named by its hash
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)
    assert policy == f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {script_hash()}"
    text = without_the_map(text)
    lowered = text.lower()
    for bad in ("<script", "<link", "<img", "<iframe", "@import", " src=", "javascript:"):
        assert bad not in lowered, bad
    assert re.findall(r"url\((?!#)", lowered) == []
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert text.count("<svg") >= 6  # every diagram inline


@pytest.mark.parametrize("name", ["dirty_extract", "elderly_medical", "psychiatry_somatic"])
def test_no_case_id_in_the_page(sample_reports, name):
    log, rep = sample_reports[name]
    ids = set(log.to_pandas()["case_id"].astype(str))
    assert len(ids) == log.n_cases
    assert ids & tokens(page(rep)) == set()


def test_no_case_id_in_any_exported_file(sample_reports):
    log, rep = sample_reports["dirty_extract"]
    ids = set(log.to_pandas()["case_id"].astype(str))
    assert "NA" in ids  # the dirty extract's case literally named NA
    files = [Path(p) for p in rep.files]
    assert files and all(p.exists() for p in files)
    for p in files:
        if p.suffix in (".csv", ".svg"):
            assert ids & tokens(p.read_text(encoding="utf-8-sig")) == set(), p.name


def test_stated_numbers_are_the_logs(sample_reports):
    log, rep = sample_reports["dirty_extract"]
    text = page(rep)
    ex = finding(text, "extract")
    assert ex.startswith(f"Udtrækket rummer {dk(len(log))} hændelser for {dk(log.n_cases)} patienter fra "
                         "1. januar 2021 til 29. december 2023.")
    assert f"{len(log.rejected)} af {dk(log.n_read)} indlæste rækker" in ex
    loops = pw.circular_referrals(log)
    n_pat = loops["case_id"].nunique()
    assert finding(text, "loops").startswith(f"{dk(n_pat)} patienter ({round(100 * n_pat / log.n_cases)} %)")
    dt = pw.discharge_timing(log).summary.iloc[0]
    assert finding(text, "discharges").startswith(f"Af {dk(dt['n_discharges'])} udskrivninger skete "
                                                  f"{round(100 * dt['share_friday'])} % på en fredag")
    # the median notice in hours, as the 48-hour rule it is held against (49.1 h, not "2 dage")
    assert f"median varsel {round(dt['median_lead_hours'])} timer." in finding(text, "discharges")
    rates = pw.readmission_rates(log, by="unit", acute="akut")
    assert f"Af {dk(rates['n_discharges'].sum())} udskrivninger blev" in finding(text, "readmissions")


def test_english_numbers(sample_reports):
    log, rep = sample_reports["psychiatry_somatic"]
    text = page(rep)
    assert finding(text, "extract").startswith(f"The extract holds {len(log):,} events for {log.n_cases:,} patients")
    b = pw.bounces(log)
    assert f"that affected {b['case_id'].nunique():,} patients" in finding(text, "handovers")


def test_waits_table_agrees_with_guarantees(sample_reports):
    log, rep = sample_reports["dirty_extract"]
    csv = next(p for p in rep.files if p.name == "06_waits_guarantees.csv")
    table = pd.read_csv(csv, sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    g = pw.guarantees(log, as_of=datasets.AS_OF).set_index("name")
    row = table[table["Regel"].str.startswith("Udredningsret")].iloc[0]
    assert int(row["Ventetider"]) == g.loc["udredningsret", "n"]
    assert int(row["Afsluttede"]) == g.loc["udredningsret", "n_ended"]
    assert row["Grænse"] == "30 dage"


def test_figures_folder_has_svg_png_and_csv(sample_reports):
    from PIL import Image

    _, rep = sample_reports["dirty_extract"]
    files = [Path(p) for p in rep.files]
    stems = {p.stem for p in files if p.suffix == ".svg"}
    assert {"02_unit_map_unit_map", "03_process_map_process_map", "04_loops_rings", "08_discharges_heatmap",
            "06_waits_udredningsret_kaplan_meier", "06_waits_udredningsret_histogram"} <= stems
    for stem in stems:
        svg = next(p for p in files if p.name == f"{stem}.svg")
        ET.fromstring(svg.read_bytes().split(b"?>", 1)[-1] if svg.read_bytes().startswith(b"<?xml")
                      else svg.read_bytes())  # well-formed
        png = next(p for p in files if p.name == f"{stem}.png")
        with Image.open(png) as im:
            assert im.format == "PNG" and im.size[0] > 200 and len(im.convert("RGB").getcolors(1 << 20)) > 5
    csvs = [p for p in files if p.suffix == ".csv"]
    assert len(csvs) >= 15
    for p in csvs:
        assert p.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
        pd.read_csv(p, sep=";", decimal=",", encoding="utf-8-sig")


def test_small_counts_are_suppressed_everywhere(sample_reports):
    _, rep = sample_reports["dirty_extract"]
    text = page(rep)
    # the five unknown units of the dirty extract have one patient each
    unknown = text.split('id="table-unknown_units"')[1].split("</table>")[0]
    cells = re.findall(r'<td class="num">(.*?)</td>', unknown)
    assert cells and set(cells) == {"&lt;5"}
    csv = next(p for p in rep.files if p.name == "01_extract_unknown_units.csv")
    assert set(pd.read_csv(csv, sep=";", encoding="utf-8-sig")["Patienter"]) == {"<5"}
    assert "Antal fra 1 til 4 vises som „&lt;5“" in text  # the footer states the rule


def test_footer_states_parameters_and_version(sample_reports):
    _, rep = sample_reports["elderly_medical"]
    foot = page(rep).split("<footer>")[1]
    for needle in ("Evaluation date (as_of)</dt><dd>1 January 2024", "Smallest count shown (min_count)</dt><dd>5",
                   "Language</dt><dd>en", f"pathways {pw.__version__}", "Right to assessment: referral received",
                   "30 days", "acute only (column acute)"):
        assert needle in foot, needle


# --------------------------------------------------------------------------- small logs
def test_unit_named_script_appears_only_escaped(tmp_path):
    evil = "<script>alert(1)</script>"
    log = small_log(["Egen læge", evil, "Medicinsk afdeling"])
    rep = pw.report(log, tmp_path / "r.html", as_of="2023-06-01", language="en", figures_dir=tmp_path / "fig")
    text = page(rep)
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in text  # in the map's data: cannot end its block
    text = without_the_map(text)
    assert "<script" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    for p in rep.files:
        if p.suffix == ".svg":
            assert "<script" not in p.read_text(encoding="utf-8").lower(), p.name


def test_csv_cells_that_look_like_formulas_are_escaped(tmp_path):
    log = small_log(["=SUM(1+1)", "@cmd", "Medicinsk afdeling"])
    rep = pw.report(log, tmp_path / "r.html", as_of="2023-06-01", language="en", figures_dir=tmp_path / "fig")
    units = next(p for p in rep.files if p.name == "02_unit_map_units.csv")
    cells = pd.read_csv(units, encoding="utf-8-sig")["Unit"].tolist()
    assert "'=SUM(1+1)" in cells and "'@cmd" in cells and "Medicinsk afdeling" in cells
    assert all(not str(c).startswith(("=", "+", "-", "@")) for c in cells)
    assert "=SUM(1+1)" in page(rep)  # the page shows the name as it is


def test_safe_cell_and_merge_small():
    assert [safe_cell(x) for x in ("=1+2", "+45 12", "-3", "@A1", "\tx", "\rx", "ok")] == \
        ["'=1+2", "'+45 12", "'-3", "'@A1", "'\tx", " x", "ok"]
    # a line break would split the row in a spreadsheet: it becomes a space, and what follows is checked too
    assert [safe_cell(x) for x in ("Afsnit\r=cmd|' /C calc'!A0", "\n=1", " \t@A1", "a\u2028b\x00\x1b[2J")] == \
        ["Afsnit =cmd|' /C calc'!A0", "' =1", "' \t@A1", "a b[2J"]
    df = pd.DataFrame({"unit": ["A", "B", "C", "D"], "n_cases": [12, 4, 1, 0], "n_events": [30, 4, 2, 0]})
    df.attrs["min_count"] = 5
    out = merge_small(df, by="n_cases", label="unit", other="Other ({n})", add=["n_events"])
    assert out["unit"].tolist() == ["A", "D", "Other (2)"]
    assert out["n_events"].tolist() == [30, 0, 6]


def test_tables_suppress_counts_shares_and_medians_over_small_counts():
    from pathways.publish.tables import Col, Table

    df = pd.DataFrame({"unit": ["A", "B"], "n_cases": [3, 40], "n_all": [600, 600], "median": [2.5, 4.25]})
    tb = Table("t", "T", df, [Col("unit", "Unit"), Col("n_cases", "Patients", "count"),
                             Col("share", "Share", "share", of=("n_cases", "n_all"), decimals=1),
                             Col("median", "Median", "days", base="n_cases")])
    assert tb.display(Formatter("en", 5)) == [["A", "<5", "<0.9%", "–"], ["B", "40", "6.7%", "4.2 days"]]
    out = tb.export(Formatter("en", 5))
    assert out[["Unit", "Patients", "Share"]].to_dict("list") == {"Unit": ["A", "B"], "Patients": ["<5", 40],
                                                                  "Share": ["<0.9%", 0.0667]}
    assert pd.isna(out.loc[0, "Median"]) and out.loc[1, "Median"] == 4.25
    with pytest.raises(ValueError, match="case_id"):
        Table("x", "X", df.assign(case_id="P1"), [Col("unit", "Unit")])


def test_number_formats_per_language():
    da, en = Formatter("da", 5), Formatter("en", 5)
    assert (da.int(1234567), en.int(1234567)) == ("1.234.567", "1,234,567")
    assert (da.num(3.14159, 2), en.num(3.14159, 2)) == ("3,14", "3.14")
    assert (da.pct(0.5), en.pct(0.5)) == ("50 %", "50%")
    assert [da.count(n) for n in (0, 1, 4, 5)] == ["0", "<5", "<5", "5"]
    assert Formatter("da", 10).count(9) == "<10"
    assert da.share(2, 1000, 1) == "<0,5 %" and da.share(3, 4) == "–" and da.share(50, 100) == "50 %"


def test_small_log_states_counts_under_five(tmp_path):
    log = small_log(["Egen læge", "Smerteklinik"], n_cases=3)
    rep = pw.report(log, tmp_path / "r.html", as_of="2023-06-01", language="en")
    text = page(rep)
    assert finding(text, "extract").startswith("The extract holds 12 events for &lt;5 patients".replace("&lt;", "<"))
    assert "<td>Patients (cases)</td><td>&lt;5</td>" in text
    for n in (1, 2, 3, 4):  # no count from 1 to 4 in any table cell
        assert f'<td class="num">{n}</td>' not in text



def figure_texts(text: str, name: str) -> list[str]:
    """The text drawn in the inline SVG of figure ``name``, in order, unescaped."""
    m = re.search(rf'<figure id="figure-{name}".*?</figure>', text, flags=re.S)
    assert m, f"no figure {name}"
    return [html.unescape(t).strip() for t in re.findall(r"<text[^>]*>(.*?)</text>", m.group(0))]


def test_danish_report_draws_danish_diagrams(tmp_path):
    log = small_log(["Egen læge", "Smerteklinik"])  # 6 patients, Egen læge -> Smerteklinik an hour later
    text = page(pw.report(log, tmp_path / "r.html", as_of="2023-06-01", language="da"))
    um = figure_texts(text, "unit_map")
    assert um[:4] == ["Overgange mellem enheder",
                      "pile: patienter · median pause mellem enheder; knuder: patienter",
                      "viser 2 af 2 enheder, 100 % af overgangene", "antal under 5 vises som <5"]
    for row in ("cirkulære henvisninger: på en cirkulær rute (0 pile vist)",
                "psykiatri–somatik: krydser grænsen mellem psykiatri og somatik (0 pile vist)",
                "lange ventetider: median ventetid over 7 dage (0 pile vist)", "Region (hospitaler, psykiatri)",
                "Almen praksis", "6 patienter", "60 min", "Fyldfarve (domæne):", "Somatik",
                "6"):  # an hour: in minutes, not "0,0 d"; the edge label on two lines; the key of fill colours
        assert row in um, row
    pm = figure_texts(text, "process_map")
    assert pm[:4] == ["Proceskort (aktiviteter)", "pile og knuder: patienter",
                      "viser 3 af 3 aktiviteter, 100 % af overgangene", "antal under 5 vises som <5"]
    assert "slut" in pm and "end" not in pm
    svgs = re.findall(r"<svg.*?</svg>", text, flags=re.S)
    assert len(svgs) >= 2
    for svg in svgs:
        for english in ("showing ", "counts under", " cases", "edges shown", "Handovers between", "General practice"):
            assert english not in svg, english


@pytest.mark.parametrize("name", ["dirty_extract", "elderly_medical"])
def test_sample_report_diagrams_speak_the_report_language(sample_reports, name):
    text = page(sample_reports[name][1])
    svgs = "".join(re.findall(r"<svg.*?</svg>", text, flags=re.S))
    danish = name == "dirty_extract"
    assert ("showing " in svgs, "counts under" in svgs) == (not danish, not danish)
    assert ("viser " in svgs, "antal under 5 vises som" in svgs) == (danish, danish)


def test_as_of_defaults_to_the_last_event_and_says_so(tmp_path):
    log = small_log(["Egen læge", "Medicinsk afdeling"])
    rep = pw.report(log, tmp_path / "r.html", language="en")
    text = page(rep)
    assert "No evaluation date (as_of) was given" in text
    assert "9 March 2023 at 11:00 (last event; not given)" in text


def test_thresholds_mapping_changes_a_rule(tmp_path, sample_reports):
    log, _ = sample_reports["psychiatry_somatic"]
    rep = pw.report(log, tmp_path / "r.html", as_of=datasets.AS_OF, language="en",
                    thresholds={"udredningsret": "60D"})
    rules = page(rep).split('id="table-guarantees"')[1].split("</table>")[0]
    assert "<td>60 days</td>" in rules
    with pytest.raises(pw.OptionError, match="Did you mean 'udredningsret'"):
        pw.report(log, tmp_path / "r.html", thresholds={"udrednigsret": "60D"})


def test_a_log_without_units_still_reports(tmp_path):
    df = pd.DataFrame({"pt": [p for p in "ABCDEF" for _ in range(2)],
                       "act": ["Henvisning modtaget", "Udredning start"] * 6,
                       "ts": ["2023-01-02 09:00", "2023-02-20 10:00"] * 6})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    rep = pw.report(log, tmp_path / "r.html", as_of="2023-06-01", language="en")
    text = page(rep)
    assert finding(text, "unit_map").startswith("The extract has no unit column")
    assert finding(text, "readmissions").startswith("The extract has no discharges")


def test_options_are_checked(tmp_path):
    log = small_log(["Egen læge", "Medicinsk afdeling"])
    with pytest.raises(pw.OptionError, match="Did you mean 'en'"):
        pw.report(log, tmp_path / "r.html", language="eng")
    with pytest.raises(pw.OptionError, match="min_count"):
        pw.report(log, tmp_path / "r.html", min_count=0)
    with pytest.raises(pw.OptionError, match="is a folder"):
        pw.report(log, tmp_path)


def test_report_is_callable_after_importing_a_submodule(tmp_path):
    import pathways.report.sections  # noqa: F401 - binds pathways.report to the package

    log = small_log(["Egen læge", "Medicinsk afdeling"])
    rep = pw.report(log, tmp_path / "r.html", as_of="2023-06-01")
    assert rep.path.exists() and rep.language == "da"
    assert "Report:" in repr(rep)


def test_conformance_section_with_a_reference(tmp_path):
    rows = []
    for i in range(8):
        pt = f"PT{i:04d}"
        rows += [(pt, "Henvisning modtaget", f"2023-03-{1 + i:02d} 09:00", "Psykiatrisk Visitationsklinik"),
                 (pt, "Visitation", f"2023-03-{2 + i:02d} 09:00", "Psykiatrisk Visitationsklinik")]
        if i < 6:  # two patients skip the first contact
            rows.append((pt, "Førstegangssamtale", f"2023-03-{5 + i:02d} 09:00", "Distriktspsykiatri"))
    log = pw.from_pandas(pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"]), case="pt", activity="act",
                         timestamp="ts", unit="unit")
    ref = pw.ReferencePathway(["referral_received", "visitation", "first_contact"])
    rep = pw.report(log, tmp_path / "r.html", as_of="2023-06-01", language="en", reference=ref)
    assert rep.sections[-1] == "Conformance to the reference pathway"
    table = pw.conformance(log, ref)
    n_fit = int((table["n_deviations"] == 0).sum())
    assert n_fit == 6
    assert finding(page(rep), "conformance").startswith(
        f"{round(100 * n_fit / 8)}% of 8 patients followed the reference pathway without deviation")


def test_findings_count_one_and_few_in_the_right_grammar(tmp_path):
    """3 patients on one sequence: no "The <5 patients followed 1 different sequences" in either language."""
    log = small_log(["Egen læge"], n_cases=3)  # each: Henvisning → Indlæggelse → Udskrivning
    texts = {}
    for lang in ("en", "da"):
        texts[lang] = page(pw.report(log, tmp_path / f"{lang}.html", as_of="2023-06-01", language=lang))
    assert finding(texts["en"], "process_map").startswith(
        "<5 patients all followed the same sequence of activities.")
    assert finding(texts["da"], "process_map").startswith("<5 patienter fulgte alle samme rækkefølge af aktiviteter.")
    for text in texts.values():
        assert "1 different" not in text and "1 forskellige" not in text
        assert "The &lt;5" not in text and "De &lt;5" not in text
    # one patient, counts shown from 1: singular nouns; two sequences: the plural, without the top-10 clause
    one = small_log(["Egen læge"], n_cases=1)
    text = page(pw.report(one, tmp_path / "one.html", as_of="2023-06-01", language="en", min_count=1))
    assert finding(text, "extract").startswith("The extract holds 3 events for 1 patient from ")
    assert finding(text, "process_map").startswith("1 patient followed 1 sequence of activities.")
    two = small_log(["Egen læge"], n_cases=6,
                    extra=[("PT0000", "Genindlæggelse", "2023-03-30 10:00", "Egen læge")])
    text = page(pw.report(two, tmp_path / "two.html", as_of="2023-06-01", language="da"))
    assert finding(text, "process_map").startswith("6 patienter fulgte 2 forskellige rækkefølger af aktiviteter.")
    en = Formatter("en", 5)
    assert [en.counted(n, "error_kind", suppress=False) for n in (1, 2)] == ["1 kind of error", "2 kinds of error"]
    assert Formatter("da", 5).counted(1, "warning_kind", suppress=False) == "1 slags advarsel"


# --------------------------------------------------------------------------- times in the unit that reads (issue 22)
def steps_log(first_step: str, second_step: str, *, n_cases: int = 6, units=("Egen læge", "Smerteklinik")):
    """``n_cases`` patients: "Henvisning modtaget" at 08:00 in Egen læge, "Udredning" ``first_step`` later in
    Smerteklinik (or ``units``), "Udskrivning" ``second_step`` after that (pandas durations)."""
    rows = []
    for i in range(n_cases):
        t0 = pd.Timestamp(f"2023-03-{1 + i:02d} 08:00")
        t1 = t0 + pd.Timedelta(first_step)
        rows += [(f"PT{i:04d}", "Henvisning modtaget", t0, units[0]), (f"PT{i:04d}", "Udredning", t1, units[1]),
                 (f"PT{i:04d}", "Udskrivning", t1 + pd.Timedelta(second_step), units[1])]
    df = pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"])
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")


def table_html(text: str, name: str) -> str:
    m = re.search(rf'<table[^>]*id="table-{name}".*?</table>', text, flags=re.S) or \
        re.search(rf'id="{name}".*?</table>', text, flags=re.S)
    assert m, f"no table {name}"
    return html.unescape(m.group(0))


# steps, language -> (median of the most common step in the finding, the transitions table's header, its cells)
STEP_CASES = [
    (("9min", "21min"), "en", "median 9 min", "Median time (minutes)", ["9", "21"]),
    (("9min", "21min"), "da", "median 9 min", "Median tid (minutter)", ["9", "21"]),
    (("3h", "5h"), "en", "median 3 hours", "Median time (hours)", ["3", "5"]),
    (("3h", "5h"), "da", "median 3 timer", "Median tid (timer)", ["3", "5"]),
    (("2D", "10D"), "en", "median 2 days", "Median time (days)", ["2", "10"]),
    (("2D", "10D"), "da", "median 2 dage", "Median tid (dage)", ["2", "10"]),
]


@pytest.mark.parametrize("steps, lang, median, header, cells", STEP_CASES)
def test_durations_read_in_minutes_hours_or_days_by_their_size(tmp_path, steps, lang, median, header, cells):
    """Steps 9 and 21 minutes apart print in minutes (not "0 days"), 3 and 5 hours in hours, 2 and 10 days in
    days: the unit once, in the header, the cells plain numbers."""
    log = steps_log(*steps)
    text = page(pw.report(log, tmp_path / "r.html", as_of="2023-06-01", language=lang))
    assert median in finding(text, "process_map")
    table = table_html(text, "transitions")
    assert header in table
    assert re.findall(r'<td class="num">([^<]*)</td></tr>', table) == cells  # the median, the row's last cell
    assert not re.search(r"(?<![\d.,])0(?:[.,]0)? (?:days|dage|d)\b", text)  # no "0 days", "0,0 d"


def test_a_one_hour_limit_prints_as_given():
    """A limit reads as given, in words: "1 hour"/"1 time" (Danish: 1 time, 2 timer), not "0.0416667 d"."""
    en, da = Formatter("en", 5), Formatter("da", 5)
    assert [en.duration(v) for v in ("1h", "2h", "30D", "4W", "90min")] == [
        "1 hour", "2 hours", "30 days", "4 weeks", "90 minutes"]
    assert [da.duration(v) for v in ("1h", "2h", "30D", "1D", "4W", "1W", "30min")] == [
        "1 time", "2 timer", "30 dage", "1 dag", "4 uger", "1 uge", "30 minutter"]


def test_a_one_hour_wait_rule_in_the_report(tmp_path):
    """udredningsret with a 1-hour limit on waits of 9 minutes: the limit reads "1 hour", the medians 9 min, the
    histogram's axis is in minutes."""
    log = steps_log("9min", "21min", units=("Psykiatrisk Akutmodtagelse",) * 2)  # the rule is for psychiatry
    for lang, limit, axis, median in (("en", "1 hour", "minutes", "Kaplan–Meier median (minutes)"),
                                      ("da", "1 time", "minutter", "Kaplan–Meier-median (minutter)")):
        text = page(pw.report(log, tmp_path / f"{lang}.html", as_of="2023-06-01", language=lang,
                              thresholds={"udredningsret": "1h"}))
        table = table_html(text, "guarantees")
        assert f"<td>{limit}</td>" in table and f'<th class="num">{median}</th>' in table
        row = re.search(r"<tr><td[^>]*>[^<]*\(psy[^<]*</td>(.*?)</tr>", table).group(1)
        # limit, waits, ended, still waiting, superseded, median 9 minutes
        assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[:6] == [limit, "6", "6", "0", "0", "9"]
        assert finding(text, "waits").endswith(": 9 min.")
        assert "0.0416667" not in text and "0,0416667" not in text
        hist = figure_texts(text, "udredningsret_histogram")
        assert axis in hist and hist[-1].endswith(limit)


# --------------------------------------------------------------------------- honest sector and loop figures (issue 22)
def test_a_handover_to_an_unknown_sector_is_not_counted_as_crossing(tmp_path):
    """6 patients: Egen læge (general practice) -> Hjemmepleje (municipality) -> Zørgbrug 7 (no rule: unknown).
    12 handovers: 6 cross a sector boundary (50 %), 6 have an unknown side; the old count said 100 % crossed."""
    log = small_log(["Egen læge", "Hjemmepleje", "Zørgbrug 7"])
    text = finding(page(pw.report(log, tmp_path / "r.html", as_of="2023-06-01", language="en")), "unit_map")
    assert text.startswith("There are 12 handovers between 3 units; 50% of them cross a sector boundary. "
                           "The most common move between sectors is general practice → municipality (6 patients). "
                           "6 handovers (50%) have a unit of unknown sector at one end; whether they cross a sector "
                           "boundary is not known"), text
    only_unknown = small_log(["Egen læge", "Zørgbrug 7"])
    text = finding(page(pw.report(only_unknown, tmp_path / "u.html", as_of="2023-06-01", language="en")),
                   "unit_map")
    assert "0% of them cross" in text and "The most common move between sectors" not in text, text


def test_loops_of_staff_groups_taking_turns_are_called_so(tmp_path):
    """6 patients, each seen by groups A and B in turn every hour (A 08, B 09, A 10, B 11): 2 returns per
    patient, each 2 hours after leaving the group: 12 of 12 returns within 4 hours."""
    log = small_log(["Gruppe A", "Gruppe B", "Gruppe A", "Gruppe B"])
    text = finding(page(pw.report(log, tmp_path / "r.html", as_of="2023-06-01", language="en")), "loops")
    assert "But 12 of 12 returns come within 4 hours: the “units” look like staff or resource groups" in text, text
    normal = small_log(["Egen læge", "Hjemmepleje", "Zørgbrug 7"])
    text = finding(page(pw.report(normal, tmp_path / "n.html", as_of="2023-06-01", language="en")), "loops")
    assert "staff" not in text


# --------------------------------------------------------------------------- disclosure across a section's numbers
def _section(log, fn, as_of):
    from pathways.report import sections as S

    fmt = Formatter("en", 5)
    ctx = S.Context(log=log, fmt=fmt, as_of=pd.Timestamp(as_of, tz="Europe/Copenhagen"), as_of_given=True,
                    rules=pw.GUARANTEES)
    sec = fn(ctx)
    return sec, {t.name: t.export(fmt) for t in sec.tables()}


def _rank_determines(equations, cell) -> bool:
    import numpy as np

    unknown = sorted({k for e in equations for k in e}, key=str)
    a = np.array([[e.get(k, 0) for k in unknown] for e in equations], dtype=float)
    unit = np.zeros(len(unknown))
    unit[unknown.index(cell)] = 1
    return np.linalg.matrix_rank(np.vstack([a, unit])) == np.linalg.matrix_rank(a)


def test_the_discharge_summarys_partial_sums_give_no_small_cell_away():
    # Thursday 9 at 10:00, 8 at 14, 12 at 16, 30 at 17; Friday 6, 7, 3 (at 16:00) and 20 (at 17:00). The summary
    # table publishes Friday's total (36), discharges after 15:00 (65) and on Friday after 15:00 (23); before
    # pw.suppress knew of those sums, it hid Friday 10:00 as the complement of the "<5" and the summary gave the
    # 3 away (23 - 20). A reader's equations over everything the section publishes must leave it open.
    from pathways.report import sections as S

    spec = {"2024-01-11": {10: 9, 14: 8, 16: 12, 17: 30}, "2024-01-12": {10: 6, 14: 7, 16: 3, 17: 20}}
    times = [f"{d} {h:02d}:00" for d, hours in spec.items() for h, k in hours.items() for _ in range(k)]
    df = pd.DataFrame({"pt": [f"p{i}" for i in range(len(times)) for _ in (0, 1)],
                       "act": ["Indlæggelse", "Udskrivning"] * len(times),
                       "ts": [x for t in times for x in ("2024-01-02 08:00", t)], "unit": "Medicinsk afdeling"})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    sec, tables = _section(log, S.discharges, "2024-03-01")
    grid = tables["discharge_heatmap"].set_index("Weekday")
    weekday = tables["discharges_by_weekday"].set_index("Weekday")["Discharges"]
    summary = tables["discharge_summary"].set_index("Measure")["Discharges"]
    hidden = {(d, h) for d in grid.index for h in grid.columns if not isinstance(grid.loc[d, h], int)}
    assert grid.loc["Friday", "16"] == "<5"

    def equation(cells, published):
        e = {c: 1 for c in cells if c in hidden}
        if not isinstance(published, int):  # the sum itself is hidden: one more unknown
            e[("sum", id(cells))] = -1
        return e

    every = [(d, h) for d in grid.index for h in grid.columns]
    eqs = [equation([c for c in every if c[0] == d], weekday[d]) for d in grid.index]
    eqs += [equation(every, summary["Discharges"]),
            equation([c for c in every if int(c[1]) >= 15], summary["Of these at 15:00 or later"]),
            equation([c for c in every if c[0] == "Friday" and int(c[1]) >= 15],
                     summary["Of these on a Friday at 15:00 or later"]),
            equation([c for c in every if c[0] == "Friday"], summary["Of these on a Friday"])]
    assert not _rank_determines([e for e in eqs if e], ("Friday", "16"))
    # the published sums are those the first sentence states (a hidden one is "–" there too)
    assert summary["Of these on a Friday at 15:00 or later"] == 23 and "(24% on a Friday afternoon)" in sec.finding[0]
    assert grid.loc["Friday", "17"] is None  # the complement, inside the sum


def test_the_readmission_sentence_and_the_table_by_unit_give_no_small_numerator_away():
    # 20 discharges from cardiology (3 readmitted), 30 from medicine (8), 10 from geriatrics (0): the sentence says
    # 18% of 60, which only 11 readmissions round to; with medicine's 8 and geriatrics' 0 in the table, cardiology's
    # "<5" was 11 - 8 - 0 = 3. Now medicine's count is hidden too ("–"), and cardiology can be anything from 1 to 4.
    import itertools

    from pathways.report import sections as S

    rows, k = [], 0
    for unit, n, r in (("Kardiologisk afdeling", 20, 3), ("Medicinsk afdeling", 30, 8),
                       ("Geriatrisk afdeling", 10, 0)):
        for i in range(n):
            pt, k = f"p{k}", k + 1
            rows += [(pt, "Indlæggelse", "2023-03-01 08:00", unit), (pt, "Udskrivning", "2023-03-05 11:00", unit)]
            if i < r:
                rows.append((pt, "Indlæggelse", "2023-03-20 08:00", unit))
    log = pw.from_pandas(pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"]), case="pt", activity="act",
                         timestamp="ts", unit="unit")
    sec, tables = _section(log, S.readmissions, "2023-06-01")
    m = re.match(r"Of (\S+) discharges, (\S+) were followed", sec.finding[0])
    n, share = int(m.group(1)), m.group(2)
    fmt = Formatter("en", 5)
    totals = [r for r in range(n + 1) if fmt.share(r, n) == share]  # what the sentence tells of the readmissions
    assert totals == [11]
    col = tables["readmissions_by_unit"].set_index("Unit")["Readmitted within 30 days"]
    ranges = {u: [v] if isinstance(v, int) else range(1, 5) if v == "<5" else range(5, n + 1) for u, v in col.items()}
    units = list(ranges)
    feasible = {dict(zip(units, values))["Kardiologisk afdeling"]
                for values in itertools.product(*ranges.values()) if sum(values) in totals}
    assert feasible == {1, 2, 3, 4}
    assert col["Kardiologisk afdeling"] == "<5" and col["Medicinsk afdeling"] is None
    # the chart draws no bar for a share whose numerator is "<5" or hidden (its length would tell the count)
    texts = [a["s"] for kind, a in sec.figures()[0].picture.items if kind == "text"]
    assert "Kardiologisk afdeling" not in texts and "Medicinsk afdeling" not in texts and "Geriatrisk afdeling" in texts


def test_top_rings_merge_mirror_routes_and_count_patients_once():
    from pathways.report.sections import _rings, ring_key

    # P1: A B A B (returns A -> B -> A and B -> A -> B); P2: B A B; P3: A B A; P4: A B C A (another ring)
    paths = {"P1": "ABAB", "P2": "BAB", "P3": "ABA", "P4": "ABCA"}
    names = {"A": "Smerteklinik", "B": "Privatpraktiserende psykiater", "C": "Egen læge"}
    rows = [(p, "Kontakt", f"2023-0{k + 1}-01", names[u]) for p, path in paths.items() for k, u in enumerate(path)]
    log = pw.from_pandas(pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"]), case="pt", activity="act",
                         timestamp="ts", unit="unit")
    routes = pw.circular_routes(log)
    a, b, c = names["A"], names["B"], names["C"]
    assert dict(zip(routes["units"], routes["n_cases"])) == {
        f"{a} → {b} → {a}": 2, f"{b} → {a} → {b}": 2, f"{a} → {b} → {c} → {a}": 1}
    rings = _rings(log, routes, min_count=1)
    # the ping-pong ring: returns 2 + 2 = 4, patients P1, P2, P3 (P1 on both routes, counted once) = 3
    assert rings[["n_returns", "n_cases"]].values.tolist() == [[4, 3], [1, 1]]
    assert set(rings.loc[0, "unit_tuple"]) == {a, b} and rings.loc[1, "units"] == f"{a} → {b} → {c} → {a}"
    assert _rings(log, routes, min_count=2)["n_cases"].tolist() == [3]  # the small ring left out
    assert ring_key((b, a, b)) == ring_key((a, b, a)) != ring_key((a, b, c, a))
    assert ring_key((a, b, c, a)) == ring_key((c, a, b, c)) != ring_key((a, c, b, a))  # direction counts
