"""关系图 — the case's network: parties, identifiers, templated-complaint groups, complaints,
undercover contacts and evidence, drawn from :mod:`caseapp.services.linkgraph` with an
automatic layout; zoom and pan, filter by type, double-click to open, export PNG and SVG."""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QHBoxLayout,
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from caseapp.app import App
from caseapp.domain.errors import CaseappError
from caseapp.i18n import _, ngettext
from caseapp.services.linkgraph import (
    EdgeKind,
    GraphEdge,
    GraphLayout,
    GraphNode,
    LinkGraph,
    NodeType,
    layout_graph,
)
from caseapp.ui.views.base import CaseView
from caseapp.ui.widgets.objects_common import (
    ROLE_COLORS,
    TYPE_COLORS,
    dot_icon,
    muted,
    run_file_work,
    show_error,
    tool_button,
)

NODE_COLORS: dict[NodeType, str] = {
    NodeType.PARTY: TYPE_COLORS["party"],
    NodeType.IDENTIFIER: TYPE_COLORS["identifier"],
    NodeType.COMPLAINT_GROUP: TYPE_COLORS["group"],
    NodeType.COMPLAINT: TYPE_COLORS["complaint"],
    NodeType.CONTACT: TYPE_COLORS["contact"],
    NodeType.EVIDENCE: TYPE_COLORS["evidence"],
}
GLYPHS: dict[NodeType, str] = {
    NodeType.PARTY: "人", NodeType.IDENTIFIER: "#", NodeType.COMPLAINT_GROUP: "群",
    NodeType.COMPLAINT: "诉", NodeType.CONTACT: "访", NodeType.EVIDENCE: "证",
}
# What open_item calls each node type (the views' object types).
OPEN_TYPES: dict[NodeType, str] = {
    NodeType.PARTY: "party", NodeType.IDENTIFIER: "identifier",
    NodeType.COMPLAINT_GROUP: "group", NodeType.COMPLAINT: "complaint",
    NodeType.CONTACT: "contact", NodeType.EVIDENCE: "evidence",
}


def type_label(node_type: NodeType) -> str:
    return {
        NodeType.PARTY: _("Parties"),
        NodeType.IDENTIFIER: _("Identifiers"),
        NodeType.COMPLAINT_GROUP: _("Complaint groups"),
        NodeType.COMPLAINT: _("Complaints"),
        NodeType.CONTACT: _("Undercover contacts"),
        NodeType.EVIDENCE: _("Evidence"),
    }[node_type]


def node_color(node: GraphNode) -> QColor:
    if node.type is NodeType.PARTY and node.role:
        return QColor(ROLE_COLORS.get(node.role, NODE_COLORS[NodeType.PARTY]))
    return QColor(NODE_COLORS[node.type])


def node_radius(node: GraphNode) -> float:
    if node.type is NodeType.COMPLAINT_GROUP:
        return 20 + min(18.0, 4 * math.log2(max(1, node.weight)))
    if node.type is NodeType.PARTY:
        return 22
    return 16


class NodeItem(QGraphicsObject):
    """A round, coloured node with its glyph, label and detail; movable."""

    def __init__(self, node: GraphNode, view: LinkChartView, badge: int = 0) -> None:
        super().__init__()
        self.node = node
        self.badge = badge  # other institutions of the industry exchange reporting it
        self._view = view
        self.edges: list[EdgeItem] = []
        self.radius = node_radius(node)
        self.color = node_color(node)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(2)
        tip = [node.label]
        if node.detail:
            tip.append(node.detail)
        if badge:
            tip.append(ngettext("⚑ Also reported by {n} other institution",
                                "⚑ Also reported by {n} other institutions", badge).format(n=badge))
        tip.append(_("Double-click to open"))
        self.setToolTip("\n".join(tip))
        self._font = QFont()
        self._font.setPointSizeF(9)
        self._small = QFont()
        self._small.setPointSizeF(7.5)
        self._label = _elide(node.label, 18)
        metrics = QFontMetricsF(self._font)
        small = QFontMetricsF(self._small)
        self._text_width = max(metrics.horizontalAdvance(self._label),
                               small.horizontalAdvance(node.detail)) + 8
        self._text_height = metrics.height() + (small.height() if node.detail else 0)

    def boundingRect(self) -> QRectF:
        r = self.radius
        w = max(2 * r, self._text_width) + 4
        return QRectF(-w / 2, -r - 2, w, 2 * r + 6 + self._text_height)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), self.radius, self.radius)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        r = self.radius
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = self.isSelected()
        painter.setPen(QPen(QColor("#111827") if selected else QColor("white"),
                            3 if selected else 2))
        painter.setBrush(QBrush(self.color))
        painter.drawEllipse(QPointF(0, 0), r, r)
        glyph_font = QFont(self._font)
        glyph_font.setPixelSize(int(r * 0.95))
        glyph_font.setBold(True)
        painter.setFont(glyph_font)
        painter.setPen(QColor("white"))
        glyph = GLYPHS[self.node.type]
        if self.node.type is NodeType.PARTY and self.node.detail and self.node.role in (
                "intermediary",):
            glyph = "企"
        if self.node.type is NodeType.COMPLAINT_GROUP and self.node.weight > 1:
            glyph = str(self.node.weight)
            glyph_font.setPixelSize(int(r * (0.8 if len(glyph) < 3 else 0.6)))
            painter.setFont(glyph_font)
        painter.drawText(QRectF(-r, -r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, glyph)
        if self.badge:  # an amber flag with the number of other institutions
            flag = QRectF(r * 0.3, -r - 5, max(22.0, r * 1.1), 15.0)
            painter.setPen(QPen(QColor("white"), 1.5))
            painter.setBrush(QColor("#d97706"))
            painter.drawRoundedRect(flag, 6, 6)
            painter.setFont(self._small)
            painter.setPen(QColor("white"))
            painter.drawText(flag, Qt.AlignmentFlag.AlignCenter, f"⚑{self.badge}")
        # label with a soft halo so it stays readable over edges
        metrics = QFontMetricsF(self._font)
        label_rect = QRectF(-self._text_width / 2, r + 2, self._text_width, metrics.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 215))
        painter.drawRoundedRect(QRectF(label_rect.x(), label_rect.y(), label_rect.width(),
                                       self._text_height), 3, 3)
        painter.setFont(self._font)
        painter.setPen(QColor("#111827"))
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignCenter, self._label)
        if self.node.detail:
            small = QFontMetricsF(self._small)
            painter.setFont(self._small)
            painter.setPen(QColor("#6b7280"))
            painter.drawText(QRectF(label_rect.x(), label_rect.bottom(), label_rect.width(),
                                    small.height()), Qt.AlignmentFlag.AlignCenter,
                             self.node.detail)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.adjust()
        return super().itemChange(change, value)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._view.node_activated(self.node)
        event.accept()


class EdgeItem(QGraphicsItem):
    """A line between two nodes with its relation written at the middle."""

    def __init__(self, edge: GraphEdge, a: NodeItem, b: NodeItem) -> None:
        super().__init__()
        self.edge = edge
        self.a, self.b = a, b
        a.edges.append(self)
        b.edges.append(self)
        self.setZValue(1)
        self._font = QFont()
        self._font.setPointSizeF(7.5)
        self._label = edge.label
        self._line = (QPointF(), QPointF())
        width = 1.2 + min(3.0, math.log2(max(1, edge.count)) * 0.6)
        dashed = edge.kind in (EdgeKind.MENTIONED_IN, EdgeKind.ATTACHED)
        color = QColor("#9ca3af") if edge.kind is not EdgeKind.LINK else QColor("#4b5563")
        self._pen = QPen(color, width)
        if dashed:
            self._pen.setStyle(Qt.PenStyle.DashLine)
        self.setToolTip(f"{a.node.label} — {self._label} — {b.node.label}")
        self.adjust()

    def adjust(self) -> None:
        self.prepareGeometryChange()
        self._line = (self.a.pos(), self.b.pos())

    def boundingRect(self) -> QRectF:
        p, q = self._line
        metrics = QFontMetricsF(self._font)
        pad = metrics.horizontalAdvance(self._label) / 2 + 6
        return QRectF(p, q).normalized().adjusted(-pad, -pad, pad, pad)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        p, q = self._line
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._pen)
        painter.drawLine(p, q)
        if not self._label:
            return
        mid = (p + q) / 2
        metrics = QFontMetricsF(self._font)
        w = metrics.horizontalAdvance(self._label) + 8
        h = metrics.height() + 2
        rect = QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h)
        painter.setPen(QPen(QColor("#e5e7eb"), 1))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(rect, 4, 4)
        painter.setFont(self._font)
        painter.setPen(QColor("#374151"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._label)


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ChartView(QGraphicsView):
    """Zoom with the wheel (around the cursor), pan by dragging the background."""

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(QColor("#f8fafc"))
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(0.05 / current, min(factor, 6.0 / current))
        self.scale(factor, factor)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom(1.15 ** steps)
        event.accept()


class LinkChartView(CaseView):
    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.graph: LinkGraph | None = None
        self.layout_result: GraphLayout | None = None
        self.nodes: dict[str, NodeItem] = {}
        self.badges: dict[str, int] = {}
        self.edge_items: list[EdgeItem] = []
        self._stale = True
        self.scene = QGraphicsScene(self)
        self.view = ChartView(self.scene, self)

        self.type_boxes: dict[NodeType, QCheckBox] = {}
        filters = QHBoxLayout()
        for node_type in NodeType:
            box = QCheckBox(type_label(node_type), self)
            box.setIcon(dot_icon(NODE_COLORS[node_type]))
            box.setChecked(True)
            box.toggled.connect(self.apply_filter)
            self.type_boxes[node_type] = box
            filters.addWidget(box)
        filters.addStretch(1)
        self.summary_label = muted("", self)
        filters.addWidget(self.summary_label)

        actions = QHBoxLayout()
        self.zoom_in_button = tool_button(_("Zoom in"), self, lambda: self.view.zoom(1.25))
        self.zoom_out_button = tool_button(_("Zoom out"), self, lambda: self.view.zoom(0.8))
        self.fit_button = tool_button(_("Fit"), self, self.fit)
        self.relayout_button = tool_button(_("Re-arrange"), self, self.relayout,
                                           tip=_("Compute the automatic layout again"))
        self.reload_button = tool_button(_("Reload"), self, self.reload)
        self.png_button = tool_button(_("Export PNG…"), self, self._export_png_dialog)
        self.svg_button = tool_button(_("Export SVG…"), self, self._export_svg_dialog)
        for b in (self.zoom_in_button, self.zoom_out_button, self.fit_button,
                  self.relayout_button, self.reload_button):
            actions.addWidget(b)
        actions.addSpacing(16)
        actions.addWidget(self.png_button)
        actions.addWidget(self.svg_button)
        actions.addStretch(1)
        actions.addWidget(muted(_("Wheel: zoom · drag the background: pan · drag a node: "
                                  "move it · double-click: open"), self))

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.view, 1)

    def view_title(self) -> str:
        return _("Link chart")

    # --- data -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rebuild now if visible, else when next shown (the graph can be large)."""
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self._stale:
            self.reload()

    def reload(self) -> None:
        self._stale = False
        case_id = self.case_id
        if case_id is None:
            self.set_graph(None)
            return

        def build(progress: object, cancel: object
                  ) -> tuple[LinkGraph, GraphLayout, dict[str, int]]:
            graph = self.app.linkgraph.graph(case_id)
            try:
                badges = self.app.exchange.graph_badges(case_id)
            except CaseappError:  # the exchange is not set up: no badges
                badges = {}
            return graph, layout_graph(graph, aspect=self._aspect()), badges

        result = run_file_work(self, _("Drawing the link chart"), build)
        if result is not None:
            graph, layout, badges = result
            self.set_graph(graph, layout, badges)

    def _aspect(self) -> float:
        size = self.view.viewport().size()
        return max(0.6, min(2.5, size.width() / max(1, size.height()))) if size.height() > 50 \
            else 1.5

    def set_graph(self, graph: LinkGraph | None, layout: GraphLayout | None = None,
                  badges: dict[str, int] | None = None) -> None:
        """`badges`: node key → other institutions of the industry exchange reporting it."""
        self.badges = dict(badges or {})
        self.scene.clear()
        self.nodes, self.edge_items = {}, []
        self.graph, self.layout_result = graph, layout
        if graph is None:
            self.summary_label.setText("")
            return
        if layout is None:
            layout = self.layout_result = layout_graph(graph, aspect=self._aspect())
        n = max(1, len(graph.nodes))
        height = max(760.0, 240.0 * math.sqrt(n))
        width = height * layout.aspect
        for node in graph.nodes:
            item = NodeItem(node, self, self.badges.get(node.key, 0))
            x, y = layout.positions.get(node.key, (0.5, 0.5))
            item.setPos(x * width, y * height)
            self.scene.addItem(item)
            self.nodes[node.key] = item
        for edge in graph.edges:
            a, b = self.nodes.get(edge.source), self.nodes.get(edge.target)
            if a is not None and b is not None:
                item_e = EdgeItem(edge, a, b)
                self.scene.addItem(item_e)
                self.edge_items.append(item_e)
        for node_type, box in self.type_boxes.items():
            count = sum(1 for nd in graph.nodes if nd.type is node_type)
            box.setText(f"{type_label(node_type)} ({count})")
        self.summary_label.setText(
            ngettext("{n} node", "{n} nodes", len(graph.nodes)).format(n=len(graph.nodes))
            + " · " + ngettext("{n} relation", "{n} relations", len(graph.edges)).format(
                n=len(graph.edges))
            + ("" if not graph.omitted_nodes else " · " + ngettext(
                "{n} left out (size limits)", "{n} left out (size limits)",
                graph.omitted_nodes).format(n=graph.omitted_nodes)))
        self.apply_filter()
        self.fit()

    def relayout(self) -> None:
        if self.graph is not None:
            self.set_graph(self.graph, layout_graph(self.graph, aspect=self._aspect()))

    def apply_filter(self) -> None:
        shown = {t for t, box in self.type_boxes.items() if box.isChecked()}
        for item in self.nodes.values():
            item.setVisible(item.node.type in shown)
        for edge in self.edge_items:
            edge.setVisible(edge.a.isVisible() and edge.b.isVisible())

    def visible_nodes(self) -> list[GraphNode]:
        return [item.node for item in self.nodes.values() if item.isVisible()]

    def _content_rect(self) -> QRectF:
        rect = QRectF()
        for item in list(self.nodes.values()) + self.edge_items:
            if item.isVisible():
                rect = rect.united(item.sceneBoundingRect())
        return rect.adjusted(-30, -30, 30, 30)

    def fit(self) -> None:
        rect = self._content_rect()
        if rect.isValid() and not rect.isEmpty():
            self.scene.setSceneRect(rect.adjusted(-400, -400, 400, 400))
            self.view.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def show_item(self, object_type: str, object_id: int) -> bool:
        for item in self.nodes.values():
            if OPEN_TYPES[item.node.type] == object_type and item.node.id == object_id:
                self.scene.clearSelection()
                item.setSelected(True)
                self.view.centerOn(item)
                return True
        return False

    def node_activated(self, node: GraphNode) -> None:
        self.open_item.emit(OPEN_TYPES[node.type], node.id)

    # --- export ---------------------------------------------------------------------------

    def _render(self, painter: QPainter, target: QRectF, source: QRectF) -> None:
        painter.setRenderHints(QPainter.RenderHint.Antialiasing
                               | QPainter.RenderHint.TextAntialiasing)
        selected = self.scene.selectedItems()
        self.scene.clearSelection()
        self.scene.render(painter, target, source)
        for item in selected:
            item.setSelected(True)

    def export_png(self, path: Path, *, scale: float = 2.0) -> Path:
        source = self._content_rect()
        size = QSize(max(1, int(source.width() * scale)), max(1, int(source.height() * scale)))
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        self._render(painter, QRectF(0, 0, size.width(), size.height()), source)
        painter.end()
        if not image.save(str(path), "PNG"):
            raise OSError(_("Cannot write {path}.").format(path=path))
        return path

    def export_svg(self, path: Path) -> Path:
        from PySide6.QtSvg import QSvgGenerator

        source = self._content_rect()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(QSize(int(source.width()), int(source.height())))
        generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
        generator.setTitle(_("Link chart"))
        generator.setDescription(_("caseapp link chart"))
        painter = QPainter(generator)
        painter.fillRect(QRectF(0, 0, source.width(), source.height()), QColor("white"))
        self._render(painter, QRectF(0, 0, source.width(), source.height()), source)
        painter.end()
        if not Path(path).is_file():
            raise OSError(_("Cannot write {path}.").format(path=path))
        return path

    def _export_dialog(self, suffix: str, label: str) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(
            self, _("Export the link chart"), f"link_chart.{suffix}", label)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix else path.with_suffix("." + suffix)

    def _export_png_dialog(self) -> None:
        path = self._export_dialog("png", _("PNG image (*.png)"))
        if path is not None:
            self._export(self.export_png, path)

    def _export_svg_dialog(self) -> None:
        path = self._export_dialog("svg", _("SVG drawing (*.svg)"))
        if path is not None:
            self._export(self.export_svg, path)

    def _export(self, fn: object, path: Path) -> None:
        try:
            fn(path)  # type: ignore[operator]
        except OSError as exc:
            show_error(self, _("Cannot export the link chart"), str(exc))
            return
        self.status_message.emit(_("Link chart saved to {path}.").format(path=path))
