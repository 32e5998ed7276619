"""Recovery on open from work a dead process left unfinished.

The database needs none: every operation is one transaction, which SQLite (WAL) and PostgreSQL
roll back when the process dies. The evidence store is a folder, so it can hold what a killed
add, import or restore left: half-copied temporary files, and complete files stored for a
record that was never committed. This removes both, and never a file another live process is
still writing or about to record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from caseapp.db.models import Evidence
from caseapp.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    temp_files_removed: tuple[Path, ...] = field(default=())
    orphans_removed: tuple[str, ...] = field(default=())  # SHA-256 of stored files removed

    @property
    def anything(self) -> bool:
        return bool(self.temp_files_removed or self.orphans_removed)


def _referenced(ctx: ServiceContext, sha256: str) -> bool:
    with ctx.db.read() as s:
        return s.scalar(select(Evidence.id).where(Evidence.sha256 == sha256).limit(1)
                        ) is not None


def recover_evidence_store(ctx: ServiceContext) -> RecoveryReport:
    store = ctx.store
    removed_temp = store.clean_temp()
    orphans: list[str] = []
    for claims in store.take_abandoned_claims():
        try:
            for sha in claims.sha256s:
                if _referenced(ctx, sha):
                    continue  # the record was committed before the process died
                if store.remove_unclaimed(sha, lambda sha=sha: _referenced(ctx, sha),
                                          ignore_tokens=[claims.token]):
                    orphans.append(sha)
        finally:
            claims.release()
    return RecoveryReport(tuple(removed_temp), tuple(orphans))
