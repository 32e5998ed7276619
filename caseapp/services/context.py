"""What every service needs: the database, the evidence store, who acts, and a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from caseapp.db.session import Database
from caseapp.storage.evidence_store import EvidenceStore


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServiceContext:
    db: Database
    store: EvidenceStore
    actor: str
    clock: Callable[[], datetime] = field(default=system_clock)
