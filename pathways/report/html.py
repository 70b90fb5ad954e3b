"""The page: one self-contained HTML file with inline CSS and inline SVG, every text escaped.

The page loads nothing: no script, font, style sheet or image from anywhere
(a Content-Security-Policy in the head says so to the browser too). Its one
script is the interactive map's, shipped in the package
(:func:`pathways.render.interactive.script`), inline, and the policy names it
by its SHA-256 hash: no other script, also none that got in with the data,
could run. The map's data sit in a JSON block that cannot end early. Every
piece of text from the data (unit and activity names, titles) passes through
:func:`html.escape`; pictures are SVG whose text was escaped by Graphviz or by
:mod:`pathways.render`.
"""

from __future__ import annotations

import html
import re

from ..render.dot import UNSAFE
from ..layout import RenderError
from ..publish.numbers import Formatter
from ..publish.tables import Table
from .blocks import Figure, Live, Note, Row, Section

_ID = re.compile(r'\bid="([^"]*)"')


def inline_svg(svg: str, prefix: str) -> str:
    """SVG text made fit to sit inside an HTML page.

    Drops the XML declaration, the DOCTYPE, comments and namespace declarations
    (the HTML parser puts ``<svg>`` in the SVG namespace itself, and none of them
    is a resource to fetch), and prefixes every id (and the references to it)
    with ``prefix`` so that several pictures on one page cannot clash.

    Examples
    --------
    >>> inline_svg('<?xml version="1.0"?><!-- x --><svg xmlns="http://www.w3.org/2000/svg"><g id="a"/></svg>', "f1_")
    '<svg><g id="f1_a"/></svg>'
    """
    s = re.sub(r"<\?xml.*?\?>", "", svg, flags=re.S)
    s = re.sub(r"<!DOCTYPE[^>]*>", "", s, flags=re.S)
    s = re.sub(r"<!--.*?-->", "", s, flags=re.S)
    s = re.sub(r'\s+xmlns(:[\w-]+)?="[^"]*"', "", s)
    s = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', s)
    s = re.sub(r'(href="#|url\(#)', lambda m: m.group(1) + prefix, s)
    return s.strip()


CSS = """
:root { --ink: #1f2a33; --muted: #5b6670; --line: #d9dee3; --accent: #2f6db5; --soft: #f4f7fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #ffffff;
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans",
             sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { font-size: 28px; margin: 8px 0 4px; }
header p.sub { color: var(--muted); margin: 0 0 16px; }
nav.contents { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 18px;
               margin: 16px 0 24px; }
nav.contents h2 { font-size: 15px; margin: 4px 0; border: 0; padding: 0; }
nav.contents ol { margin: 4px 0; padding-left: 22px; columns: 2; }
a { color: var(--accent); }
section { margin: 36px 0 0; }
h2 { font-size: 21px; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
.finding { font-size: 16px; background: #eef4fb; border-left: 4px solid var(--accent); padding: 10px 14px;
           margin: 8px 0 14px; }
.finding p { margin: 0; }
#main-findings ul { padding-left: 20px; margin: 6px 0; }
#main-findings li { margin: 4px 0; font-size: 16px; }
p.note { color: var(--muted); font-size: 13px; margin: 4px 0 12px; }
table { border-collapse: collapse; margin: 6px 0 4px; font-size: 13px; width: auto; max-width: 100%; }
caption { text-align: left; font-weight: 600; font-size: 14px; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px 4px 0; vertical-align: top; text-align: left; }
th { font-weight: 600; color: var(--muted); border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; padding-left: 10px; }
td.num { white-space: nowrap; }
.table { overflow-x: auto; max-width: 100%; }
td.long { min-width: 16em; max-width: 560px; overflow-wrap: break-word; }
table.wide { width: 100%; }
figure { margin: 14px 0; }
figure .pic { overflow-x: auto; }
figure svg { max-width: 100%; max-height: 1100px; width: auto; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.row { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }
footer { margin-top: 44px; padding-top: 10px; border-top: 2px solid var(--line); color: var(--muted);
         font-size: 13px; }
footer dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
footer dt { font-weight: 600; }
footer dd { margin: 0; }
@page { size: A4; margin: 14mm; }
@page wide { size: A4 landscape; margin: 14mm; }
@media screen { figure.pw-print { display: none; } }
@media print {
  figure.pw-screen { display: none !important; }
  figure.pw-landscape { page: wide; }
  figure.pw-landscape svg { max-height: 165mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav.contents { display: none; }
  figure, table, .finding { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .row { display: block; }
  figure svg { max-height: 240mm; }
  a { color: inherit; text-decoration: none; }
}
"""

#: No resource of any kind may be fetched; inline styles and data images only.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def esc(value) -> str:
    """Text for HTML: ``&``, ``<``, ``>`` and both quotes escaped; control and bidi-override characters dropped.

    Examples
    --------
    >>> esc('<b onclick="x">\u202e5 >\x1b[2J')
    '&lt;b onclick=&quot;x&quot;&gt;5 &gt;[2J'
    """
    return html.escape(UNSAFE.sub("", "" if value is None else str(value)), quote=True)


class Page:
    """Writes the report's HTML; figure ids are numbered across the page."""

    def __init__(self, fmt: Formatter):
        self.fmt = fmt
        self._n = 0
        self._live = False  # an interactive map on the page: its script and style go in once

    def table(self, tb: Table) -> str:
        rows = tb.display(self.fmt)
        numeric = [c.kind != "text" for c in tb.cols]
        long = [c.kind == "text" and bool(len(tb.df)) and tb.df[c.key].astype(str).str.len().max() > 30
                for c in tb.cols]
        head = "".join(f'<th class="num">{esc(c.label)}</th>' if n else f"<th>{esc(c.label)}</th>"
                       for c, n in zip(tb.cols, numeric))
        body = []
        for r in rows:
            cells = []
            for v, n, lg in zip(r, numeric, long):
                cls = ' class="num"' if n else (' class="long"' if lg else "")
                cells.append(f"<td{cls}>{esc(v)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        out = (f'<div class="table"><table id="table-{esc(tb.name)}"><caption>{esc(tb.title)}</caption>'
               f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")
        if tb.note:
            out += f'<p class="note">{esc(tb.note)}</p>'
        return out

    def figure(self, fig: Figure) -> str:
        self._n += 1
        try:
            svg = inline_svg(fig.picture.svg(), f"f{self._n}_")
        except RenderError as exc:  # no layout engine, or it failed: say so instead of a picture
            svg = f'<p class="note">{esc(exc)}</p>'
        cap = esc(fig.caption)
        classes = [c for c, on in (("pw-screen", fig.media == "screen"), ("pw-print", fig.media == "print"),
                                   ("pw-landscape", fig.page == "landscape")) if on]
        cls = f' class="{" ".join(classes)}"' if classes else ""
        return (f'<figure id="figure-{esc(fig.name)}"{cls} aria-label="{esc(fig.title)}"><div class="pic">{svg}</div>'
                f"<figcaption>{cap}</figcaption></figure>")

    def block(self, b) -> str:
        if isinstance(b, Table):
            return "" if b.hidden else self.table(b)
        if isinstance(b, Figure):
            return self.figure(b)
        if isinstance(b, Row):
            inner = "".join(self.block(x) for x in b.items)
            return f'<div class="row">{inner}</div>'
        if isinstance(b, Note):
            return f'<p class="note">{esc(b.text)}</p>'
        if isinstance(b, Live):
            self._live = True
            return b.picture.fragment(script=False, replaces=f"figure-{b.replaces}")
        raise TypeError(f"not a report block: {type(b).__name__}")

    def section(self, s: Section) -> str:
        finding = " ".join(esc(x) for x in s.finding)
        blocks = "".join(self.block(b) for b in s.blocks)
        return (f'<section id="{esc(s.key)}"><h2>{esc(s.title)}</h2>'
                f'<div class="finding"><p>{finding}</p></div>{blocks}</section>')

    def page(self, *, title: str, subtitle: str, lang: str, contents_title: str, main_title: str,
             main_findings: list[tuple[str, str]], empty_main: str, sections: list[Section],
             footer: str, parameters: list[tuple[str, str]], version: str) -> str:
        toc = "".join(f'<li><a href="#{esc(s.key)}">{esc(s.title)}</a></li>' for s in sections)
        if main_findings:
            items = "".join(f'<li>{esc(text)} <a href="#{esc(key)}">→</a></li>' for text, key in main_findings)
            main = f"<ul>{items}</ul>"
        else:
            main = f"<p>{esc(empty_main)}</p>"
        params = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in parameters)
        body = "".join(self.section(s) for s in sections)
        policy, style, script = CSP, CSS, ""
        if self._live:
            from ..render import interactive

            policy, style = interactive.csp(), CSS + interactive.CSS
            script = f"<script>{interactive.script()}</script>\n"
        return (
            "<!DOCTYPE html>\n"
            f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="generator" content="pathways">\n'
            f"<title>{esc(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n<main>\n"
            f'<header><h1>{esc(title)}</h1><p class="sub">{esc(subtitle)}</p></header>\n'
            f'<nav class="contents"><h2>{esc(contents_title)}</h2><ol>{toc}</ol></nav>\n'
            f'<section id="main-findings"><h2>{esc(main_title)}</h2>{main}</section>\n'
            f"{body}\n"
            f'<footer><p>{esc(footer)}</p><dl>{params}</dl><p>{esc(version)}</p></footer>\n'
            f"</main>\n{script}</body>\n</html>\n")


__all__ = ["Page", "CSS", "CSP", "esc"]
