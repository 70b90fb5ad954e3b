"""Each sample's report opened in headless Chromium: the page renders, with its headings.

Runs wherever a Chromium binary is on PATH (Debian's ``chromium`` package;
``.ci/run`` installs it when missing); skipped otherwise.
"""

import html
import re
import shutil
import subprocess

import pytest

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome",
                                                       "google-chrome-stable")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on PATH (Debian: apt-get install chromium; "
                                                         ".ci/run installs it before the tests)")
SAMPLES = ["dirty_extract", "elderly_medical", "psychiatry_somatic"]
EXPECTED = {
    "dirty_extract": ["Hovedfund", "Udtrækket", "Cirkulære henvisninger", "Ventetider og garantier",
                      "Udskrivningstidspunkter"],
    "elderly_medical": ["Main findings", "The extract", "Readmissions", "Discharge timing"],
    "psychiatry_somatic": ["Main findings", "The extract", "Circular referrals", "Psychiatric–somatic handovers"],
}


def chromium(tmp_path, *args, timeout=120):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--no-first-run", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)


@pytest.mark.parametrize("name", SAMPLES)
def test_report_renders_in_chromium(sample_reports, tmp_path, name):
    from PIL import Image

    _, rep = sample_reports[name]
    url = rep.path.resolve().as_uri()
    shot = tmp_path / "page.png"
    done = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", url)
    assert shot.exists(), done.stderr.decode("utf-8", "replace")[-2000:]
    with Image.open(shot) as im:
        assert im.size == (1280, 2000)
        rgb = im.convert("RGB")
        colours = rgb.getcolors(1 << 24)
        white = sum(n for n, c in colours if c == (255, 255, 255))
        assert len(colours) > 50  # text, tables and pictures, not a blank or single-colour page
        assert white < 0.97 * 1280 * 2000
        top = rgb.crop((0, 0, 1280, 200)).getcolors(1 << 24)
        assert len(top) > 10  # the title is drawn at the top

    dom = chromium(tmp_path, "--dump-dom", url)
    text = dom.stdout.decode("utf-8", "replace")
    headings = [html.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<h2>(.*?)</h2>", text)]
    for h in EXPECTED[name]:
        assert h in headings, (h, headings)
    assert headings[2:] == list(rep.sections)
    assert text.count("<svg") >= 6  # the inline diagrams were parsed as SVG
