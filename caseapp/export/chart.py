"""The link chart (关系图) as a PNG picture, drawn with Pillow from a `LinkGraph` and its
layout — no Qt, so the export runs anywhere and the picture is the same on every machine."""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from caseapp.export.fonts import SANS_INDEX, font_path
from caseapp.services.linkgraph import GraphLayout, GraphNode, LinkGraph, NodeType

WIDTH = 2000  # pixels; printed 17 cm wide this is ≈ 300 dpi
MAX_LABEL = 16

# (fill, outline) per node style
_PARTY_COLOURS = {
    "suspect": ("#c0392b", "#7b241c"),
    "intermediary": ("#8e2f2f", "#4a1010"),
    "agent": ("#e67e22", "#a04000"),
    "complainant": ("#95a5a6", "#5d6d7e"),
    "other": ("#7f8c8d", "#4d5656"),
}
_TYPE_COLOURS = {
    NodeType.IDENTIFIER: ("#d6eaf8", "#2e86c1"),
    NodeType.COMPLAINT_GROUP: ("#fcf3cf", "#b7950b"),
    NodeType.COMPLAINT: ("#fef9e7", "#b7950b"),
    NodeType.CONTACT: ("#d5f5e3", "#1e8449"),
    NodeType.EVIDENCE: ("#e8daef", "#6c3483"),
}


@dataclass(frozen=True, slots=True)
class ChartPicture:
    png: bytes
    width: int
    height: int


def node_colours(node: GraphNode) -> tuple[str, str]:
    if node.type is NodeType.PARTY:
        return _PARTY_COLOURS.get(node.role, _PARTY_COLOURS["other"])
    return _TYPE_COLOURS[node.type]


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), size=size, index=SANS_INDEX)


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_chart(graph: LinkGraph, layout: GraphLayout, *, empty_text: str) -> ChartPicture:
    """Nodes as shapes by type (parties coloured by role), edges with their relation; an
    edge standing for several complaints is drawn thicker and labelled ×n."""
    aspect = min(max(layout.aspect, 0.7), 2.2)
    width, height = WIDTH, int(WIDTH / aspect)
    n = max(len(graph.nodes), 1)
    # Smaller marks on crowded charts, but never text too small to read on paper (at 17 cm
    # wide, 26 px is about 6.5 pt).
    scale = max(0.75, min(1.0, 4.0 / math.sqrt(n)))
    radius = int(34 * scale)
    label_font, detail_font, edge_font = _font(int(35 * scale)), _font(int(28 * scale)), \
        _font(int(26 * scale))
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    if not graph.nodes:
        draw.text((width / 2, height / 2), empty_text, fill="#555555", font=_font(48),
                  anchor="mm")
        return _picture(image)
    margin = radius * 3
    pos = {k: (margin + x * (width - 2 * margin), margin + y * (height - 2 * margin))
           for k, (x, y) in layout.positions.items()}
    sizes = {node.key: _node_radius(node, radius) for node in graph.nodes}

    # One line per pair of nodes; its relations joined into one label.
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    weights: dict[tuple[str, str], int] = defaultdict(int)
    for e in graph.edges:
        pair = (e.source, e.target) if e.source < e.target else (e.target, e.source)
        if e.label not in pairs[pair]:
            pairs[pair].append(e.label)
        weights[pair] = max(weights[pair], e.count)
    for (a, b), _labels in sorted(pairs.items()):
        line_width = max(2, int((2 + 2 * math.log2(weights[(a, b)])) * scale))
        draw.line([pos[a], pos[b]], fill="#9aa5b1", width=line_width)
    for (a, b), labels in sorted(pairs.items()):
        _edge_label(draw, pos[a], pos[b], sizes[a], sizes[b], " / ".join(labels), edge_font)
    for node in graph.nodes:
        _draw_node(draw, node, pos[node.key], sizes[node.key], label_font, detail_font)
    return _picture(image)


def _node_radius(node: GraphNode, base: int) -> int:
    if node.type is NodeType.COMPLAINT_GROUP:
        return int(base * min(2.2, 0.9 + 0.25 * math.log2(max(node.weight, 1))))
    if node.type is NodeType.PARTY:
        return int(base * 1.15)
    return base


def _draw_node(draw: ImageDraw.ImageDraw, node: GraphNode, centre: tuple[float, float],
               r: int, label_font: ImageFont.FreeTypeFont,
               detail_font: ImageFont.FreeTypeFont) -> None:
    x, y = centre
    fill, outline = node_colours(node)
    box = (x - r, y - r, x + r, y + r)
    w = max(2, r // 10)
    if node.type is NodeType.PARTY:
        if node.kind == "org":
            draw.rectangle(box, fill=fill, outline=outline, width=w)
        else:
            draw.ellipse(box, fill=fill, outline=outline, width=w)
    elif node.type is NodeType.IDENTIFIER:
        draw.rounded_rectangle((x - r * 1.1, y - r * 0.7, x + r * 1.1, y + r * 0.7),
                               radius=r // 3, fill=fill, outline=outline, width=w)
    elif node.type in (NodeType.COMPLAINT_GROUP, NodeType.COMPLAINT):
        draw.ellipse(box, fill=fill, outline=outline, width=w)
        if node.type is NodeType.COMPLAINT_GROUP:
            draw.text((x, y), str(node.weight), fill="#7d6608", font=label_font, anchor="mm")
    elif node.type is NodeType.CONTACT:
        draw.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=fill,
                     outline=outline, width=w)
    else:
        draw.rectangle((x - r * 0.8, y - r, x + r * 0.8, y + r), fill=fill, outline=outline,
                       width=w)
        fold = r * 0.45
        draw.polygon([(x + r * 0.8 - fold, y - r), (x + r * 0.8, y - r + fold),
                      (x + r * 0.8 - fold, y - r + fold)], fill=outline)
    top = y + r + 4
    label = _short(node.label)
    _text_with_halo(draw, (x, top), label, label_font, "#1b2631")
    bottom = top + label_font.size + 4
    if node.detail:
        _text_with_halo(draw, (x, bottom), _short(node.detail, 20), detail_font, "#566573")


def _text_with_halo(draw: ImageDraw.ImageDraw, at: tuple[float, float], text: str,
                    font: ImageFont.FreeTypeFont, colour: str) -> None:
    draw.text(at, text, fill=colour, font=font, anchor="ma", stroke_width=4,
              stroke_fill="white")


def _edge_label(draw: ImageDraw.ImageDraw, a: tuple[float, float], b: tuple[float, float],
                ra: int, rb: int, text: str, font: ImageFont.FreeTypeFont) -> None:
    length = math.dist(a, b)
    if length < ra + rb + 2 * font.size:
        return  # too short to carry a label readably
    # Between the two shapes, nearer the middle of the free stretch.
    t = (ra + (length - ra - rb) / 2) / length
    x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
    left, top, right, bottom = draw.textbbox((x, y), text, font=font, anchor="mm")
    draw.rectangle((left - 4, top - 2, right + 4, bottom + 2), fill="white")
    draw.text((x, y), text, fill="#34495e", font=font, anchor="mm")


def _picture(image: Image.Image) -> ChartPicture:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return ChartPicture(out.getvalue(), image.width, image.height)


def legend(role_labels: Mapping[str, str], type_labels: Mapping[NodeType, str]
           ) -> tuple[tuple[str, str], ...]:
    """(fill colour, meaning) for every kind of mark the chart uses."""
    items = [(_PARTY_COLOURS[role][0], label) for role, label in role_labels.items()
             if role in _PARTY_COLOURS]
    items += [(_TYPE_COLOURS[t][0], label) for t, label in type_labels.items()
              if t in _TYPE_COLOURS]
    return tuple(items)
