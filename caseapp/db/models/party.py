"""Parties (涉案主体), their identifiers (标识) and where identifiers are mentioned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.db.base import Base, UTCDateTime, utcnow
from caseapp.domain.enums import PartyKind, PartyRole


class Party(Base):
    __tablename__ = "party"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=PartyKind.PERSON.value)
    role: Mapped[str] = mapped_column(String(20), default=PartyRole.OTHER.value)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: every UPDATE checks and bumps it, so a concurrent edit is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)

    identifiers: Mapped[list[Identifier]] = relationship(
        back_populates="party", order_by="Identifier.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Identifier(Base):
    """One typed, normalised value in a case; optionally attached to a party."""

    __tablename__ = "identifier"
    __table_args__ = (
        UniqueConstraint("case_id", "type", "value"),
        Index(None, "type", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[int | None] = mapped_column(
        ForeignKey("party.id", ondelete="SET NULL"), index=True
    )
    type: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200))
    raw: Mapped[str] = mapped_column(String(200))
    valid: Mapped[bool] = mapped_column(Boolean)
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Attaching an identifier to a party is an edit two people can make at once.
    version: Mapped[int] = mapped_column(Integer, default=1)

    party: Mapped[Party | None] = relationship(back_populates="identifiers")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class IdentifierMention(Base):
    """Where an identifier was seen: a field of a complaint, a contact or an evidence record."""

    __tablename__ = "identifier_mention"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN complaint_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN contact_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN evidence_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier_id: Mapped[int] = mapped_column(
        ForeignKey("identifier.id", ondelete="CASCADE"), index=True
    )
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    evidence_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(40))
    raw: Mapped[str] = mapped_column(String(200))
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
