"""Programme changes a visit's team should hear of (DESIGN section 13): recorded once, where the programme changes
(visits/programme/service.py calls `record_visit_change` after creating, editing or cancelling a visit, which is
also the import's and the rights requests' path), and put into words for a notice and for the itinerary's
"changed since you last looked".

A VisitChange keeps codes, ids and times only, never a title or a name: `changes` always holds "starts_at" and
"kind" as [before, after] (what the visit was, which the words start from), and "ends_at", "status",
"location_id" and "team" (sorted user ids) when they changed; a new visit has "created": [None, True]. The words
say the visit's kind and times in the review's own time zone ("Thu 14:00 home visit moved to 15:30"): a
notification shows on a locked screen, so it never says whom the visit is with or where.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional

from babel.dates import format_date, format_time
from flask import current_app, has_app_context
from flask_babel import gettext as _

from ..clock import utcnow
from ..extensions import db
from ..models import ItinerarySeen, Membership, Review, ReviewStatus, User, Visit, VisitChange, VisitStatus
from ..vocabulary import label

# The fields whose change reaches the team; anything else (a briefing, a title, the people met) is not a notice.
NOTICED = ("starts_at", "ends_at", "status", "location_id", "team", "kind")


def visit_snapshot(visit: Visit) -> dict:
    """What a notice can be made of: codes, ids and wall-clock times in the review's zone."""
    return {
        "starts_at": visit.starts_at.isoformat(timespec="minutes"),
        "ends_at": visit.ends_at.isoformat(timespec="minutes"),
        "status": visit.status.value,
        "location_id": visit.location_id,
        "team": sorted(user.id for user in visit.team),
        "kind": visit.kind.value,
    }


def changed_fields(before: Optional[dict], after: dict) -> dict:
    """{"field": [old, new]}: starts_at and kind always, the other noticed fields when they differ; a new visit
    (no `before`) is {"created": [None, True]} with its times, kind and team."""
    if before is None:
        return {"created": [None, True], "starts_at": [None, after["starts_at"]],
                "ends_at": [None, after["ends_at"]], "kind": [None, after["kind"]], "team": [[], after["team"]]}
    changes = {field: [before[field], after[field]] for field in NOTICED if before[field] != after[field]}
    if not changes:
        return {}
    changes.setdefault("starts_at", [before["starts_at"], after["starts_at"]])
    changes.setdefault("kind", [before["kind"], after["kind"]])
    return changes


def record_visit_change(visit: Visit, by: Optional[User], before: Optional[dict]) -> Optional[VisitChange]:
    """Records what changed since `before` (a `visit_snapshot` taken before the change; None for a new visit), in
    the caller's transaction. Nothing noticed changed: nothing recorded."""
    after = visit_snapshot(visit)
    changes = changed_fields(before, after)
    if not changes:
        return None
    team_ids = sorted(set(before["team"] if before else []) | set(after["team"]))
    change = VisitChange(review_id=visit.review_id, visit_id=visit.id, changed_at=utcnow(),
                         changed_by_id=by.id if by is not None else None, changes=changes, team_ids=team_ids)
    db.session.add(change)
    db.session.flush()
    return change


# --- words ---------------------------------------------------------------------------------------------------

def _locale() -> str:
    """The language in force: the request's, or the one the alert's delivery forced for its recipient."""
    if has_app_context():
        from flask_babel import get_locale

        locale = get_locale()
        if locale is not None:
            return str(locale)
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en_GB")


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def day_and_time(value: str, locale: Optional[str] = None) -> str:
    """"Thu 14:00": a wall-clock time of the review's zone (visit times are stored so)."""
    moment, locale = _at(value), locale or _locale()
    return f"{format_date(moment.date(), 'EEE', locale=locale)} {format_time(moment.time(), 'HH:mm', locale=locale)}"


def _clock(value: str, locale: str) -> str:
    return format_time(_at(value).time(), "HH:mm", locale=locale)


def _kind_words(code: str) -> str:
    words = label("visit_kind", code)
    return words[:1].lower() + words[1:]  # "home visit" inside a sentence


@dataclass(frozen=True)
class ChangeWords:
    headline: str  # "Moved", "Cancelled", "New visit", "Changed"
    was: str  # "Thu 14:00 home visit": the visit as the person knew it
    detail: str  # "moved to 15:30", "cancelled", "you were added"
    short: str  # for the itinerary: "Thu 14:00 → 15:30"
    kind: str = ""  # "Home visit" (the kind after the change)
    several: bool = False  # more than one thing changed: the detail says them all


def words_for(change: VisitChange, user_id: Optional[int], locale: Optional[str] = None) -> ChangeWords:
    """The change as `user_id` is told it: their own addition or removal is said so; nothing names anyone."""
    locale = locale or _locale()
    fields = change.changes or {}
    old_start, new_start = fields.get("starts_at", [None, None])
    old_kind, new_kind = fields.get("kind", [None, None])
    was_start = old_start or new_start
    was = f"{day_and_time(was_start, locale)} {_kind_words(old_kind or new_kind)}"
    if fields.get("created"):
        return ChangeWords(_("New visit"), f"{day_and_time(new_start, locale)} {_kind_words(new_kind)}",
                           _("added to your visits"), day_and_time(new_start, locale),
                           label("visit_kind", new_kind))
    details, headline, short = [], None, day_and_time(was_start, locale)
    old_status, new_status = fields.get("status", [None, None])
    if new_status == VisitStatus.cancelled.value:
        headline = _("Cancelled")
        details.append(_("cancelled"))
    elif old_status == VisitStatus.cancelled.value:
        headline = _("Back on")
        details.append(_("back on"))
    elif new_status:
        details.append(_("now %(status)s", status=label("visit_status", new_status).lower()))
    if old_start != new_start:
        same_day = _at(old_start).date() == _at(new_start).date()
        to = _clock(new_start, locale) if same_day else day_and_time(new_start, locale)
        details.append(_("moved to %(time)s", time=to))
        headline = headline or _("Moved")
        short = f"{day_and_time(old_start, locale)} → {to}"
    elif "ends_at" in fields:
        details.append(_("now ends at %(time)s", time=_clock(fields["ends_at"][1], locale)))
        headline = headline or _("New end time")
    if old_kind != new_kind:
        details.append(_("now a %(kind)s", kind=_kind_words(new_kind)))
    if "location_id" in fields:
        details.append(_("new place"))
        headline = headline or _("New place")
    if "team" in fields:
        old_team, new_team = (set(ids or []) for ids in fields["team"])
        # Being added or taken off is what matters most to this person (more than a new time), unless cancelled.
        if user_id in new_team - old_team:
            details.append(_("you were added"))
            headline = headline if new_status == VisitStatus.cancelled.value else _("Added")
        elif user_id in old_team - new_team:
            details.append(_("you are no longer on it"))
            headline = headline if new_status == VisitStatus.cancelled.value else _("Taken off")
        else:
            details.append(_("team changed"))
    return ChangeWords(headline or _("Changed"), was, ", ".join(details) or _("changed"), short,
                       label("visit_kind", new_kind or old_kind), len(details) > 1)


def notice_line(change: VisitChange, user_id: Optional[int], locale: Optional[str] = None) -> str:
    """"Thu 14:00 home visit moved to 15:30"."""
    words = words_for(change, user_id, locale)
    return f"{words.was} {words.detail}"


# --- what a person has not seen yet ----------------------------------------------------------------------------

def _affects(change: VisitChange, user_id: int) -> bool:
    return user_id in (change.team_ids or []) and change.changed_by_id != user_id


def unseen_changes(user: User, limit: int = 20) -> list[VisitChange]:
    """The changes to the person's visits (team before or after) made by someone else since they last looked at
    their itinerary in that review, newest first. Never looked: nothing is new (they see the programme as it is)."""
    seen = {row.review_id: row.seen_at for row in db.session.scalars(
        db.select(ItinerarySeen).where(ItinerarySeen.user_id == user.id))}
    review_ids = [review_id for review_id in db.session.scalars(
        db.select(Membership.review_id).where(Membership.user_id == user.id)) if review_id in seen]
    if not review_ids:
        return []
    since = min(seen[review_id] for review_id in review_ids)
    query = (db.select(VisitChange).where(VisitChange.review_id.in_(review_ids), VisitChange.changed_at > since)
             .order_by(VisitChange.changed_at.desc(), VisitChange.id.desc()))
    found = []
    for change in db.session.scalars(query):  # team_ids is JSON: the few recent rows are filtered here
        if change.changed_at > seen[change.review_id] and _affects(change, user.id):
            found.append(change)
            if len(found) == limit:
                break
    return found


def start_looking(user: User) -> None:
    """A person's first look at their itinerary in each of their reviews starts the count of what is new. Called
    for a page the person opened, never for the service worker's prefetch (nobody looked then)."""
    have = set(db.session.scalars(db.select(ItinerarySeen.review_id).where(ItinerarySeen.user_id == user.id)))
    # A closed review is read-only, and nothing about it is sent any more: no count to start.
    open_reviews = (db.select(Membership.review_id).join(Review, Review.id == Membership.review_id)
                    .where(Membership.user_id == user.id, Review.status != ReviewStatus.closed))
    for review_id in db.session.scalars(open_reviews):
        if review_id not in have:
            db.session.add(ItinerarySeen(user_id=user.id, review_id=review_id, seen_at=utcnow()))


def mark_seen(user: User, up_to: datetime, review_ids: Iterable[int] = ()) -> None:
    """"Got it": the changes up to `up_to` (the newest the page showed, so one made since is not passed over
    unseen) are no longer new. Never later than now; never earlier than already seen."""
    up_to = min(up_to, utcnow())
    member_of = set(db.session.scalars(db.select(Membership.review_id).where(Membership.user_id == user.id)))
    wanted = set(review_ids) & member_of if review_ids else member_of
    rows = {row.review_id: row for row in db.session.scalars(
        db.select(ItinerarySeen).where(ItinerarySeen.user_id == user.id))}
    for review_id in wanted:
        row = rows.get(review_id)
        if row is None:
            db.session.add(ItinerarySeen(user_id=user.id, review_id=review_id, seen_at=up_to))
        elif row.seen_at < up_to:
            row.seen_at = up_to
