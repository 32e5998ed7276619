"""The blacklist exchange: files this institution sent, and peers' files with their entries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.db.base import Base, UTCDateTime


class ExchangeExport(Base):
    """An exchange file made from a case (its bytes are not kept: they left the institution)."""

    __tablename__ = "exchange_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(64))
    series: Mapped[str] = mapped_column(String(32))
    entry_count: Mapped[int] = mapped_column(Integer)
    party_count: Mapped[int] = mapped_column(Integer)
    withheld_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))


class ExchangePeerFile(Base):
    """A member's exchange file, accepted after its signature and content were checked.

    A member sends one series of files per case; a newer file of a series replaces the older
    one (``active`` turns false) and an older one is refused as a replay.
    """

    __tablename__ = "exchange_peer_file"
    __table_args__ = (Index(None, "issuer_code", "series"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_size: Mapped[int] = mapped_column(Integer)
    issuer_code: Mapped[str] = mapped_column(String(64))
    issuer_name: Mapped[str] = mapped_column(String(200))
    signer_fingerprint: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(64))
    series: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entry_count: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("exchange_peer_file.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str] = mapped_column(String(100))
    # The file as received: its signature can be checked again later, and it shows what the
    # member sent should that ever be disputed.
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ExchangePeerEntry(Base):
    __tablename__ = "exchange_peer_entry"
    __table_args__ = (Index(None, "key_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_peer_file.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(20))
    first_seen: Mapped[date | None] = mapped_column(Date)
    last_seen: Mapped[date | None] = mapped_column(Date)
    complaints: Mapped[int] = mapped_column(Integer)
    customers: Mapped[int] = mapped_column(Integer)
