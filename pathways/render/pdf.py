"""SVG -> PDF without Graphviz: a small writer of vector PDF for the SVG the layout engines write.

:func:`svg_to_pdf` turns the SVG of a :class:`~pathways.render.diagram.Diagram` (from the system ``dot`` or
from ``graphviz-pure``, which cannot write PDF) into a one-page PDF 1.4 the size of the drawing, in points.
It draws what Graphviz writes: ``<g transform>``, ``<polygon>``, ``<polyline>``, ``<path>`` (M, L, H, V, C,
S, Q, T, Z), ``<ellipse>``, ``<circle>``, ``<rect>``, ``<line>`` and ``<text>``, with fill, stroke, stroke
width, dashes and opacity; ``<a>`` is descended into, ``<title>`` and any other element are skipped.

Text is set in the standard PDF fonts (Helvetica, Times or Courier by the font-family, bold and italic by
font-weight and font-style) with WinAnsiEncoding, so Danish letters (æ ø å Æ Ø Å é ü) and – — · × print;
Greek letters, arrows and mathematical signs (τ → ≤ ≥ ...) come from the standard Symbol font and ● ■ ▲ ▼ ◆ ✓
from ZapfDingbats. Any other character is printed as ``?``. Widths for ``text-anchor`` middle and end are
measured with the fonts' standard metrics (Adobe's AFM widths of the 14 standard fonts). No font is embedded:
every PDF reader carries these fonts.
"""

from __future__ import annotations

import functools
import math
import re
import xml.etree.ElementTree as ET
import zlib

from ..layout import RenderError

#: Widths (1/1000 em) of the WinAnsi codes 32..255, two base-36 digits a code (the AFM widths of the
#: standard fonts; 00 where WinAnsi has no character). Oblique Helvetica has the upright widths; italic
#: Times is measured with the upright widths (a few per cent off); Courier is 600 throughout.
_WIDTHS = {
    "Helvetica": (
        "7q7q9vfgfgopij5b9999atg87q997q7qfgfgfgfgfgfgfgfgfgfg7q7qg8g8g8fgs7ijijk2k2ijgzlmk27qdwijfgn5k2lm"
        "ijlmk2ijgzk2ijq8ijijgz7q7q7qd1fg99fgfgdwfgfg7qfgfg6666dw66n5fgfgfgfg99dw7qfgdwk2dwdwdw9a789ag800"
        "fg0066fg99rsfgfg99rsij99rs00gz0000666699999qfgrs99rsdw99q800dwij7q99fgfgfgfg78fg99khaafgg899kh99"
        "b4g8999999fgex7q9999a5fgn6n6n6gzijijijijijijrsk2ijijijij7q7q7q7qk2k2lmlmlmlmlmg8lmk2k2k2k2ijijgz"
        "fgfgfgfgfgfgopdwfgfgfgfg7q7q7q7qfgfgfgfgfgfgfgg8gzfgfgfgfgdwfgdw"
    ),
    "Helvetica-Bold": (
        "7q99d6fgfgopk26m9999atg87q997q7qfgfgfgfgfgfgfgfgfgfg9999g8g8g8gzr3k2k2k2k2ijgzlmk27qfgk2gzn5k2lm"
        "ijlmk2ijgzk2ijq8ijijgz997q99g8fg99fggzfggzfg99gzgz7q7qfg7qopgzgzgzgzatfg99gzfglmfgfgdwat7satg800"
        "fg007qfgdwrsfgfg99rsij99rs00gz00007q7qdwdw9qfgrs99rsfg99q800dwij7q99fgfgfgfg7sfg99khaafgg899kh99"
        "b4g8999999gzfg7q9999a5fgn6n6n6gzk2k2k2k2k2k2rsk2ijijijij7q7q7q7qk2k2lmlmlmlmlmg8lmk2k2k2k2ijijgz"
        "fgfgfgfgfgfgopfgfgfgfgfg7q7q7q7qgzgzgzgzgzgzgzg8gzgzgzgzgzfggzfg"
    ),
    "Times-Roman": (
        "6y99bcdwdwn5lm509999dwfo6y996y7qdwdwdwdwdwdwdwdwdwdw7q7qfofofoccplk2ijijk2gzfgk2k299atk2gzopk2k2"
        "fgk2ijfggzk2k2q8k2k2gz997q99d1dw99ccdwccdwcc99dwdw7q7qdw7qlmdwdwdwdw99at7qdwdwk2dwdwccdc5kdcf100"
        "dw0099dwccrsdwdw99rsfg99op00gz00009999cccc9qdwrs99r8at99k200cck26y99dwdwdwdw5kdw99l47odwfo99l499"
        "b4fo8c8c99dwcl6y998c8mdwkukukucck2k2k2k2k2k2opijgzgzgzgz99999999k2k2k2k2k2k2k2fok2k2k2k2k2k2fgdw"
        "ccccccccccccijcccccccccc7q7q7q7qdwdwdwdwdwdwdwfodwdwdwdwdwdwdwdw"
    ),
    "Times-Bold": (
        "6y99ffdwdwrsn57q9999dwfu6y996y7qdwdwdwdwdwdwdwdwdwdw9999fufufudwpuk2ijk2k2ijgzlmlmatdwlmijq8k2lm"
        "gzlmk2fgijk2k2rsk2k2ij997q99g5dw99dwfgccfgcc99dwfg7q99fg7qn5fgdwfgfgccat99fgdwk2dwdwccay64ayeg00"
        "dw0099dwdwrsdwdw99rsfg99rs00ij00009999dwdw9qdwrs99rsat99k200cck26y99dwdwdwdw64dw99kr8cdwfu99kr99"
        "b4fu8c8c99fgf06y998c96dwkukukudwk2k2k2k2k2k2rsk2ijijijijatatatatk2k2lmlmlmlmlmfulmk2k2k2k2k2gzfg"
        "dwdwdwdwdwdwk2cccccccccc7q7q7q7qdwfgdwdwdwdwdwfudwfgfgfgfgdwfgdw"
    ),
}
#: The Symbol font's characters that WinAnsi lacks: the character, its code, its width (base 36, two digits).
_SYMBOL = (
    (
        "∀∃∋∗−≅ΑΒΧ∆ΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ∴⊥αβχδεφγηιϕκλνοπθρστυϖωξψζ∼"
        "ϒ′≤⁄∞♣♦♥♠↔←↑→↓″≥∝∂≠≡≈↵ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉∠∇∏√⋅∧∨⇔⇐⇑⇒⇓◊〈∑〉∫⌠⌡ΔμΩ"
    ),
    (
        "0y101316191s1t1u1v1w1x1y1z202122232425262728292a2b2c2d2e2f2g2h2i2k2m2p2q2r2s2t2u2v2w2x2y2z303233"
        "3435363738393a3b3c3d3e3i4h4i4j4k4l4n4o4p4q4r4s4t4u4v4y4z51525556575b5c5d5e5f5g5h5i5j5k5l5m5n5o5p"
        "5q5r5s5t5x5y5z6162636465666768696d6p6q6r6t1w312f"
    ),
    (
        "jtf9c7dwf9f9k2ijk2h0gzl7grk299hjk2j2opk2k2lcklfggggzj6c7lchxm3gznziahjf9f9dqc7ehbfgr95grf9f9ehf9"
        "f9ehf9grc7g0jtj2dpj2dqf9h86vf94njtkxkxkxkxsyrfgrrfgrbff9jtdqf9f9f9iamvj2m3rflclcmvlclcjtjtjtjtjt"
        "jtjtlcjtmvf96ygrgrsyrfgrrfgrdq95jt957mj2j2h0g0lc"
    ),
)
#: ZapfDingbats: character -> (code, width).
_DINGBATS = {"●": (0x6C, 791), "■": (0x6E, 761), "▲": (0x73, 892), "▼": (0x74, 892), "◆": (0x75, 788),
             "★": (0x48, 816), "✓": (0x33, 755), "✔": (0x34, 846), "✕": (0x35, 762), "✗": (0x37, 571)}
#: The SVG colour names (Graphviz writes a colour by name when SVG knows the name).
_COLOURS = (
    "aliceblue:f0f8ff antiquewhite:faebd7 aqua:00ffff aquamarine:7fffd4 azure:f0ffff beige:f5f5dc "
    "bisque:ffe4c4 black:000000 blanchedalmond:ffebcd blue:0000ff blueviolet:8a2be2 brown:a52a2a "
    "burlywood:deb887 cadetblue:5f9ea0 chartreuse:7fff00 chocolate:d2691e coral:ff7f50 "
    "cornflowerblue:6495ed cornsilk:fff8dc crimson:dc143c cyan:00ffff darkblue:00008b darkcyan:008b8b "
    "darkgoldenrod:b8860b darkgray:a9a9a9 darkgreen:006400 darkgrey:a9a9a9 darkkhaki:bdb76b "
    "darkmagenta:8b008b darkolivegreen:556b2f darkorange:ff8c00 darkorchid:9932cc darkred:8b0000 "
    "darksalmon:e9967a darkseagreen:8fbc8f darkslateblue:483d8b darkslategray:2f4f4f darkslategrey:2f4f4f "
    "darkturquoise:00ced1 darkviolet:9400d3 deeppink:ff1493 deepskyblue:00bfff dimgray:696969 "
    "dimgrey:696969 dodgerblue:1e90ff firebrick:b22222 floralwhite:fffaf0 forestgreen:228b22 "
    "fuchsia:ff00ff gainsboro:dcdcdc ghostwhite:f8f8ff gold:ffd700 goldenrod:daa520 gray:808080 "
    "green:008000 greenyellow:adff2f grey:808080 honeydew:f0fff0 hotpink:ff69b4 indianred:cd5c5c "
    "indigo:4b0082 ivory:fffff0 khaki:f0e68c lavender:e6e6fa lavenderblush:fff0f5 lawngreen:7cfc00 "
    "lemonchiffon:fffacd lightblue:add8e6 lightcoral:f08080 lightcyan:e0ffff lightgoldenrodyellow:fafad2 "
    "lightgray:d3d3d3 lightgreen:90ee90 lightgrey:d3d3d3 lightpink:ffb6c1 lightsalmon:ffa07a "
    "lightseagreen:20b2aa lightskyblue:87cefa lightslategray:778899 lightslategrey:778899 "
    "lightsteelblue:b0c4de lightyellow:ffffe0 lime:00ff00 limegreen:32cd32 linen:faf0e6 magenta:ff00ff "
    "maroon:800000 mediumaquamarine:66cdaa mediumblue:0000cd mediumorchid:ba55d3 mediumpurple:9370db "
    "mediumseagreen:3cb371 mediumslateblue:7b68ee mediumspringgreen:00fa9a mediumturquoise:48d1cc "
    "mediumvioletred:c71585 midnightblue:191970 mintcream:f5fffa mistyrose:ffe4e1 moccasin:ffe4b5 "
    "navajowhite:ffdead navy:000080 oldlace:fdf5e6 olive:808000 olivedrab:6b8e23 orange:ffa500 "
    "orangered:ff4500 orchid:da70d6 palegoldenrod:eee8aa palegreen:98fb98 paleturquoise:afeeee "
    "palevioletred:db7093 papayawhip:ffefd5 peachpuff:ffdab9 peru:cd853f pink:ffc0cb plum:dda0dd "
    "powderblue:b0e0e6 purple:800080 rebeccapurple:663399 red:ff0000 rosybrown:bc8f8f royalblue:4169e1 "
    "saddlebrown:8b4513 salmon:fa8072 sandybrown:f4a460 seagreen:2e8b57 seashell:fff5ee sienna:a0522d "
    "silver:c0c0c0 skyblue:87ceeb slateblue:6a5acd slategray:708090 slategrey:708090 snow:fffafa "
    "springgreen:00ff7f steelblue:4682b4 tan:d2b48c teal:008080 thistle:d8bfd8 tomato:ff6347 "
    "turquoise:40e0d0 violet:ee82ee wheat:f5deb3 white:ffffff whitesmoke:f5f5f5 yellow:ffff00 "
    "yellowgreen:9acd32"
)
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: The DOCTYPE every Graphviz SVG starts with (an external DTD that is never fetched); any other is refused.
_SVG_DOCTYPE = re.compile(r'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1\.1//EN"\s+'
                          r'"http://www\.w3\.org/Graphics/SVG/1\.1/DTD/svg11\.dtd">')
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|" + _NUMBER.pattern)
_UNITS = {"pt": 1.0, "px": 0.75, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pc": 12.0, "": 0.75}
_KAPPA = 0.5522847498  # control-point distance of a quarter circle drawn with one cubic Bézier
#: Presentation attributes a child inherits from its group (SVG's initial values).
_INHERITED = {"fill": "black", "stroke": "none", "stroke-width": "1", "stroke-dasharray": "none",
              "fill-opacity": "1", "stroke-opacity": "1", "fill-rule": "nonzero", "font-family": "Times",
              "font-size": "16", "font-weight": "normal", "font-style": "normal", "text-anchor": "start"}


def svg_to_pdf(svg: str) -> bytes:
    """A one-page vector PDF (1.4) of ``svg``, the page the size of the SVG's width and height in points.

    Parameters
    ----------
    svg : str
        SVG text as Graphviz writes it (system ``dot`` or ``graphviz-pure``).

    Returns
    -------
    bytes
        The PDF file.

    Raises
    ------
    RenderError
        The text is not well-formed XML, has a DOCTYPE other than the standard SVG 1.1 one (entities are
        never expanded), or its root is not ``<svg>``.

    Examples
    --------
    >>> pdf = svg_to_pdf('<svg xmlns="http://www.w3.org/2000/svg" width="100pt" height="50pt">'
    ...                  '<rect x="10" y="10" width="30" height="20" fill="#ff0000"/></svg>')
    >>> pdf[:8], b"/MediaBox [0 0 100 50]" in pdf
    (b'%PDF-1.4', True)
    """
    root = _parse(svg)
    width, height, base = _page(root)
    painter = _Painter(_gradients(root))
    painter.ops.append(_cm(_multiply(base, (1, 0, 0, -1, 0, height))))
    painter.draw_children(root, dict(_INHERITED), 1.0)
    return _document(width, height, "\n".join(painter.ops).encode("latin-1"), painter.fonts, painter.states)


# --- parsing -------------------------------------------------------------------------------------------
def _parse(svg: str) -> ET.Element:
    """The root element; a DOCTYPE other than SVG 1.1's (and so any entity) is refused before parsing."""
    if not isinstance(svg, str):
        raise RenderError(f"svg_to_pdf takes SVG text (str); found {type(svg).__name__}. Pass Diagram.svg().")
    text = _SVG_DOCTYPE.sub("", svg, count=1)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise RenderError("the SVG has a DOCTYPE or entity declaration, which is never expanded; expected the SVG "
                          "a layout engine writes (no DOCTYPE but the standard SVG 1.1 one). Remove the declaration.")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        raise RenderError(f"the SVG is not well-formed XML ({err}); expected the SVG a layout engine writes. "
                          "Draw it again with Diagram.svg().") from None
    if _tag(root) != "svg":
        raise RenderError(f"the document's root element is <{_tag(root)}>; expected <svg>. Pass SVG text.")
    return root


def _tag(el: ET.Element) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""  # comments and processing instructions have no str tag
    return tag.rsplit("}", 1)[-1]


def _numbers(text: str | None) -> list[float]:
    return [float(x) for x in _NUMBER.findall(text or "")]


def _number(text: str | None, default: float = 0.0) -> float:
    found = _NUMBER.match((text or "").strip())
    return float(found.group()) if found else default


def _length_pt(text: str | None) -> float | None:
    """An SVG length ("709pt", "300px", "2in", "150") in points; None when absent or not a length."""
    found = re.fullmatch(r"\s*(" + _NUMBER.pattern + r")\s*(pt|px|in|cm|mm|pc|)\s*", text or "")
    return float(found.group(1)) * _UNITS[found.group(2)] if found else None


def _page(root: ET.Element) -> tuple[float, float, tuple]:
    """Page width and height in points and the transform from the viewBox to the page (preserveAspectRatio
    as SVG's default, ``xMidYMid meet``)."""
    box = _numbers(root.get("viewBox"))
    box = box if len(box) == 4 and box[2] > 0 and box[3] > 0 else None
    width, height = _length_pt(root.get("width")), _length_pt(root.get("height"))
    if width is None:
        width = box[2] * 0.75 if box else 595.0
    if height is None:
        height = box[3] * 0.75 if box else 842.0
    if box is None:
        return width, height, (0.75, 0, 0, 0.75, 0, 0)  # user units are px
    s = min(width / box[2], height / box[3])
    return width, height, (s, 0, 0, s, (width - box[2] * s) / 2 - box[0] * s, (height - box[3] * s) / 2 - box[1] * s)


def _transform(text: str | None) -> tuple | None:
    """The matrix (a, b, c, d, e, f) of an SVG transform list; None when it is the identity or absent."""
    m = (1, 0, 0, 1, 0, 0)
    for name, args in re.findall(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)", text or ""):
        v = _numbers(args)
        if name == "matrix" and len(v) == 6:
            step = tuple(v)
        elif name == "translate" and v:
            step = (1, 0, 0, 1, v[0], v[1] if len(v) > 1 else 0)
        elif name == "scale" and v:
            step = (v[0], 0, 0, v[1] if len(v) > 1 else v[0], 0, 0)
        elif name == "rotate" and v:
            a = math.radians(v[0])
            step = (math.cos(a), math.sin(a), -math.sin(a), math.cos(a), 0, 0)
            if len(v) == 3:  # rotate(a cx cy) = translate(cx cy) rotate(a) translate(-cx -cy)
                step = _multiply(_multiply((1, 0, 0, 1, -v[1], -v[2]), step), (1, 0, 0, 1, v[1], v[2]))
        elif name in ("skewX", "skewY") and v:
            t = math.tan(math.radians(v[0]))
            step = (1, 0, t, 1, 0, 0) if name == "skewX" else (1, t, 0, 1, 0, 0)
        else:
            continue
        m = _multiply(step, m)  # the rightmost transform applies first
    return None if all(abs(x - y) < 1e-12 for x, y in zip(m, (1, 0, 0, 1, 0, 0))) else m


def _multiply(inner: tuple, outer: tuple) -> tuple:
    """The matrix that applies ``inner`` first, then ``outer`` (PDF's row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _colour(text: str | None, gradients: dict) -> tuple[float, float, float] | None:
    """RGB in 0..1 of an SVG paint; None for none, transparent or a paint not understood."""
    text = (text or "").strip().lower()
    if text.startswith("url("):
        found = re.match(r"url\(\s*#([^)\s]+)\s*\)", text)
        return gradients.get(found.group(1)) if found else None
    if text.startswith("#") and len(text) in (4, 7, 9) and re.fullmatch(r"#[0-9a-f]+", text):
        h = "".join(ch * 2 for ch in text[1:4]) if len(text) == 4 else text[1:7]
        return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    found = re.fullmatch(r"rgb\(\s*([\d.]+)(%?)\s*,\s*([\d.]+)(%?)\s*,\s*([\d.]+)(%?)\s*\)", text)
    if found:
        g = found.groups()
        return tuple(min(float(g[i]) / (100 if g[i + 1] else 255), 1.0) for i in (0, 2, 4))
    h = _named_colours().get(text)
    return None if h is None else tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))


@functools.cache
def _named_colours() -> dict[str, str]:
    return dict(pair.split(":") for pair in _COLOURS.split())


def _gradients(root: ET.Element) -> dict:
    """A gradient's id -> the colour of its first stop (a gradient fill is drawn in that one colour)."""
    found = {}
    for el in root.iter():
        if _tag(el) in ("linearGradient", "radialGradient") and el.get("id"):
            stop = next((s for s in el if _tag(s) == "stop"), None)
            if stop is not None:
                colour = _colour(_style(stop).get("stop-color") or stop.get("stop-color"), {})
                if colour is not None:
                    found[el.get("id")] = colour
    return found


def _style(el: ET.Element) -> dict:
    """The properties of an inline ``style="fill:red; stroke:none"`` attribute."""
    pairs = (item.split(":", 1) for item in (el.get("style") or "").split(";") if ":" in item)
    return {k.strip(): v.strip() for k, v in pairs}


# --- text ----------------------------------------------------------------------------------------------
@functools.cache
def _widths(font: str) -> tuple[int, ...]:
    """The widths of WinAnsi codes 32..255 in the standard font ``font`` (1/1000 em)."""
    if font.startswith("Courier"):
        return (600,) * 224
    key = ("Times" if font.startswith("Times") else "Helvetica") + ("-Bold" if "Bold" in font else "")
    key = "Times-Roman" if key == "Times" else key
    table = _WIDTHS[key]
    return tuple(int(table[i:i + 2], 36) for i in range(0, len(table), 2))


@functools.cache
def _symbols() -> dict[str, tuple[int, int]]:
    chars, codes, widths = _SYMBOL
    return {ch: (int(codes[2 * i:2 * i + 2], 36), int(widths[2 * i:2 * i + 2], 36)) for i, ch in enumerate(chars)}


def _font_name(family: str, weight: str, style: str) -> str:
    """The standard font for an SVG font-family list, font-weight and font-style."""
    base = "Helvetica"
    for name in (f.strip().strip("'\"").lower() for f in family.split(",")):
        if "courier" in name or "mono" in name:
            base = "Courier"
            break
        if "times" in name or name == "serif":
            base = "Times"
            break
        if name in ("helvetica", "arial", "sans-serif", "sans") or "sans" in name:
            break
    bold = weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600)
    italic = style in ("italic", "oblique")
    variant = ("Bold" if bold else "") + (("Italic" if base == "Times" else "Oblique") if italic else "")
    if base == "Times":
        return "Times-" + (variant or "Roman")
    return base + ("-" + variant if variant else "")


def _runs(text: str, font: str) -> list[tuple[str, bytes, int]]:
    """``text`` as runs of (standard font, codes, width in 1/1000 em): WinAnsi in ``font``, else Symbol or
    ZapfDingbats, else ``?``."""
    widths, symbols = _widths(font), _symbols()
    runs: list[tuple[str, bytearray, int]] = []
    for ch in text:
        try:
            code = ch.encode("cp1252")[0]
        except UnicodeEncodeError:
            code = -1
        if 32 <= code != 127 and widths[code - 32]:
            face, width = font, widths[code - 32]
        elif ch in symbols:
            face, (code, width) = "Symbol", symbols[ch]
        elif ch in _DINGBATS:
            face, (code, width) = "ZapfDingbats", _DINGBATS[ch]
        else:
            face, code, width = font, ord("?"), widths[ord("?") - 32]
        if runs and runs[-1][0] == face:
            runs[-1][1].append(code)
            runs[-1] = (face, runs[-1][1], runs[-1][2] + width)
        else:
            runs.append((face, bytearray([code]), width))
    return [(face, bytes(codes), width) for face, codes, width in runs]


def _string(data: bytes) -> str:
    """A PDF literal string: ``\\``, ``(`` and ``)`` escaped, bytes outside printable ASCII as octal."""
    return "(" + "".join(f"\\{b:03o}" if b < 32 or b > 126 else ("\\" + chr(b) if b in b"\\()" else chr(b))
                         for b in data) + ")"


# --- drawing -------------------------------------------------------------------------------------------
def _n(value: float) -> str:
    """A number as PDF writes it: at most three decimals, no trailing zeros, never ``-0``."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _cm(m: tuple) -> str:
    return " ".join(_n(v) for v in m) + " cm"


class _Painter:
    """Walks the SVG tree and collects content-stream operators, the fonts used and the opacity states."""

    def __init__(self, gradients: dict):
        self.gradients = gradients
        self.ops: list[str] = []
        self.fonts: list[str] = []  # standard font names, /F1 is fonts[0]
        self.states: list[tuple[float, float]] = []  # (fill, stroke) opacity, /GS1 is states[0]

    def draw_children(self, parent: ET.Element, props: dict, opacity: float) -> None:
        for el in parent:
            tag = _tag(el)
            if tag in ("title", "desc", "metadata", "defs", "style", "script", "clipPath", "mask", "symbol",
                       "marker", "linearGradient", "radialGradient", "pattern", ""):
                continue
            own = {k: v for k, v in el.attrib.items() if k in _INHERITED or k in ("opacity", "display",
                                                                                    "visibility")}
            own.update(_style(el))
            if own.get("display") == "none" or own.get("visibility") in ("hidden", "collapse"):
                continue
            here = {**props, **{k: v for k, v in own.items() if k in _INHERITED}}
            alpha = opacity * min(max(_number(own.get("opacity"), 1.0), 0.0), 1.0)
            matrix = _transform(el.get("transform"))
            if matrix is not None:
                self.ops.append("q " + _cm(matrix))
            if tag in ("g", "a", "switch"):
                self.draw_children(el, here, alpha)
            elif tag == "text":
                self.text(el, here, alpha)
            else:
                self.shape(tag, el, here, alpha)
            if matrix is not None:
                self.ops.append("Q")

    def shape(self, tag: str, el: ET.Element, props: dict, opacity: float) -> None:
        path = _outline(tag, el)
        if not path:
            return  # an element not drawn (unknown, empty, or a path with a command not understood)
        fill = _colour(props["fill"], self.gradients)
        stroke = _colour(props["stroke"], self.gradients)
        width = _number(props["stroke-width"], 1.0)
        if width <= 0:
            stroke = None
        if fill is None and stroke is None:
            return
        ops = ["q"]
        state = self.state(opacity * _unit(props["fill-opacity"]) if fill else 1.0,
                           opacity * _unit(props["stroke-opacity"]) if stroke else 1.0)
        if state:
            ops.append(state)
        if fill:
            ops.append(" ".join(_n(c) for c in fill) + " rg")
        if stroke:
            ops.append(" ".join(_n(c) for c in stroke) + " RG")
            if width != 1:
                ops.append(_n(width) + " w")
            dashes = [abs(v) for v in _numbers(props["stroke-dasharray"])]
            if dashes and sum(dashes) > 0:
                dashes = dashes * 2 if len(dashes) % 2 else dashes
                ops.append("[" + " ".join(_n(v) for v in dashes) + "] 0 d")
        ops.extend(path)
        even = "*" if props["fill-rule"] == "evenodd" else ""
        ops.append(("B" + even) if fill and stroke else ("f" + even) if fill else "S")
        self.ops.append(" ".join(ops) + " Q")

    def text(self, el: ET.Element, props: dict, opacity: float) -> None:
        text = "".join(el.itertext())
        if el.get(_XML_SPACE) == "preserve":
            text = re.sub(r"[\t\r\n]", " ", text)
        else:
            text = re.sub(r"\s+", " ", text).strip()
        fill = _colour(props["fill"], self.gradients)
        size = _number(props["font-size"], 16.0)
        if not text or fill is None or size <= 0:
            return
        runs = _runs(text, _font_name(props["font-family"], props["font-weight"], props["font-style"]))
        advance = sum(width for _, _, width in runs) * size / 1000
        x = (_numbers(el.get("x")) or [0.0])[0]
        y = (_numbers(el.get("y")) or [0.0])[0]
        x -= {"middle": advance / 2, "end": advance}.get(props["text-anchor"], 0.0)
        ops = ["q"]
        state = self.state(opacity * _unit(props["fill-opacity"]), 1.0)
        if state:
            ops.append(state)
        ops += [" ".join(_n(c) for c in fill) + " rg", "BT"]
        for i, (face, codes, _) in enumerate(runs):
            ops.append(f"/F{self.font(face)} {_n(size)} Tf")
            if i == 0:
                ops.append(f"1 0 0 -1 {_n(x)} {_n(y)} Tm")  # the page is flipped to SVG's y-down: unflip glyphs
            ops.append(_string(codes) + " Tj")
        self.ops.append(" ".join(ops) + " ET Q")

    def font(self, name: str) -> int:
        if name not in self.fonts:
            self.fonts.append(name)
        return self.fonts.index(name) + 1

    def state(self, fill_alpha: float, stroke_alpha: float) -> str:
        """The ``/GSn gs`` operator for these opacities; empty when both are 1."""
        key = (round(fill_alpha, 3), round(stroke_alpha, 3))
        if key == (1.0, 1.0):
            return ""
        if key not in self.states:
            self.states.append(key)
        return f"/GS{self.states.index(key) + 1} gs"


def _unit(text: str) -> float:
    return min(max(_number(text, 1.0), 0.0), 1.0)


def _outline(tag: str, el: ET.Element) -> list[str]:
    """The path-construction operators of a shape element; empty when there is nothing to draw."""
    if tag in ("polygon", "polyline"):
        v = _numbers(el.get("points"))
        points = list(zip(v[0::2], v[1::2]))
        if tag == "polygon" and len(points) > 2 and points[-1] == points[0]:
            points.pop()  # Graphviz repeats the first point; "h" closes the outline
        if len(points) < 2:
            return []
        ops = [f"{_n(points[0][0])} {_n(points[0][1])} m"] + [f"{_n(x)} {_n(y)} l" for x, y in points[1:]]
        return ops + (["h"] if tag == "polygon" else [])
    if tag == "path":
        return _path(el.get("d") or "")
    if tag in ("ellipse", "circle"):
        cx, cy = _number(el.get("cx")), _number(el.get("cy"))
        rx = _number(el.get("r" if tag == "circle" else "rx"))
        ry = rx if tag == "circle" else _number(el.get("ry"))
        return _ellipse(cx, cy, rx, ry) if rx > 0 and ry > 0 else []
    if tag == "rect":
        w, h = _number(el.get("width")), _number(el.get("height"))
        return [f"{_n(_number(el.get('x')))} {_n(_number(el.get('y')))} {_n(w)} {_n(h)} re"] if w > 0 and h > 0 else []
    if tag == "line":
        x1, y1, x2, y2 = (_number(el.get(k)) for k in ("x1", "y1", "x2", "y2"))
        return [f"{_n(x1)} {_n(y1)} m", f"{_n(x2)} {_n(y2)} l"]
    return []


def _ellipse(cx: float, cy: float, rx: float, ry: float) -> list[str]:
    """An ellipse as four cubic Béziers, starting at its rightmost point."""
    kx, ky = _KAPPA * rx, _KAPPA * ry
    quarters = [((cx + rx, cy + ky), (cx + kx, cy + ry), (cx, cy + ry)),
                ((cx - kx, cy + ry), (cx - rx, cy + ky), (cx - rx, cy)),
                ((cx - rx, cy - ky), (cx - kx, cy - ry), (cx, cy - ry)),
                ((cx + kx, cy - ry), (cx + rx, cy - ky), (cx + rx, cy))]
    return ([f"{_n(cx + rx)} {_n(cy)} m"] + [" ".join(f"{_n(x)} {_n(y)}" for x, y in q) + " c" for q in quarters]
            + ["h"])


def _path(d: str) -> list[str]:
    """The operators of SVG path data (absolute and relative M L H V C S Q T Z); empty when the data holds an
    arc (A) or is malformed, and the path is then not drawn."""
    tokens = _PATH_TOKEN.findall(d)
    ops: list[str] = []
    x = y = sx = sy = 0.0
    last_ctrl = None  # the previous segment's last control point (for S and T), with its kind ("c" or "q")
    i, command = 0, ""
    counts = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "Z": 0}
    while i < len(tokens):
        if tokens[i].isalpha():
            command, i = tokens[i], i + 1
            if command.upper() == "A":
                return []
        elif not command:
            return []
        upper, rel = command.upper(), command.islower()
        n = counts[upper]
        args = [float(t) for t in tokens[i:i + n]]
        if len(args) < n or any(t.isalpha() for t in tokens[i:i + n]):
            return []
        i += n
        if upper == "Z":
            ops.append("h")
            x, y, last_ctrl = sx, sy, None
            if i < len(tokens) and not tokens[i].isalpha():
                return []
            continue
        if upper == "H":
            args = [args[0] + (x if rel else 0), y]
        elif upper == "V":
            args = [x, args[0] + (y if rel else 0)]
        elif rel:
            args = [v + (x if k % 2 == 0 else y) for k, v in enumerate(args)]
        if upper == "M":
            ops.append(f"{_n(args[0])} {_n(args[1])} m")
            x, y = sx, sy = args
            command = "l" if rel else "L"  # further pairs after a moveto are linetos
            last_ctrl = None
            continue
        if upper in ("L", "H", "V"):
            ops.append(f"{_n(args[0])} {_n(args[1])} l")
            (x, y), last_ctrl = args, None
            continue
        if upper in ("S", "T"):  # the first control point mirrors the previous one of the same kind
            kind = "c" if upper == "S" else "q"
            mirror = (2 * x - last_ctrl[1][0], 2 * y - last_ctrl[1][1]) if last_ctrl and last_ctrl[0] == kind \
                else (x, y)
            args = [*mirror, *args]
            upper = "C" if upper == "S" else "Q"
        if upper == "Q":
            (qx, qy, ex, ey) = args
            args = [x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y), ex + 2 / 3 * (qx - ex), ey + 2 / 3 * (qy - ey), ex, ey]
            last_ctrl = ("q", (qx, qy))
        else:
            last_ctrl = ("c", (args[2], args[3]))
        ops.append(" ".join(_n(v) for v in args) + " c")
        x, y = args[4], args[5]
    return ops


# --- the file ------------------------------------------------------------------------------------------
def _document(width: float, height: float, content: bytes, fonts: list[str], states: list) -> bytes:
    """A PDF 1.4 file with one page, its content stream compressed, and a cross-reference table."""
    stream = zlib.compress(content, 9)
    font_refs = " ".join(f"/F{i} {5 + i - 1} 0 R" for i in range(1, len(fonts) + 1))
    gs = " ".join(f"/GS{i} << /Type /ExtGState /ca {_n(f)} /CA {_n(s)} >>" for i, (f, s) in enumerate(states, 1))
    resources = (f"/Font << {font_refs} >>" if fonts else "") + (f" /ExtGState << {gs} >>" if states else "")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_n(width)} {_n(height)}] "
                f"/Resources << {resources.strip()} >> /Contents 4 0 R >>").encode("latin-1"),
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    for name in fonts:
        encoding = "" if name in ("Symbol", "ZapfDingbats") else " /Encoding /WinAnsiEncoding"
        objects.append(f"<< /Type /Font /Subtype /Type1 /BaseFont /{name}{encoding} >>".encode("latin-1"))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


__all__ = ["svg_to_pdf"]
