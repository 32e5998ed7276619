"""Templated-complaint grouping and text comparison: pure functions over plain data.

``group_texts`` groups ``(id, text)`` pairs into families of templated complaints (with their
forks and the complaints that quote them); ``compute_signatures`` and ``group_from_signatures``
do the same in two steps so that signatures can be stored and only new complaints hashed;
``compare_texts`` aligns two texts for a side-by-side view.
"""

from caseapp.analysis.compare import (
    DIFFER,
    SAME,
    Comparison,
    Passage,
    Span,
    compare_texts,
    text_similarity,
)
from caseapp.analysis.grouping import (
    Group,
    GroupingParams,
    GroupingResult,
    GroupingStats,
    Member,
    MemberKind,
    group_from_signatures,
    group_texts,
)
from caseapp.analysis.metrics import PairScores, pairwise_scores
from caseapp.analysis.normalize import Script, normalise_batch, normalise_text
from caseapp.analysis.signatures import (
    Signatures,
    SignatureSpec,
    compute_signatures,
    extend_signatures,
)

__all__ = [
    "DIFFER",
    "SAME",
    "Comparison",
    "Group",
    "GroupingParams",
    "GroupingResult",
    "GroupingStats",
    "Member",
    "MemberKind",
    "PairScores",
    "Passage",
    "Script",
    "SignatureSpec",
    "Signatures",
    "Span",
    "compare_texts",
    "compute_signatures",
    "extend_signatures",
    "group_from_signatures",
    "group_texts",
    "normalise_batch",
    "normalise_text",
    "pairwise_scores",
    "text_similarity",
]
