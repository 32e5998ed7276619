"""Suspicious claims: fake lawyer licence numbers, impossible ID numbers and keyword rules
(e.g. serious-illness certificates from young customers, suicide threats)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from caseapp.analysis.repeat_complainants import ComplaintFacts
from caseapp.analysis.shared_identifiers import MentionFacts
from caseapp.domain.enums import IdentifierType
from caseapp.domain.errors import InvalidInputError
from caseapp.i18n import _
from caseapp.identifiers import parse_id_card

RULE_FAKE_LAWYER_LICENSE = "fake_lawyer_license"
RULE_BAD_ID_NUMBER = "bad_id_number"


@dataclass(frozen=True, slots=True)
class KeywordRule:
    id: str
    name: str
    keywords: tuple[str, ...]
    max_age: int | None = None  # only customers younger than this (from the ID number)
    min_age: int | None = None


@dataclass(frozen=True, slots=True)
class ClaimHit:
    rule_id: str
    rule_name: str
    complaint_id: int
    external_number: str
    detail: str
    matched: tuple[str, ...] = field(default=())


def parse_rules(data: Any, *, source: str = "rules") -> list[KeywordRule]:
    """Keyword rules from JSON data: ``{"rules": [{"id", "name", "keywords", "max_age"?}]}``."""
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise InvalidInputError(_("{source}: expected an object with a \"rules\" list.").format(
            source=source))
    rules = []
    for i, item in enumerate(data["rules"], start=1):
        if not isinstance(item, Mapping):
            raise InvalidInputError(_("{source}: rule {n} is not an object.").format(
                source=source, n=i))
        keywords = item.get("keywords")
        if (not isinstance(item.get("id"), str) or not isinstance(keywords, list)
                or not keywords or not all(isinstance(k, str) and k for k in keywords)):
            raise InvalidInputError(_(
                "{source}: rule {n} needs an \"id\" and a non-empty list of \"keywords\".").format(
                source=source, n=i))
        ages = [item.get("max_age"), item.get("min_age")]
        if any(a is not None and (not isinstance(a, int) or a < 0) for a in ages):
            raise InvalidInputError(_("{source}: rule {n}: ages must be whole numbers.").format(
                source=source, n=i))
        rules.append(KeywordRule(id=item["id"], name=str(item.get("name") or item["id"]),
                                 keywords=tuple(keywords), max_age=ages[0], min_age=ages[1]))
    return rules


def load_rules_text(text: str, *, source: str) -> list[KeywordRule]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidInputError(_("{source} is not valid JSON: {error}").format(
            source=source, error=exc)) from exc
    return parse_rules(data, source=source)


def _age_at(id_number: str, when: date) -> int | None:
    if not id_number:
        return None
    parsed = parse_id_card(id_number)
    birth = parsed.details.get("birth_date")
    if not parsed.valid or not isinstance(birth, date):
        return None
    return when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))


def find_claims(
    complaints: Iterable[ComplaintFacts],
    mentions: Sequence[MentionFacts],
    rules: Sequence[KeywordRule],
    *,
    id_number_problems: Mapping[int, Sequence[str]] | None = None,
) -> list[ClaimHit]:
    """Every hit of every rule, in complaint order. `id_number_problems` maps a complaint id to
    the problems of its customer's ID number (as the importer flagged them)."""
    id_number_problems = id_number_problems or {}
    hits: list[ClaimHit] = []
    licences: dict[int, list[MentionFacts]] = {}
    for m in mentions:
        if m.type == IdentifierType.LAWYER_LICENSE and not m.valid:
            licences.setdefault(m.complaint_id, []).append(m)
    for c in complaints:
        for m in licences.get(c.id, ()):
            hits.append(ClaimHit(RULE_FAKE_LAWYER_LICENSE, _("Fake lawyer licence number"),
                                 c.id, c.external_number,
                                 _("lawyer licence number {value} is not valid (a company's "
                                   "credit code or a made-up number)").format(value=m.value),
                                 (m.value,)))
        problems = id_number_problems.get(c.id)
        if problems:
            hits.append(ClaimHit(RULE_BAD_ID_NUMBER, _("Impossible ID number"), c.id,
                                 c.external_number,
                                 _("customer ID number {value}: {problems}").format(
                                     value=c.customer_id_number or "?",
                                     problems=", ".join(problems)), ()))
        age: int | None = None
        age_known = False
        for rule in rules:
            matched = tuple(k for k in rule.keywords if k in c.text)
            if not matched:
                continue
            if rule.max_age is not None or rule.min_age is not None:
                if not age_known:
                    when = c.received_at.date() if c.received_at else date.today()
                    age, age_known = _age_at(c.customer_id_number, when), True
                if age is None:
                    continue
                if rule.max_age is not None and age >= rule.max_age:
                    continue
                if rule.min_age is not None and age < rule.min_age:
                    continue
            detail = "、".join(matched)
            if age_known and age is not None:
                detail = _("{keywords} (customer aged {age})").format(keywords=detail, age=age)
            hits.append(ClaimHit(rule.id, rule.name, c.id, c.external_number, detail, matched))
    return hits


def id_problems_from_flags(flags: Sequence[str]) -> list[str]:
    """The ID-number problems worth reporting from an imported complaint's flags."""
    return [f for f in flags if f == "id_number_invalid"]


__all__ = [
    "RULE_BAD_ID_NUMBER",
    "RULE_FAKE_LAWYER_LICENSE",
    "ClaimHit",
    "KeywordRule",
    "find_claims",
    "load_rules_text",
    "parse_rules",
]
