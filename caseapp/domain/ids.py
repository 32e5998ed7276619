"""Typed ids: plain ints at run time, distinct types for the type checker."""

from typing import NewType

CaseId = NewType("CaseId", int)
PartyId = NewType("PartyId", int)
IdentifierId = NewType("IdentifierId", int)
ComplaintId = NewType("ComplaintId", int)
ImportBatchId = NewType("ImportBatchId", int)
ContactId = NewType("ContactId", int)
EvidenceId = NewType("EvidenceId", int)
LinkId = NewType("LinkId", int)
