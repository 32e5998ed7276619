"""Runs the grouping engine for a case (the service side of caseapp.analysis.grouping)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from caseapp.analysis.grouping import GroupingParams, group_texts
from caseapp.domain.progress import CancelToken, ProgressSink
from caseapp.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    representative: int
    members: tuple[tuple[int, float, int | None], ...]  # (complaint id, similarity, variant)


@dataclass
class GroupingOutcome:
    params: dict[str, Any]
    stats: dict[str, Any]
    groups: list[GroupOutcome] = field(default_factory=list)


class _Scaled:
    """The engine's progress shown as the first 90 % of the analysis."""

    def __init__(self, sink: ProgressSink) -> None:
        self._sink = sink

    def report(self, done: int, total: int | None, label: str = "") -> None:
        fraction = done / total if total else 0.0
        self._sink.report(int(900 * min(fraction, 1.0)), 1000, label)


def group_case_texts(
    ctx: ServiceContext,
    case_id: int,
    texts: list[tuple[int, str]],
    *,
    threshold: float | None,
    progress: ProgressSink,
    cancel: CancelToken | None,
) -> GroupingOutcome:
    params = GroupingParams() if threshold is None else GroupingParams(threshold=threshold)
    result = group_texts(texts, params, progress=_Scaled(progress), cancel=cancel)
    stats = asdict(result.stats)
    stats["seconds"] = dict(stats.get("seconds") or {})
    return GroupingOutcome(
        params=_jsonable(asdict(params)),
        stats=_jsonable(stats),
        groups=[GroupOutcome(g.representative,
                             tuple((m.doc_id, float(m.similarity), m.variant)
                                   for m in g.members))
                for g in result.groups])


def save_signatures(s: Session, outcome: GroupingOutcome) -> None:
    """Signatures are recomputed on every run for now (≈ seconds per 100k texts)."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)
