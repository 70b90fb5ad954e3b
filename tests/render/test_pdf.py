"""PDF without system Graphviz: svg_to_pdf writes a vector PDF from the SVG the layout engines write.

The PDFs are read back with the standard library only: the cross-reference table is parsed and every
offset checked, the content stream inflated and its operators and strings compared with values worked
out by hand (issue 23, item 7).
"""

import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import pathways as pw
from pathways import datasets
from pathways.layout import RenderError, find_engine
from pathways.render.pdf import svg_to_pdf

needs_pure = pytest.mark.skipif(find_engine("graphviz-pure") is None,
                                reason="graphviz-pure (an optional layout engine on this platform) is not installed")


# --- reading a PDF back with the standard library --------------------------------------------------------
def read_pdf(data: bytes) -> dict:
    """The objects of ``data`` by number, after checking the header, the xref table and the trailer."""
    assert data.startswith(b"%PDF-1.")
    tail = re.search(rb"startxref\n(\d+)\n%%EOF\n$", data)
    assert tail, data[-60:]
    xref = int(tail.group(1))
    head = re.match(rb"xref\n0 (\d+)\n", data[xref:])
    assert head, data[xref:xref + 30]
    size = int(head.group(1))
    table = data[xref + head.end():xref + head.end() + 20 * size]
    entries = [table[20 * i:20 * i + 20] for i in range(size)]
    assert entries[0] == b"0000000000 65535 f \n"
    objects = {}
    for number, entry in enumerate(entries[1:], 1):
        assert re.fullmatch(rb"\d{10} 00000 n \n", entry), entry
        offset = int(entry[:10])
        assert data[offset:].startswith(b"%d 0 obj\n" % number), (number, data[offset:offset + 20])
        body = data[offset + len(b"%d 0 obj\n" % number):]
        length = re.match(rb"<< /Length (\d+) ", body)
        if length:  # a stream: its bytes are exactly /Length long and then endstream
            start = body.index(b"stream\n") + len(b"stream\n")
            end = start + int(length.group(1))
            assert body[end:].startswith(b"\nendstream\nendobj\n")
            objects[number] = (body[:start], body[start:end])
        else:
            objects[number] = (body[:body.index(b"\nendobj\n")], None)
    trailer = data[xref + head.end() + 20 * size:]
    assert trailer.startswith(b"trailer\n<< /Size %d /Root 1 0 R >>" % size)
    return objects


def page(data: bytes) -> tuple[list[float], str, dict]:
    """MediaBox, the inflated content stream (latin-1) and {resource name: BaseFont} of the one page."""
    objects = read_pdf(data)
    assert objects[1][0] == b"<< /Type /Catalog /Pages 2 0 R >>"
    assert objects[2][0] == b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    page_dict = objects[3][0].decode("latin-1")
    box = [float(v) for v in re.search(r"/MediaBox \[([^\]]*)\]", page_dict).group(1).split()]
    contents = int(re.search(r"/Contents (\d+) 0 R", page_dict).group(1))
    head, stream = objects[contents]
    assert b"/Filter /FlateDecode" in head
    fonts = {}
    for name, number in re.findall(r"/(F\d+) (\d+) 0 R", page_dict):
        font = objects[int(number)][0].decode("latin-1")
        fonts[name] = re.search(r"/BaseFont /([\w-]+)", font).group(1)
        if fonts[name] not in ("Symbol", "ZapfDingbats"):
            assert "/Encoding /WinAnsiEncoding" in font
    return box, zlib.decompress(stream).decode("latin-1"), fonts


def literal(s: str) -> bytes:
    """The bytes of a PDF literal string's inside (octal and backslash escapes undone)."""
    return re.sub(r"\\([0-7]{3}|.)", lambda m: chr(int(m.group(1), 8)) if len(m.group(1)) == 3 else m.group(1),
                  s).encode("latin-1")


def texts(content: str, fonts: dict) -> list[str]:
    """Every text object's string, WinAnsi runs decoded as cp1252 (the other fonts' bytes kept as they are)."""
    found = []
    for block in re.findall(r"BT (.*?) ET", content):
        face, text = None, ""
        for name, string in re.findall(r"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", block):
            if name:
                face = fonts[name]
            else:
                raw = literal(string)
                text += raw.decode("cp1252") if face not in ("Symbol", "ZapfDingbats") else raw.decode("latin-1")
        found.append(text)
    return found


def svg_size(svg: str) -> list[float]:
    found = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return [0.0, 0.0, float(found.group(1)), float(found.group(2))]


def expected_segments(svg: str) -> tuple[int, int]:
    """(lines, curves) the SVG should give: a polygon of n distinct corners draws n - 1 lines (then closes),
    a Graphviz path "M p C p p p p p p ..." one curve per three points after M, an ellipse four curves."""
    lines = curves = 0
    for points in re.findall(r'<polygon[^>]* points="([^"]*)"', svg):
        pairs = points.split()
        lines += len(pairs) - 1 - (len(pairs) > 2 and pairs[-1] == pairs[0])
    for d in re.findall(r'<path[^>]* d="([^"]*)"', svg):
        assert re.fullmatch(r"M[-\d.,]+C[-\d., ]+", d), d  # what Graphviz writes
        curves += len(re.findall(r"-?[\d.]+,-?[\d.]+", d.split("C", 1)[1])) // 3
    curves += 4 * len(re.findall(r"<ellipse ", svg))
    return lines, curves


# --- hand-written SVG: the operators worked out by hand ----------------------------------------------------
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="100pt" viewBox="0 0 200 100">'
       '<g transform="translate(10 90)">'
       '<title>ignored</title>'
       '<rect x="0" y="-80" width="50" height="40" fill="#ff0000" stroke="none"/>'
       '<path fill="none" stroke="#000000" stroke-width="2" stroke-dasharray="5,2" d="M0,0C10,-20 30,-20 40,0"/>'
       '<a><text text-anchor="middle" x="100" y="-10" font-family="Helvetica,sans-Serif" '
       'font-size="10.00">Åben</text></a>'
       '</g></svg>')


def test_hand_written_svg_gives_the_operators_worked_out_by_hand():
    box, content, fonts = page(svg_to_pdf(SVG))
    assert box == [0, 0, 200, 100]  # the page is the SVG's width and height in pt
    # "Åben" in Helvetica: Å 667 + b 556 + e 556 + n 556 = 2335/1000 em, at 10 pt 23.35 pt wide;
    # centred on x=100 it starts at 100 - 11.675 = 88.325. Å is WinAnsi 0xC5 = octal 305.
    assert content.split("\n") == [
        "1 0 0 -1 0 100 cm",  # SVG's y runs down: flip the page (viewBox = page, no scaling)
        "q 1 0 0 1 10 90 cm",  # the group's translate(10 90)
        "q 1 0 0 rg 0 -80 50 40 re f Q",  # red rectangle, filled, no stroke
        "q 0 0 0 RG 2 w [5 2] 0 d 0 0 m 10 -20 30 -20 40 0 c S Q",  # the Bézier, stroked, dashed
        r"q 0 0 0 rg BT /F1 10 Tf 1 0 0 -1 88.325 -10 Tm (\305ben) Tj ET Q",  # glyphs unflipped by Tm
        "Q",
    ]
    assert fonts == {"F1": "Helvetica"}


def test_polygons_ellipses_colours_and_opacity_by_hand():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="40pt" height="20pt" viewBox="0 0 40 20">'
           '<polygon fill="white" stroke="transparent" points="0,0 10,0 10,10 0,0"/>'
           '<polyline fill="none" stroke="#abc" points="0,0 5,5 9,1"/>'
           '<ellipse fill="lightgrey" fill-opacity="0.5" stroke="black" cx="20" cy="10" rx="10" ry="5"/>'
           '<text x="1" y="2" font-family="Times,serif" font-weight="bold" font-size="8" text-anchor="end">Ø</text>'
           '</svg>')
    data = svg_to_pdf(svg)
    box, content, fonts = page(data)
    # kappa 0.5522847498: 10 * k = 5.523, 5 * k = 2.761; lightgrey = #d3d3d3 = 211/255 = 0.827;
    # #abc = #aabbcc = 0.667 0.733 0.8; "Ø" in Times-Bold is 778/1000 em: at 8 pt 6.224, so x = 1 - 6.224
    assert content.split("\n") == [
        "1 0 0 -1 0 20 cm",
        "q 1 1 1 rg 0 0 m 10 0 l 10 10 l h f Q",  # the repeated first corner is closed by h
        "q 0.667 0.733 0.8 RG 0 0 m 5 5 l 9 1 l S Q",
        "q /GS1 gs 0.827 0.827 0.827 rg 0 0 0 RG 30 10 m 30 12.761 25.523 15 20 15 c "
        "14.477 15 10 12.761 10 10 c 10 7.239 14.477 5 20 5 c 25.523 5 30 7.239 30 10 c h B Q",
        r"q 0 0 0 rg BT /F1 8 Tf 1 0 0 -1 -5.224 2 Tm (\330) Tj ET Q",
    ]
    assert fonts == {"F1": "Times-Bold"}
    assert b"/ExtGState << /GS1 << /Type /ExtGState /ca 0.5 /CA 1 >> >>" in data


def test_characters_outside_winansi_come_from_symbol_and_zapfdingbats_or_print_as_a_question_mark():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="10pt" height="10pt" viewBox="0 0 10 10">'
           '<text x="0" y="5" font-family="Helvetica" font-size="10">τ→ø●○</text></svg>')
    box, content, fonts = page(svg_to_pdf(svg))
    # τ is Symbol 0x74 ('t'), → Symbol 0xAE (octal 256), ø WinAnsi 0xF8 (octal 370), ● ZapfDingbats 0x6C ('l'),
    # ○ is in none of them: '?'
    assert content.split("\n")[1] == (r"q 0 0 0 rg BT /F1 10 Tf 1 0 0 -1 0 5 Tm (t\256) Tj /F2 10 Tf (\370) Tj "
                                      r"/F3 10 Tf (l) Tj /F2 10 Tf (?) Tj ET Q")
    assert fonts == {"F1": "Symbol", "F2": "Helvetica", "F3": "ZapfDingbats"}


def test_unknown_elements_and_arcs_are_skipped_never_a_crash():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="10pt" height="10pt" viewBox="0 0 10 10">'
           '<foreignObject><div>x</div></foreignObject><image href="x.png"/><!-- a comment -->'
           '<path fill="black" d="M0,0 A5,5 0 0 1 10,10"/><path fill="black" d="M0,0 L"/>'
           '<defs><linearGradient id="g"><stop offset="0" stop-color="#ff0000"/></linearGradient></defs>'
           '<rect width="1" height="2" fill="url(#g)"/></svg>')
    box, content, fonts = page(svg_to_pdf(svg))
    # only the rectangle is drawn, in its gradient's first colour
    assert content.split("\n") == ["1 0 0 -1 0 10 cm", "q 1 0 0 rg 0 0 1 2 re f Q"]


@pytest.mark.parametrize("svg", [
    '<!DOCTYPE svg [<!ENTITY x "boom">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
    '<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg xmlns="http://www.w3.org/2000/svg"/>',
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    '<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>',
])
def test_a_doctype_or_entity_is_refused_before_parsing(svg):
    with pytest.raises(RenderError, match="DOCTYPE or entity declaration"):
        svg_to_pdf(svg)


@pytest.mark.parametrize("svg, problem", [("<svg", "not well-formed"), ("<html/>", "root element is <html>"),
                                          (b"<svg/>", "takes SVG text")])
def test_not_an_svg_is_a_render_error(svg, problem):
    with pytest.raises(RenderError, match=problem):
        svg_to_pdf(svg)


def test_the_graphviz_doctype_is_accepted_and_no_viewbox_means_px():
    svg = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
           '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
           '<svg xmlns="http://www.w3.org/2000/svg" width="40px" height="20px"><rect width="4" height="4"/></svg>')
    box, content, fonts = page(svg_to_pdf(svg))
    assert box == [0, 0, 30, 15]  # 1 px = 0.75 pt
    assert content.split("\n") == ["0.75 0 0 -0.75 0 15 cm", "q 0 0 0 rg 0 0 4 4 re f Q"]  # SVG's default fill


# --- real diagrams drawn with graphviz-pure, which writes no PDF itself ----------------------------------
@pytest.fixture(scope="module")
def log():
    return datasets.load_sample("psychiatry_somatic")


@needs_pure
@pytest.mark.parametrize("draw, labels", [
    # the unit map wraps names longer than 16 characters at a space: one text per line
    (pw.unit_map, ["Psykiatrisk", "Akutmodtagelse", "Egen læge", "Privatpraktiserende", "psykiater"]),
    (pw.process_map, ["Lægekonsultation", "Ambulant besøg", "Førstegangssamtale"]),
])
def test_a_map_saved_as_pdf_with_graphviz_pure(log, tmp_path, draw, labels):
    assert "pdf" not in find_engine("graphviz-pure").formats  # the route under test: no PDF from the engine
    d = draw(log)
    path = d.save(tmp_path / "map.pdf", engine="graphviz-pure")
    data = path.read_bytes()
    svg = d.svg(engine="graphviz-pure")
    box, content, fonts = page(data)
    assert box == svg_size(svg)
    shown = texts(content, fonts)
    for label in labels:  # Danish names in WinAnsi: æ = 0xE6, ø = 0xF8
        assert label in shown
    assert "Egen l\\346ge" in content or "Ambulant bes\\370g" in content
    assert set(fonts.values()) <= {"Helvetica", "Helvetica-Bold", "Symbol", "ZapfDingbats"}
    assert len(shown) == svg.count("<text ")
    lines, curves = expected_segments(svg)
    assert len(re.findall(r" l(?= )", content)) == lines
    assert len(re.findall(r" c(?= )", content)) == curves
    assert content.count(" re ") == 0  # Graphviz writes no <rect>


@needs_pure
def test_cli_map_writes_a_pdf_without_system_graphviz(tmp_path):
    out = tmp_path / "kort.pdf"
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # no system dot: graphviz-pure draws
    with datasets.sample_path("psychiatry_somatic") as sample:
        done = subprocess.run([sys.executable, "-m", "pathways.cli", "map", str(sample), "-o", str(out),
                               "--case", "case_id", "--activity", "activity", "--timestamp", "timestamp",
                               "--unit", "unit"],
                              capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert f"written to {out}" in done.stdout
    box, content, fonts = page(out.read_bytes())
    assert box[2] > 100 and box[3] > 100
    assert {"Psykiatrisk", "Akutmodtagelse"} <= set(texts(content, fonts))
