"""The views of an open case, in navigation order: one line per view.

The main window builds one of each (``cls(app)``), lists them in its navigation under their
``view_title()`` and routes :attr:`CaseView.open_item` to the first other view whose
``show_item`` accepts the object.
"""

from __future__ import annotations

from caseapp.ui.views.analysis_view import AnalysisView
from caseapp.ui.views.base import CaseView
from caseapp.ui.views.complaints_view import ComplaintsView
from caseapp.ui.views.contacts_view import ContactsView
from caseapp.ui.views.evidence_view import EvidenceView
from caseapp.ui.views.exchange_view import ExchangeView
from caseapp.ui.views.linkchart_view import LinkChartView
from caseapp.ui.views.overview_view import OverviewView
from caseapp.ui.views.parties_view import PartiesView
from caseapp.ui.views.timeline_view import TimelineView

VIEW_CLASSES: tuple[type[CaseView], ...] = (
    OverviewView,
    ComplaintsView,
    AnalysisView,
    PartiesView,
    ContactsView,
    EvidenceView,
    LinkChartView,
    TimelineView,
    ExchangeView,
)
