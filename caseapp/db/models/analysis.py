"""Stored analysis results: a run, its templated-complaint groups and their members, and the
MinHash signatures reused by the next run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.db.base import Base, UTCDateTime, utcnow


class AnalysisRun(Base):
    __tablename__ = "analysis_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100), default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    complaint_count: Mapped[int] = mapped_column(Integer, default=0)


class ComplaintGroup(Base):
    """A group of near-duplicate (templated) complaints found by a run."""

    __tablename__ = "complaint_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_run.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1 = largest group of the run
    representative_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE")
    )
    size: Mapped[int] = mapped_column(Integer)
    variant_count: Mapped[int] = mapped_column(Integer, default=1)
    first_received: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_received: Mapped[datetime | None] = mapped_column(UTCDateTime)


class GroupMember(Base):
    __tablename__ = "group_member"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("complaint_group.id", ondelete="CASCADE"), primary_key=True
    )
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    similarity: Mapped[float] = mapped_column(Float)
    variant: Mapped[int | None] = mapped_column(Integer)


class ComplaintSignature(Base):
    """A complaint's MinHash signature under one set of parameters (`params_key`)."""

    __tablename__ = "complaint_signature"

    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True
    )
    params_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    text_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary)
