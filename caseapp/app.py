"""Composition root: settings → workspace → engine (migrated) → services. No Qt here."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from caseapp.backup.service import pre_migration_backup
from caseapp.db.migrate import UpgradeResult, upgrade
from caseapp.db.session import Database, make_engine
from caseapp.domain.errors import CaseappError
from caseapp.export.service import ExportService
from caseapp.i18n import _
from caseapp.services.analysis import AnalysisService
from caseapp.services.audit import AuditService
from caseapp.services.cases import CaseService
from caseapp.services.complaint_queries import ComplaintQueryService
from caseapp.services.complaints import ComplaintService
from caseapp.services.contacts import ContactService
from caseapp.services.context import ServiceContext, system_clock
from caseapp.services.evidence import EvidenceService
from caseapp.services.exchange import ExchangeService
from caseapp.services.linkgraph import LinkGraphService
from caseapp.services.links import LinkService
from caseapp.services.parties import PartyService
from caseapp.services.recovery import RecoveryReport, recover_evidence_store
from caseapp.services.search import SearchService
from caseapp.services.timeline import TimelineService
from caseapp.storage.evidence_store import EvidenceStore
from caseapp.storage.workspace import Workspace, resolve_workspace


@dataclass
class App:
    workspace: Workspace
    db: Database
    ctx: ServiceContext
    upgrade: UpgradeResult | None
    recovery: RecoveryReport
    cases: CaseService
    parties: PartyService
    evidence: EvidenceService
    contacts: ContactService
    complaints: ComplaintService
    analysis: AnalysisService
    links: LinkService
    audit: AuditService
    exchange: ExchangeService
    export: ExportService
    complaint_queries: ComplaintQueryService
    search: SearchService
    timeline: TimelineService
    linkgraph: LinkGraphService

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_app(
    workspace: str | os.PathLike[str] | None = None,
    database_url: str | None = None,
    *,
    migrate: bool = True,
    actor: str | None = None,
    clock: Callable[[], datetime] = system_clock,
) -> App:
    """Open (and by default migrate) the workspace's database and build the services."""
    ws = resolve_workspace(workspace, database_url)
    try:
        db = Database(make_engine(ws.database_url))
        result = upgrade(db.engine, pre_migration_backup=lambda engine, old, new:
                         pre_migration_backup(engine, ws.root / "backups", old, new,
                                              clock=clock)) if migrate else None
    except (SQLAlchemyError, ArgumentError, ImportError) as exc:
        raise CaseappError(
            _("Cannot open the database {url}: {error}").format(
                url=make_url(ws.database_url).render_as_string(hide_password=True)
                if "://" in ws.database_url else ws.database_url,
                error=str(exc).splitlines()[0])) from exc
    store = EvidenceStore(ws.evidence_dir)
    ctx = ServiceContext(db=db, store=store, actor=actor or ws.user_name, clock=clock)
    recovery = recover_evidence_store(ctx)
    evidence = EvidenceService(ctx)
    complaint_queries = ComplaintQueryService(ctx)
    exchange = ExchangeService(ctx, key_dir=ws.root / "exchange")
    return App(
        workspace=ws,
        db=db,
        ctx=ctx,
        upgrade=result,
        recovery=recovery,
        cases=CaseService(ctx),
        parties=PartyService(ctx),
        evidence=evidence,
        contacts=ContactService(ctx, evidence),
        complaints=ComplaintService(ctx, evidence),
        analysis=AnalysisService(ctx, rules_dir=ws.root),
        links=LinkService(ctx),
        audit=AuditService(ctx),
        exchange=exchange,
        export=ExportService.create(ctx, rules_dir=ws.root, exchange=exchange),
        complaint_queries=complaint_queries,
        search=SearchService(ctx, complaint_queries),
        timeline=TimelineService(ctx),
        linkgraph=LinkGraphService(ctx),
    )
