"""Two complaints side by side, the passages they share highlighted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from caseapp.app import App
from caseapp.domain.errors import CaseappError
from caseapp.i18n import _
from caseapp.services.analysis import ComplaintComparison
from caseapp.services.records import ComplaintRecord
from caseapp.ui.dialogs.errors import show_error
from caseapp.ui.widgets.rich_text import SHARED_BG, comparison_html, escape, legend_html


def _heading(c: ComplaintRecord) -> str:
    when = c.received_at.astimezone().strftime("%Y-%m-%d") if c.received_at else ""
    details = " · ".join(x for x in (when, c.customer_name, c.channel, c.agent_name) if x)
    return (f"<b>{escape(c.external_number)}</b><br/>"
            f'<span style="color:#6b7280">{escape(details)}</span>')


class CompareWidget(QWidget):
    """Side-by-side view of a :class:`ComplaintComparison`; the panes scroll together."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.heading_a, self.heading_b = QLabel(self), QLabel(self)
        self.text_a, self.text_b = QTextBrowser(self), QTextBrowser(self)
        panes = QSplitter(Qt.Orientation.Horizontal, self)
        for heading, text in ((self.heading_a, self.text_a), (self.heading_b, self.text_b)):
            box = QWidget(panes)
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            heading.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(heading)
            layout.addWidget(text, 1)
            panes.addWidget(box)
        legend = QLabel(legend_html([(SHARED_BG, _("shared passage"))]), self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(panes, 1)
        layout.addWidget(legend)
        self._syncing = False
        self.text_a.verticalScrollBar().valueChanged.connect(
            lambda _v: self._sync(self.text_a, self.text_b))
        self.text_b.verticalScrollBar().valueChanged.connect(
            lambda _v: self._sync(self.text_b, self.text_a))
        self.comparison: ComplaintComparison | None = None

    def _sync(self, source: QTextBrowser, target: QTextBrowser) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            bar, other = source.verticalScrollBar(), target.verticalScrollBar()
            if bar.maximum() > 0:
                other.setValue(round(bar.value() / bar.maximum() * other.maximum()))
        finally:
            self._syncing = False

    def show_comparison(self, result: ComplaintComparison) -> None:
        self.comparison = result
        cmp = result.comparison
        self.summary.setText(_(
            "Similarity {sim:.0%} · {sa:.0%} of the left and {sb:.0%} of the right text are "
            "passages they share.").format(sim=cmp.similarity, sa=cmp.shared_a,
                                           sb=cmp.shared_b))
        self.heading_a.setText(_heading(result.a))
        self.heading_b.setText(_heading(result.b))
        self.text_a.setHtml(comparison_html(result.a.text, cmp.spans_a))
        self.text_b.setHtml(comparison_html(result.b.text, cmp.spans_b))


class CompareDialog(QDialog):
    """Compare a complaint with another one chosen by its number."""

    def __init__(self, app: App, case_id: int, a_id: int, b_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.case_id, self.a_id = app, case_id, a_id
        self.setWindowTitle(_("Compare complaints"))
        self.other_edit = QLineEdit(self)
        self.other_edit.setPlaceholderText(_("number of the complaint to compare with"))
        self.other_edit.setClearButtonEnabled(True)
        self._completer = QCompleter([], self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.other_edit.setCompleter(self._completer)
        self.other_edit.textEdited.connect(self._complete)
        self.other_edit.returnPressed.connect(self.compare_with_typed)
        go = QPushButton(_("Compare"), self)
        go.clicked.connect(self.compare_with_typed)
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel(_("Compare with:"), self))
        chooser.addWidget(self.other_edit, 1)
        chooser.addWidget(go)
        self.view = CompareWidget(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(1100, 700)
        if b_id is not None:
            self.compare(b_id)

    def _complete(self, text: str) -> None:
        numbers = self.app.complaint_queries.numbers_starting(self.case_id, text)
        self._completer.model().setStringList(numbers)  # type: ignore[attr-defined]

    def compare_with_typed(self) -> None:
        text = self.other_edit.text().strip()
        if not text:
            return
        try:
            other = self.app.complaint_queries.find_number(self.case_id, text)
        except CaseappError as exc:
            show_error(self, _("Cannot compare"), exc)
            return
        self.compare(other)

    def compare(self, b_id: int) -> None:
        try:
            result = self.app.analysis.compare(self.case_id, f"#{self.a_id}", f"#{b_id}")
        except CaseappError as exc:
            show_error(self, _("Cannot compare"), exc)
            return
        self.other_edit.setText(result.b.external_number)
        self.view.show_comparison(result)
