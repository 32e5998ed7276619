"""概览: the open case at a glance — its details, key figures and recent activity."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from caseapp.app import App
from caseapp.domain.enums import PartyRole
from caseapp.domain.labels import case_status_label
from caseapp.i18n import N_, _
from caseapp.services.records import AuditRecord
from caseapp.ui.style import CARDS_STYLE, styled
from caseapp.ui.views.base import CaseView

RECENT_ENTRIES = 30

_ACTIONS = {
    "analysis.run": N_("Analysis run"),
    "case.create": N_("Case created"),
    "case.update": N_("Case changed"),
    "complaints.import": N_("Complaints imported"),
    "contact.add": N_("Contact recorded"),
    "contact.attach": N_("Attachment added to a contact"),
    "contact.update": N_("Contact changed"),
    "evidence.add": N_("Evidence added"),
    "evidence.verify": N_("Evidence verified"),
    "identifier.accept": N_("Identifier accepted as suspect"),
    "identifier.attach": N_("Identifier attached"),
    "identifier.detach": N_("Identifier detached"),
    "link.add": N_("Link added"),
    "link.remove": N_("Link removed"),
    "party.add": N_("Party added"),
    "party.merge": N_("Parties merged"),
    "party.update": N_("Party changed"),
}


def audit_action_label(action: str) -> str:
    label = _ACTIONS.get(action)
    if label:
        return _(label)
    if action.startswith("custody."):
        return _("Custody recorded")
    return action


@dataclass(frozen=True, slots=True)
class KeyFigures:
    complaints: int
    groups: int
    grouped_complaints: int
    parties: int
    suspects: int
    contacts: int
    evidence: int
    links: int


def key_figures(app: App, case_id: int) -> KeyFigures:
    groups = app.complaint_queries.groups(case_id)
    parties = app.parties.list(case_id)
    suspect_roles = {PartyRole.SUSPECT.value, PartyRole.INTERMEDIARY.value,
                     PartyRole.AGENT.value}
    return KeyFigures(
        complaints=app.complaint_queries.count(case_id),
        groups=len(groups),
        grouped_complaints=sum(g.size for g in groups),
        parties=len(parties),
        suspects=sum(1 for p in parties if p.role in suspect_roles),
        contacts=len(app.contacts.list(case_id)),
        evidence=len(app.evidence.list(case_id)),
        links=len(app.links.list(case_id)),
    )


class FigureCard(QFrame):
    """A key figure: a big number, what it counts, a line of detail; clickable."""

    clicked = Signal()

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.value = QLabel("–", self)
        self.value.setObjectName("figureValue")
        self.caption = QLabel(caption, self)
        self.caption.setObjectName("figureCaption")
        self.detail = QLabel("", self)
        self.detail.setObjectName("figureDetail")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)

    def set(self, value: int, detail: str = "") -> None:
        self.value.setText(f"{value:,}")
        self.detail.setText(detail)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class OverviewView(CaseView):
    navigate = Signal(str)  # the class name of the view to show

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.setStyleSheet(CARDS_STYLE)
        self.title = QLabel(self)
        styled(self.title, "caseTitle")
        self.title.setWordWrap(True)
        self.subtitle = QLabel(self)
        styled(self.subtitle, "caseSubtitle")
        self.subtitle.setWordWrap(True)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cards = {
            "complaints": FigureCard(_("Complaints"), self),
            "groups": FigureCard(_("Templated groups"), self),
            "parties": FigureCard(_("Parties"), self),
            "contacts": FigureCard(_("Undercover contacts"), self),
            "evidence": FigureCard(_("Evidence files"), self),
        }
        targets = {"complaints": "ComplaintsView", "groups": "AnalysisView",
                   "parties": "PartiesView", "contacts": "ContactsView",
                   "evidence": "EvidenceView"}
        grid = QGridLayout()
        grid.setSpacing(12)
        for i, (key, card) in enumerate(self.cards.items()):
            grid.addWidget(card, 0, i)
            card.clicked.connect(lambda name=targets[key]: self.navigate.emit(name))
        self.activity = QTableWidget(0, 4, self)
        self.activity.setHorizontalHeaderLabels([_("Time"), _("By"), _("Action"), _("What")])
        self.activity.verticalHeader().hide()
        self.activity.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.activity.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.activity.setAlternatingRowColors(True)
        self.activity.setWordWrap(False)
        self.activity.setShowGrid(False)
        self.activity.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.activity.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.chain = QLabel(self)
        self.chain.setObjectName("chainStatus")
        activity_title = QLabel(_("Recent activity"), self)
        styled(activity_title, "sectionTitle")
        heading = QHBoxLayout()
        heading.addWidget(activity_title)
        heading.addStretch(1)
        heading.addWidget(self.chain)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.summary)
        layout.addSpacing(6)
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addLayout(heading)
        layout.addWidget(self.activity, 1)

    def view_title(self) -> str:
        return _("Overview")

    def refresh(self) -> None:
        if self.case_id is None:
            self.title.setText("")
            self.subtitle.setText("")
            self.summary.setText("")
            self.activity.setRowCount(0)
            for card in self.cards.values():
                card.set(0)
            self.chain.setText("")
            return
        case = self.app.cases.get(self.case_id)
        self.title.setText(f"{case.number}  {case.title}")
        bits = [_("Status: {status}").format(status=case_status_label(case.status))]
        if case.lead_investigator:
            bits.append(_("Lead investigator: {name}").format(name=case.lead_investigator))
        if case.organisation:
            bits.append(case.organisation)
        bits.append(_("Opened {date}").format(
            date=case.created_at.astimezone().strftime("%Y-%m-%d")))
        self.subtitle.setText(" · ".join(bits))
        self.summary.setText(case.summary)
        self.summary.setVisible(bool(case.summary))
        f = key_figures(self.app, self.case_id)
        self.cards["complaints"].set(f.complaints)
        self.cards["groups"].set(f.groups, _("{n} complaints in groups").format(
            n=f"{f.grouped_complaints:,}") if f.groups else "")
        self.cards["parties"].set(f.parties, _("{n} suspects, intermediaries or agents").format(
            n=f.suspects) if f.parties else "")
        self.cards["contacts"].set(f.contacts)
        self.cards["evidence"].set(f.evidence, _("{n} links").format(n=f.links)
                                   if f.links else "")
        entries = self.app.audit.entries(self.case_id)
        self._show_activity(list(reversed(entries[-RECENT_ENTRIES:])))
        verification = self.app.audit.verify(self.case_id)
        if verification.ok:
            self.chain.setText(_("Audit log intact ({n} entries)").format(
                n=verification.entries))
            self.chain.setProperty("ok", True)
        else:
            problem = verification.first_problem
            self.chain.setText(_("Audit log damaged: {problem}").format(
                problem=problem.message if problem else ""))
            self.chain.setProperty("ok", False)
        self.chain.style().unpolish(self.chain)
        self.chain.style().polish(self.chain)

    def _show_activity(self, entries: list[AuditRecord]) -> None:
        self.activity.setRowCount(len(entries))
        for row, e in enumerate(entries):
            values = (e.at.astimezone().strftime("%Y-%m-%d %H:%M"), e.actor,
                      audit_action_label(e.action), e.summary)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.activity.setItem(row, col, item)
