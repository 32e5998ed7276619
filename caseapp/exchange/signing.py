"""Ed25519 signatures of exchange files (``cryptography``) and public-key fingerprints."""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

PUBLIC_KEY_BYTES = 32


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_private_key_pem(data: bytes) -> Ed25519PrivateKey:
    """Raises ValueError when the data is not an Ed25519 private key."""
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def public_key_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)


def fingerprint(public_raw: bytes) -> str:
    """SHA-256 of the raw 32-byte public key, hex: what members read to each other to check."""
    return hashlib.sha256(public_raw).hexdigest()


def check_public_key(public_raw: bytes) -> None:
    """Raises ValueError when the bytes are not an Ed25519 public key."""
    if len(public_raw) != PUBLIC_KEY_BYTES:
        raise ValueError("an Ed25519 public key has 32 bytes")
    Ed25519PublicKey.from_public_bytes(public_raw)


def sign(key: Ed25519PrivateKey, payload: bytes) -> bytes:
    return key.sign(payload)


def verify(public_raw: bytes, signature: bytes, payload: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, payload)
    except (InvalidSignature, ValueError):
        return False
    return True
