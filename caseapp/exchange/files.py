"""Write a signed exchange file; read one back, refusing anything not exactly as signed by a
known member with a known consortium key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from caseapp.exchange import signing
from caseapp.exchange.format import (
    SIGNATURE_ALGORITHM,
    ExchangeDocument,
    ExchangeFileRefused,
    check_format,
    format_time,
    issuer_of,
    load_json_document,
    parse_document,
    render,
    signature_block,
    signature_json,
    signing_payload,
)
from caseapp.exchange.hashing import key_check_value
from caseapp.exchange.keystore import Identity, KeyStore, MemberKey
from caseapp.i18n import _

# Clocks of two institutions' laptops differ a little; more than this is a file "from the
# future", which caseapp refuses (it would sort after files made later and hide them).
CLOCK_TOLERANCE = timedelta(minutes=10)


def signed_file(document: ExchangeDocument, identity: Identity, key: Ed25519PrivateKey) -> bytes:
    """The bytes of the exchange file for `document`, signed by this institution."""
    if (document.issuer_code, document.issuer_name) != (identity.code, identity.name):
        raise ValueError("the document must be issued by the signing institution")
    content = document.to_json()
    signature = signing.sign(key, signing_payload(content))
    content["signature"] = signature_json(SIGNATURE_ALGORITHM, identity.fingerprint, signature)
    return render(content)


@dataclass(frozen=True, slots=True)
class VerifiedFile:
    document: ExchangeDocument
    signer: MemberKey
    signature: bytes


def read_exchange_file(data: bytes, file_name: str, keys: KeyStore, *,
                       now: datetime) -> VerifiedFile:
    """Check an exchange file completely; raise ExchangeFileRefused with the reason otherwise.

    Order: readable JSON → format and version → issuer and signer known → signature valid →
    bytes exactly as signed → content well formed → consortium key known and the same →
    not from the future.
    """
    raw = load_json_document(data, file_name)
    check_format(raw, file_name)
    code, name = issuer_of(raw, file_name)
    block = signature_block(raw, file_name)
    own = keys.identity()
    if own is not None and own.fingerprint == block.key:
        raise ExchangeFileRefused(file_name, _(
            "the file was issued by this institution itself; import the files of other "
            "members."))
    member = keys.member(block.key)
    if member is None:
        raise ExchangeFileRefused(file_name, _(
            "unknown signer: the file says it comes from {name} ({code}) and is signed with the "
            "key {fingerprint}, which is not among the member keys added here. If {code} is a "
            "member, add its public key with 'caseapp-cli exchange member add FILE' after "
            "checking the fingerprint with them.").format(
                name=name, code=code, fingerprint=block.key))
    if member.code != code:
        raise ExchangeFileRefused(file_name, _(
            "wrong signer: the file claims to come from {code} but is signed with the key of "
            "member {member_code} ({member_name}).").format(
                code=code, member_code=member.code, member_name=member.name))
    if not signing.verify(member.public_key, block.value, signing_payload(raw)):
        raise ExchangeFileRefused(file_name, _(
            "the signature does not verify with the key of {name} ({code}): the file was "
            "changed after it was signed, or it was not signed by them.").format(
                name=member.name, code=member.code))
    if render(raw) != data:
        raise ExchangeFileRefused(file_name, _(
            "the file's bytes differ from the layout in which it was signed: it was edited "
            "after signing."))
    document = parse_document(raw, file_name)
    secret = keys.consortium_secret(document.key_id)
    if secret is None:
        known = ", ".join(k.key_id for k in keys.consortium_keys()) or _("none")
        raise ExchangeFileRefused(file_name, _(
            "the file was made with the consortium key {key_id}, which is not installed here "
            "(installed: {known}). Ask the alliance for that key and add it with "
            "'caseapp-cli exchange key add FILE'.").format(key_id=document.key_id, known=known))
    if key_check_value(secret) != document.key_check:
        raise ExchangeFileRefused(file_name, _(
            "the file's consortium key {key_id} is not the key installed here under that id "
            "(check value {theirs} against {ours}); the two institutions hold different "
            "keys.").format(key_id=document.key_id, theirs=document.key_check,
                            ours=key_check_value(secret)))
    if document.created_at > now + CLOCK_TOLERANCE:
        raise ExchangeFileRefused(file_name, _(
            "the file is from the future: it says it was made at {created}, but the time here "
            "is {now}. Check the clocks of both computers.").format(
                created=format_time(document.created_at), now=format_time(now)))
    return VerifiedFile(document=document, signer=member, signature=block.value)
