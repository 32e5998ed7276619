"""Undercover contacts (暗访记录) and their attachments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.db.base import Base, UTCDateTime, utcnow


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    investigator: Mapped[str] = mapped_column(String(100), default="")
    cover_persona: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(20))
    counterpart_account: Mapped[str] = mapped_column(String(200), default="")
    counterpart_identifier_id: Mapped[int | None] = mapped_column(
        ForeignKey("identifier.id", ondelete="SET NULL")
    )
    party_id: Mapped[int | None] = mapped_column(
        ForeignKey("party.id", ondelete="SET NULL"), index=True
    )
    location: Mapped[str] = mapped_column(String(300), default="")
    services_offered: Mapped[str] = mapped_column(Text, default="")
    fee_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    fee_basis: Mapped[str] = mapped_column(Text, default="")
    deposit_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    claims: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    transcript: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ContactAttachment(Base):
    __tablename__ = "contact_attachment"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True
    )
    evidence_id: Mapped[int] = mapped_column(
        ForeignKey("evidence.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
