"""``caseapp-cli exchange …``: the industry blacklist exchange and its keys."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from caseapp.domain.errors import ConflictError, InvalidInputError
from caseapp.domain.labels import identifier_type_label, party_role_label
from caseapp.i18n import _, ngettext
from caseapp.services.exchange import (
    CaseMatches,
    IdentifierMatch,
    category_label,
    withheld_reason_label,
)
from caseapp.services.records import to_jsonable

if TYPE_CHECKING:
    from caseapp.app import App
    from caseapp.cli.main import Output

def _output(data: object, text: str | list[str], exit_code: int = 0) -> Output:
    from caseapp.cli.main import Output

    return Output(data, text, exit_code)


def _read(path: str) -> tuple[bytes, str]:
    p = Path(path)
    try:
        return p.read_bytes(), p.name
    except OSError as exc:
        raise InvalidInputError(_("Cannot read {path}: {error}").format(
            path=path, error=exc.strerror or exc)) from exc


def _write(path: str, data: bytes, *, overwrite: bool) -> Path:
    p = Path(path)
    if p.exists() and not overwrite:
        raise ConflictError(_("{path} already exists; choose another file name.").format(
            path=path))
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    except OSError as exc:
        raise InvalidInputError(_("Cannot write {path}: {error}").format(
            path=path, error=exc.strerror or exc)) from exc
    return p


# --- identity and keys ------------------------------------------------------------------------


def cmd_identity_create(app: App, a: argparse.Namespace) -> Output:
    identity = app.exchange.keys.create_identity(a.code, a.name, now=app.ctx.clock(),
                                                 replace=a.replace)
    return _output(to_jsonable(identity) | {"public_key": identity.public_key.hex()}, [
        _("Exchange identity of {name} ({code}) created.").format(name=identity.name,
                                                                  code=identity.code),
        _("Public key fingerprint: {fingerprint}").format(fingerprint=identity.fingerprint),
        _("Give the members your public key file ('exchange identity export --out FILE') and "
          "read them this fingerprint on another channel."),
    ])


def cmd_identity_show(app: App, a: argparse.Namespace) -> Output:
    identity = app.exchange.keys.require_identity()
    return _output(to_jsonable(identity) | {"public_key": identity.public_key.hex()}, [
        f"{identity.code}  {identity.name}",
        _("Public key fingerprint: {fingerprint}").format(fingerprint=identity.fingerprint),
    ])


def cmd_identity_export(app: App, a: argparse.Namespace) -> Output:
    identity = app.exchange.keys.require_identity()
    path = _write(a.out, app.exchange.keys.public_key_file(), overwrite=True)
    return _output({"path": str(path), "fingerprint": identity.fingerprint}, [
        _("Public key of {code} written to {path}.").format(code=identity.code, path=path),
        _("Public key fingerprint: {fingerprint}").format(fingerprint=identity.fingerprint),
    ])


def cmd_key_new(app: App, a: argparse.Namespace) -> Output:
    data = app.exchange.keys.new_consortium_key_file(a.key_id, now=app.ctx.clock())
    path = _write(a.out, data, overwrite=False)
    return _output({"path": str(path), "key_id": a.key_id}, [
        _("New consortium key {key_id} written to {path}.").format(key_id=a.key_id, path=path),
        _("It is a secret: hand it to the members over a protected channel, and add it here "
          "too with 'exchange key add'."),
    ])


def cmd_key_add(app: App, a: argparse.Namespace) -> Output:
    data, name = _read(a.file)
    key = app.exchange.keys.add_consortium_key(data, name)
    lines = [_("Consortium key {key_id} installed (check value {check}).").format(
        key_id=key.key_id, check=key.check)]
    if key.for_export:
        lines.append(_("Exports use this key."))
    return _output(to_jsonable(key), lines)


def cmd_key_list(app: App, a: argparse.Namespace) -> Output:
    keys = app.exchange.keys.consortium_keys()
    lines = [f"{'*' if k.for_export else ' '} {k.key_id:<24} {k.check}  "
             f"{k.created_at.date().isoformat()}" for k in keys]
    if keys:
        lines.append(_("* = used for exports; the others still read older files."))
    return _output({"keys": to_jsonable(keys)}, lines or [_("No consortium key installed.")])


def cmd_key_use(app: App, a: argparse.Namespace) -> Output:
    key = app.exchange.keys.use_for_export(a.key_id)
    return _output(to_jsonable(key), _("Exports now use the consortium key {key_id}.").format(
        key_id=key.key_id))


def cmd_key_remove(app: App, a: argparse.Namespace) -> Output:
    app.exchange.keys.remove_consortium_key(a.key_id)
    return _output({"removed": a.key_id}, _(
        "Consortium key {key_id} removed; files made with it can no longer be imported or "
        "matched.").format(key_id=a.key_id))


def cmd_member_add(app: App, a: argparse.Namespace) -> Output:
    data, name = _read(a.file)
    member = app.exchange.keys.add_member(data, name, now=app.ctx.clock())
    return _output(to_jsonable(member) | {"public_key": member.public_key.hex()}, [
        _("Member {name} ({code}) added.").format(name=member.name, code=member.code),
        _("Public key fingerprint: {fingerprint}").format(fingerprint=member.fingerprint),
        _("Check this fingerprint with {code} on another channel (a phone call) before "
          "relying on its files.").format(code=member.code),
    ])


def cmd_member_list(app: App, a: argparse.Namespace) -> Output:
    members = app.exchange.keys.members()
    lines = [f"{m.code:<20} {m.fingerprint}  {m.name}" for m in members]
    return _output({"members": [to_jsonable(m) | {"public_key": m.public_key.hex()}
                                for m in members]},
                   lines or [_("No member keys added.")])


def cmd_member_remove(app: App, a: argparse.Namespace) -> Output:
    removed = app.exchange.keys.remove_member(a.member)
    return _output({"removed": [m.fingerprint for m in removed]}, [
        _("Removed the key {fingerprint} of {code}.").format(fingerprint=m.fingerprint,
                                                             code=m.code) for m in removed])


# --- files ----------------------------------------------------------------------------------


def cmd_export(app: App, a: argparse.Namespace) -> Output:
    if a.dry_run:
        plan = app.exchange.plan_export(a.case, party_ids=a.party)
        lines = [_("{n} hashed identifiers of {p} parties would be exported.").format(
            n=len(plan.entries), p=len(plan.party_ids))]
        lines += _withheld_lines(plan.withheld)
        return _output({"entries": len(plan.entries), "parties": list(plan.party_ids),
                        "withheld": to_jsonable(plan.withheld)}, lines)
    result = app.exchange.export_case(a.case, Path(a.out), party_ids=a.party)
    lines = [
        _("Exchange file written: {path}").format(path=result.path),
        _("SHA-256: {sha}").format(sha=result.file_sha256),
        ngettext("{n} hashed identifier of {p} parties, consortium key {key}.",
                 "{n} hashed identifiers of {p} parties, consortium key {key}.",
                 result.entries).format(n=result.entries, p=result.parties, key=result.key_id),
    ]
    lines += _withheld_lines(result.withheld)
    return _output(to_jsonable(result) | {"path": str(result.path)}, lines)


def _withheld_lines(withheld: tuple[object, ...]) -> list[str]:
    if not withheld:
        return []
    lines = [ngettext("{n} identifier was not exported:", "{n} identifiers were not exported:",
                      len(withheld)).format(n=len(withheld))]
    for w in withheld:
        lines.append(f"  {identifier_type_label(w.type)} {w.value} (#{w.party_id}): "  # type: ignore[attr-defined]
                     f"{withheld_reason_label(w.reason)}")  # type: ignore[attr-defined]
    return lines


def cmd_import(app: App, a: argparse.Namespace) -> Output:
    result = app.exchange.import_file(Path(a.file))
    lines = [
        _("Imported {file} from {name} ({code}), made {created}.").format(
            file=result.file_name, name=result.issuer_name, code=result.issuer_code,
            created=result.created_at.isoformat()),
        _("SHA-256: {sha}").format(sha=result.file_sha256),
        ngettext("{n} hashed identifier, consortium key {key}.",
                 "{n} hashed identifiers, consortium key {key}.",
                 result.entries).format(n=result.entries, key=result.key_id),
    ]
    if result.superseded_file_id is not None:
        lines.append(_("It replaces the older file #{id} of the same series.").format(
            id=result.superseded_file_id))
    lines.append(ngettext(
        "{n} of your identifiers matches (in {c} cases); see 'exchange matches CASE'.",
        "{n} of your identifiers match (in {c} cases); see 'exchange matches CASE'.",
        result.matched_identifiers).format(n=result.matched_identifiers,
                                           c=result.matched_cases))
    return _output(to_jsonable(result), lines)


def cmd_files(app: App, a: argparse.Namespace) -> Output:
    files = app.exchange.peer_files()
    lines = [f"{f.id:>4}  {'' if f.active else '('}{f.issuer_code:<12} {f.created_at.isoformat()}"
             f"  {f.entries:>7}  {f.key_id:<16} {f.file_sha256[:16]}  {f.file_name}"
             f"{'' if f.active else ')'}" for f in files]
    return _output({"files": to_jsonable(files)},
                   lines or [_("No exchange files imported yet.")])


def match_line(m: IdentifierMatch) -> str:
    who = (_("party #{id} {name}, {role}").format(id=m.party_id, name=m.party_name,
                                                   role=party_role_label(m.party_role))
           if m.party_id is not None else _("found in complaints"))
    return ngettext(
        "{type} {value} ({who}; {local} of our complaints): also reported by {n} other "
        "institution (first seen {first})",
        "{type} {value} ({who}; {local} of our complaints): also reported by {n} other "
        "institutions (first seen {first})", m.institutions).format(
            type=identifier_type_label(m.type), value=m.value, who=who,
            local=m.local_complaints, n=m.institutions,
            first=m.first_seen.isoformat() if m.first_seen else "?")


def cmd_matches(app: App, a: argparse.Namespace) -> Output:
    result: CaseMatches = app.exchange.matches(a.case)
    lines = [ngettext(
        "Case {number}: {n} identifier also reported by other institutions ({checked} "
        "compared against {files} active exchange files).",
        "Case {number}: {n} identifiers also reported by other institutions ({checked} "
        "compared against {files} active exchange files).", len(result.identifiers)).format(
            number=result.case_number, n=len(result.identifiers), checked=result.checked,
            files=result.peer_files)]
    for m in result.identifiers:
        lines.append("  " + match_line(m))
        for r in m.reports:
            lines.append("      " + _(
                "{name} ({code}): {categories}, {first} … {last}, {complaints} complaints, "
                "{customers} customers").format(
                    name=r.name, code=r.code,
                    categories=", ".join(category_label(c) for c in r.categories),
                    first=r.first_seen.isoformat() if r.first_seen else "?",
                    last=r.last_seen.isoformat() if r.last_seen else "?",
                    complaints=r.complaints, customers=r.customers))
    if result.missing_keys:
        lines.append(_("Not compared: files made with consortium keys no longer installed "
                       "({keys}).").format(keys=", ".join(result.missing_keys)))
    data = {
        "case_id": result.case_id, "case_number": result.case_number,
        "checked": result.checked, "peer_files": result.peer_files,
        "missing_keys": list(result.missing_keys),
        "matches": to_jsonable(result.identifiers),
        "parties": [{"party_id": p.party_id, "name": p.name, "role": p.role,
                     "institutions": p.institutions, "first_seen": to_jsonable(p.first_seen),
                     "identifiers": [m.identifier_id for m in p.identifiers]}
                    for p in result.parties],
    }
    return _output(data, lines)


# --- parser ---------------------------------------------------------------------------------


def add_exchange_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``exchange …`` to caseapp-cli's sub-commands."""
    exchange = sub.add_parser("exchange", help=_(
        "industry blacklist exchange: hashed suspect identifiers shared between members"))
    groups = exchange.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

    def command(parent: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
                handler: object, help_text: str) -> argparse.ArgumentParser:
        c = parent.add_parser(name, help=help_text)
        c.set_defaults(handler=handler)
        # Also accepted after the command (``exchange matches CASE --json``).
        c.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help=_("print one JSON document"))
        return c

    def group(name: str, help_text: str) -> argparse._SubParsersAction[argparse.ArgumentParser]:
        g = groups.add_parser(name, help=help_text)
        return g.add_subparsers(dest="action", required=True, metavar="ACTION")

    c = command(groups, "export", cmd_export, _(
        "write the signed exchange file of a case's suspects, agents and intermediaries"))
    c.add_argument("case", metavar="CASE")
    c.add_argument("--out", required=True, metavar="FILE")
    c.add_argument("--party", type=int, action="append", metavar="ID",
                   help=_("only this party (repeatable; default: every suspect-side party)"))
    c.add_argument("--dry-run", action="store_true",
                   help=_("show what would be exported, write nothing"))
    c = command(groups, "import", cmd_import, _("check and import a member's exchange file"))
    c.add_argument("file", metavar="FILE")
    c = command(groups, "matches", cmd_matches, _(
        "identifiers of a case that other institutions also report"))
    c.add_argument("case", metavar="CASE")
    command(groups, "files", cmd_files, _("list the imported exchange files"))

    identity = group("identity", _("this institution's signing identity"))
    c = command(identity, "create", cmd_identity_create, _(
        "create this institution's signing key pair"))
    c.add_argument("code", help=_("institution code agreed in the alliance"))
    c.add_argument("name", help=_("institution name"))
    c.add_argument("--replace", action="store_true",
                   help=_("replace an existing key pair (members need the new public key)"))
    command(identity, "show", cmd_identity_show, _("show the code, name and key fingerprint"))
    c = command(identity, "export", cmd_identity_export, _(
        "write the public key file to give to the members"))
    c.add_argument("--out", required=True, metavar="FILE")

    keys = group("key", _("consortium keys (the alliance's shared HMAC keys)"))
    c = command(keys, "new", cmd_key_new, _("generate a new consortium key file"))
    c.add_argument("key_id", metavar="KEY_ID")
    c.add_argument("--out", required=True, metavar="FILE")
    c = command(keys, "add", cmd_key_add, _("install a consortium key file"))
    c.add_argument("file", metavar="FILE")
    command(keys, "list", cmd_key_list, _("list installed consortium keys"))
    c = command(keys, "use", cmd_key_use, _("make exports use this key (after a rotation)"))
    c.add_argument("key_id", metavar="KEY_ID")
    c = command(keys, "remove", cmd_key_remove, _("remove a consortium key"))
    c.add_argument("key_id", metavar="KEY_ID")

    members = group("member", _("member institutions' public keys"))
    c = command(members, "add", cmd_member_add, _("add a member's public key file"))
    c.add_argument("file", metavar="FILE")
    command(members, "list", cmd_member_list, _("list member keys"))
    c = command(members, "remove", cmd_member_remove, _(
        "remove a member's key (by fingerprint or institution code)"))
    c.add_argument("member", metavar="FINGERPRINT|CODE")
