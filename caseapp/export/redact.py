"""Redaction (脱敏) of complainants' ID numbers and phones in an export.

Complainants are customers, not suspects: their resident ID numbers and phone numbers are masked
(``110101********1234``, ``138****5678``) wherever they appear in the dossier and the data
files — in their own fields and inside free text. Identifiers that belong to suspects, agents or
intermediaries (held by such a party, or shared across the complaints of different customers:
the organisation's fingerprint) stay in full, so the police can act on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
# A CN mobile, possibly with +86 / 0086 and spaces or dashes between the groups.
_MOBILE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def mask_id_number(value: str) -> str:
    """``110101199003071234`` → ``110101********1234`` (area code and last four kept)."""
    v = value.strip()
    if len(v) <= 10:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def phone_digits(value: str) -> str:
    """The national digits of a CN phone (``+86 138-1234-5678`` → ``13812345678``)."""
    if value.startswith("+86") and value[3:].isdigit():  # stored (E.164) form: the usual case
        return value[3:]
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith("+86") or (digits.startswith("86") and len(digits) == 13):
        digits = digits[2:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def mask_phone(value: str) -> str:
    """``+8613812345678`` → ``138****5678``; other numbers keep their first 3 and last 4."""
    digits = phone_digits(value)
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def id_checksum_ok(value: str) -> bool:
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def display_phone(value: str) -> str:
    """A stored (E.164) CN mobile as people write it: ``+8613812345678`` → ``13812345678``."""
    digits = phone_digits(value)
    return digits if len(digits) == 11 and digits.startswith("1") else value


@dataclass(frozen=True)
class Redactor:
    """Masks complainants' ID numbers and phones; `enabled=False` masks nothing."""

    enabled: bool = True
    id_numbers: frozenset[str] = frozenset()  # upper-case, as stored
    phones: frozenset[str] = frozenset()  # national digits
    keep: frozenset[str] = frozenset()  # suspects' values (ID numbers and phone digits)
    _masked: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def for_complainants(
        cls,
        *,
        enabled: bool,
        id_numbers: Iterable[str],
        phones: Iterable[str],
        keep_id_numbers: Iterable[str] = (),
        keep_phones: Iterable[str] = (),
    ) -> Redactor:
        keep = {v.strip().upper() for v in keep_id_numbers if v}
        keep |= {phone_digits(v) for v in keep_phones if v}
        ids = {v.strip().upper() for v in id_numbers if v and v.strip()} - keep
        nums = {phone_digits(v) for v in phones if v and phone_digits(v)} - keep
        return cls(enabled=enabled, id_numbers=frozenset(ids), phones=frozenset(nums),
                   keep=frozenset(keep))

    @property
    def masked_count(self) -> int:
        return sum(self._masked.values())

    def _count(self, kind: str) -> None:
        self._masked[kind] = self._masked.get(kind, 0) + 1

    def id_number(self, value: str) -> str:
        """A complainant's ID number field."""
        if not self.enabled or not value or value.strip().upper() in self.keep:
            return value
        self._count("id_number")
        return mask_id_number(value)

    def phone(self, value: str) -> str:
        """A complainant's phone field (shown as national digits either way)."""
        if not value:
            return value
        if not self.enabled or phone_digits(value) in self.keep:
            return display_phone(value)
        self._count("phone")
        return mask_phone(value)

    def identifier(self, id_type: str, value: str) -> str:
        """An identifier shown on its own: masked only if it is a complainant's."""
        if id_type in ("mobile", "landline"):
            digits = phone_digits(value)
            if self.enabled and digits in self.phones:
                self._count("phone")
                return mask_phone(value)
            return display_phone(value)
        if id_type == "id_card" and self.enabled and value.strip().upper() in self.id_numbers:
            self._count("id_number")
            return mask_id_number(value)
        return value

    def text(self, value: str) -> str:
        """Free text: complainants' numbers masked wherever they occur, and any other
        well-formed resident ID number that is not a suspect's."""
        if not self.enabled or not value:
            return value

        def id_sub(m: re.Match[str]) -> str:
            found = m.group(1).upper()
            if found in self.keep:
                return m.group(0)
            if found in self.id_numbers or id_checksum_ok(found):
                self._count("id_number")
                return mask_id_number(m.group(1))
            return m.group(0)

        def phone_sub(m: re.Match[str]) -> str:
            digits = "".join(m.groups())
            if digits in self.phones:
                self._count("phone")
                return mask_phone(digits)
            return m.group(0)

        return _MOBILE.sub(phone_sub, _ID18.sub(id_sub, value))
