"""The exchange keys kept in the workspace folder (``<workspace>/exchange/``).

- ``identity.json`` and ``identity.key.pem``: this institution's code, name and Ed25519 signing
  key (created here, never leaves the workspace; the public half is exported for the members);
- ``consortium/<key id>.json``: the alliance's shared HMAC keys; several may be held so that
  files made before a rotation can still be read; ``config.json`` names the one exports use;
- ``members/<fingerprint>.json``: the public keys of the member institutions whose files are
  accepted.

Secret files are written with owner-only permissions, through a temporary file and a rename.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from caseapp.domain.errors import ConflictError, InvalidInputError, NotFoundError
from caseapp.exchange import signing
from caseapp.exchange.format import (
    CODE_RE,
    SIGNATURE_ALGORITHM,
    ExchangeFileRefused,
    check_format,
    format_time,
    load_json_document,
    parse_time,
)
from caseapp.exchange.hashing import MIN_KEY_BYTES, key_check_value
from caseapp.i18n import _

PUBLIC_KEY_FORMAT = "caseapp.exchange_public_key"
CONSORTIUM_KEY_FORMAT = "caseapp.consortium_key"
IDENTITY_FORMAT = "caseapp.exchange_identity"
KEY_FILE_VERSION = 1
_MAX_KEY_FILE = 64 * 1024


@dataclass(frozen=True, slots=True)
class Identity:
    """This institution, as the members know it."""

    code: str
    name: str
    fingerprint: str
    public_key: bytes
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ConsortiumKey:
    key_id: str
    check: str  # key_check_value: equal at every member holding the same secret
    created_at: datetime
    for_export: bool


@dataclass(frozen=True, slots=True)
class MemberKey:
    """A member institution's public key, as added here."""

    code: str
    name: str
    fingerprint: str
    public_key: bytes
    added_at: datetime


def _b64(raw: Any, what: str, file_name: str) -> bytes:
    try:
        if not isinstance(raw, str):
            raise ValueError(raw)
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ExchangeFileRefused(file_name, _("{what} is not base64.").format(what=what)
                                  ) from None


def check_code(code: str) -> str:
    code = code.strip()
    if not CODE_RE.fullmatch(code):
        raise InvalidInputError(_(
            "{code!r} is not a usable code: use 1–64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit.").format(code=code))
    return code


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InvalidInputError(_("An institution name needs 1–200 characters."))
    return name


class KeyStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    # --- files ---------------------------------------------------------------------------

    def _write(self, path: Path, data: bytes, *, secret: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if secret else 0o644)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    @staticmethod
    def _read_json(path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInputError(_("Cannot read the key file {path}: {error}").format(
                path=path, error=exc)) from exc
        if not isinstance(data, dict):
            raise InvalidInputError(_("The key file {path} must hold a JSON object.").format(
                path=path))
        return data

    @property
    def _identity_file(self) -> Path:
        return self.root / "identity.json"

    @property
    def _private_key_file(self) -> Path:
        return self.root / "identity.key.pem"

    @property
    def _config_file(self) -> Path:
        return self.root / "config.json"

    def _config(self) -> dict[str, Any]:
        return self._read_json(self._config_file) if self._config_file.exists() else {}

    def _set_config(self, **values: Any) -> None:
        config = {**self._config(), **values}
        self._write(self._config_file, json.dumps(config, indent=2).encode("utf-8"),
                    secret=False)

    # --- this institution ----------------------------------------------------------------

    def identity(self) -> Identity | None:
        if not self._identity_file.exists():
            return None
        info = self._read_json(self._identity_file)
        key = self._private_key()
        public = signing.public_key_bytes(key)
        try:
            created = datetime.fromisoformat(str(info["created_at"]).replace("Z", "+00:00"))
            return Identity(code=str(info["code"]), name=str(info["name"]),
                            fingerprint=signing.fingerprint(public), public_key=public,
                            created_at=created)
        except (KeyError, ValueError) as exc:
            raise InvalidInputError(_("The key file {path} is damaged: {error}").format(
                path=self._identity_file, error=exc)) from exc

    def _private_key(self) -> Ed25519PrivateKey:
        try:
            return signing.load_private_key_pem(self._private_key_file.read_bytes())
        except (OSError, ValueError, TypeError) as exc:
            raise InvalidInputError(_(
                "Cannot read this institution's signing key {path}: {error}").format(
                    path=self._private_key_file, error=exc)) from exc

    def require_identity(self) -> Identity:
        identity = self.identity()
        if identity is None:
            raise NotFoundError(_(
                "This workspace has no exchange identity yet: create it with "
                "'caseapp-cli exchange identity create CODE NAME'."))
        return identity

    def signing_key(self) -> tuple[Identity, Ed25519PrivateKey]:
        identity = self.require_identity()
        return identity, self._private_key()

    def create_identity(self, code: str, name: str, *, now: datetime,
                        replace: bool = False) -> Identity:
        """Create this institution's key pair. With `replace`, a new key pair replaces the old
        one (kept as ``identity.key.<time>.retired.pem``); members must add the new public key."""
        code, name = check_code(code), check_name(name)
        if self._identity_file.exists() and not replace:
            current = self.identity()
            assert current is not None
            raise ConflictError(_(
                "This workspace already has an exchange identity ({code}, key {fingerprint}). "
                "Replace it only on purpose, with --replace: every member then needs the new "
                "public key.").format(code=current.code, fingerprint=current.fingerprint))
        if self._private_key_file.exists():
            stamp = now.strftime("%Y%m%dT%H%M%S")
            os.replace(self._private_key_file,
                       self.root / f"identity.key.{stamp}.retired.pem")
        key = signing.generate_private_key()
        self._write(self._private_key_file, signing.private_key_pem(key), secret=True)
        info = {"format": IDENTITY_FORMAT, "version": KEY_FILE_VERSION, "code": code,
                "name": name, "created_at": format_time(now)}
        self._write(self._identity_file, json.dumps(info, ensure_ascii=False, indent=2)
                    .encode("utf-8"), secret=False)
        identity = self.identity()
        assert identity is not None
        return identity

    def public_key_file(self) -> bytes:
        """This institution's public key file, to give to the other members."""
        identity = self.require_identity()
        document = {
            "format": PUBLIC_KEY_FORMAT,
            "version": KEY_FILE_VERSION,
            "institution": {"code": identity.code, "name": identity.name},
            "algorithm": SIGNATURE_ALGORITHM,
            "public_key": base64.b64encode(identity.public_key).decode("ascii"),
            "fingerprint": identity.fingerprint,
        }
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    # --- consortium keys -----------------------------------------------------------------

    def _consortium_file(self, key_id: str) -> Path:
        return self.root / "consortium" / f"{check_code(key_id)}.json"

    @staticmethod
    def new_consortium_key_file(key_id: str, *, now: datetime) -> bytes:
        """A new random consortium key (for the alliance to hand to every member)."""
        key_id = check_code(key_id)
        secret = secrets.token_bytes(MIN_KEY_BYTES)
        document = {
            "format": CONSORTIUM_KEY_FORMAT,
            "version": KEY_FILE_VERSION,
            "key_id": key_id,
            "secret": base64.b64encode(secret).decode("ascii"),
            "check": key_check_value(secret),
            "created_at": format_time(now),
        }
        return (json.dumps(document, indent=2) + "\n").encode("utf-8")

    def add_consortium_key(self, data: bytes, file_name: str) -> ConsortiumKey:
        """Install a consortium key file. The first key installed is the one exports use."""
        if len(data) > _MAX_KEY_FILE:
            raise ExchangeFileRefused(file_name, _("this is too large to be a key file."))
        document = load_json_document(data, file_name)
        check_format(document, file_name, expected=CONSORTIUM_KEY_FORMAT,
                     version=KEY_FILE_VERSION)
        key_id = document.get("key_id")
        if not isinstance(key_id, str) or not CODE_RE.fullmatch(key_id):
            raise ExchangeFileRefused(file_name, _("the key id is missing or malformed."))
        secret = _b64(document.get("secret"), _("the secret"), file_name)
        if len(secret) < MIN_KEY_BYTES:
            raise ExchangeFileRefused(file_name, _(
                "the secret has {n} bytes; a consortium key needs at least {min}.").format(
                    n=len(secret), min=MIN_KEY_BYTES))
        if document.get("check") != key_check_value(secret):
            raise ExchangeFileRefused(file_name, _(
                "the key's check value does not match its secret: the file is damaged."))
        created = parse_time(document.get("created_at"), _("the creation time"), file_name)
        existing = self.consortium_secret(key_id)
        if existing is not None:
            if existing != secret:
                raise ConflictError(_(
                    "A different consortium key with the id {key_id} is already installed. "
                    "Remove it first if the alliance replaced it.").format(key_id=key_id))
        else:
            stored = {"format": CONSORTIUM_KEY_FORMAT, "version": KEY_FILE_VERSION,
                      "key_id": key_id, "secret": document["secret"],
                      "check": document["check"], "created_at": format_time(created)}
            self._write(self._consortium_file(key_id),
                        (json.dumps(stored, indent=2) + "\n").encode("utf-8"), secret=True)
        if not self._config().get("export_key_id"):
            self._set_config(export_key_id=key_id)
        return next(k for k in self.consortium_keys() if k.key_id == key_id)

    def consortium_secret(self, key_id: str) -> bytes | None:
        if not CODE_RE.fullmatch(key_id):
            return None
        path = self._consortium_file(key_id)
        if not path.exists():
            return None
        data = self._read_json(path)
        try:
            return base64.b64decode(str(data["secret"]), validate=True)
        except (KeyError, binascii.Error, ValueError) as exc:
            raise InvalidInputError(_("The key file {path} is damaged: {error}").format(
                path=path, error=exc)) from exc

    def consortium_keys(self) -> list[ConsortiumKey]:
        folder = self.root / "consortium"
        export_id = self._config().get("export_key_id")
        keys = []
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            data = self._read_json(path)
            try:
                created = datetime.fromisoformat(str(data["created_at"]).replace("Z", "+00:00"))
                keys.append(ConsortiumKey(key_id=str(data["key_id"]), check=str(data["check"]),
                                          created_at=created,
                                          for_export=data["key_id"] == export_id))
            except (KeyError, ValueError) as exc:
                raise InvalidInputError(_("The key file {path} is damaged: {error}").format(
                    path=path, error=exc)) from exc
        return keys

    def consortium_secrets(self) -> dict[str, bytes]:
        out = {}
        for key in self.consortium_keys():
            secret = self.consortium_secret(key.key_id)
            if secret is not None:
                out[key.key_id] = secret
        return out

    def use_for_export(self, key_id: str) -> ConsortiumKey:
        if self.consortium_secret(key_id) is None:
            raise NotFoundError(_("No consortium key {key_id} is installed.").format(
                key_id=key_id))
        self._set_config(export_key_id=key_id)
        return next(k for k in self.consortium_keys() if k.key_id == key_id)

    def export_key(self) -> tuple[str, bytes]:
        key_id = self._config().get("export_key_id")
        secret = self.consortium_secret(key_id) if isinstance(key_id, str) else None
        if secret is None:
            raise NotFoundError(_(
                "No consortium key is set up for exports: add the alliance's key file with "
                "'caseapp-cli exchange key add FILE'."))
        return str(key_id), secret

    def remove_consortium_key(self, key_id: str) -> None:
        path = self._consortium_file(key_id)
        if not path.exists():
            raise NotFoundError(_("No consortium key {key_id} is installed.").format(
                key_id=key_id))
        path.unlink()
        if self._config().get("export_key_id") == key_id:
            self._set_config(export_key_id=None)

    # --- members -------------------------------------------------------------------------

    def parse_public_key_file(self, data: bytes, file_name: str) -> MemberKey:
        if len(data) > _MAX_KEY_FILE:
            raise ExchangeFileRefused(file_name, _("this is too large to be a key file."))
        document = load_json_document(data, file_name)
        check_format(document, file_name, expected=PUBLIC_KEY_FORMAT, version=KEY_FILE_VERSION)
        institution = document.get("institution")
        if not isinstance(institution, dict):
            raise ExchangeFileRefused(file_name, _("the institution is missing."))
        try:
            code = check_code(str(institution.get("code", "")))
            name = check_name(str(institution.get("name", "")))
        except InvalidInputError as exc:
            raise ExchangeFileRefused(file_name, str(exc)) from None
        if document.get("algorithm") != SIGNATURE_ALGORITHM:
            raise ExchangeFileRefused(file_name, _("the key is not an {algorithm} key.").format(
                algorithm=SIGNATURE_ALGORITHM))
        public = _b64(document.get("public_key"), _("the public key"), file_name)
        try:
            signing.check_public_key(public)
        except ValueError:
            raise ExchangeFileRefused(file_name, _("the public key is malformed.")) from None
        fingerprint = signing.fingerprint(public)
        if document.get("fingerprint") != fingerprint:
            raise ExchangeFileRefused(file_name, _(
                "the fingerprint written in the file does not match its key: the file is "
                "damaged or was altered."))
        return MemberKey(code=code, name=name, fingerprint=fingerprint, public_key=public,
                         added_at=datetime.min)

    def add_member(self, data: bytes, file_name: str, *, now: datetime) -> MemberKey:
        """Accept a member's public key file. Compare the fingerprint printed here with the one
        the member reads out on another channel before trusting files signed with it."""
        member = self.parse_public_key_file(data, file_name)
        own = self.identity()
        if own is not None and own.fingerprint == member.fingerprint:
            raise ExchangeFileRefused(file_name, _(
                "this is this institution's own public key, not another member's."))
        stored = {"format": PUBLIC_KEY_FORMAT, "version": KEY_FILE_VERSION,
                  "institution": {"code": member.code, "name": member.name},
                  "algorithm": SIGNATURE_ALGORITHM,
                  "public_key": base64.b64encode(member.public_key).decode("ascii"),
                  "fingerprint": member.fingerprint, "added_at": format_time(now)}
        self._write(self.root / "members" / f"{member.fingerprint}.json",
                    (json.dumps(stored, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
                    secret=False)
        found = self.member(member.fingerprint)
        assert found is not None
        return found

    def members(self) -> list[MemberKey]:
        folder = self.root / "members"
        out = []
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            out.append(self._member_from(path))
        return sorted(out, key=lambda m: (m.code, m.added_at))

    def _member_from(self, path: Path) -> MemberKey:
        data = self._read_json(path)
        try:
            public = base64.b64decode(str(data["public_key"]), validate=True)
            if signing.fingerprint(public) != path.stem:
                raise ValueError(_("the key does not match the file name"))
            return MemberKey(code=str(data["institution"]["code"]),
                             name=str(data["institution"]["name"]),
                             fingerprint=path.stem, public_key=public,
                             added_at=datetime.fromisoformat(
                                 str(data["added_at"]).replace("Z", "+00:00")))
        except (KeyError, TypeError, binascii.Error, ValueError) as exc:
            raise InvalidInputError(_("The key file {path} is damaged: {error}").format(
                path=path, error=exc)) from exc

    def member(self, fingerprint: str) -> MemberKey | None:
        if len(fingerprint) != 64 or not all(c in "0123456789abcdef" for c in fingerprint):
            return None
        path = self.root / "members" / f"{fingerprint}.json"
        return self._member_from(path) if path.exists() else None

    def remove_member(self, ref: str) -> list[MemberKey]:
        """Remove a member's key(s) by fingerprint (or its first 8+ characters) or by code."""
        ref = ref.strip()
        chosen = [m for m in self.members()
                  if m.code == ref or (len(ref) >= 8 and m.fingerprint.startswith(ref.lower()))]
        if not chosen:
            raise NotFoundError(_("No member key matches {ref}.").format(ref=ref))
        for m in chosen:
            (self.root / "members" / f"{m.fingerprint}.json").unlink()
        return chosen
