"""The industry blacklist exchange on a workspace: export a case's suspects as a signed file of
keyed hashes, import members' files, and find which local identifiers they also report."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Select, func, insert, or_, select
from sqlalchemy.orm import Session

from caseapp.db.models import (
    Case,
    Complaint,
    Contact,
    ExchangeExport,
    ExchangePeerEntry,
    ExchangePeerFile,
    Identifier,
    IdentifierMention,
    Party,
)
from caseapp.db.repositories.lookup import find_case
from caseapp.domain.enums import PartyRole
from caseapp.domain.errors import InvalidInputError, NotFoundError
from caseapp.domain.labels import party_role_label
from caseapp.domain.progress import CancelToken, NullProgress, ProgressSink
from caseapp.exchange.files import read_exchange_file, signed_file
from caseapp.exchange.format import (
    MAX_FILE_BYTES,
    ExchangeDocument,
    ExchangeEntry,
    ExchangeFileRefused,
    format_time,
    sorted_entries,
)
from caseapp.exchange.hashing import EXCHANGED_TYPES, digests, key_check_value
from caseapp.exchange.keystore import KeyStore
from caseapp.exchange.matching import (
    InstitutionReport,
    LocalIdentifier,
    PeerEntry,
    by_institution,
    local_digests,
    match,
)
from caseapp.i18n import _
from caseapp.services.audit import append_audit
from caseapp.services.context import ServiceContext
from caseapp.services.linkgraph import NodeType, node_key

# Party roles whose identifiers may leave the institution, and the category they carry.
EXPORTED_ROLES: dict[str, str] = {
    PartyRole.SUSPECT.value: "suspect",
    PartyRole.AGENT.value: "agent",
    PartyRole.INTERMEDIARY.value: "intermediary",
}
# Complaint fields that hold the customer's (complainant's) own identifiers.
CUSTOMER_FIELDS = ("customer_id_number", "customer_phone")
# Dates in the file are calendar days in China Standard Time (no daylight saving).
CHINA_TIME = timezone(timedelta(hours=8))

_CHUNK = 500
_INSERT_CHUNK = 2000
_PROBE_LIMIT = 2000  # up to this many local digests are looked up; above, entries are scanned


@dataclass(frozen=True, slots=True)
class WithheldIdentifier:
    """A suspect's identifier that was not exported, and why (shown only locally)."""

    identifier_id: int
    party_id: int
    type: str
    value: str
    reason: str  # invalid | type_not_shared | complainant


@dataclass(frozen=True, slots=True)
class ExportPlan:
    case_id: int
    case_number: str
    party_ids: tuple[int, ...]
    entries: tuple[ExchangeEntry, ...]
    withheld: tuple[WithheldIdentifier, ...]


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    file_sha256: str
    case_id: int
    case_number: str
    key_id: str
    created_at: datetime
    entries: int
    parties: int
    withheld: tuple[WithheldIdentifier, ...]


@dataclass(frozen=True, slots=True)
class ImportResult:
    file_id: int
    file_name: str
    file_sha256: str
    issuer_code: str
    issuer_name: str
    signer_fingerprint: str
    key_id: str
    created_at: datetime
    entries: int
    superseded_file_id: int | None
    matched_identifiers: int  # local identifiers (all cases) the file's entries match
    matched_cases: int
    cases_recorded: int  # audit chains the import was written to


@dataclass(frozen=True, slots=True)
class PeerFileRecord:
    id: int
    file_name: str
    file_sha256: str
    issuer_code: str
    issuer_name: str
    signer_fingerprint: str
    key_id: str
    created_at: datetime
    entries: int
    active: bool
    superseded_by_id: int | None
    imported_at: datetime
    imported_by: str


@dataclass(frozen=True, slots=True)
class ExportRecord:
    id: int
    case_id: int
    file_name: str
    file_sha256: str
    key_id: str
    entries: int
    parties: int
    withheld: int
    created_at: datetime
    actor: str


@dataclass(frozen=True, slots=True)
class IdentifierMatch:
    """A local identifier that other institutions also report."""

    identifier_id: int
    case_id: int
    type: str
    value: str
    party_id: int | None
    party_name: str
    party_role: str
    local_complaints: int
    institutions: int
    first_seen: date | None  # the earliest date any other institution saw it
    last_seen: date | None
    reports: tuple[InstitutionReport, ...]


@dataclass(frozen=True, slots=True)
class PartyMatch:
    """A party with identifiers other institutions also report: how many institutions (never
    their data) and since when."""

    party_id: int
    name: str
    role: str
    institutions: int
    first_seen: date | None
    identifiers: tuple[IdentifierMatch, ...]


@dataclass(frozen=True, slots=True)
class CaseMatches:
    case_id: int
    case_number: str
    checked: int  # local identifiers compared
    peer_files: int  # active peer files compared against
    identifiers: tuple[IdentifierMatch, ...]
    parties: tuple[PartyMatch, ...]
    missing_keys: tuple[str, ...]  # key ids of peer files whose consortium key was removed


def _series(case: Case) -> str:
    """A stable, opaque name for the files of one case (reveals nothing about the case)."""
    return hashlib.sha256(b"caseapp.exchange.series\x00" + case.uid.bytes).hexdigest()[:32]


def _day(at: datetime | None) -> date | None:
    return at.astimezone(CHINA_TIME).date() if at is not None else None


def _chunks(items: Sequence[object], size: int = _CHUNK) -> Iterator[Sequence[object]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temp.open("xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class ExchangeService:
    def __init__(self, ctx: ServiceContext, *, key_dir: Path) -> None:
        self._ctx = ctx
        # The keys live in the workspace folder, not in the (possibly shared) database.
        self.keys = KeyStore(key_dir)

    # --- export --------------------------------------------------------------------------

    def plan_export(self, case_ref: str | int, *,
                    party_ids: Collection[int] | None = None) -> ExportPlan:
        """What an export of the case would hold (nothing is written)."""
        _key_id, secret = self.keys.export_key()
        with self._ctx.db.read() as s:
            return self._plan(s, case_ref, party_ids, secret)

    def _plan(self, s: Session, case_ref: str | int, party_ids: Collection[int] | None,
              secret: bytes) -> ExportPlan:
        case = find_case(s, case_ref)
        parties = self._export_parties(s, case, party_ids)
        idents: list[Identifier] = []
        for chunk in _chunks([p.id for p in parties]):
            idents += s.scalars(select(Identifier).where(Identifier.party_id.in_(chunk)))
        idents.sort(key=lambda i: i.id)
        withheld: list[WithheldIdentifier] = []
        candidates: list[Identifier] = []
        for ident in idents:
            assert ident.party_id is not None
            if ident.type not in EXCHANGED_TYPES:
                reason = "type_not_shared"
            elif not ident.valid or not ident.value:
                reason = "invalid"
            else:
                candidates.append(ident)
                continue
            withheld.append(WithheldIdentifier(ident.id, ident.party_id, ident.type,
                                               ident.value, reason))
        customer_values = self._customer_values(s, {i.value for i in candidates})
        exported: list[Identifier] = []
        for ident in candidates:
            assert ident.party_id is not None
            if ident.value in customer_values:
                withheld.append(WithheldIdentifier(ident.id, ident.party_id, ident.type,
                                                   ident.value, "complainant"))
            else:
                exported.append(ident)
        party_of = {p.id: p for p in parties}
        stats = self._identifier_stats(s, [i.id for i in exported])
        hashes = digests(secret, [(i.type, i.value) for i in exported])
        entries = []
        for ident, digest in zip(exported, hashes, strict=True):
            assert ident.party_id is not None
            party = party_of[ident.party_id]
            days, complaints, customers = stats.get(ident.id, ([], 0, 0))
            if not days:  # in no complaint or contact: seen when the party was recorded
                days = [_day(party.created_at)]
            entries.append(ExchangeEntry(
                digest=digest, category=EXPORTED_ROLES[party.role],
                first_seen=min(d for d in days if d), last_seen=max(d for d in days if d),
                complaints=complaints, customers=customers))
        return ExportPlan(case_id=case.id, case_number=case.number,
                          party_ids=tuple(p.id for p in parties),
                          entries=sorted_entries(entries), withheld=tuple(withheld))

    @staticmethod
    def _export_parties(s: Session, case: Case, party_ids: Collection[int] | None
                        ) -> list[Party]:
        if party_ids is None:
            return list(s.scalars(select(Party).where(
                Party.case_id == case.id, Party.role.in_(list(EXPORTED_ROLES)))
                .order_by(Party.id)))
        parties = []
        for pid in dict.fromkeys(party_ids):
            party = s.get(Party, pid)
            if party is None or party.case_id != case.id:
                raise NotFoundError(_("No party {id} in case {number}.").format(
                    id=pid, number=case.number))
            if party.role not in EXPORTED_ROLES:
                raise InvalidInputError(_(
                    "Party #{id} {name} is not a suspect, agent or intermediary organisation; "
                    "only their identifiers are ever exported.").format(id=party.id,
                                                                         name=party.name))
            parties.append(party)
        return parties

    @staticmethod
    def _customer_values(s: Session, values: set[str]) -> set[str]:
        """Those of `values` that are a complainant's identifier anywhere in the workspace: a
        complainant party's identifier, a complaint's customer ID number or phone, or an
        identifier found in those customer fields."""
        found: set[str] = set()
        for chunk in _chunks(sorted(values), 1000):
            found.update(s.scalars(
                select(Identifier.value).join(Party, Identifier.party_id == Party.id).where(
                    Party.role == PartyRole.COMPLAINANT.value, Identifier.value.in_(chunk))))
            found.update(s.scalars(
                select(Identifier.value).join(
                    IdentifierMention, IdentifierMention.identifier_id == Identifier.id).where(
                    IdentifierMention.field.in_(CUSTOMER_FIELDS), Identifier.value.in_(chunk))))
            # One pass over the complaints for both columns.
            for phone, id_number in s.execute(
                    select(Complaint.customer_phone, Complaint.customer_id_number).where(
                        or_(Complaint.customer_phone.in_(chunk),
                            Complaint.customer_id_number.in_(chunk)))):
                found.update((phone, id_number))
        return found & values

    @staticmethod
    def _identifier_stats(s: Session, ids: list[int]
                          ) -> dict[int, tuple[list[date | None], int, int]]:
        """Per identifier: the days it was seen (complaints received, contacts made), how many
        complaints mention it, and how many distinct customers filed them."""
        days: dict[int, list[date | None]] = defaultdict(list)
        complaints: dict[int, set[int]] = defaultdict(set)
        customers: dict[int, set[tuple[str, str]]] = defaultdict(set)
        for chunk in _chunks(ids):
            rows = s.execute(select(
                IdentifierMention.identifier_id, Complaint.id, Complaint.received_at,
                Complaint.customer_id_number, Complaint.customer_phone, Complaint.customer_name,
            ).join(Complaint, IdentifierMention.complaint_id == Complaint.id).where(
                IdentifierMention.identifier_id.in_(chunk)))
            for ident_id, cid, received, id_number, phone, name in rows:
                if cid in complaints[ident_id]:
                    continue
                complaints[ident_id].add(cid)
                days[ident_id].append(_day(received))
                if id_number:
                    customers[ident_id].add(("id_card", id_number))
                elif phone:
                    customers[ident_id].add(("phone", phone))
                elif name.strip():
                    customers[ident_id].add(("name", name.strip()))
                else:
                    customers[ident_id].add(("complaint", str(cid)))
            for ident_id, started in s.execute(select(
                    Contact.counterpart_identifier_id, Contact.started_at).where(
                    Contact.counterpart_identifier_id.in_(chunk))):
                days[ident_id].append(_day(started))
        return {i: ([d for d in days[i] if d], len(complaints[i]), len(customers[i]))
                for i in ids}

    def export_case(
        self,
        case_ref: str | int,
        out: Path,
        *,
        party_ids: Collection[int] | None = None,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> ExportResult:
        """Write the signed exchange file of the case's suspect-side parties (all of them, or
        `party_ids`) to `out`, and record the export with the file's SHA-256."""
        progress = progress or NullProgress()
        identity, private_key = self.keys.signing_key()
        key_id, secret = self.keys.export_key()
        out = Path(out)
        written = False
        try:
            with self._ctx.db.write() as s:
                progress.report(0, 3, _("Collecting the suspects' identifiers"))
                plan = self._plan(s, case_ref, party_ids, secret)
                if not plan.entries:
                    reasons = _withheld_summary(plan.withheld)
                    raise InvalidInputError(_(
                        "Nothing to export from case {number}: no suspect, agent or "
                        "intermediary organisation has an identifier that can be shared{why}."
                    ).format(number=plan.case_number, why=f" ({reasons})" if reasons else ""))
                if cancel is not None:
                    cancel.raise_if_cancelled()
                progress.report(1, 3, _("Signing the exchange file"))
                case = s.get(Case, plan.case_id)
                assert case is not None
                now = self._ctx.clock()
                document = ExchangeDocument(
                    issuer_code=identity.code, issuer_name=identity.name,
                    created_at=now.replace(microsecond=0), key_id=key_id,
                    key_check=key_check_value(secret), series=_series(case), entries=plan.entries)
                data = signed_file(document, identity, private_key)
                sha = hashlib.sha256(data).hexdigest()
                row = ExchangeExport(
                    case_id=case.id, file_name=out.name[:500], file_sha256=sha, key_id=key_id,
                    series=document.series, entry_count=len(plan.entries),
                    party_count=len(plan.party_ids), withheld_count=len(plan.withheld),
                    created_at=now, actor=self._ctx.actor)
                s.add(row)
                s.flush()
                append_audit(
                    s, self._ctx, case_id=case.id, action="exchange.export",
                    object_type="exchange_export", object_id=row.id,
                    summary=f"{out.name} sha256 {sha}: {len(plan.entries)} hashed identifiers "
                            f"of {len(plan.party_ids)} parties, key {key_id}",
                    details={"file_name": out.name, "sha256": sha, "key_id": key_id,
                             "entries": len(plan.entries), "parties": list(plan.party_ids),
                             "withheld": len(plan.withheld), "series": document.series,
                             "created_at": format_time(document.created_at),
                             "signer_fingerprint": identity.fingerprint})
                if cancel is not None:
                    cancel.raise_if_cancelled()
                progress.report(2, 3, _("Writing the exchange file"))
                _write_atomic(out, data)
                written = True
        except BaseException:
            if written:
                out.unlink(missing_ok=True)
            raise
        progress.report(3, 3, _("Done"))
        return ExportResult(path=out, file_sha256=sha, case_id=plan.case_id,
                            case_number=plan.case_number, key_id=key_id,
                            created_at=document.created_at, entries=len(plan.entries),
                            parties=len(plan.party_ids), withheld=plan.withheld)

    def exports(self, case_ref: str | int) -> list[ExportRecord]:
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            rows = s.scalars(select(ExchangeExport).where(ExchangeExport.case_id == case.id)
                             .order_by(ExchangeExport.id))
            return [ExportRecord(id=r.id, case_id=r.case_id, file_name=r.file_name,
                                 file_sha256=r.file_sha256, key_id=r.key_id,
                                 entries=r.entry_count, parties=r.party_count,
                                 withheld=r.withheld_count, created_at=r.created_at,
                                 actor=r.actor) for r in rows]

    # --- import --------------------------------------------------------------------------

    def import_file(
        self,
        path: Path,
        *,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> ImportResult:
        """Check a member's exchange file and store its entries; refused files store nothing."""
        progress = progress or NullProgress()
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ExchangeFileRefused(path.name, _(
                    "the file is {size} bytes, more than the {limit} bytes an exchange file may "
                    "have.").format(size=size, limit=MAX_FILE_BYTES))
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInputError(_("Cannot read {path}: {error}").format(
                path=path, error=exc.strerror or exc)) from exc
        sha = hashlib.sha256(data).hexdigest()
        progress.report(0, 100, _("Checking the signature"))
        verified = read_exchange_file(data, path.name, self.keys, now=self._ctx.clock())
        doc = verified.document
        if cancel is not None:
            cancel.raise_if_cancelled()
        with self._ctx.db.write() as s:
            earlier = s.scalar(select(ExchangePeerFile).where(
                ExchangePeerFile.file_sha256 == sha))
            if earlier is not None:
                raise ExchangeFileRefused(path.name, _(
                    "this file was already imported on {at} by {actor} (file #{id}); it is not "
                    "imported twice.").format(at=format_time(earlier.imported_at),
                                              actor=earlier.imported_by, id=earlier.id))
            latest = s.scalar(select(ExchangePeerFile).where(
                ExchangePeerFile.issuer_code == doc.issuer_code,
                ExchangePeerFile.series == doc.series)
                .order_by(ExchangePeerFile.created_at.desc(), ExchangePeerFile.id.desc())
                .limit(1))
            if latest is not None and latest.created_at >= doc.created_at:
                raise ExchangeFileRefused(path.name, _(
                    "a file of the same series from {code}, made at {newer}, is already "
                    "imported (file #{id}); this one was made at {older} and would replace "
                    "newer information with older (a replay).").format(
                        code=doc.issuer_code, newer=format_time(latest.created_at),
                        id=latest.id, older=format_time(doc.created_at)))
            now = self._ctx.clock()
            row = ExchangePeerFile(
                file_sha256=sha, file_name=path.name[:500], file_size=len(data),
                issuer_code=doc.issuer_code, issuer_name=doc.issuer_name,
                signer_fingerprint=verified.signer.fingerprint, key_id=doc.key_id,
                series=doc.series, created_at=doc.created_at, entry_count=len(doc.entries),
                active=True, imported_at=now, imported_by=self._ctx.actor, content=data)
            s.add(row)
            s.flush()
            total = max(len(doc.entries), 1)
            for start in range(0, len(doc.entries), _INSERT_CHUNK):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                chunk = doc.entries[start:start + _INSERT_CHUNK]
                s.execute(insert(ExchangePeerEntry.__table__), [{
                    "file_id": row.id, "key_id": doc.key_id, "digest": e.digest,
                    "category": e.category, "first_seen": e.first_seen,
                    "last_seen": e.last_seen, "complaints": e.complaints,
                    "customers": e.customers} for e in chunk])
                progress.report(10 + 80 * (start + len(chunk)) // total, 100,
                                _("Storing the entries"))
            superseded = None
            if latest is not None and latest.active:
                latest.active = False
                latest.superseded_by_id = row.id
                superseded = latest.id
            s.flush()
            details = {"file_name": path.name, "sha256": sha, "issuer_code": doc.issuer_code,
                       "issuer_name": doc.issuer_name,
                       "signer_fingerprint": verified.signer.fingerprint,
                       "key_id": doc.key_id, "created_at": format_time(doc.created_at),
                       "entries": len(doc.entries), "superseded_file_id": superseded}
            summary = (f"{path.name} sha256 {sha} from {doc.issuer_code} {doc.issuer_name}: "
                       f"{len(doc.entries)} hashed identifiers, key {doc.key_id}")
            case_ids = list(s.scalars(select(Case.id).order_by(Case.id)))
            # A peer file serves every case, so every case's chain records it.
            for case_id in case_ids:
                append_audit(s, self._ctx, case_id=case_id, action="exchange.import",
                             object_type="exchange_file", object_id=row.id, summary=summary,
                             details=details)
            file_id = row.id
        progress.report(90, 100, _("Looking for matches"))
        matched, cases = self._count_file_matches(doc)
        progress.report(100, 100, _("Done"))
        return ImportResult(
            file_id=file_id, file_name=path.name, file_sha256=sha,
            issuer_code=doc.issuer_code, issuer_name=doc.issuer_name,
            signer_fingerprint=verified.signer.fingerprint, key_id=doc.key_id,
            created_at=doc.created_at, entries=len(doc.entries),
            superseded_file_id=superseded, matched_identifiers=matched, matched_cases=cases,
            cases_recorded=len(case_ids))

    def _count_file_matches(self, doc: ExchangeDocument) -> tuple[int, int]:
        """How many local identifiers (all cases) the file's entries match, in how many cases."""
        secret = self.keys.consortium_secret(doc.key_id)
        if secret is None:
            return 0, 0
        wanted = {e.digest for e in doc.entries}
        with self._ctx.db.read() as s:
            local = _local_rows(s, select(Identifier.id, Identifier.type, Identifier.value))
            table = local_digests(local, {doc.key_id: secret})[doc.key_id]
            hits = sorted(i for d in wanted & table.keys() for i in table[d])
            cases: set[int] = set()
            for chunk in _chunks(hits):
                cases.update(s.scalars(select(Identifier.case_id).where(
                    Identifier.id.in_(chunk))))
        return len(hits), len(cases)

    def peer_files(self, *, include_superseded: bool = True) -> list[PeerFileRecord]:
        with self._ctx.db.read() as s:
            query = select(
                ExchangePeerFile.id, ExchangePeerFile.file_name, ExchangePeerFile.file_sha256,
                ExchangePeerFile.issuer_code, ExchangePeerFile.issuer_name,
                ExchangePeerFile.signer_fingerprint, ExchangePeerFile.key_id,
                ExchangePeerFile.created_at, ExchangePeerFile.entry_count,
                ExchangePeerFile.active, ExchangePeerFile.superseded_by_id,
                ExchangePeerFile.imported_at, ExchangePeerFile.imported_by,
            ).order_by(ExchangePeerFile.id)
            if not include_superseded:
                query = query.where(ExchangePeerFile.active.is_(True))
            return [PeerFileRecord(*row) for row in s.execute(query)]

    # --- matching ------------------------------------------------------------------------

    def matches(
        self,
        case_ref: str | int,
        *,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> CaseMatches:
        """Every identifier of the case (parties' and those found in complaints) that an
        active peer file also reports, with the parties they belong to."""
        progress = progress or NullProgress()
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            progress.report(0, 3, _("Reading the case's identifiers"))
            local = _local_rows(s, select(Identifier.id, Identifier.type, Identifier.value)
                                .where(Identifier.case_id == case.id))
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress.report(1, 3, _("Hashing and comparing"))
            hits, files, missing = self._hits(s, local, cancel)
            progress.report(2, 3, _("Collecting the matches"))
            identifiers = self._identifier_matches(s, case.id, hits)
            result = CaseMatches(
                case_id=case.id, case_number=case.number, checked=len(local),
                peer_files=files, identifiers=identifiers,
                parties=_party_matches(identifiers), missing_keys=missing)
        progress.report(3, 3, _("Done"))
        return result

    def party_matches(self, case_ref: str | int, party_ids: Iterable[int] | None = None
                      ) -> dict[int, PartyMatch]:
        """Per party of the case (or of `party_ids`) with matches: the number of other
        institutions that report any of its identifiers, and the earliest date they saw one.
        For the party view, the link chart and the dossier's suspect section."""
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            query = select(Identifier.id, Identifier.type, Identifier.value).where(
                Identifier.case_id == case.id, Identifier.party_id.is_not(None))
            if party_ids is not None:
                query = query.where(Identifier.party_id.in_(list(party_ids)))
            local = _local_rows(s, query)
            hits, _files, _missing = self._hits(s, local, None)
            identifiers = self._identifier_matches(s, case.id, hits)
        return {p.party_id: p for p in _party_matches(identifiers)}

    def graph_badges(self, case_ref: str | int) -> dict[str, int]:
        """Link-chart node key ("party:ID", "identifier:ID") → how many other institutions
        report it, for every party and identifier of the case with matches."""
        found = self.matches(case_ref)
        badges = {node_key(NodeType.IDENTIFIER, m.identifier_id): m.institutions
                  for m in found.identifiers}
        badges.update({node_key(NodeType.PARTY, p.party_id): p.institutions
                       for p in found.parties})
        return badges

    def identifier_matches(self, case_ref: str | int, identifier_ids: Iterable[int]
                           ) -> dict[int, IdentifierMatch]:
        """The matches of some identifiers of the case (e.g. those shown in a view)."""
        ids = sorted(set(identifier_ids))
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            local: list[LocalIdentifier] = []
            for chunk in _chunks(ids):
                local += _local_rows(s, select(Identifier.id, Identifier.type, Identifier.value)
                                     .where(Identifier.case_id == case.id,
                                            Identifier.id.in_(chunk)))
            hits, _files, _missing = self._hits(s, local, None)
            return {m.identifier_id: m for m in self._identifier_matches(s, case.id, hits)}

    def _hits(self, s: Session, local: Sequence[LocalIdentifier], cancel: CancelToken | None
              ) -> tuple[dict[int, list[PeerEntry]], int, tuple[str, ...]]:
        """Local identifier id → matching peer entries of active files; the number of active
        files; key ids of active files whose consortium key is not installed."""
        active = s.execute(select(ExchangePeerFile.key_id, func.count()).where(
            ExchangePeerFile.active.is_(True)).group_by(ExchangePeerFile.key_id)).all()
        files = sum(n for _k, n in active)
        secrets_by_id = self.keys.consortium_secrets()
        keys = {k: secrets_by_id[k] for k, _n in active if k in secrets_by_id}
        missing = tuple(sorted(k for k, _n in active if k not in secrets_by_id))
        if not local or not keys:
            return {}, files, missing
        table = local_digests(local, keys)
        if cancel is not None:
            cancel.raise_if_cancelled()
        columns = (ExchangePeerEntry.key_id, ExchangePeerEntry.digest, ExchangePeerFile.id,
                   ExchangePeerFile.issuer_code, ExchangePeerFile.issuer_name,
                   ExchangePeerEntry.category, ExchangePeerEntry.first_seen,
                   ExchangePeerEntry.last_seen, ExchangePeerEntry.complaints,
                   ExchangePeerEntry.customers)
        base = select(*columns).join(ExchangePeerFile,
                                     ExchangePeerEntry.file_id == ExchangePeerFile.id).where(
            ExchangePeerFile.active.is_(True))

        def rows() -> Iterator[tuple[str, str, PeerEntry]]:
            probes = sum(len(t) for t in table.values())
            if probes <= _PROBE_LIMIT:
                for key_id, by_digest in table.items():
                    for chunk in _chunks(sorted(by_digest)):
                        yield from _peer_rows(s.execute(base.where(
                            ExchangePeerEntry.key_id == key_id,
                            ExchangePeerEntry.digest.in_(chunk))))
            else:
                yield from _peer_rows(s.execute(
                    base.where(ExchangePeerEntry.key_id.in_(sorted(keys))),
                    execution_options={"yield_per": 5000}))

        return match(table, rows()), files, missing

    @staticmethod
    def _identifier_matches(s: Session, case_id: int, hits: dict[int, list[PeerEntry]]
                            ) -> tuple[IdentifierMatch, ...]:
        if not hits:
            return ()
        ids = sorted(hits)
        info: dict[int, tuple[str, str, int | None, str, str]] = {}
        counts: dict[int, int] = {}
        for chunk in _chunks(ids):
            for i, t, v, pid, name, role in s.execute(
                    select(Identifier.id, Identifier.type, Identifier.value, Identifier.party_id,
                           Party.name, Party.role)
                    .outerjoin(Party, Identifier.party_id == Party.id)
                    .where(Identifier.id.in_(chunk))):
                info[i] = (t, v, pid, name or "", role or "")
            counts.update(s.execute(
                select(IdentifierMention.identifier_id,
                       func.count(func.distinct(IdentifierMention.complaint_id)))
                .where(IdentifierMention.identifier_id.in_(chunk),
                       IdentifierMention.complaint_id.is_not(None))
                .group_by(IdentifierMention.identifier_id)).all())
        out = []
        for i in ids:
            t, v, pid, name, role = info[i]
            reports = by_institution(hits[i])
            firsts = [r.first_seen for r in reports if r.first_seen]
            lasts = [r.last_seen for r in reports if r.last_seen]
            out.append(IdentifierMatch(
                identifier_id=i, case_id=case_id, type=t, value=v, party_id=pid,
                party_name=name, party_role=role, local_complaints=counts.get(i, 0),
                institutions=len(reports), first_seen=min(firsts) if firsts else None,
                last_seen=max(lasts) if lasts else None, reports=reports))
        out.sort(key=lambda m: (-m.institutions, m.first_seen or date.max, m.type, m.value))
        return tuple(out)


def _local_rows(s: Session, query: Select[tuple[int, str, str]]) -> list[LocalIdentifier]:
    """(id, type, value) of the valid identifiers of exchanged types the query selects."""
    query = query.where(Identifier.valid.is_(True),
                        Identifier.type.in_(sorted(EXCHANGED_TYPES)))
    # Core rows (no ORM row processing): this runs over every identifier of a case.
    return list(s.connection().execute(query).all())  # type: ignore[arg-type]


def _peer_rows(result: Iterable[tuple[object, ...]]) -> Iterator[tuple[str, str, PeerEntry]]:
    for key_id, digest, fid, code, name, category, first, last, complaints, customers in result:
        yield (str(key_id), str(digest), PeerEntry(
            file_id=int(fid), issuer_code=str(code), issuer_name=str(name),  # type: ignore[call-overload]
            category=str(category), first_seen=first, last_seen=last,  # type: ignore[arg-type]
            complaints=int(complaints), customers=int(customers)))  # type: ignore[call-overload]


def _party_matches(identifiers: Sequence[IdentifierMatch]) -> tuple[PartyMatch, ...]:
    grouped: dict[int, list[IdentifierMatch]] = defaultdict(list)
    for m in identifiers:
        if m.party_id is not None:
            grouped[m.party_id].append(m)
    out = []
    for pid, items in grouped.items():
        institutions = {r.code for m in items for r in m.reports}
        firsts = [m.first_seen for m in items if m.first_seen]
        out.append(PartyMatch(party_id=pid, name=items[0].party_name, role=items[0].party_role,
                              institutions=len(institutions),
                              first_seen=min(firsts) if firsts else None,
                              identifiers=tuple(items)))
    out.sort(key=lambda p: (-p.institutions, p.first_seen or date.max, p.party_id))
    return tuple(out)


def category_label(category: str) -> str:
    """What people read for an entry's category (the party role it came from)."""
    return party_role_label(category) if category in EXPORTED_ROLES.values() else category


def withheld_reason_label(reason: str) -> str:
    return {
        "invalid": _("not a valid, normalised value"),
        "type_not_shared": _("this type is never shared"),
        "complainant": _("also a complainant's identifier"),
    }.get(reason, reason)


def _withheld_summary(withheld: Sequence[WithheldIdentifier]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for w in withheld:
        counts[w.reason] += 1
    return "; ".join(f"{withheld_reason_label(r)}: {n}" for r, n in sorted(counts.items()))
