"""The industry blacklist exchange: keyed hashes of suspects' identifiers, signed files, keys
and matching. No database and no Qt here; caseapp.services.exchange runs it on a workspace."""

from caseapp.exchange.files import VerifiedFile, read_exchange_file, signed_file
from caseapp.exchange.format import (
    CATEGORIES,
    FORMAT,
    VERSION,
    ExchangeDocument,
    ExchangeEntry,
    ExchangeFileRefused,
)
from caseapp.exchange.hashing import (
    EXCHANGED_TYPES,
    SEPARATOR,
    hash_input,
    identifier_digest,
    key_check_value,
)
from caseapp.exchange.keystore import ConsortiumKey, Identity, KeyStore, MemberKey
from caseapp.exchange.matching import InstitutionReport, LocalIdentifier, PeerEntry

__all__ = [
    "CATEGORIES",
    "EXCHANGED_TYPES",
    "FORMAT",
    "SEPARATOR",
    "VERSION",
    "ConsortiumKey",
    "ExchangeDocument",
    "ExchangeEntry",
    "ExchangeFileRefused",
    "Identity",
    "InstitutionReport",
    "KeyStore",
    "LocalIdentifier",
    "MemberKey",
    "PeerEntry",
    "VerifiedFile",
    "hash_input",
    "identifier_digest",
    "key_check_value",
    "read_exchange_file",
    "signed_file",
]
