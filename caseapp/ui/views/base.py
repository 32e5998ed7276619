"""What every view of an open case offers the main window.

A view is a widget over one case at a time. The main window creates each view once with the
:class:`~caseapp.app.App`, calls :meth:`CaseView.set_case` when the open case changes and
:meth:`CaseView.refresh` when data may have changed elsewhere. A view never talks SQL: it calls
the services on ``self.app``. To send the user to an object shown by another view (a party from a
complaint, evidence from a contact …) it emits :attr:`CaseView.open_item` with the object's type
(the ``LinkEndType`` values of caseapp.domain.enums, plus
"group" for a complaint group) and id; the main window routes it to the view
whose :meth:`CaseView.show_item` accepts it. A view that changed data emits
:attr:`CaseView.data_changed` so that the others can refresh.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from caseapp.app import App


class CaseView(QWidget):
    open_item = Signal(str, int)  # object type, id
    data_changed = Signal()
    status_message = Signal(str)

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.case_id: int | None = None

    def view_title(self) -> str:
        """The translated name shown in the navigation (e.g. 投诉)."""
        raise NotImplementedError

    def set_case(self, case_id: int | None) -> None:
        self.case_id = case_id
        self.refresh()

    def refresh(self) -> None:
        """Reload what the view shows from the services."""

    def show_item(self, object_type: str, object_id: int) -> bool:
        """Select the object if this view shows objects of that type; True when it did."""
        return False
