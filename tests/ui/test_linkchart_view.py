"""The link chart: drawn from the case's link graph, filtered by type, opened by
double-click, exported as PNG and SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsView
from pytestqt.qtbot import QtBot

from caseapp.app import App, open_app
from caseapp.services.contacts import ContactFields
from caseapp.services.linkgraph import NodeType
from caseapp.ui.views.linkchart_view import LinkChartView


@pytest.fixture
def ui_app(tmp_path: Path) -> Iterator[App]:
    application = open_app(tmp_path / "ws", actor="tester")
    yield application
    application.close()


@pytest.fixture
def chart(qtbot: QtBot, ui_app: App) -> LinkChartView:
    app = ui_app
    case = app.cases.create(title="关系图", number="G-1")
    org = app.parties.add(case.id, name="聚德法务", kind="org", role="intermediary",
                          identifiers=[("uscc", "91371302MAELPKL57J")])
    agent = app.parties.add(case.id, name="杜专员", role="agent",
                            identifiers=[("wechat", "jude_du888")])
    app.links.add(case.id, from_ref=("party", agent.id), to_ref=("party", org.id),
                  relation="所属")
    app.contacts.add(case.id, ContactFields(
        channel="wechat", started_at=datetime(2025, 3, 4, 6, 0, tzinfo=UTC),
        party_id=agent.id, counterpart_identifier_id=agent.identifiers[0].id))
    view = LinkChartView(app)
    qtbot.addWidget(view)
    view.resize(1100, 750)
    view.set_case(case.id)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_chart_draws_the_case_network(chart: LinkChartView) -> None:
    assert chart.graph is not None
    types = sorted(item.node.type.value for item in chart.nodes.values())
    assert types == ["contact", "identifier", "identifier", "party", "party"]
    labels = {e.edge.label for e in chart.edge_items}
    assert {"所属", "holds", "contacted", "counterpart account"} <= labels
    # every edge joins the two node items it names, at their positions
    for edge in chart.edge_items:
        assert chart.nodes[edge.edge.source] is edge.a
        assert edge._line == (edge.a.pos(), edge.b.pos())
    # nodes are spread out, not stacked
    positions = {(round(i.pos().x()), round(i.pos().y())) for i in chart.nodes.values()}
    assert len(positions) == len(chart.nodes)
    assert "5 nodes" in chart.summary_label.text()


def test_filter_zoom_and_open(chart: LinkChartView, qtbot: QtBot) -> None:
    chart.type_boxes[NodeType.IDENTIFIER].setChecked(False)
    assert {n.type for n in chart.visible_nodes()} == {NodeType.PARTY, NodeType.CONTACT}
    hidden = [e for e in chart.edge_items if not e.isVisible()]
    assert hidden and all(NodeType.IDENTIFIER in (e.a.node.type, e.b.node.type)
                          for e in hidden)
    chart.type_boxes[NodeType.IDENTIFIER].setChecked(True)
    assert len(chart.visible_nodes()) == 5

    before = chart.view.transform().m11()
    chart.view.zoom(2.0)
    assert chart.view.transform().m11() == pytest.approx(before * 2)
    assert chart.view.dragMode() == QGraphicsView.DragMode.ScrollHandDrag

    opened: list[tuple[str, int]] = []
    chart.open_item.connect(lambda t, i: opened.append((t, i)))
    agent = next(i for i in chart.nodes.values() if i.node.label == "杜专员")
    chart.view.centerOn(agent)
    point = chart.view.mapFromScene(agent.scenePos())
    qtbot.mouseDClick(chart.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert opened == [("party", agent.node.id)]
    assert chart.show_item("contact", next(
        i.node.id for i in chart.nodes.values() if i.node.type is NodeType.CONTACT))

    # a dragged node carries its edges along
    agent.setPos(agent.pos() + QPointF(40, 0))
    assert all(e._line[0] == e.a.pos() and e._line[1] == e.b.pos() for e in agent.edges)


def test_export_png_and_svg(chart: LinkChartView, tmp_path: Path) -> None:
    png = chart.export_png(tmp_path / "chart.png")
    image = QImage(str(png))
    assert not image.isNull() and image.width() > 300 and image.height() > 200
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 10  # not a blank page: nodes in several colours
    svg = chart.export_svg(tmp_path / "chart.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    text = svg.read_text(encoding="utf-8")
    assert "杜专员" in text and "所属" in text  # labels are text, not pixels


def test_empty_case_and_reload(qtbot: QtBot, ui_app: App) -> None:
    case = ui_app.cases.create(title="空")
    view = LinkChartView(ui_app)
    qtbot.addWidget(view)
    view.set_case(case.id)  # hidden: drawn when first shown
    assert view.graph is None
    view.show()
    qtbot.waitExposed(view)
    assert view.graph is not None and view.nodes == {}
    ui_app.parties.add(case.id, name="新主体")
    view.refresh()
    assert [i.node.label for i in view.nodes.values()] == ["新主体"]
