"""Links (关联) between any two of party, complaint, contact, evidence and identifier."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.db.base import Base, UTCDateTime, utcnow
from caseapp.domain.enums import LinkSource


class Link(Base):
    __tablename__ = "link"
    __table_args__ = (
        UniqueConstraint("case_id", "from_type", "from_id", "to_type", "to_id", "relation"),
        Index(None, "from_type", "from_id"),
        Index(None, "to_type", "to_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    from_type: Mapped[str] = mapped_column(String(20))
    from_id: Mapped[int] = mapped_column(Integer)
    to_type: Mapped[str] = mapped_column(String(20))
    to_id: Mapped[int] = mapped_column(Integer)
    relation: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20), default=LinkSource.MANUAL.value)
    rule: Mapped[str] = mapped_column(String(100), default="")
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
