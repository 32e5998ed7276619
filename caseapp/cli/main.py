"""Argument parsing, dispatch and error reporting for ``caseapp-cli``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from caseapp import __version__
from caseapp.analysis.compare import SAME
from caseapp.app import App, open_app
from caseapp.cli.backup_cmds import register_backup_commands
from caseapp.cli.export_cmds import add_export_commands
from caseapp.db.repositories.complaints import ComplaintFilter
from caseapp.domain.enums import ContactChannel, EvidenceKind, PartyKind, PartyRole
from caseapp.domain.errors import CaseappError, InvalidInputError
from caseapp.domain.labels import identifier_type_label, party_kind_label, party_role_label
from caseapp.i18n import _, set_language
from caseapp.identifiers.labels import problem_label
from caseapp.importers import ColumnMapping
from caseapp.services.complaints import ImportRejected
from caseapp.services.contacts import ContactFields
from caseapp.services.evidence import EvidenceFields
from caseapp.services.links import parse_object_ref
from caseapp.services.parties import parse_id_spec
from caseapp.services.records import ImportSummary, to_jsonable

Handler = Callable[[App, argparse.Namespace], "Output"]


class Output:
    """What a command prints: a JSON document with --json, else lines of text."""

    def __init__(self, data: Any, text: str | Sequence[str], exit_code: int = 0,
                 *, to_stderr: bool = False) -> None:
        self.data = data
        self.text = [text] if isinstance(text, str) else list(text)
        self.exit_code = exit_code
        self.to_stderr = to_stderr


def parse_time(text: str) -> datetime:
    """ISO 8601; a time without an offset is taken as the computer's local time."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            _("{text!r} is not an ISO time (for example 2025-03-04T14:30 or "
              "2025-03-04T14:30+08:00).").format(text=text)) from None
    return value if value.tzinfo is not None else value.astimezone()


def parse_amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.replace(",", "").replace("¥", "").replace("￥", "").strip())
    except InvalidOperation:
        raise InvalidInputError(_("{text!r} is not an amount.").format(text=text)) from None


# --- commands -------------------------------------------------------------------------------


def cmd_case_create(app: App, a: argparse.Namespace) -> Output:
    case = app.cases.create(title=a.title, number=a.number, lead_investigator=a.investigator,
                            organisation=a.organisation or "")
    return Output(to_jsonable(case), [f"{case.id}", f"{case.number}  {case.title}"])


def cmd_case_list(app: App, a: argparse.Namespace) -> Output:
    cases = app.cases.list()
    lines = [f"{c.id:>4}  {c.number:<16} {c.status:<12} {c.title}" for c in cases]
    return Output({"cases": to_jsonable(cases)}, lines or [_("No cases yet.")])


def cmd_case_show(app: App, a: argparse.Namespace) -> Output:
    case = app.cases.get(a.case)
    return Output(to_jsonable(case), [f"{k}: {v}" for k, v in to_jsonable(case).items()])


def cmd_party_add(app: App, a: argparse.Namespace) -> Output:
    idents = [parse_id_spec(spec) for spec in a.id or []]
    party = app.parties.add(a.case, name=a.name, kind=a.kind, role=a.role,
                            aliases=a.alias or [], notes=a.notes or "", identifiers=idents)
    lines = [f"{party.id}", f"{party.name} ({party_kind_label(party.kind)}, "
                            f"{party_role_label(party.role)})"]
    for ident in party.identifiers:
        mark = "" if ident.valid else "  ⚠ " + "; ".join(problem_label(p) for p in ident.problems)
        lines.append(f"  {identifier_type_label(ident.type)}: {ident.value}{mark}")
    return Output(to_jsonable(party), lines)


def cmd_party_list(app: App, a: argparse.Namespace) -> Output:
    parties = app.parties.list(a.case)
    lines = []
    for p in parties:
        ids = ", ".join(f"{i.type}:{i.value}" + ("" if i.valid else "⚠")
                        for i in p.identifiers)
        lines.append(f"{p.id:>4}  {party_role_label(p.role)}  {p.name}  {ids}")
    return Output({"parties": to_jsonable(parties)}, lines or [_("No parties yet.")])


def cmd_contact_add(app: App, a: argparse.Namespace) -> Output:
    fields = ContactFields(
        channel=a.channel, started_at=parse_time(a.at),
        ended_at=parse_time(a.until) if a.until else None, summary=a.summary,
        investigator=a.investigator, cover_persona=a.persona or "",
        counterpart_account=a.account or "", party_id=a.party, location=a.location or "",
        services_offered=a.services or "", fee_amount=parse_amount(a.fee),
        fee_basis=a.fee_basis or "", deposit_amount=parse_amount(a.deposit),
        claims=a.claim or [], transcript=_read_text(a.transcript) if a.transcript else "")
    contact = app.contacts.add(a.case, fields, attachments=[Path(p) for p in a.attach or []])
    lines = [f"{contact.id}"] + [f"  attached evidence #{e.id} {e.original_name} {e.sha256}"
                                 for e in contact.attachments]
    return Output(to_jsonable(contact), lines)


def cmd_contact_list(app: App, a: argparse.Namespace) -> Output:
    contacts = app.contacts.list(a.case)
    lines = [f"{c.id:>4}  {c.started_at.isoformat()}  {c.channel:<10} {c.summary[:60]}"
             for c in contacts]
    return Output({"contacts": to_jsonable(contacts)}, lines or [_("No contacts yet.")])


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(_("Cannot read {path}: {error}").format(path=path, error=exc)
                                ) from exc


def _summary_lines(s: ImportSummary) -> list[str]:
    lines = [
        _("File: {name} (SHA-256 {sha})").format(name=s.file_name, sha=s.file_sha256),
        _("Encoding: {encoding}").format(encoding=s.encoding),
        _("Rows read: {n}").format(n=s.rows_read),
        _("Imported: {n}").format(n=s.rows_imported),
        _("Duplicates (not imported again): {n}").format(n=s.rows_duplicate),
        _("Rejected: {n}").format(n=s.rows_rejected),
    ]
    fields = s.mapping.get("fields", {})
    if fields:
        lines.append(_("Columns used: {mapping}").format(
            mapping=", ".join(f"{k}←{v}" for k, v in fields.items())))
    if s.rejected_file:
        lines.append(_("Rejected rows and reasons: {path}").format(path=s.rejected_file))
    lines += [f"  {p.message}" for p in s.problems]
    if s.problem_count > len(s.problems):
        lines.append(_("  … and {n} more.").format(n=s.problem_count - len(s.problems)))
    return lines


def _load_mapping(path: str | None) -> ColumnMapping | None:
    return ColumnMapping.load(Path(path)) if path else None


def cmd_complaints_import(app: App, a: argparse.Namespace) -> Output:
    try:
        summary = app.complaints.import_file(
            a.case, Path(a.file), mapping=_load_mapping(a.mapping), encoding=a.encoding,
            skip_bad_rows=a.skip_bad_rows)
    except ImportRejected as exc:
        data = {"ok": False, **to_jsonable(exc.summary)}
        return Output(data, str(exc), exit_code=exc.exit_code, to_stderr=True)
    return Output({"ok": True, **to_jsonable(summary)}, _summary_lines(summary))


def cmd_complaints_check(app: App, a: argparse.Namespace) -> Output:
    summary = app.complaints.validate_file(a.case, Path(a.file), mapping=_load_mapping(a.mapping),
                                           encoding=a.encoding)
    ok = summary.problem_count == 0
    return Output({"ok": ok, **to_jsonable(summary)}, _summary_lines(summary),
                  exit_code=0 if ok else 2)


_COMPLAINT_JSON_FIELDS = (
    "id", "external_number", "received_at", "channel", "customer_name", "customer_id_number",
    "customer_phone", "agent_name", "agent_phone", "product", "category", "text", "demands",
    "amount", "status", "customer_id_number_raw", "customer_phone_raw", "agent_phone_raw",
    "amount_raw", "flags", "extra", "source_line", "batch_id")


def cmd_complaints_list(app: App, a: argparse.Namespace) -> Output:
    flt = ComplaintFilter(search=a.search or "", category=a.category, channel=a.channel)
    if a.limit is not None:
        page = app.complaints.list(a.case, flt, offset=a.offset, limit=a.limit)
        rows, total = list(page.rows), page.total
    else:
        rows = list(app.complaints.iter_all(a.case, flt))
        total = len(rows)
    data = {"total": total, "complaints": [
        {k: to_jsonable(getattr(r, k)) for k in _COMPLAINT_JSON_FIELDS} for r in rows]}
    lines = [f"{r.external_number:<20} {r.received_at.date() if r.received_at else '':<10} "
             f"{r.customer_name:<6} {r.text[:40]}" for r in rows]
    lines.append(_("{n} complaint(s).").format(n=total))
    return Output(data, lines)


def cmd_complaints_compare(app: App, a: argparse.Namespace) -> Output:
    result = app.analysis.compare(a.case, a.a, a.b)
    cmp = result.comparison
    texts = {"a": result.a.text, "b": result.b.text}

    def side(key: str, spans: tuple[Any, ...]) -> dict[str, Any]:
        record = result.a if key == "a" else result.b
        return {"number": record.external_number, "id": record.id, "text": texts[key],
                "spans": [{"start": sp.start, "end": sp.end, "kind": sp.kind} for sp in spans]}

    data = {"similarity": round(cmp.similarity, 4), "shared_a": round(cmp.shared_a, 4),
            "shared_b": round(cmp.shared_b, 4), "a": side("a", cmp.spans_a),
            "b": side("b", cmp.spans_b),
            "passages": [{"kind": p.kind, "a": [p.a.start, p.a.end], "b": [p.b.start, p.b.end]}
                         for p in cmp.passages]}
    lines = [_("{a} ↔ {b}: similarity {sim:.0%}; {sa:.0%} of A and {sb:.0%} of B are shared "
               "passages.").format(a=result.a.external_number, b=result.b.external_number,
                                   sim=cmp.similarity, sa=cmp.shared_a, sb=cmp.shared_b)]
    for p in cmp.passages:
        part_a = texts["a"][p.a.start:p.a.end].replace("\n", " ")
        part_b = texts["b"][p.b.start:p.b.end].replace("\n", " ")
        if p.kind == SAME:
            lines.append(f"  = {part_a}")
        else:
            if part_a:
                lines.append(f"  A {part_a}")
            if part_b:
                lines.append(f"  B {part_b}")
    return Output(data, lines)


def cmd_analyze(app: App, a: argparse.Namespace) -> Output:
    if a.threshold is not None and not 0.0 <= a.threshold <= 1.0:
        raise InvalidInputError(_("The threshold must be between 0 and 1."))
    if a.accept:
        id_type, value = parse_id_spec(a.accept)
        identifier_id = app.analysis.find_identifier(a.case, id_type.value, value)
        party = app.analysis.accept_shared_identifier(a.case, identifier_id, name=a.name)
        return Output(to_jsonable(party), [f"{party.id}", _(
            "{type} {value} is now suspect #{id} {name}, linked to the complaints that "
            "mention it.").format(type=identifier_type_label(id_type), value=value,
                                  id=party.id, name=party.name)])
    report = (app.analysis.latest(a.case) if a.no_run
              else app.analysis.run(a.case, threshold=a.threshold))
    data = {
        "run_id": report.run_id, "params": report.params, "stats": report.stats,
        "complaints": report.complaint_count,
        "clusters": report.clusters(),
        "groups": [{"number": g.number, "size": g.size, "variants": g.variant_count,
                    "representative": g.representative_number,
                    "first_received": to_jsonable(g.first_received),
                    "last_received": to_jsonable(g.last_received),
                    "channels": dict(g.channels), "agents": dict(g.agents),
                    "members": list(g.external_numbers)} for g in report.groups],
        "repeat_complainants": [{
            "key_type": r.key_type, "key": r.key_value, "customer_name": r.customer_name,
            "category": r.category, "count": r.count, "complaints": list(r.external_numbers),
            "first_received": to_jsonable(r.first_received),
            "last_received": to_jsonable(r.last_received), "channels": dict(r.channels)}
            for r in report.repeat_complainants],
        "shared_identifiers": [{
            "type": x.type, "value": x.value, "valid": x.valid, "customers": x.customers,
            "complaints": x.complaints, "groups": x.groups, "party_id": x.party_id,
            "fields": dict(x.fields)} for x in report.shared_identifiers],
        "suspicious_claims": [{
            "rule": h.rule_id, "rule_name": h.rule_name, "complaint": h.external_number,
            "detail": h.detail} for h in report.claims],
    }
    lines = [_("{n} complaints analysed; {g} templated groups.").format(
        n=report.complaint_count, g=len(report.groups))]
    for g in report.groups[:20]:
        lines.append(_("  group {number}: {size} complaints ({variants} variants), "
                       "{first} … {last}; e.g. {rep}").format(
            number=g.number, size=g.size, variants=g.variant_count,
            first=g.first_received.date() if g.first_received else "?",
            last=g.last_received.date() if g.last_received else "?",
            rep=g.representative_number))
    lines.append(_("{n} repeat complainants.").format(n=len(report.repeat_complainants)))
    for r in report.repeat_complainants[:10]:
        lines.append(f"  {r.customer_name} ({r.key_type} {r.key_value}) · {r.category} · "
                     f"{r.count}")
    lines.append(_("{n} shared identifiers.").format(n=len(report.shared_identifiers)))
    for x in report.shared_identifiers[:15]:
        lines.append(_("  {type} {value}: {customers} customers, {complaints} complaints, "
                       "{groups} groups").format(
            type=identifier_type_label(x.type), value=x.value, customers=x.customers,
            complaints=x.complaints, groups=x.groups))
    lines.append(_("{n} suspicious claims.").format(n=len(report.claims)))
    for h in report.claims[:15]:
        lines.append(f"  {h.external_number}: {h.rule_name} — {h.detail}")
    return Output(data, lines)


def cmd_evidence_add(app: App, a: argparse.Namespace) -> Output:
    fields = EvidenceFields(title=a.title, kind=a.kind, source=a.source or "",
                            proof_purpose=a.purpose or "", description=a.description or "",
                            acquired_at=parse_time(a.acquired_at) if a.acquired_at else None,
                            acquired_by=a.acquired_by)
    added = app.evidence.add(a.case, Path(a.file), fields)
    e = added.evidence
    lines = [f"{e.id}", f"{e.title}  {e.media_type}  {e.size} bytes", f"sha256 {e.sha256}"]
    if added.already_present:
        lines.append(_("(the same content was already evidence #{id} of this case)").format(
            id=e.id))
    return Output({**to_jsonable(e), "already_present": added.already_present}, lines)


def cmd_evidence_list(app: App, a: argparse.Namespace) -> Output:
    items = app.evidence.list(a.case)
    lines = [f"{e.id:>4}  {e.sha256[:12]}  {e.kind:<12} {e.title}" for e in items]
    return Output({"evidence": to_jsonable(items)}, lines or [_("No evidence yet.")])


def cmd_evidence_verify(app: App, a: argparse.Namespace) -> Output:
    result = app.evidence.verify(a.case)
    data = {"ok": result.ok, "checked": result.checked, "problems": to_jsonable(result.problems)}
    if result.ok:
        return Output(data, _("All {n} evidence files are intact.").format(n=result.checked))
    return Output(data, [p.message for p in result.problems], exit_code=5)


def cmd_link_add(app: App, a: argparse.Namespace) -> Output:
    link = app.links.add(a.case, from_ref=parse_object_ref(a.source),
                         to_ref=parse_object_ref(a.target), relation=a.relation,
                         note=a.note or "", confidence=a.confidence)
    return Output(to_jsonable(link), [f"{link.id}", f"{link.from_type}:{link.from_id} "
                                      f"—{link.relation}→ {link.to_type}:{link.to_id}"])


def cmd_link_list(app: App, a: argparse.Namespace) -> Output:
    links = app.links.list(a.case)
    lines = [f"{x.id:>4}  {x.from_type}:{x.from_id} —{x.relation}→ {x.to_type}:{x.to_id}"
             for x in links]
    return Output({"links": to_jsonable(links)}, lines or [_("No links yet.")])


def cmd_audit_verify(app: App, a: argparse.Namespace) -> Output:
    result = app.audit.verify(a.case)
    data = {"ok": result.ok, "entries": result.entries, "head_seq": result.head_seq,
            "head_hash": result.head_hash, "problems": to_jsonable(result.problems)}
    if result.ok:
        return Output(data, _("Audit chain of case {number} intact: {n} entries, head "
                              "{hash}.").format(number=result.case_number, n=result.entries,
                                                hash=result.head_hash))
    return Output(data, [p.message for p in result.problems], exit_code=5)


def cmd_audit_list(app: App, a: argparse.Namespace) -> Output:
    entries = app.audit.entries(a.case)
    lines = [f"{e.seq:>5}  {e.at.isoformat()}  {e.actor:<12} {e.action:<18} {e.summary}"
             for e in entries]
    return Output({"entries": to_jsonable(entries)}, lines)


def cmd_db_upgrade(app: App, a: argparse.Namespace) -> Output:
    result = app.upgrade
    assert result is not None
    data = {"from": result.from_revision, "to": result.to_revision,
            "backup": str(result.backup) if result.backup else None}
    if result.from_revision == result.to_revision:
        return Output(data, _("The database is up to date ({rev}).").format(
            rev=result.to_revision))
    text = [_("Upgraded the database from {old} to {new}.").format(
        old=result.from_revision or "-", new=result.to_revision)]
    if result.backup:
        text.append(_("Backup: {path}").format(path=result.backup))
    return Output(data, text)


def cmd_db_info(app: App, a: argparse.Namespace) -> Output:
    ws = app.workspace
    data = {"workspace": str(ws.root), "database_url": _safe_url(ws.database_url),
            "evidence_dir": str(ws.evidence_dir), "user": app.ctx.actor}
    return Output(data, [f"{k}: {v}" for k, v in data.items()])


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_demo(app: App, a: argparse.Namespace) -> Output:
    from caseapp.demo import ensure_demo_case

    case = ensure_demo_case(app, complaints=True)
    return Output(to_jsonable(case), [f"{case.id}", f"{case.number}  {case.title}"])


# --- parser ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="caseapp-cli", description=_(
        "caseapp on the command line: cases, parties, contacts, evidence, links, audit."))
    p.add_argument("--version", action="version", version=f"caseapp {__version__}")
    p.add_argument("--db", metavar="URL", help=_("SQLAlchemy database URL (default: the "
                   "workspace's SQLite file; also CASEAPP_DATABASE_URL)"))
    p.add_argument("--workspace", metavar="DIR", help=_("workspace folder (also "
                   "CASEAPP_WORKSPACE)"))
    p.add_argument("--json", action="store_true", help=_("print one JSON document"))
    p.add_argument("--lang", choices=["zh_CN", "en"], help=_("language of messages"))
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def group(name: str, help_text: str) -> argparse._SubParsersAction[argparse.ArgumentParser]:
        g = sub.add_parser(name, help=help_text)
        return g.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

    def command(parent: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
                handler: Handler, help_text: str) -> argparse.ArgumentParser:
        c = parent.add_parser(name, help=help_text)
        c.set_defaults(handler=handler)
        return c

    cases = group("case", _("cases"))
    c = command(cases, "create", cmd_case_create, _("create a case; prints its id"))
    c.add_argument("title")
    c.add_argument("--number", help=_("case number (default: AJ<year>-<n>)"))
    c.add_argument("--investigator", help=_("lead investigator (default: you)"))
    c.add_argument("--organisation")
    command(cases, "list", cmd_case_list, _("list cases"))
    c = command(cases, "show", cmd_case_show, _("show a case"))
    c.add_argument("case", metavar="CASE")

    parties = group("party", _("parties (people and organisations)"))
    c = command(parties, "add", cmd_party_add, _("add a party; prints its id"))
    c.add_argument("case", metavar="CASE")
    c.add_argument("name")
    c.add_argument("--kind", choices=[k.value for k in PartyKind], default="person")
    c.add_argument("--role", choices=[r.value for r in PartyRole], default="suspect")
    c.add_argument("--id", action="append", metavar="TYPE:VALUE",
                   help=_("identifier, e.g. mobile:13812345678 (repeatable)"))
    c.add_argument("--alias", action="append")
    c.add_argument("--notes")
    c = command(parties, "list", cmd_party_list, _("list the parties of a case"))
    c.add_argument("case", metavar="CASE")

    contacts = group("contact", _("undercover contacts"))
    c = command(contacts, "add", cmd_contact_add, _("record a contact; prints its id"))
    c.add_argument("case", metavar="CASE")
    c.add_argument("--channel", required=True, choices=[ch.value for ch in ContactChannel])
    c.add_argument("--at", required=True, metavar="ISO-TIME", help=_("start time"))
    c.add_argument("--until", metavar="ISO-TIME", help=_("end time"))
    c.add_argument("--summary", required=True)
    c.add_argument("--party", type=int, metavar="ID")
    c.add_argument("--investigator")
    c.add_argument("--persona", help=_("cover persona used"))
    c.add_argument("--account", help=_("the counterpart's account or number"))
    c.add_argument("--location")
    c.add_argument("--services", help=_("services offered"))
    c.add_argument("--fee", help=_("fee quoted"))
    c.add_argument("--fee-basis")
    c.add_argument("--deposit")
    c.add_argument("--claim", action="append", help=_("a claim made (repeatable)"))
    c.add_argument("--transcript", metavar="FILE",
                   help=_("file with the conversation's transcript (UTF-8 text)"))
    c.add_argument("--attach", action="append", metavar="FILE")
    c = command(contacts, "list", cmd_contact_list, _("list contacts in time order"))
    c.add_argument("case", metavar="CASE")

    complaints = group("complaints", _("complaint exports"))
    c = command(complaints, "import", cmd_complaints_import,
                _("import a CSV/XLSX complaint export (all or nothing)"))
    c.add_argument("case", metavar="CASE")
    c.add_argument("file")
    c.add_argument("--mapping", metavar="FILE.json", help=_("column mapping to use"))
    c.add_argument("--encoding", default="auto", help=_("auto (default) or an encoding name"))
    c.add_argument("--skip-bad-rows", action="store_true",
                   help=_("import the good rows; write the others to FILE.rejected.csv"))
    c = command(complaints, "check", cmd_complaints_check,
                _("check a file as an import would, without importing"))
    c.add_argument("case", metavar="CASE")
    c.add_argument("file")
    c.add_argument("--mapping", metavar="FILE.json")
    c.add_argument("--encoding", default="auto")
    c = command(complaints, "list", cmd_complaints_list, _("list complaints"))
    c.add_argument("case", metavar="CASE")
    c.add_argument("--search", metavar="TEXT", help=_("text the complaint contains"))
    c.add_argument("--category")
    c.add_argument("--channel")
    c.add_argument("--offset", type=int, default=0)
    c.add_argument("--limit", type=int)

    c = command(complaints, "compare", cmd_complaints_compare, _(
        "two complaints side by side: shared (=) and differing (A/B) passages"))
    c.add_argument("case", metavar="CASE")
    c.add_argument("a", metavar="A", help=_("complaint number (or id)"))
    c.add_argument("b", metavar="B", help=_("complaint number (or id)"))

    c = command(sub, "analyze", cmd_analyze, _(
        "templated groups, repeat complainants, shared identifiers, suspicious claims"))
    c.add_argument("case", metavar="CASE")
    c.add_argument("--threshold", type=float, help=_("similarity threshold 0-1"))
    c.add_argument("--no-run", action="store_true", help=_("show the last run's results"))
    c.add_argument("--accept", metavar="TYPE:VALUE",
                   help=_("accept a shared identifier as a suspect (creates the party and "
                          "links it to the complaints)"))
    c.add_argument("--name", help=_("name of the suspect created by --accept"))

    evidence = group("evidence", _("evidence files"))
    c = command(evidence, "add", cmd_evidence_add, _("add a file as evidence; prints its id"))
    c.add_argument("case", metavar="CASE")
    c.add_argument("file")
    c.add_argument("--title")
    c.add_argument("--kind", choices=[k.value for k in EvidenceKind])
    c.add_argument("--source", help=_("how it was obtained"))
    c.add_argument("--purpose", help=_("what it proves (证明目的)"))
    c.add_argument("--description")
    c.add_argument("--acquired-at", metavar="ISO-TIME")
    c.add_argument("--acquired-by")
    c = command(evidence, "list", cmd_evidence_list, _("list evidence"))
    c.add_argument("case", metavar="CASE")
    c = command(evidence, "verify", cmd_evidence_verify,
                _("re-hash the stored files; names each mismatch"))
    c.add_argument("case", metavar="CASE")

    links = group("link", _("links between objects"))
    c = command(links, "add", cmd_link_add, _("link two objects; prints the link id"))
    c.add_argument("case", metavar="CASE")
    c.add_argument("source", metavar="FROM_TYPE:ID")
    c.add_argument("target", metavar="TO_TYPE:ID")
    c.add_argument("--relation", required=True)
    c.add_argument("--note")
    c.add_argument("--confidence", type=float, default=1.0)
    c = command(links, "list", cmd_link_list, _("list links"))
    c.add_argument("case", metavar="CASE")

    audit = group("audit", _("the tamper-evident audit log"))
    c = command(audit, "verify", cmd_audit_verify, _("check the audit chain"))
    c.add_argument("case", metavar="CASE")
    c = command(audit, "list", cmd_audit_list, _("show the audit log"))
    c.add_argument("case", metavar="CASE")

    db = group("db", _("database maintenance"))
    command(db, "upgrade", cmd_db_upgrade, _("apply migrations (after a backup)"))
    command(db, "info", cmd_db_info, _("where the data is"))

    command(sub, "demo", cmd_demo, _("create the demo case (once); prints its id"))
    from caseapp.cli.exchange_cmds import add_exchange_commands

    add_exchange_commands(sub)
    register_backup_commands(sub)
    add_export_commands(sub)
    return p


def _emit(out: Output, as_json: bool) -> None:
    if as_json:
        json.dump(out.data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        stream = sys.stderr if out.to_stderr else sys.stdout
        for line in out.text:
            print(line, file=stream)


def main(argv: Sequence[str] | None = None) -> int:
    set_language()
    args_list = list(sys.argv[1:] if argv is None else argv)
    if "--lang" in args_list:
        i = args_list.index("--lang")
        if i + 1 < len(args_list):
            set_language(args_list[i + 1])
    if "--json" in args_list:  # also accepted after the command: `analyze CASE --json`
        args_list = ["--json", *(a for a in args_list if a != "--json")]
    parser = build_parser()
    args = parser.parse_args(args_list)
    try:
        with open_app(args.workspace, args.db) as app:
            out = args.handler(app, args)
    except CaseappError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(_("interrupted; nothing was changed."), file=sys.stderr)
        return 130
    except Exception:  # an unexpected failure: keep the traceback for the bug report
        traceback.print_exc()
        print(_("error: an unexpected internal error occurred (details above)."),
              file=sys.stderr)
        return 70
    try:
        _emit(out, args.json)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`caseapp-cli … | head`): the work is done, nothing to say.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return out.exit_code
