"""``python -m caseapp.bench exchange``: match a peer's exchange file against a large case.

A workspace gets one case with `--local` identifiers (mobiles, WeChat IDs, QQ numbers, bank
cards; a share of them held by suspect parties). A peer institution signs a file of `--peer`
entries, `--overlap` of which are hashes of local identifiers. Timed: importing the peer file
(signature, checks, storage), matching the case against it, the per-party summary, and
exporting the case's suspects as a file of our own.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import insert, select

T = TypeVar("T")


def _values(rng: random.Random, n: int) -> list[tuple[str, str]]:
    kinds = ("mobile", "mobile", "mobile", "wechat", "qq", "bank_card")
    out: set[tuple[str, str]] = set()
    while len(out) < n:
        kind = rng.choice(kinds)
        if kind == "mobile":
            value = f"+861{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        elif kind == "wechat":
            value = f"wx_{rng.randrange(36**8):x}"
        elif kind == "qq":
            value = str(rng.randrange(10**7, 10**10))
        else:
            value = f"62{rng.randrange(10**17):017d}"
        out.add((kind, value))
    return sorted(out)


def _timed(results: dict[str, object], name: str, fn: Callable[[], T]) -> T:
    """Run fn; record its wall time and this process's CPU time (the machine may be busy)."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    results[f"{name}_seconds"] = round(time.perf_counter() - wall, 3)
    results[f"{name}_cpu_seconds"] = round(time.process_time() - cpu, 3)
    return value


def bench_exchange(args: argparse.Namespace) -> int:
    from caseapp.app import open_app
    from caseapp.db.models import Identifier, Party
    from caseapp.exchange import ExchangeDocument, ExchangeEntry, KeyStore, signed_file
    from caseapp.exchange.hashing import digests, key_check_value
    from caseapp.i18n import set_language

    set_language("en")
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="caseapp-bench-exchange-"))
    now = datetime.now(UTC).replace(microsecond=0)
    key_file = KeyStore.new_consortium_key_file("alliance-bench", now=now)
    peer = KeyStore(work / "peer-keys")
    peer.create_identity("PEER", "对端银行", now=now)
    peer.add_consortium_key(key_file, "key.json")
    results: dict[str, object] = {"local_identifiers": args.local, "peer_entries": args.peer,
                                  "overlap": args.overlap}
    with open_app(work / "ws", actor="bench") as app:
        app.exchange.keys.create_identity("LOCAL", "本行", now=now)
        app.exchange.keys.add_consortium_key(key_file, "key.json")
        app.exchange.keys.add_member(peer.public_key_file(), "peer.pub", now=now)
        case = app.cases.create(title="bench")
        local = _values(rng, args.local)
        t0 = time.perf_counter()
        with app.db.write() as s:
            parties = args.local // 10  # one identifier in ten is a suspect's
            s.execute(insert(Party.__table__), [{
                "case_id": case.id, "kind": "person", "role": "agent", "name": f"代理人{i}",
                "aliases": [], "notes": "", "created_at": now, "updated_at": now, "version": 1}
                for i in range(parties)])
            party_ids = list(s.scalars(select(Party.id).where(Party.case_id == case.id)))
            rows = [{"case_id": case.id,
                     "party_id": party_ids[i // 2] if i < 2 * len(party_ids) else None,
                     "type": t, "value": v, "raw": v, "valid": True, "problems": [],
                     "details": {}, "note": "", "created_at": now}
                    for i, (t, v) in enumerate(local)]
            for start in range(0, len(rows), 5000):
                s.execute(insert(Identifier.__table__), rows[start:start + 5000])
        results["setup_seconds"] = round(time.perf_counter() - t0, 2)

        secret = peer.export_key()[1]
        shared = rng.sample(local, args.overlap)
        foreign = _values(random.Random(11), args.peer - args.overlap)
        hashed = digests(secret, shared + foreign)
        identity, private = peer.signing_key()
        entries = tuple(sorted((ExchangeEntry(digest=d, category="agent",
                                              first_seen=date(2025, 1, 1),
                                              last_seen=date(2025, 3, 1), complaints=3,
                                              customers=2) for d in set(hashed)),
                               key=lambda e: e.digest))
        document = ExchangeDocument(
            issuer_code=identity.code, issuer_name=identity.name, created_at=now,
            key_id="alliance-bench", key_check=key_check_value(secret),
            series=secrets.token_hex(16), entries=entries)
        peer_file = work / "peer.json"
        peer_file.write_bytes(signed_file(document, identity, private))
        results["peer_file_mb"] = round(peer_file.stat().st_size / 1e6, 2)

        imported = _timed(results, "import", lambda: app.exchange.import_file(peer_file))
        found = _timed(results, "match", lambda: app.exchange.matches(case.id))
        by_party = _timed(results, "party_summary", lambda: app.exchange.party_matches(case.id))
        exported = _timed(results, "export",
                          lambda: app.exchange.export_case(case.id, work / "ours.json"))
        results.update(matched=len(found.identifiers), checked=found.checked,
                       parties_matched=len(by_party), exported_entries=exported.entries,
                       import_matched=imported.matched_identifiers)
        if len(found.identifiers) != args.overlap:
            raise SystemExit(f"expected {args.overlap} matches, found {len(found.identifiers)}")

    print(f"local identifiers: {args.local:,}  peer entries: {args.peer:,}  "
          f"overlap: {args.overlap:,}  (peer file {results['peer_file_mb']} MB)")
    def figure(name: str) -> str:
        return f"{results[name + '_seconds']:.2f} s (CPU {results[name + '_cpu_seconds']:.2f} s)"

    print(f"import peer file (verify signature, check, store, count matches): "
          f"{figure('import')}")
    print(f"match case against peers: {figure('match')}: {found.checked:,} identifiers hashed "
          f"and compared, {len(found.identifiers):,} matches")
    print(f"per-party summary: {figure('party_summary')}: {len(by_party):,} parties with "
          f"matches")
    print(f"export {exported.entries:,} suspect identifiers: {figure('export')}")
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("exchange", help="match a peer's exchange file against a large case")
    p.add_argument("--local", type=int, default=100_000, help="local identifiers")
    p.add_argument("--peer", type=int, default=10_000, help="entries in the peer's file")
    p.add_argument("--overlap", type=int, default=1_000, help="peer entries that match")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=bench_exchange)
