"""phonenumbers' verdict on Chinese mobile numbers, by number block, without parsing each number.

``phonenumbers`` decides whether an 11-digit ``1[3-9]…`` number is valid, and which carrier it
belongs to, from its metadata: the national number patterns of China's number types, the
national prefix for parsing and the carrier prefix table. All of these only look at the first few
digits of such a number (today at most five: ``1740[0-5]``, ``1610``). This module works out, from
that metadata, the shortest prefixes that settle the verdict, asks ``phonenumbers`` once per
prefix about a representative number and answers every later number by a dictionary look-up.

The analysis is exact, not a heuristic: a prefix is only used when every pattern that can match a
number beginning with it accepts any digits after it, and no carrier prefix is longer. When the
metadata holds something the analysis does not understand, :func:`block_verdicts` returns None
and callers ask ``phonenumbers`` about every number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

try:  # Python 3.11+
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older interpreters
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_LENGTH = 11
_DIGITS = frozenset("0123456789")
# A Chinese mobile's national number: "1", then 3–9, then nine digits.
_DOMAIN: tuple[frozenset[str], ...] = (
    frozenset("1"),
    frozenset("3456789"),
    *([_DIGITS] * (_LENGTH - 2)),
)
# Number types that phonenumbers' number_type checks (general_desc first).
_TYPE_DESCS = (
    "general_desc",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)
# Longer prefixes than this would make the table pointless (and big): give up instead.
_MAX_PREFIX = 7

Sequence = tuple[frozenset[str], ...]
Verdict = tuple[bool, str | None]


class _Unsupported(Exception):
    """A construct the analysis does not model."""


def _char_set(items: Iterable[tuple[Any, Any]]) -> frozenset[str]:
    p = _sre_parse
    chars: set[str] = set()
    negate = False
    for op, av in items:
        if op is p.LITERAL:
            chars.add(chr(av))
        elif op is p.RANGE:
            lo, hi = av
            chars.update(d for d in _DIGITS if lo <= ord(d) <= hi)
        elif op is p.CATEGORY and av is p.CATEGORY_DIGIT:
            chars.update(_DIGITS)
        elif op is p.CATEGORY and av is p.CATEGORY_NOT_DIGIT:
            pass
        elif op is p.NEGATE:
            negate = True
        else:
            raise _Unsupported(f"character class item {op}")
    digits = chars & _DIGITS
    return _DIGITS - digits if negate else frozenset(digits)


class _Expander:
    """All ways a parsed pattern can match a digit string, as sequences of per-position sets.

    Positions are restricted to ``allowed`` (one set per position), so sequences that cannot
    meet the strings of interest are pruned as they are built.
    """

    def __init__(self, allowed: Sequence) -> None:
        self.allowed = allowed

    def items(self, items: Iterable[tuple[Any, Any]], offset: int) -> set[Sequence]:
        partial: set[Sequence] = {()}
        for op, av in items:
            grown: set[Sequence] = set()
            for head in partial:
                for tail in self.item(op, av, offset + len(head)):
                    grown.add(head + tail)
            partial = grown
            if not partial:
                break
        return partial

    def one(self, chars: frozenset[str], offset: int) -> set[Sequence]:
        if offset >= len(self.allowed):
            return set()
        chars = chars & self.allowed[offset]
        return {(chars,)} if chars else set()

    def item(self, op: Any, av: Any, offset: int) -> set[Sequence]:
        p = _sre_parse
        if op is p.LITERAL:
            return self.one(frozenset(chr(av)) & _DIGITS, offset)
        if op is p.NOT_LITERAL:
            return self.one(_DIGITS - {chr(av)}, offset)
        if op is p.ANY:
            return self.one(_DIGITS, offset)
        if op is p.IN:
            return self.one(_char_set(av), offset)
        if op is p.BRANCH:
            found: set[Sequence] = set()
            for alternative in av[1]:
                found |= self.items(alternative, offset)
            return found
        if op is p.SUBPATTERN:
            return self.items(av[-1], offset)
        if op in (p.MAX_REPEAT, p.MIN_REPEAT) or op is getattr(p, "POSSESSIVE_REPEAT", None):
            return self.repeat(av, offset)
        raise _Unsupported(f"pattern item {op}")

    def repeat(self, av: tuple[int, int, Any], offset: int) -> set[Sequence]:
        low, high, sub = av
        room = len(self.allowed) - offset
        if low > room + 1:
            if sub.getwidth()[0] > 0:
                return set()
            raise _Unsupported("long repeat of a pattern that may match nothing")
        high = min(high, room + 1)
        found: set[Sequence] = set()
        partial: set[Sequence] = {()}
        for count in range(high + 1):
            if count >= low:
                found |= partial
            if count == high:
                break
            grown: set[Sequence] = set()
            for head in partial:
                for tail in self.items(sub, offset + len(head)):
                    grown.add(head + tail)
            partial = grown
            if not partial:
                break
        return found


def sequences(pattern: str, allowed: Sequence) -> set[Sequence]:
    """Ways ``pattern`` matches a string (from its start) whose characters lie in ``allowed``.

    Each sequence holds one set per matched character; a string of the same length matches the
    sequence when each of its characters is in the set at that position. Sequences may be shorter
    than ``allowed`` (a prefix match).
    """
    return _Expander(allowed).items(_sre_parse.parse(pattern), 0)


def _covers(sequence: Sequence, prefix: str) -> bool:
    return all(ch in chars for ch, chars in zip(prefix, sequence, strict=False))


def _settles(prefix: str, full_sequences: list[Sequence], carrier_keys: list[str]) -> bool:
    """True when the verdict on a mobile beginning with ``prefix`` does not depend on the rest."""
    length = len(prefix)
    for sequence in full_sequences:
        if _covers(sequence, prefix) and any(
            sequence[i] != _DOMAIN[i] for i in range(length, _LENGTH)
        ):
            return False
    e164_prefix = "86" + prefix
    return not any(
        len(key) > len(e164_prefix) and key.startswith(e164_prefix) for key in carrier_keys
    )


def _full_sequences(metadata: Any) -> list[Sequence]:
    found: list[Sequence] = []
    for name in _TYPE_DESCS:
        desc = getattr(metadata, name, None)
        pattern = getattr(desc, "national_number_pattern", None)
        if not pattern:
            continue
        lengths = getattr(desc, "possible_length", None) or ()
        if lengths and _LENGTH not in lengths and -1 not in lengths:
            continue
        found.extend(s for s in sequences(pattern, _DOMAIN) if len(s) == _LENGTH)
    return found


def _check_national_prefix(metadata: Any) -> None:
    """Refuse metadata under which parsing could strip a national prefix off a mobile.

    phonenumbers strips a national prefix (or carrier selection code such as ``17951``) only
    when the rest is a viable number too, or the whole number is not. Both conditions are checked
    for every mobile at once here: when neither can hold, the national prefix never matters.
    """
    pattern = getattr(metadata, "national_prefix_for_parsing", None)
    if not pattern:
        return
    matches = sequences(pattern, _DOMAIN)
    if not matches:
        return
    general = metadata.general_desc.national_number_pattern
    if _DOMAIN not in sequences(general, _DOMAIN):
        raise _Unsupported("a mobile may not match the general pattern")
    for match in matches:
        rest = _LENGTH - len(match)
        if any(len(s) == rest for s in sequences(general, (_DIGITS,) * rest)):
            raise _Unsupported("a national prefix may be stripped off a mobile")


def _carrier_keys() -> list[str]:
    from phonenumbers import carrier

    data = carrier.CARRIER_DATA  # type: ignore[attr-defined]
    if type(data) is not dict:  # a lazily loaded table would not list all its prefixes
        raise _Unsupported("carrier data is not a plain dictionary")
    return [key for key in data if key.startswith("861")]


def _analyse_blocks(verdict_of: Callable[[str], Verdict]) -> dict[str, Verdict]:
    import phonenumbers
    from phonenumbers import PhoneMetadata
    from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

    if tuple(COUNTRY_CODE_TO_REGION_CODE.get(86, ())) != ("CN",):
        raise _Unsupported("+86 is shared by several regions")
    metadata: Any = PhoneMetadata.metadata_for_region("CN")
    if metadata is None or phonenumbers.country_code_for_region("CN") != 86:
        raise _Unsupported("no metadata for CN")
    full = _full_sequences(metadata)
    _check_national_prefix(metadata)
    carrier_keys = _carrier_keys()

    table: dict[str, Verdict] = {}
    pending = ["1" + d for d in sorted(_DOMAIN[1])]
    while pending:
        prefix = pending.pop()
        if _settles(prefix, full, carrier_keys):
            table[prefix] = verdict_of("+86" + prefix + "0" * (_LENGTH - len(prefix)))
        elif len(prefix) >= _MAX_PREFIX:
            raise _Unsupported("verdicts depend on too many digits")
        else:
            pending.extend(prefix + d for d in "0123456789")
    return table


def block_verdicts(verdict_of: Callable[[str], Verdict]) -> dict[str, Verdict] | None:
    """Prefix -> ``verdict_of`` of any mobile beginning with it; None when it cannot be used.

    The prefixes (2–7 digits, none a prefix of another) cover every ``1[3-9]`` mobile.
    ``verdict_of`` is called once per prefix with a representative number in E.164.
    """
    try:
        return _analyse_blocks(verdict_of)
    except (_Unsupported, AttributeError, TypeError, ValueError, re.error, ImportError):
        return None
