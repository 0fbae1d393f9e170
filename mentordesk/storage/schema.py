"""The MentorDesk schema as typed SQLAlchemy 2.x ORM models.

Migrations in ``storage/migrations`` must produce exactly this schema; a test compares them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Computed,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from mentordesk.storage.team_tables import builtin_column_uid, new_uid
from mentordesk.storage.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


def _uid_default(context: Any) -> str:
    """A new global id; the built-in board columns have the same one on every desk."""
    key = context.get_current_parameters().get("status_key")
    return builtin_column_uid(key) if key else new_uid()


class GlobalId:
    """A replicated row's global id beside its local id (team mode; migration 0004)."""

    uid: Mapped[str | None] = mapped_column(String(32), index=True, unique=True,
                                            default=_uid_default)


class Mentee(GlobalId, Timestamped, Base):
    __tablename__ = "mentees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Cadence "every <interval> <unit>", unit one of days/weeks/months.
    cadence_interval: Mapped[int] = mapped_column(Integer, default=2)
    cadence_unit: Mapped[str] = mapped_column(String(8), default="weeks")
    # None means "derive from the cadence".
    target_gap_days: Mapped[int | None] = mapped_column(Integer)
    max_gap_days: Mapped[int | None] = mapped_column(Integer)
    meeting_link: Mapped[str | None] = mapped_column(String(2048))
    background: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    health_notified_on: Mapped[date | None] = mapped_column(Date)
    # The latest held session's start, kept by triggers (migration 0003), never written here.
    last_held_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Case-insensitive match keys for the CSV import, computed by SQLite (migration 0005).
    # lower() folds ASCII letters only: probes are folded the same way (``match_key``).
    name_key: Mapped[str | None] = mapped_column(String(200), Computed("lower(name)",
                                                                       persisted=False),
                                                 index=True)
    email_key: Mapped[str | None] = mapped_column(String(320), Computed("lower(email)",
                                                                        persisted=False),
                                                  index=True)

    tags: Mapped[list[Tag]] = relationship(secondary="mentee_tags", back_populates="mentees")
    resources: Mapped[list[ResourceLink]] = relationship(
        back_populates="mentee", cascade="all, delete-orphan", order_by="ResourceLink.position"
    )


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80, collation="NOCASE"), unique=True)

    mentees: Mapped[list[Mentee]] = relationship(secondary="mentee_tags", back_populates="tags")


class MenteeTag(Base):
    __tablename__ = "mentee_tags"

    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("mentees.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ResourceLink(GlobalId, Timestamped, Base):
    __tablename__ = "resource_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("mentees.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("goals.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2048))
    position: Mapped[int] = mapped_column(Integer, default=0)

    mentee: Mapped[Mentee] = relationship(back_populates="resources")


class BoardColumn(GlobalId, Timestamped, Base):
    __tablename__ = "board_columns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The four built-in columns carry a status key; columns the mentor adds have none.
    status_key: Mapped[str | None] = mapped_column(String(32), unique=True)


class Goal(GlobalId, Timestamped, Base):
    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_column_position", "column_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("mentees.id", ondelete="CASCADE"), index=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("board_columns.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # The measurable target: "ship 3 portfolio pieces" = target_value 3, unit "portfolio pieces".
    target_value: Mapped[float | None] = mapped_column(Float)
    target_unit: Mapped[str] = mapped_column(String(80), default="")
    current_value: Mapped[float | None] = mapped_column(Float)
    # milestones | measure | manual
    progress_mode: Mapped[str] = mapped_column(String(16), default="milestones")
    manual_progress: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", order_by="Milestone.position"
    )


class Milestone(GlobalId, Timestamped, Base):
    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    position: Mapped[int] = mapped_column(Integer, default=0)

    goal: Mapped[Goal] = relationship(back_populates="milestones")


class Session(GlobalId, Timestamped, Base):
    """A planned or held meeting. A row with ``rrule`` is a recurring series; a row with
    ``series_id`` is one occurrence of a series that was changed, cancelled or written in."""

    __tablename__ = "sessions"
    # AUTOINCREMENT: a deleted session's id must never be reused, or its pending calendar
    # delete (keyed by session id in the outbox) would be overwritten by the newcomer's.
    __table_args__ = (
        # Partial indexes for the mentee list and the last-held triggers (migration 0003).
        Index("ix_sessions_held", "mentee_id", "start_utc",
              sqlite_where=text("status = 'held'")),
        Index("ix_sessions_upcoming", "start_utc", "mentee_id",
              sqlite_where=text("status = 'scheduled' AND rrule IS NULL")),
        Index("ix_sessions_series_heads", "mentee_id",
              sqlite_where=text("rrule IS NOT NULL AND series_id IS NULL")),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentee_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentees.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300), default="")
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The IANA zone the session was planned in: recurrences expand in it, so DST never moves it.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    rrule: Mapped[str | None] = mapped_column(String(500))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    original_start_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # scheduled | held | cancelled
    status: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    agenda: Mapped[str] = mapped_column(Text, default="")
    meeting_link: Mapped[str | None] = mapped_column(String(2048))
    want_meet: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Google Calendar mapping; the id is chosen by us before the first push.
    google_event_id: Mapped[str | None] = mapped_column(String(1024), unique=True)
    google_etag: Mapped[str | None] = mapped_column(String(200))
    sync_snapshot: Mapped[str | None] = mapped_column(Text)
    sync_error: Mapped[str | None] = mapped_column(Text)
    sync_conflict: Mapped[str | None] = mapped_column(Text)

    notes: Mapped[list[Note]] = relationship(back_populates="session", passive_deletes=True)


class Note(GlobalId, Timestamped, Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("mentees.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text, default="")
    # Private notes never appear in recaps or reports shared with the mentee.
    private: Mapped[bool] = mapped_column(Boolean, default=False)

    session: Mapped[Session | None] = relationship(back_populates="notes")


class ActionItem(GlobalId, Timestamped, Base):
    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("mentees.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), index=True
    )
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("goals.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    # action: a task someone agreed to; next_time: a topic carried to the next agenda.
    kind: Mapped[str] = mapped_column(String(16), default="action")
    done: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_date: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)


class SessionGoal(Base):
    """A goal that was worked on in a session: the thread from goal to the notes about it."""

    __tablename__ = "session_goals"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class OutboxEntry(Base):
    """One pending calendar change per session, written in the same transaction as the edit.

    No foreign key: a deleted session must still leave its delete here until it is pushed.
    """

    __tablename__ = "sync_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(Integer, unique=True)
    google_event_id: Mapped[str | None] = mapped_column(String(1024))
    # upsert | delete
    op: Mapped[str] = mapped_column(String(16))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class SyncState(Base):
    """Small key/value facts about sync: calendar id, sync token, last success."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class TeamOutboxEntry(Base):
    """One replicated row changed here and not yet pushed to the team server, written by
    triggers (migration 0004) in the same transaction as the edit. ``seq`` grows with every
    change, so a push only clears the entry it read."""

    __tablename__ = "team_outbox"

    table_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), primary_key=True)
    # upsert | delete
    op: Mapped[str] = mapped_column(String(8))
    seq: Mapped[int] = mapped_column(Integer, index=True)


class TeamBase(Base):
    """The last version of a row this desk and the team server agreed on: the base of the
    three-way merge, and the server's change number of that version."""

    __tablename__ = "team_base"

    table_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), primary_key=True)
    rev: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)


class TeamState(Base):
    """Team facts kept with the file: server address (never the secret), cursor, capture."""

    __tablename__ = "team_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)

