"""The case network model: nodes and relations read from a real case, and its layout."""

from __future__ import annotations

from pathlib import Path

from caseapp.app import App
from caseapp.demo import ensure_demo_case
from caseapp.services.linkgraph import (
    EdgeKind,
    GraphOptions,
    LinkGraphService,
    NodeType,
    layout_graph,
    node_key,
)


def test_demo_case_with_complaints_is_one_network(app: App, samples: Path) -> None:
    case = ensure_demo_case(app)
    app.complaints.import_file(case.id, samples / "complaints_small.csv")
    report = app.analysis.run(case.id)
    top = report.shared_identifiers[0]
    suspect = app.analysis.accept_shared_identifier(case.id, top.identifier_id, name="代理团伙A")

    graph = LinkGraphService(app.ctx).graph(case.id)
    keys = {n.key for n in graph.nodes}
    assert len(keys) == len(graph.nodes)
    parties = {n.label: n for n in graph.nodes if n.type is NodeType.PARTY}
    assert {"临沂市聚德法务中心", "杜专员", "“王律师”", "代理团伙A"} <= set(parties)
    assert parties["临沂市聚德法务中心"].role == "intermediary"
    groups = [n for n in graph.nodes if n.type is NodeType.COMPLAINT_GROUP]
    assert [g.weight for g in groups] == [g.size for g in report.groups]
    for e in graph.edges:  # every edge joins two nodes of the graph
        assert e.source in graph and e.target in graph

    agent = parties["杜专员"].key
    relations = {(e.relation, e.kind) for e in graph.edges_of(agent)}
    assert ("所属", EdgeKind.LINK) in relations
    assert ("收款", EdgeKind.LINK) in relations  # the deposit receipt → the agent
    held = [n.label for n in graph.neighbours(agent) if n.type is NodeType.IDENTIFIER]
    assert sorted(held) == ["+8618508477852", "jude_du888"]
    contact = next(n for n in graph.nodes if n.type is NodeType.CONTACT)
    attachments = [e for e in graph.edges_of(contact.key) if e.kind is EdgeKind.ATTACHED]
    assert len(attachments) == 2

    # The accepted suspect's 1 link per complaint becomes one edge per templated group, with
    # the number of complaints on it, and they add up to the complaints that mention it.
    suspect_edges = [e for e in graph.edges_of(node_key(NodeType.PARTY, suspect.id))
                     if e.kind is EdgeKind.LINK]
    assert sum(e.count for e in suspect_edges) == top.complaints
    assert top.groups == sum(1 for e in suspect_edges if e.target.startswith("complaint_group"))
    # A shared identifier not held by anyone is drawn into the groups that mention it.
    loose = next(x for x in report.shared_identifiers if x.party_id is None
                 and x.identifier_id != top.identifier_id and x.groups)
    into = [e for e in graph.edges_of(node_key(NodeType.IDENTIFIER, loose.identifier_id))
            if e.kind is EdgeKind.MENTIONED_IN]
    assert sum(e.count for e in into) == loose.complaints
    # Customers' own ID numbers and phones are not part of the network.
    assert not any(n.identifier_type == "id_card" for n in graph.nodes)

    layout = layout_graph(graph)
    assert set(layout.positions) == keys
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in layout.positions.values())
    assert layout_graph(graph).positions == layout.positions  # deterministic
    spots = {(round(x, 3), round(y, 3)) for x, y in layout.positions.values()}
    assert len(spots) == len(keys)  # no two nodes on the same spot


def test_limits_count_what_is_left_out(app: App, samples: Path) -> None:
    case = app.cases.create(title="limits")
    app.complaints.import_file(case.id, samples / "complaints_small.csv")
    report = app.analysis.run(case.id)
    full = LinkGraphService(app.ctx).graph(case.id)
    small = LinkGraphService(app.ctx).graph(
        case.id, GraphOptions(max_groups=2, max_complaints=3, max_identifiers=5))
    assert sum(1 for n in small.nodes if n.type is NodeType.COMPLAINT_GROUP) == 2
    assert sum(1 for n in small.nodes if n.type is NodeType.COMPLAINT) <= 3
    assert sum(1 for n in small.nodes if n.type is NodeType.IDENTIFIER) == 5
    assert small.omitted_nodes > 0 and len(small.nodes) < len(full.nodes)
    assert len(report.groups) > 2


def test_empty_case_and_relabel(app: App) -> None:
    case = app.cases.create(title="empty")
    graph = LinkGraphService(app.ctx).graph(case.id)
    assert graph.nodes == () and graph.edges == ()
    assert layout_graph(graph).positions == {}
    party = app.parties.add(case.id, name="张三", identifiers=[("mobile", "13812345678")])
    graph = LinkGraphService(app.ctx).graph(case.id)
    masked = graph.relabel(lambda n: "***" if n.type is NodeType.IDENTIFIER else n.label)
    assert [n.label for n in masked.nodes] == ["张三", "***"]
    assert masked.node(node_key(NodeType.PARTY, party.id)).label == "张三"
    assert [n.label for n in graph.nodes] == ["张三", "+8613812345678"]
