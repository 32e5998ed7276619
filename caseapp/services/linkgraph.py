"""A case's network (关系图) as plain data: parties, identifiers, templated-complaint groups,
complaints, contacts and evidence, the relations between them, and a deterministic layout.

No Qt: the desktop link chart and the exported picture both draw from `LinkGraph`. Complaints
that belong to a templated group are drawn as their group (with a count on each edge), so a
suspect linked to 800 complaints is one edge with "×800", not 800 nodes.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.analysis.repeat_complainants import ComplaintFacts, customer_key
from caseapp.analysis.shared_identifiers import MentionFacts, find_shared_identifiers
from caseapp.db.models import (
    AnalysisRun,
    Complaint,
    ComplaintGroup,
    Contact,
    ContactAttachment,
    Evidence,
    GroupMember,
    Identifier,
    IdentifierMention,
    ImportBatch,
    Link,
    Party,
)
from caseapp.db.repositories.lookup import find_case
from caseapp.domain.enums import LinkEndType
from caseapp.domain.labels import channel_label, identifier_type_label, party_role_label
from caseapp.i18n import _
from caseapp.services.context import ServiceContext


class NodeType(StrEnum):
    PARTY = "party"
    IDENTIFIER = "identifier"
    COMPLAINT_GROUP = "complaint_group"
    COMPLAINT = "complaint"
    CONTACT = "contact"
    EVIDENCE = "evidence"


class EdgeKind(StrEnum):
    """Where an edge comes from; its `relation` is the text shown on it."""

    LINK = "link"  # a row of the links table (manual or found by a rule)
    HOLDS = "holds"  # a party holds an identifier
    MENTIONED_IN = "mentioned_in"  # an identifier occurs in complaints / a contact / evidence
    CONTACTED = "contacted"  # an undercover contact reached a party
    COUNTERPART = "counterpart"  # the account the contact talked to
    ATTACHED = "attached"  # evidence attached to a contact


@dataclass(frozen=True, slots=True)
class GraphNode:
    key: str  # "<type>:<id>", unique in the graph
    type: NodeType
    id: int
    label: str
    detail: str = ""  # second line: role, identifier type, group size …
    role: str = ""  # a party's role (PartyRole value), for colouring
    identifier_type: str = ""  # an identifier's type (IdentifierType value)
    weight: int = 1  # complaints a group stands for; 1 for everything else


@dataclass(frozen=True, slots=True)
class GraphEdge:
    source: str
    target: str
    relation: str
    kind: EdgeKind
    count: int = 1  # complaints behind an edge into a group

    @property
    def label(self) -> str:
        return f"{self.relation} ×{self.count}" if self.count > 1 else self.relation


@dataclass(frozen=True, slots=True)
class LinkGraph:
    case_id: int
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    omitted_nodes: int = 0  # left out by the size limits (see GraphOptions)
    built_at: datetime | None = None
    _index: Mapping[str, GraphNode] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {n.key: n for n in self.nodes})

    def node(self, key: str) -> GraphNode:
        return self._index[key]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def neighbours(self, key: str) -> list[GraphNode]:
        keys = {e.target for e in self.edges if e.source == key}
        keys |= {e.source for e in self.edges if e.target == key}
        return [self._index[k] for k in sorted(keys)]

    def edges_of(self, key: str) -> list[GraphEdge]:
        return [e for e in self.edges if key in (e.source, e.target)]

    def relabel(self, label: Callable[[GraphNode], str]) -> LinkGraph:
        """The same graph with each node's label replaced (e.g. masked for an export)."""
        return replace(self, nodes=tuple(replace(n, label=label(n)) for n in self.nodes))


def node_key(node_type: NodeType | str, object_id: int) -> str:
    return f"{NodeType(node_type).value}:{object_id}"


@dataclass(frozen=True, slots=True)
class GraphOptions:
    max_groups: int = 40  # the largest templated groups of the last analysis run
    max_complaints: int = 40  # ungrouped complaints shown one by one
    max_identifiers: int = 60  # shared identifiers not held by a party, most shared first
    include_isolated_evidence: bool = False  # evidence with no relation to anything else


# --- building from the database ---------------------------------------------------------


_LINK_END = {
    LinkEndType.PARTY.value: NodeType.PARTY,
    LinkEndType.COMPLAINT.value: NodeType.COMPLAINT,
    LinkEndType.CONTACT.value: NodeType.CONTACT,
    LinkEndType.EVIDENCE.value: NodeType.EVIDENCE,
    LinkEndType.IDENTIFIER.value: NodeType.IDENTIFIER,
}

class _Builder:
    def __init__(self, s: Session, case_id: int, options: GraphOptions) -> None:
        self.s = s
        self.case_id = case_id
        self.options = options
        self.nodes: dict[str, GraphNode] = {}
        self.edge_counts: Counter[tuple[str, str, str, EdgeKind]] = Counter()
        self.omitted = 0
        self.group_of: dict[int, int] = {}  # complaint id -> group id
        self.group_nodes: dict[int, GraphNode] = {}
        self.complaint_numbers: dict[int, str] = {}

    # nodes

    def add(self, node: GraphNode) -> str:
        self.nodes.setdefault(node.key, node)
        return node.key

    def edge(self, a: str, b: str, relation: str, kind: EdgeKind, count: int = 1) -> None:
        if a == b:
            return
        self.edge_counts[(a, b, relation, kind)] += count

    def parties(self) -> None:
        for p in self.s.scalars(select(Party).where(Party.case_id == self.case_id)
                                .order_by(Party.id)):
            self.add(GraphNode(node_key(NodeType.PARTY, p.id), NodeType.PARTY, p.id, p.name,
                               party_role_label(p.role), role=p.role))
        for ident in self.s.scalars(select(Identifier).where(
                Identifier.case_id == self.case_id, Identifier.party_id.is_not(None))
                .order_by(Identifier.id)):
            key = self.add(_identifier_node(ident))
            self.edge(node_key(NodeType.PARTY, ident.party_id or 0), key, _("holds"),
                      EdgeKind.HOLDS)

    def groups(self) -> None:
        run_id = self.s.scalar(select(AnalysisRun.id).where(AnalysisRun.case_id == self.case_id)
                               .order_by(AnalysisRun.id.desc()).limit(1))
        if run_id is None:
            return
        groups = list(self.s.scalars(select(ComplaintGroup).where(
            ComplaintGroup.run_id == run_id).order_by(ComplaintGroup.number)))
        shown = groups[: self.options.max_groups]
        self.omitted += len(groups) - len(shown)
        for g in shown:
            node = GraphNode(node_key(NodeType.COMPLAINT_GROUP, g.id), NodeType.COMPLAINT_GROUP,
                             g.id, _("Template group {number}").format(number=g.number),
                             _("{n} complaints").format(n=g.size), weight=g.size)
            self.group_nodes[g.id] = node
        if shown:
            self.group_of = dict(self.s.execute(
                select(GroupMember.complaint_id, GroupMember.group_id)
                .where(GroupMember.group_id.in_([g.id for g in shown]))).all())

    def complaint_end(self, complaint_id: int) -> str | None:
        """The node a complaint is drawn as: its group, itself, or nothing (over the limit)."""
        group_id = self.group_of.get(complaint_id)
        if group_id is not None:
            return self.add(self.group_nodes[group_id])
        key = node_key(NodeType.COMPLAINT, complaint_id)
        if key in self.nodes:
            return key
        shown = sum(1 for n in self.nodes.values() if n.type is NodeType.COMPLAINT)
        if shown >= self.options.max_complaints:
            return None
        number = self.complaint_numbers.get(complaint_id)
        if number is None:
            number = self.s.scalar(select(Complaint.external_number).where(
                Complaint.id == complaint_id)) or str(complaint_id)
        return self.add(GraphNode(key, NodeType.COMPLAINT, complaint_id, number,
                                  _("complaint")))

    def shared_identifiers(self) -> None:
        """Identifiers that turn up in the complaints of different customers, drawn into the
        groups (or complaints) that mention them. As in the analysis, a phone counts wherever
        it appears (agents often give theirs as the customer's); a customer's own number
        appears for one customer only and is left out."""
        facts: dict[int, ComplaintFacts] = {}
        for row in self.s.execute(select(
                Complaint.id, Complaint.external_number, Complaint.customer_name,
                Complaint.customer_id_number, Complaint.customer_phone)
                .where(Complaint.case_id == self.case_id)):
            facts[row.id] = ComplaintFacts(row.id, row.external_number, row.customer_name,
                                           row.customer_id_number, row.customer_phone, "", "",
                                           None)
            self.complaint_numbers[row.id] = row.external_number
        mentions = [MentionFacts(identifier_id=i, type=t, value=v, valid=ok, party_id=p,
                                 complaint_id=c, field=f,
                                 customer=customer_key(facts[c]) if c in facts else None)
                    for i, t, v, ok, p, c, f in self.s.execute(
                        select(Identifier.id, Identifier.type, Identifier.value,
                               Identifier.valid, Identifier.party_id,
                               IdentifierMention.complaint_id, IdentifierMention.field)
                        .join(IdentifierMention, IdentifierMention.identifier_id == Identifier.id)
                        .where(Identifier.case_id == self.case_id,
                               IdentifierMention.complaint_id.is_not(None)))]
        shared = find_shared_identifiers(mentions, group_of=self.group_of)
        held = {m.identifier_id for m in mentions if m.party_id is not None}
        unheld = [x for x in shared if x.identifier_id not in held]
        keep = {x.identifier_id for x in unheld[: self.options.max_identifiers]}
        self.omitted += len(unheld) - len(keep)
        keep |= {x.identifier_id for x in shared if x.identifier_id in held}
        rows = {i.id: i for i in self.s.scalars(
            select(Identifier).where(Identifier.id.in_(sorted(keep))))} if keep else {}
        by_identifier: dict[int, set[int]] = defaultdict(set)
        for m in mentions:
            if m.identifier_id in keep:
                by_identifier[m.identifier_id].add(m.complaint_id)
        for identifier_id in sorted(by_identifier):
            key = self.add(_identifier_node(rows[identifier_id]))
            ends: Counter[str] = Counter()
            for complaint_id in sorted(by_identifier[identifier_id]):
                end = self.complaint_end(complaint_id)
                if end is None:
                    self.omitted += 1
                else:
                    ends[end] += 1
            for end, n in sorted(ends.items()):
                self.edge(key, end, _("mentioned in"), EdgeKind.MENTIONED_IN, n)

    def contacts(self) -> None:
        for c in self.s.scalars(select(Contact).where(Contact.case_id == self.case_id)
                                .order_by(Contact.started_at, Contact.id)):
            key = self.add(GraphNode(
                node_key(NodeType.CONTACT, c.id), NodeType.CONTACT, c.id,
                _("Contact {date}").format(date=c.started_at.date().isoformat()),
                channel_label(c.channel)))
            if c.party_id is not None:
                self.edge(key, node_key(NodeType.PARTY, c.party_id), _("contacted"),
                          EdgeKind.CONTACTED)
            if c.counterpart_identifier_id is not None:
                ident = self.s.get(Identifier, c.counterpart_identifier_id)
                if ident is not None:
                    self.edge(key, self.add(_identifier_node(ident)), _("counterpart account"),
                              EdgeKind.COUNTERPART)
        for contact_id, evidence_id in self.s.execute(
                select(ContactAttachment.contact_id, ContactAttachment.evidence_id)
                .join(Contact, Contact.id == ContactAttachment.contact_id)
                .where(Contact.case_id == self.case_id)):
            self.edge(node_key(NodeType.CONTACT, contact_id),
                      node_key(NodeType.EVIDENCE, evidence_id), _("attachment"),
                      EdgeKind.ATTACHED)

    def other_mentions(self) -> None:
        """Identifiers already in the graph that a contact or an evidence record mentions."""
        shown = {n.id for n in self.nodes.values() if n.type is NodeType.IDENTIFIER}
        if not shown:
            return
        for identifier_id, contact_id, evidence_id in self.s.execute(
                select(IdentifierMention.identifier_id, IdentifierMention.contact_id,
                       IdentifierMention.evidence_id)
                .where(IdentifierMention.identifier_id.in_(sorted(shown)),
                       IdentifierMention.complaint_id.is_(None))):
            owner = (node_key(NodeType.CONTACT, contact_id) if contact_id is not None
                     else node_key(NodeType.EVIDENCE, evidence_id))
            self.edge(node_key(NodeType.IDENTIFIER, identifier_id), owner, _("mentioned in"),
                      EdgeKind.MENTIONED_IN)

    def links(self) -> None:
        for link in self.s.scalars(select(Link).where(Link.case_id == self.case_id)
                                   .order_by(Link.id)):
            a = self.link_end(link.from_type, link.from_id)
            b = self.link_end(link.to_type, link.to_id)
            if a is None or b is None:
                self.omitted += 1
                continue
            self.edge(a, b, link.relation, EdgeKind.LINK)

    def link_end(self, end_type: str, object_id: int) -> str | None:
        node_type = _LINK_END.get(end_type)
        if node_type is NodeType.COMPLAINT:
            return self.complaint_end(object_id)
        if node_type is NodeType.IDENTIFIER:
            ident = self.s.get(Identifier, object_id)
            return self.add(_identifier_node(ident)) if ident is not None else None
        if node_type is None:
            return None
        return node_key(node_type, object_id)

    def evidence(self) -> None:
        """Evidence nodes for every edge end that is evidence (and, optionally, the rest)."""
        wanted = {int(k.split(":")[1]) for a, b, _r, _k in self.edge_counts for k in (a, b)
                  if k.startswith(NodeType.EVIDENCE.value + ":")}
        sources = set(self.s.scalars(select(ImportBatch.evidence_id).where(
            ImportBatch.case_id == self.case_id, ImportBatch.evidence_id.is_not(None))))
        for e in self.s.scalars(select(Evidence).where(Evidence.case_id == self.case_id)
                                .order_by(Evidence.id)):
            if e.id in wanted or (self.options.include_isolated_evidence
                                  and e.id not in sources):
                self.add(GraphNode(node_key(NodeType.EVIDENCE, e.id), NodeType.EVIDENCE, e.id,
                                   e.title, e.original_name))

    def result(self, when: datetime | None) -> LinkGraph:
        edges = []
        for (a, b, relation, kind), count in self.edge_counts.items():
            if a in self.nodes and b in self.nodes:
                edges.append(GraphEdge(a, b, relation, kind, count))
            else:
                self.omitted += 1
        edges.sort(key=lambda e: (e.source, e.target, e.kind.value, e.relation))
        order = list(NodeType)
        nodes = sorted(self.nodes.values(), key=lambda n: (order.index(n.type), n.id))
        return LinkGraph(self.case_id, tuple(nodes), tuple(edges), self.omitted, when)


def _identifier_node(ident: Identifier) -> GraphNode:
    return GraphNode(node_key(NodeType.IDENTIFIER, ident.id), NodeType.IDENTIFIER, ident.id,
                     ident.value, identifier_type_label(ident.type),
                     identifier_type=ident.type)


def build_link_graph(s: Session, case_id: int, options: GraphOptions | None = None,
                     *, when: datetime | None = None) -> LinkGraph:
    """The case's network from the database, inside the caller's session."""
    b = _Builder(s, case_id, options or GraphOptions())
    b.parties()
    b.groups()
    b.shared_identifiers()
    b.contacts()
    b.links()
    b.other_mentions()
    b.evidence()
    return b.result(when)


class LinkGraphService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def graph(self, case_ref: str | int, options: GraphOptions | None = None) -> LinkGraph:
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            return build_link_graph(s, case.id, options, when=self._ctx.clock())


# --- layout -------------------------------------------------------------------------------

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class GraphLayout:
    """Node positions in [0, 1] × [0, 1] (y grows downwards, as on a page or a screen)."""

    positions: Mapping[str, Point]
    aspect: float  # width / height of the drawing the positions were packed for


def layout_graph(graph: LinkGraph, *, aspect: float = 1.4, seed: int = 7) -> GraphLayout:
    """Lay out each connected component (Kamada–Kawai, which is deterministic; a seeded
    spring layout for big ones), then pack the components in rows, largest first."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(n.key for n in graph.nodes)
    g.add_edges_from((e.source, e.target) for e in graph.edges)
    components = sorted((sorted(c) for c in nx.connected_components(g)),
                        key=lambda c: (-len(c), c[0]))
    boxes = []
    for members in components:
        edges = sorted({tuple(sorted(e)) for e in g.subgraph(members).edges()})
        # The side of a component's square grows with the square root of its size.
        boxes.append((_component_layout(members, edges, seed), math.sqrt(len(members))))
    positions, packed_aspect = _pack(boxes, aspect)
    return GraphLayout(positions, packed_aspect)


def _component_layout(members: list[str], edges: list[tuple[str, ...]], seed: int
                      ) -> dict[str, Point]:
    """One connected component in the unit square, centred, keeping its proportions."""
    import networkx as nx

    if len(members) == 1:
        return {members[0]: (0.5, 0.5)}
    if len(members) == 2:
        return {members[0]: (0.0, 0.5), members[1]: (1.0, 0.5)}
    sub = nx.Graph()
    sub.add_nodes_from(members)
    sub.add_edges_from(edges)
    if len(members) <= 150:
        raw = nx.kamada_kawai_layout(sub, pos=nx.circular_layout(sub))
    else:
        raw = nx.spring_layout(sub, seed=seed, iterations=100)
    xs = [float(p[0]) for p in raw.values()]
    ys = [float(p[1]) for p in raw.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {k: (0.5 + (float(p[0]) - cx) / span, 0.5 - (float(p[1]) - cy) / span)
            for k, p in raw.items()}


def _pack(boxes: list[tuple[dict[str, Point], float]], aspect: float
          ) -> tuple[dict[str, Point], float]:
    """Shelf-pack square boxes (largest first) into rows about `aspect` times wider than
    high; positions scaled into the unit square, and the packed width / height."""
    if not boxes:
        return {}, aspect
    area = sum(side * side for _p, side in boxes)
    row_width = max(max(side for _p, side in boxes), math.sqrt(area * aspect))
    placed: list[tuple[dict[str, Point], float, float, float]] = []
    x = y = row_height = 0.0
    for pos, side in boxes:
        if x > 0 and x + side > row_width + 1e-9:
            x, y, row_height = 0.0, y + row_height, 0.0
        placed.append((pos, x, y, side))
        x += side
        row_height = max(row_height, side)
    width = max(px + side for _p, px, _py, side in placed)
    height = max(py + side for _p, _px, py, side in placed)
    out: dict[str, Point] = {}
    for pos, px, py, side in placed:
        for key, (u, v) in pos.items():
            out[key] = ((px + (0.12 + 0.76 * u) * side) / width,
                        (py + (0.12 + 0.76 * v) * side) / height)
    return out, width / height


def count_by_type(nodes: Iterable[GraphNode]) -> dict[NodeType, int]:
    counts: Counter[NodeType] = Counter(n.type for n in nodes)
    return {t: counts[t] for t in NodeType if counts[t]}
