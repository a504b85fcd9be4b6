"""Erasing a closed review's personal data once it has been kept long enough (DESIGN section 11).

`flask --app app purge-reviews [--dry-run]` (visits/cli.py) takes every review closed at least RETENTION_DAYS days
ago and not purged yet, and erases what could identify someone or tell what was said:

- the text of notes and of every revision (prompts included) and their full-text search entries; concerns,
  referral texts, who a concern was referred to, reasons for not referring it, and its outcome;
- service users' feedback comments (their scores stay), and the lead's "what we did about it";
- participants' names (each becomes a neutral label, "Service user 17"), job titles, teams, organisations, phones;
- needs' details and arrangements (who the interpreter is, how to reach them);
- homes' names and addresses, and every place's parking and access notes;
- visits' titles (each becomes its kind: "Home visit"), briefings and reasons for cancelling; agenda titles;
- case references (the council's own reference leads to the person's file): each becomes "Case 12";
- the sync ledger's stored answers about that review (a conflict's answer holds the note's text).

It keeps the review, its team, the programme's shape (days, times, kinds, statuses, who was booked and whether
they came, check-in times), the number of everything, and one audit entry saying what was erased and when. The
review is marked purged (Review.purged_at), so a second run finds nothing to do: it is safe to run from cron.

Deleted and overwritten text must not linger in the database file either. On SQLite the purge's connection runs
with `PRAGMA secure_delete=ON` (freed space is overwritten with zeros) and the file is VACUUMed and its
write-ahead log truncated after the commit. On PostgreSQL the old row versions left by the UPDATEs ("dead
tuples", and the full-text index's entries for them) cannot be read through SQL by anyone, and (auto)vacuum
reclaims their space in time, so no VACUUM is run here; they do stay in
the table's data files until that space is reused, so someone holding those files (or a base backup, or archived
WAL) could still find them. That is the limit of what an application can do: backups and WAL archives expire on
their own schedule, which the deployment's retention policy must match.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import String, cast, delete, func, literal, or_, select, text, update

from . import audit
from .extensions import db
from .models import (
    AgendaSegment, AuditEvent, Case, Concern, Feedback, FeedbackAction, Location, LocationKind, NeedFlag, Note,
    NoteRevision, Operation, Participant, Review, ReviewStatus, Visit,
)
from .vocabulary import LOCATION_KIND_LABELS, PARTICIPANT_KIND_LABELS, VISIT_KIND_LABELS

# What is erased, in the order it is reported: (key, how the report names it).
ERASED = (
    ("notes", "notes"),
    ("note_revisions", "note revisions"),
    ("concerns", "concerns"),
    ("referrals", "referral texts"),
    ("concern_follow_ups", "concerns' contacts, reasons not to refer and outcomes"),
    ("feedback_comments", "feedback comments"),
    ("feedback_actions", "lead's answers to feedback"),
    ("participants", "participants' names and contacts"),
    ("needs", "needs' details and arrangements"),
    ("homes", "homes' names and addresses"),
    ("places", "places' parking and access notes"),
    ("visits", "visits' titles, briefings and reasons for cancelling"),
    ("agenda_items", "agenda titles"),
    ("cases", "case references"),
    ("sync_answers", "stored sync answers"),
)
# The ledger is read in slices this size when looking for a review's answers.
LEDGER_SLICE = 1000


@dataclass
class Erasure:
    """One review's purge: what it erases (or would), by the keys of ERASED."""

    review_id: int
    council_name: str
    closed_at: datetime
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return "; ".join(f"{self.counts.get(key, 0)} {words}" for key, words in ERASED)


# --- which reviews ------------------------------------------------------------------------------------------


def purge_due(closed_at: Optional[datetime], purged_at: Optional[datetime], now: datetime,
              retention_days: int) -> bool:
    """A closed review's personal data is erased once RETENTION_DAYS have passed since it was closed, once."""
    if closed_at is None or purged_at is not None:
        return False
    return closed_at <= now - timedelta(days=retention_days)


def reviews_due(now: datetime, retention_days: int) -> list[Review]:
    closed = db.session.scalars(select(Review).where(Review.status == ReviewStatus.closed,
                                                     Review.purged_at.is_(None)).order_by(Review.id))
    return [review for review in closed if purge_due(review.closed_at, review.purged_at, now, retention_days)]


def closed_without_date() -> list[Review]:
    """Reviews closed before closing was dated: their retention cannot start until `close-review` dates them."""
    return list(db.session.scalars(select(Review).where(Review.status == ReviewStatus.closed,
                                                        Review.closed_at.is_(None)).order_by(Review.id)))


# --- what one review holds ----------------------------------------------------------------------------------


def _visit_ids(review_id: int):
    return select(Visit.id).where(Visit.review_id == review_id).scalar_subquery()


def _note_ids(review_id: int):
    return select(Note.id).where(Note.visit_id.in_(_visit_ids(review_id))).scalar_subquery()


def _participant_ids(review_id: int):
    return select(Participant.id).where(Participant.review_id == review_id).scalar_subquery()


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _ledger_rows(review_id: int) -> list[str]:
    """The op_ids of the stored sync answers about this review: those naming one of its notes, concerns, needs or
    visits, and those its audit trail or note history names. Refusals that name nothing hold nothing to erase."""
    notes = set(db.session.scalars(select(Note.id).where(Note.visit_id.in_(_visit_ids(review_id)))))
    concerns = set(db.session.scalars(select(Concern.id).where(Concern.visit_id.in_(_visit_ids(review_id)))))
    needs = set(db.session.scalars(select(NeedFlag.id).where(NeedFlag.participant_id.in_(_participant_ids(review_id)))))
    visits = set(db.session.scalars(select(Visit.id).where(Visit.review_id == review_id)))
    named = set(db.session.scalars(select(NoteRevision.op_id).where(NoteRevision.note_id.in_(notes),
                                                                    NoteRevision.op_id.is_not(None))))
    for detail in db.session.scalars(select(AuditEvent.detail).where(AuditEvent.review_id == review_id)):
        if isinstance(detail, dict) and isinstance(detail.get("op_id"), str):
            named.add(detail["op_id"])
    found = []
    last = ""
    while True:
        rows = db.session.execute(select(Operation.op_id, Operation.result).where(Operation.op_id > last)
                                  .order_by(Operation.op_id).limit(LEDGER_SLICE)).all()
        if not rows:
            return found
        for op_id, result in rows:
            result = result if isinstance(result, dict) else {}
            if (op_id in named or result.get("note_id") in notes or result.get("concern_id") in concerns
                    or result.get("need_id") in needs or result.get("visit_id") in visits):
                found.append(op_id)
        last = rows[-1][0]


def erasure_for(review: Review) -> tuple[Erasure, list[str]]:
    """What purging `review` erases (counted, nothing written), and the ledger rows it deletes."""
    rid = review.id
    ledger = _ledger_rows(rid)
    counts = {
        "notes": _count(Note, Note.visit_id.in_(_visit_ids(rid))),
        "note_revisions": _count(NoteRevision, NoteRevision.note_id.in_(_note_ids(rid))),
        "concerns": _count(Concern, Concern.visit_id.in_(_visit_ids(rid))),
        "referrals": _count(Concern, Concern.visit_id.in_(_visit_ids(rid)), Concern.referral_text.is_not(None)),
        "concern_follow_ups": _count(Concern, Concern.visit_id.in_(_visit_ids(rid)), or_(
            Concern.referred_to.is_not(None), Concern.not_referred_reason.is_not(None), Concern.outcome.is_not(None))),
        "feedback_comments": _count(Feedback, Feedback.visit_id.in_(_visit_ids(rid)), Feedback.comment != ""),
        "feedback_actions": _count(FeedbackAction, FeedbackAction.review_id == rid),
        "participants": _count(Participant, Participant.review_id == rid),
        "needs": _count(NeedFlag, NeedFlag.participant_id.in_(_participant_ids(rid))),
        "homes": _count(Location, Location.review_id == rid, Location.kind == LocationKind.home),
        "places": _count(Location, Location.review_id == rid),
        "visits": _count(Visit, Visit.review_id == rid),
        "agenda_items": _count(AgendaSegment, AgendaSegment.visit_id.in_(_visit_ids(rid))),
        "cases": _count(Case, Case.review_id == rid),
        "sync_answers": len(ledger),
    }
    return Erasure(rid, review.council_name, review.closed_at, counts), ledger


# --- erasing ------------------------------------------------------------------------------------------------


def _numbered(label, column) -> object:
    """`label` and the row's id ("Service user 17"): neutral, and still tells two rows apart."""
    return literal(f"{label} ", String) + cast(column, String)


def _run(statement) -> None:
    db.session.execute(statement.execution_options(synchronize_session=False))


def purge_review(review: Review, now: datetime, retention_days: int) -> Erasure:
    """Erase the review's personal data in the current transaction (the caller commits) and audit it."""
    erasure, ledger = erasure_for(review)
    rid = review.id
    visit_ids, note_ids, participant_ids = _visit_ids(rid), _note_ids(rid), _participant_ids(rid)

    _run(update(NoteRevision).where(NoteRevision.note_id.in_(note_ids)).values(body="", prompts={}))
    _run(update(Note).where(Note.visit_id.in_(visit_ids)).values(body="", prompts={}))
    _run(update(Concern).where(Concern.visit_id.in_(visit_ids)).values(text=""))
    # Set to "" rather than NULL where there was one: that a concern was referred, answered or closed stays.
    for column in (Concern.referral_text, Concern.referred_to, Concern.not_referred_reason, Concern.outcome):
        _run(update(Concern).where(Concern.visit_id.in_(visit_ids), column.is_not(None)).values({column: ""}))
    _run(update(Feedback).where(Feedback.visit_id.in_(visit_ids)).values(comment=""))
    _run(update(FeedbackAction).where(FeedbackAction.review_id == rid).values(text=""))
    _run(update(NeedFlag).where(NeedFlag.participant_id.in_(participant_ids)).values(detail="", arrangement=""))
    for kind, label in PARTICIPANT_KIND_LABELS.items():
        _run(update(Participant).where(Participant.review_id == rid, Participant.kind == kind).values(
            name=_numbered(str(label), Participant.id), job_title="", team="", organisation="", phone=""))
    _run(update(Location).where(Location.review_id == rid).values(parking_notes="", access_notes=""))
    _run(update(Location).where(Location.review_id == rid, Location.kind == LocationKind.home).values(
        name=_numbered(str(LOCATION_KIND_LABELS[LocationKind.home]), Location.id), address=""))
    for kind, label in VISIT_KIND_LABELS.items():
        _run(update(Visit).where(Visit.review_id == rid, Visit.kind == kind).values(
            title=str(label), briefing="", cancel_reason=""))
    _run(update(AgendaSegment).where(AgendaSegment.visit_id.in_(visit_ids)).values(title=""))
    # Two steps, because a reference is unique within its review and may already read "Case 12" for another
    # row: first a placeholder no reference has, then the label.
    _run(update(Case).where(Case.review_id == rid).values(reference=_numbered("purging", Case.id)))
    _run(update(Case).where(Case.review_id == rid).values(reference=_numbered("Case", Case.id)))
    for start in range(0, len(ledger), LEDGER_SLICE):
        _run(delete(Operation).where(Operation.op_id.in_(ledger[start:start + LEDGER_SLICE])))

    review.purged_at = now
    audit.record(None, "review_purged", "review", rid, rid, erased=erasure.counts, retention_days=retention_days,
                 closed_at=review.closed_at.isoformat(), purged_at=now.isoformat())
    return erasure


# --- the database file --------------------------------------------------------------------------------------


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def overwrite_freed_space() -> None:
    """SQLite: from here on, space this connection frees is overwritten with zeros (the old text is not left in
    the file's free pages). Run before the purge's first write, on the session's connection."""
    if is_sqlite():
        db.session.connection().exec_driver_sql("PRAGMA secure_delete=ON")


def compact_file() -> None:
    """SQLite, after the commit: rebuild the file (VACUUM) so no page holds erased text, and empty the
    write-ahead log, whose frames may still hold old pages. PostgreSQL needs nothing here: see the module's
    docstring for what stays in its data files."""
    if not is_sqlite():
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("PRAGMA secure_delete=ON")
        # A full-text index (visits/evidence/search.py) only marks replaced words as deleted; merging its segments
        # drops them, before VACUUM rewrites the file.
        for (table,) in connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                                "sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'")):
            connection.exec_driver_sql(f'INSERT INTO "{table}" ("{table}") VALUES (\'optimize\')')
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
