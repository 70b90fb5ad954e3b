"""The interactive map in a real browser (issue 25, item 3): the report and a saved map opened in the system
Chromium through Playwright (no browser download): every slider stop draws the nodes and edges the Python side
says, the switches and hover work, zoom changes the view, the animation advances, no script error, no request.

Runs wherever a Chromium binary is on PATH (Debian's ``chromium``; ``.ci/run`` installs it); skipped otherwise.
"""

import json
import re
import shutil

import pytest

import pathways as pw
from pathways.parameters import GAP_THRESHOLD, LOOP_WITHIN, MAX_BETWEEN

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome",
                                                       "google-chrome-stable")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on PATH (Debian: apt-get install chromium; "
                                                         ".ci/run installs it before the tests)")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                "--disable-dev-shm-usage"])
        yield b
        b.close()


class Watched:
    """A page that records every request (answering only the file itself), console errors and page errors."""

    def __init__(self, browser, path):
        self.url = path.resolve().as_uri()
        self.page = browser.new_page(viewport={"width": 1280, "height": 1000})
        self.requests, self.errors = [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def route(r):
            self.requests.append(r.request.url)
            r.continue_() if r.request.url == self.url else r.abort()

        self.page.route("**/*", route)
        self.page.goto(self.url)
        self.page.wait_for_selector(".pw-imap[data-ready] .pw-node")

    def close(self):
        assert self.errors == [], self.errors
        assert self.requests == [self.url], self.requests  # nothing but the page itself, ever
        self.page.close()


def counts(page, root):
    return (page.locator(f"#{root} .pw-node").count(), page.locator(f"#{root} .pw-edge").count(),
            int(page.get_attribute(f"#{root}", "data-nodes")), int(page.get_attribute(f"#{root}", "data-edges")))


def move(page, selector, value):
    page.eval_on_selector(selector, "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", value)


def check_sliders(page, root, stops):
    """Every slider stop, node slider then path slider, draws what ``stops`` (the Python side) says."""
    n_node = stops["node_stop"].max() + 1
    n_path = stops["path_stop"].max() + 1
    seen = set()
    for i in range(n_node):
        for j in range(n_path):
            move(page, f"#{root} .pw-nodes-slider", i)
            move(page, f"#{root} .pw-paths-slider", j)
            want = stops[(stops["node_stop"] == i) & (stops["path_stop"] == j)].iloc[0]
            got = counts(page, root)
            assert got == (want["n_nodes"], want["n_edges"]) * 2, (i, j, got, want.to_dict())
            seen.add(got[:2])
    assert len(seen) > 1  # the sliders do change the picture


def positions(page, root):
    return page.eval_on_selector_all(
        f"#{root} circle.pw-token", "els => els.filter(e => e.getAttribute('display') !== 'none')"
                                    ".map(e => [e.getAttribute('cx'), e.getAttribute('cy')])")


def check_controls(page, root, data):
    # frequency / performance: the first drawn edge's label switches between its two texts
    idx = int(page.get_attribute(f"#{root} .pw-edge >> nth=0", "data-edge"))
    label = f"#{root} .pw-edge >> nth=0 >> text"
    assert page.text_content(label) == data["edges"][idx]["freq"]
    page.click(f"#{root} .pw-performance")
    assert page.text_content(label) == data["edges"][idx]["perf"]
    assert page.get_attribute(f"#{root}", "data-measure") == "performance"
    page.click(f"#{root} .pw-frequency")
    assert page.text_content(label) == data["edges"][idx]["freq"]
    # highlights: switched off, no edge keeps a highlight colour; on again, the flagged ones have theirs
    colours = {h["colour"] for h in data["highlights"]}
    strokes = f"#{root} path.pw-line"
    on = page.eval_on_selector_all(strokes, "els => els.map(e => e.getAttribute('stroke'))")
    for box in page.locator(f"#{root} input.pw-hl").all():
        box.uncheck()
    off = page.eval_on_selector_all(strokes, "els => els.map(e => e.getAttribute('stroke'))")
    assert colours & set(on) and not colours & set(off)
    for box in page.locator(f"#{root} input.pw-hl").all():
        box.check()
    # hover a node: the tooltip shows its counts (as text, "<5" under min_count)
    node = page.locator(f"#{root} .pw-node").first
    n = data["nodes"][int(node.get_attribute("data-node"))]
    node.hover()
    tip = page.text_content(f"#{root} .pw-tip")
    assert page.is_visible(f"#{root} .pw-tip") and n["name"] in tip and all(v in tip for _, v in n["tip"])
    # zoom: the buttons and the wheel shrink the view box, "fit" restores it
    box = [float(v) for v in page.get_attribute(f"#{root} svg.pw-svg", "viewBox").split()]
    page.click(f"#{root} .pw-zoom-in")
    zoomed = [float(v) for v in page.get_attribute(f"#{root} svg.pw-svg", "viewBox").split()]
    assert zoomed[2] == pytest.approx(box[2] / 1.25, rel=1e-3)
    page.hover(f"#{root} .pw-view")
    page.mouse.wheel(0, -300)
    wheeled = [float(v) for v in page.get_attribute(f"#{root} svg.pw-svg", "viewBox").split()]
    assert wheeled[2] < zoomed[2]
    page.click(f"#{root} .pw-fit")
    assert [float(v) for v in page.get_attribute(f"#{root} svg.pw-svg", "viewBox").split()] == box


def check_animation(page, root):
    # a third into the period some tokens are on the map; playing moves them and the clock
    move(page, f"#{root} input.pw-time", 300)
    t0 = float(page.get_attribute(f"#{root}", "data-time"))
    before = positions(page, root)
    page.click(f"#{root} .pw-play")
    page.wait_for_timeout(1500)
    page.click(f"#{root} .pw-play")  # pause
    t1 = float(page.get_attribute(f"#{root}", "data-time"))
    after = positions(page, root)
    assert t1 > t0 and before and after and before != after
    # days since the first contact: the clock starts at day 0
    page.click(f"#{root} .pw-relative")
    move(page, f"#{root} input.pw-time", 0)
    assert page.text_content(f"#{root} input.pw-time + output") in ("day 0", "dag 0")


def the_map(page):
    root = page.get_attribute(".pw-imap", "id")
    data = json.loads(page.text_content(f'script.pw-imap-data[data-for="{root}"]'))
    return root, data


def test_saved_map_in_chromium(browser, tmp_path):
    log = pw.datasets.load_sample("psychiatry_somatic")
    m = pw.interactive_map(log, max_cases=60)
    w = Watched(browser, m.save(tmp_path / "map.html"))
    root, data = the_map(w.page)
    assert data == m.data
    i, j = m.data["start"]
    start = m.stops[(m.stops["node_stop"] == i) & (m.stops["path_stop"] == j)].iloc[0]
    assert counts(w.page, root) == (start["n_nodes"], start["n_edges"]) * 2
    check_sliders(w.page, root, m.stops)
    check_controls(w.page, root, m.data)
    check_animation(w.page, root)
    w.close()


def test_process_map_in_chromium(browser, tmp_path):
    log = pw.datasets.load_sample("elderly_medical")
    m = pw.interactive_map(log, kind="process", max_cases=40, color="sector", language="da")
    w = Watched(browser, m.save(tmp_path / "proces.html"))
    root, data = the_map(w.page)
    check_sliders(w.page, root, m.stops)
    check_animation(w.page, root)
    w.close()


def test_report_map_in_chromium(browser, sample_reports):
    log, rep = sample_reports["dirty_extract"]  # the demo's extract, in Danish
    w = Watched(browser, rep.path)
    page = w.page
    root, data = the_map(page)
    # the Python side, with the options of the report's unit map section
    m = pw.interactive_map(log, min_count=5, threshold=GAP_THRESHOLD, within=LOOP_WITHIN, max_between=MAX_BETWEEN,
                           title=data["title"], language="da", max_cases=0)
    assert data["layouts"] == m.data["layouts"] and data["nodes"] == m.data["nodes"]
    # on screen the map stands in for the static figure
    assert page.is_hidden("figure#figure-unit_map") and page.is_visible(f"#{root}")
    check_sliders(page, root, m.stops)
    check_controls(page, root, data)
    check_animation(page, root)
    shown = data["animation"]["caption"]
    assert re.match(r"\d+ af 600 patienter", shown) and page.is_visible(f"#{root} >> text={shown}")
    assert page.is_hidden("figure#figure-unit_map_somatic")  # the parts for print are not on screen
    page.emulate_media(media="print")
    # printed: neither the map nor the whole static figure (5 pt text on A4), but its parts, one per domain
    assert page.is_hidden("figure#figure-unit_map") and page.is_hidden(f"#{root}")
    assert page.is_visible("figure#figure-unit_map_psychiatric") and page.is_visible("figure#figure-unit_map_somatic")
    w.close()
