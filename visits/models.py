"""The domain of a joint review (DESIGN section 3) as SQLAlchemy 2 typed models.

Times: visit start/end are wall-clock times in the review's time zone (stored explicitly on the review,
Europe/London by default), because that is how a programme is written and read. Moments recorded by the
server or a device (audit, check-in, attendance) are stored in UTC and converted for display.
"""
from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, timezone
from typing import Optional
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .clock import system_utcnow
from .extensions import db


def new_uuid() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as naive UTC and hands them back aware, the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Store the values (not the Python names) and create a CHECK constraint on every backend.
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e], native_enum=False,
                create_constraint=True, length=32, validate_strings=True)


class Role(str, enum.Enum):
    lead_reviewer = "lead_reviewer"
    reviewer = "reviewer"
    lay_assessor = "lay_assessor"
    link_officer = "link_officer"
    coordinator = "coordinator"


class ReviewPhase(str, enum.Enum):
    broad_review = "broad_review"
    fieldwork = "fieldwork"


class ReviewStatus(str, enum.Enum):
    # DESIGN section 10: a review is set up as a draft, runs its fieldwork, and is closed.
    draft = "draft"
    fieldwork = "fieldwork"
    closed = "closed"


class TokenPurpose(str, enum.Enum):
    invitation = "invitation"
    reset = "reset"


class LocationKind(str, enum.Enum):
    council_office = "council_office"
    contact_centre = "contact_centre"
    day_facility = "day_facility"
    residential_setting = "residential_setting"
    home = "home"
    other = "other"


class ParticipantKind(str, enum.Enum):
    staff = "staff"
    service_user = "service_user"
    carer = "carer"
    stakeholder = "stakeholder"


class CaseStatus(str, enum.Enum):
    identified = "identified"
    visited = "visited"
    dropped_out = "dropped_out"


class VisitKind(str, enum.Enum):
    stakeholder_meeting = "stakeholder_meeting"
    setting_visit = "setting_visit"
    team_visit = "team_visit"
    staff_interview = "staff_interview"
    group_interview = "group_interview"
    home_visit = "home_visit"
    user_group_meeting = "user_group_meeting"
    briefing = "briefing"


class VisitStatus(str, enum.Enum):
    planned = "planned"
    confirmed = "confirmed"
    in_progress = "in_progress"
    completed = "completed"
    cancelled = "cancelled"
    no_show = "no_show"
    rescheduled = "rescheduled"


class AttendanceStatus(str, enum.Enum):
    expected = "expected"
    attended = "attended"
    late = "late"
    absent = "absent"
    apologies = "apologies"
    dropped_out = "dropped_out"


class NoteKind(str, enum.Enum):
    setting_observation = "setting_observation"
    interview = "interview"
    home_visit = "home_visit"
    general = "general"


class ConversationLanguage(str, enum.Enum):
    """The language an interview or home-visit conversation was held in (issue 13, Welsh Language Standards)."""

    welsh = "cy"
    english = "en"
    other = "other"
    interpreter = "interpreter"  # through an interpreter, whatever the languages


class NeedType(str, enum.Enum):
    interpreting = "interpreting"
    advocacy = "advocacy"
    personal_assistance = "personal_assistance"
    sensory = "sensory"
    access = "access"


class NeedStatus(str, enum.Enum):
    requested = "requested"
    arranged = "arranged"
    confirmed = "confirmed"
    unavailable = "unavailable"


class ConcernCategory(str, enum.Enum):
    safeguarding = "safeguarding"
    health_and_safety = "health_and_safety"


class SupportedBy(str, enum.Enum):
    """Who helped a service user answer the feedback questions (DESIGN section 12)."""

    none = "none"
    advocate = "advocate"
    interpreter = "interpreter"
    carer = "carer"
    other = "other"


class Rating(str, enum.Enum):
    red = "red"
    amber = "amber"
    green = "green"


class AlertKind(str, enum.Enum):
    """What an alert is about (DESIGN section 13): each kind has its own ladder of steps and recipients."""

    overdue = "overdue"  # a home visit's visitor has not checked out by its planned end plus grace
    duress = "duress"  # a check-out made with the person's duress code: the ladder starts at its second step
    concern = "concern"  # a red concern referred and not acknowledged in time
    programme = "programme"  # a visit of theirs was moved, cancelled or changed


# The prompts a lay assessor answers on a setting visit (DESIGN section 3), in the order shown.
SETTING_PROMPTS: tuple[str, ...] = (
    "welcome_and_reception",
    "information_for_public",
    "access_and_environment",
    "dignity_privacy_atmosphere",
    "what_people_said",
    "to_follow_up",
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[Optional[str]] = mapped_column(String(40))
    # None until the person follows their invitation and chooses one.
    password_hash: Mapped[Optional[str]] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    # Site administrator (DESIGN section 10): the inspectorate's review support staff.
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Made by `seed-demo`: the only accounts the two-factor requirement is waived for (DESIGN section 7).
    is_demo: Mapped[bool] = mapped_column(default=False)
    last_sign_in_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # TOTP (RFC 6238): the base32 secret, when it was confirmed, and the last time step accepted (a code is
    # good once: the same code cannot be replayed within its 30 seconds).
    totp_secret: Mapped[Optional[str]] = mapped_column(String(64))
    totp_enabled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[Optional[int]] = mapped_column(Integer)
    # DESIGN section 13: a code set by the person, entered at check-out when they are not safe to say so. Hashed
    # like a password (argon2id) and never shown back.
    duress_code_hash: Mapped[Optional[str]] = mapped_column(String(255))
    # "cy" or "en_GB" once the person has chosen with the language switch; None: their browser's language.
    locale: Mapped[Optional[str]] = mapped_column(String(8))

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")
    passkeys: Mapped[list[Passkey]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # Set per request by visits.security: the device's session token is what the session cookie names.
    login_token = None

    def get_id(self) -> Optional[str]:
        return self.login_token

    # UserMixin compares get_id(), which is the *session* token (None outside a request): compare identity
    # instead, which the session's identity map makes one object per row.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    # Flask-Login reads is_active; an account switched off can no longer use any session.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def has_second_factor(self) -> bool:
        return self.has_totp or bool(self.passkeys)

    def role_in(self, review_id: int) -> Optional[Role]:
        for membership in self.memberships:
            if membership.review_id == review_id:
                return membership.role
        return None


class LoginSession(db.Model):
    """One signed-in device. The cookie carries a random token; only its hash is kept here, so a session can be
    ended on the server (logout, password change, account disabled) whatever the cookie says."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    user_agent: Mapped[Optional[str]] = mapped_column(String(255))
    # Signed in with a password by someone whose role requires two-factor and who has none yet: this session
    # may only enrol (visits/two_factor), nothing else, until they have.
    needs_enrolment: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class AccountToken(db.Model):
    """An invitation or password-reset link (DESIGN section 10): the random token is in the link only; this row
    keeps its SHA-256, so a copy of the database cannot be used to sign in. Single use, expiring."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(_enum(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class RecoveryCode(db.Model):
    """One of ten single-use two-factor recovery codes, stored as a SHA-256 (they are random, like tokens)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


class Passkey(db.Model):
    """A WebAuthn credential (a phone's fingerprint): the public key only; the private key never leaves the
    device."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[str] = mapped_column(String(512), unique=True)  # base64url
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="passkeys")


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("on_site_to >= on_site_from", name="on_site_dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_name: Mapped[str] = mapped_column(String(160))
    phase: Mapped[ReviewPhase] = mapped_column(_enum(ReviewPhase, "review_phase"))
    status: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus, "review_status"))
    on_site_from: Mapped[date] = mapped_column(Date)
    on_site_to: Mapped[date] = mapped_column(Date)
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    # DESIGN section 11: when it was closed (read-only from then on; purge-reviews counts RETENTION_DAYS from
    # here) and when its personal data was erased (purge-reviews skips it from then on).
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    purged_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Shown above the concern form (DESIGN section 12), set by the lead or the coordinator.
    emergency_number: Mapped[str] = mapped_column(String(120), default="999")
    out_of_hours_number: Mapped[str] = mapped_column(String(200), default="")
    # The lone-worker ladder (DESIGN section 13), editable per review by the lead or a link officer: minutes after
    # a home visit's planned end before the visitors are asked (None: the OVERDUE_GRACE_MINUTES setting), then
    # before the lead and link officers are alerted, then before the out-of-hours contact is emailed (both
    # counted from the first step).
    alert_grace_minutes: Mapped[Optional[int]] = mapped_column(Integer)
    alert_team_minutes: Mapped[int] = mapped_column(Integer, default=10)
    alert_out_of_hours_minutes: Mapped[int] = mapped_column(Integer, default=20)
    # Who is emailed at the ladder's last step, and about a red concern nobody acknowledged: the review's
    # out-of-hours contact, who is usually not a user of the app.
    out_of_hours_email: Mapped[str] = mapped_column(String(254), default="")

    memberships: Mapped[list[Membership]] = relationship(back_populates="review", cascade="all, delete-orphan")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def is_closed(self) -> bool:
        return self.status is ReviewStatus.closed

    def link_officers(self) -> list[User]:
        return [m.user for m in self.memberships if m.role is Role.link_officer]


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("review_id", "user_id", name="one_role_per_review"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))

    review: Mapped[Review] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class Location(db.Model):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[LocationKind] = mapped_column(_enum(LocationKind, "location_kind"))
    address: Mapped[str] = mapped_column(Text, default="")
    parking_notes: Mapped[str] = mapped_column(Text, default="")
    access_notes: Mapped[str] = mapped_column(Text, default="")
    # Extra minutes to allow for parking when arriving here (the guide: "build in extra time").
    parking_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # Marked no longer used (DESIGN section 11): a place a visit refers to is kept, not deleted.
    retired_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    @property
    def is_home(self) -> bool:
        return self.kind is LocationKind.home


class TravelTime(db.Model):
    """Optional matrix of minutes between two locations; the rule checker uses a default where none is set."""

    __tablename__ = "travel_times"
    __table_args__ = (CheckConstraint("minutes >= 0", name="travel_minutes_not_negative"),)

    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True)
    to_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)


class Participant(db.Model):
    """Someone a visit is *with*. Service users and carers carry the least identity needed."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ParticipantKind] = mapped_column(_enum(ParticipantKind, "participant_kind"))
    name: Mapped[str] = mapped_column(String(160))
    job_title: Mapped[str] = mapped_column(String(160), default="")
    team: Mapped[str] = mapped_column(String(160), default="")
    organisation: Mapped[str] = mapped_column(String(160), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # Staff: the office they work from (the guide: see all staff of one office on one day).
    office_id: Mapped[Optional[int]] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    # Marked no longer used: someone a visit or case refers to is kept, not deleted.
    retired_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # A service user or carer withdrew consent (UK GDPR): their identity and contacts were erased then.
    consent_withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    needs: Mapped[list[NeedFlag]] = relationship(back_populates="participant", cascade="all, delete-orphan",
                                                 order_by="NeedFlag.created_at")

    @property
    def is_private_person(self) -> bool:
        """Service users and carers: their identity is need-to-know (DESIGN section 2)."""
        return self.kind in (ParticipantKind.service_user, ParticipantKind.carer)


case_social_workers = Table(
    "case_social_workers",
    db.metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
)


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("review_id", "reference", name="case_reference_per_review"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(40))
    service_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    team_leader_id: Mapped[Optional[int]] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    # The service user's carer, when the case has one: booked with the service user on a home visit.
    carer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus, "case_status"), default=CaseStatus.identified)
    # The status follows the visits (DESIGN section 11) unless the link officer set it by hand: then it is
    # shown as such, with who and when, until they hand it back to the visits.
    status_by_hand: Mapped[bool] = mapped_column(default=False)
    status_set_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status_set_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    retired_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    service_user: Mapped[Optional[Participant]] = relationship(foreign_keys=[service_user_id])
    carer: Mapped[Optional[Participant]] = relationship(foreign_keys=[carer_id])
    status_set_by: Mapped[Optional[User]] = relationship(foreign_keys=[status_set_by_id])
    team_leader: Mapped[Optional[Participant]] = relationship(foreign_keys=[team_leader_id])
    social_workers: Mapped[list[Participant]] = relationship(secondary=case_social_workers)


visit_team = Table(
    "visit_team",
    db.metadata,
    Column("visit_id", ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    # The itinerary query starts from the person: "my visits".
    Index("visit_team_by_user", "user_id", "visit_id"),
)


class Visit(db.Model):
    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="visit_ends_after_start"),
        CheckConstraint("expected_count IS NULL OR expected_count > 0", name="visit_expected_count_positive"),
        Index("visits_by_review_and_start", "review_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    kind: Mapped[VisitKind] = mapped_column(_enum(VisitKind, "visit_kind"))
    title: Mapped[str] = mapped_column(String(200))
    # Wall-clock time in the review's time zone.
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    location_id: Mapped[Optional[int]] = mapped_column(ForeignKey("locations.id", ondelete="RESTRICT"))
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    status: Mapped[VisitStatus] = mapped_column(_enum(VisitStatus, "visit_status"), default=VisitStatus.planned)
    briefing: Mapped[str] = mapped_column(Text, default="")
    # Why it was called off (asked when cancelling; shown to the team).
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # A group meeting's expected head count, when the link officer knows it before everyone is booked in
    # (the guide asks for 8-12: programme_rules.group_size).
    expected_count: Mapped[Optional[int]] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow, onupdate=system_utcnow)

    review: Mapped[Review] = relationship()
    location: Mapped[Optional[Location]] = relationship()
    case: Mapped[Optional[Case]] = relationship()
    team: Mapped[list[User]] = relationship(secondary=visit_team, order_by="User.name")
    attendances: Mapped[list[Attendance]] = relationship(back_populates="visit", cascade="all, delete-orphan",
                                                         order_by="Attendance.id")
    agenda: Mapped[list[AgendaSegment]] = relationship(cascade="all, delete-orphan",
                                                       order_by="AgendaSegment.position")
    checks: Mapped[list[CheckIn]] = relationship(back_populates="visit", cascade="all, delete-orphan")

    @property
    def participants(self) -> list[Participant]:
        return [a.participant for a in self.attendances]

    @property
    def is_home_visit(self) -> bool:
        return self.kind is VisitKind.home_visit or bool(self.location and self.location.is_home)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def starts_at_utc(self) -> datetime:
        return self.starts_at.replace(tzinfo=self.review.tz).astimezone(timezone.utc)

    def ends_at_utc(self) -> datetime:
        return self.ends_at.replace(tzinfo=self.review.tz).astimezone(timezone.utc)


class AgendaSegment(db.Model):
    __tablename__ = "agenda_segments"
    __table_args__ = (CheckConstraint("minutes > 0", name="agenda_minutes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)


class Attendance(db.Model):
    """A participant booked into a visit, and whether they came."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("visit_id", "participant_id", name="participant_once_per_visit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus, "attendance_status"),
                                                     default=AttendanceStatus.expected)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at_device: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    recorded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    visit: Mapped[Visit] = relationship(back_populates="attendances")
    participant: Mapped[Participant] = relationship()
    recorded_by: Mapped[Optional[User]] = relationship()


class CheckIn(db.Model):
    """A team member's arrival and departure; for home visits this is lone-worker safety."""

    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("visit_id", "user_id", name="one_check_in_per_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    checked_in_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    checked_in_recorded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    checked_out_recorded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    visit: Mapped[Visit] = relationship(back_populates="checks")
    user: Mapped[User] = relationship()


class Note(db.Model):
    __tablename__ = "notes"
    __table_args__ = (CheckConstraint("version >= 1", name="note_version_positive"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    kind: Mapped[NoteKind] = mapped_column(_enum(NoteKind, "note_kind"))
    body: Mapped[str] = mapped_column(Text, default="")
    prompts: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Set when a save arrived against an older version: the other text waits in a conflict revision.
    in_conflict: Mapped[bool] = mapped_column(default=False)
    # Written before someone on the visit withdrew consent: kept as the team's record, marked so.
    consent_withdrawn: Mapped[bool] = mapped_column(default=False)
    # A ConversationLanguage value, and whether the Welsh active offer was made (None: not recorded).
    language: Mapped[Optional[str]] = mapped_column(String(16))
    active_offer: Mapped[Optional[bool]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)

    visit: Mapped[Visit] = relationship()
    author: Mapped[User] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary="note_themes", order_by="Theme.position")
    revisions: Mapped[list[NoteRevision]] = relationship(back_populates="note", cascade="all, delete-orphan",
                                                         order_by="NoteRevision.id")


class NoteRevision(db.Model):
    """Every saved text is kept; a conflict copy is a revision marked as such until its author merges it."""

    __tablename__ = "note_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    version: Mapped[Optional[int]] = mapped_column(Integer)
    base_version: Mapped[Optional[int]] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, default="")
    prompts: Mapped[dict] = mapped_column(JSON, default=dict)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    op_id: Mapped[Optional[str]] = mapped_column(String(36))
    is_conflict: Mapped[bool] = mapped_column(default=False)
    resolved: Mapped[bool] = mapped_column(default=False)
    # The conversation's language and the Welsh active offer as this save carried them (None: it said nothing):
    # a conflict copy keeps them so the merge does not lose them (visits/notes/operations.py).
    language: Mapped[Optional[str]] = mapped_column(String(16))
    active_offer: Mapped[Optional[bool]] = mapped_column()

    note: Mapped[Note] = relationship(back_populates="revisions")
    saved_by: Mapped[User] = relationship()


class NeedFlag(db.Model):
    __tablename__ = "need_flags"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    type: Mapped[NeedType] = mapped_column(_enum(NeedType, "need_type"))
    detail: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[NeedStatus] = mapped_column(_enum(NeedStatus, "need_status"), default=NeedStatus.requested)
    arrangement: Mapped[str] = mapped_column(Text, default="")
    raised_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    arranged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)

    participant: Mapped[Participant] = relationship(back_populates="needs")
    arranged_by: Mapped[Optional[User]] = relationship(foreign_keys=[arranged_by_id])

    @property
    def is_arranged(self) -> bool:
        return self.status in (NeedStatus.arranged, NeedStatus.confirmed)


class Concern(db.Model):
    __tablename__ = "concerns"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="RESTRICT"), index=True)
    category: Mapped[ConcernCategory] = mapped_column(_enum(ConcernCategory, "concern_category"))
    rating: Mapped[Rating] = mapped_column(_enum(Rating, "rating"))
    text: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    referred_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    referred_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    referral_text: Mapped[Optional[str]] = mapped_column(Text)
    # DESIGN section 12: referred to a named council contact, or decided not to refer (the reason is kept for
    # the report); then the link officer acknowledges the referral and later records its outcome.
    referred_to: Mapped[Optional[str]] = mapped_column(String(200))
    not_referred_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    not_referred_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    not_referred_reason: Mapped[Optional[str]] = mapped_column(Text)
    acknowledged_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[Optional[str]] = mapped_column(Text)
    outcome_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    outcome_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    visit: Mapped[Visit] = relationship()
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])


class Theme(db.Model):
    """One of a review's themes for the evidence (DESIGN section 12): defaults for a joint review, editable by the
    lead. A theme in use is marked no longer used rather than deleted."""

    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("review_id", "name", name="theme_name_per_review"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


note_themes = Table(
    "note_themes",
    db.metadata,
    Column("note_id", ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
    Index("note_themes_by_theme", "theme_id", "note_id"),
)


class FeedbackQuestion(db.Model):
    """An easy-read question of a review's service-user feedback (DESIGN section 12), in the order asked."""

    __tablename__ = "feedback_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))   # the key of an answer in Feedback.answers
    text: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("review_id", "code", name="feedback_question_code_per_review"),)


class Feedback(db.Model):
    """What one service user or carer said through the easy-read questionnaire (`feedback.record`)."""

    __tablename__ = "feedback"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="RESTRICT"), index=True)
    participant_id: Mapped[Optional[int]] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    language: Mapped[str] = mapped_column(String(35), default="en")
    supported_by: Mapped[SupportedBy] = mapped_column(_enum(SupportedBy, "supported_by"), default=SupportedBy.none)
    # Whether the Welsh active offer was made before the questions (None: not recorded).
    active_offer: Mapped[Optional[bool]] = mapped_column()
    consent: Mapped[bool] = mapped_column(default=False)
    # {question code: 1-5 or "declined"}
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_at_device: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)

    visit: Mapped[Visit] = relationship()
    recorded_by: Mapped[User] = relationship()


class FeedbackAction(db.Model):
    """"What we did about it": the lead's answer to what service users said at one setting (or the review)."""

    __tablename__ = "feedback_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[Optional[int]] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    visit_kind: Mapped[Optional[str]] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)

    recorded_by: Mapped[Optional[User]] = relationship()


class Operation(db.Model):
    """The ledger behind idempotent sync: one row per op_id, holding the first answer given."""

    __tablename__ = "operations"

    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    result: Mapped[dict] = mapped_column(JSON)


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("audit_by_review_and_time", "review_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    remote_addr: Mapped[Optional[str]] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class GlossaryTerm(db.Model):
    __tablename__ = "glossary_terms"

    abbreviation: Mapped[str] = mapped_column(String(20), primary_key=True)
    expansion: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text, default="")


class CalendarFeed(db.Model):
    """A person's secret calendar URL. Only the token's hash is kept: the URL is shown once, and revoking the
    feed (or making a new one) stops the old URL at once."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class OverdueAcknowledgement(db.Model):
    """Someone (lead or link officer) has seen a home visit go overdue and is following it up."""

    __tablename__ = "overdue_acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)

    user: Mapped[Optional[User]] = relationship()


class PushSubscription(db.Model):
    """A browser's Web Push subscription (DESIGN section 13) for one person on one signed-in device: logout
    removes it with the session, and a 404/410 from the push service removes it. The endpoint is on the
    PUSH_ENDPOINT_HOSTS allow-list (checked before it is stored), so the server never posts to an address a
    client chose."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    login_session_id: Mapped[Optional[int]] = mapped_column(ForeignKey("login_sessions.id", ondelete="CASCADE"),
                                                            index=True)
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    last_sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class AlertEvent(db.Model):
    """Something that must reach people until someone answers (DESIGN section 13): a home visit overdue, a duress
    check-out, a red concern unacknowledged, a programme change. `key` names the event once ("overdue:visit:12:
    user:5:<end>"), so two runners finding the same event make one row. Acknowledging stops its ladder; so does
    the event ending (the visitor checked out, the concern acknowledged). No names or text here: the detail holds
    ids and times only, like the audit log."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AlertKind] = mapped_column(_enum(AlertKind, "alert_kind"))
    key: Mapped[str] = mapped_column(String(160), unique=True)
    visit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    concern_id: Mapped[Optional[str]] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    # The person the event is about (the visitor overdue or under duress); None for a concern or a change.
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The ladder's time zero: the planned end plus grace, the duress check-out, the referral, the change.
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    deliveries: Mapped[list[AlertDelivery]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                           order_by="AlertDelivery.id")

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None and self.ended_at is None


class AlertDelivery(db.Model):
    """One step of an event sent to one recipient, once: the unique (event, step, recipient) row is claimed
    before anything is sent, so any number of job runners send each alert once. `recipient` is "user:<id>" or
    "email:<address>" (a contact who is not a user)."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "step", "recipient", name="one_delivery_per_step_and_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(10), default="")  # "push" or "email", once decided
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    failed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(String(200), default="")

    event: Mapped[AlertEvent] = relationship(back_populates="deliveries")


class VisitChange(db.Model):
    """A change to a visit its team should hear of (DESIGN section 13): moved, cancelled, a new place. Old and new
    values are kept as codes and times (no titles or names), so a notice can say "Thu 14:00 home visit moved to
    15:30" and the itinerary can show what changed since the person last looked."""

    __tablename__ = "visit_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
    changed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # {"field": [old, new]} for starts_at, ends_at, status, location_id; team members added or removed by id.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    # Who was on the visit's team before and after the change: each hears of it.
    team_ids: Mapped[list] = mapped_column(JSON, default=list)

    visit: Mapped[Visit] = relationship()


class ItinerarySeen(db.Model):
    """When a person last looked at their itinerary in a review: the changes after it are shown as new."""

    __tablename__ = "itinerary_seen"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=system_utcnow)
