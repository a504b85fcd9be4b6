"""The calendar page, where each person makes or revokes their secret calendar URL, and the feed it serves.

The feed needs no session (a phone's calendar app cannot sign in): the secret token in the URL is the key, so
it is random, stored only as a hash, shown once, and revoked with one click."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import partial

from flask import Blueprint, Response, abort, g, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from .. import audit
from ..clock import today_in, utcnow
from ..extensions import db, limiter
from ..i18n import locale_for
from ..models import Attendance, CalendarFeed, User, Visit, visit_team
from ..vocabulary import label
from .feed import HISTORY_DAYS, active_feed, build_calendar, new_token, token_hash

bp = Blueprint("calendar", __name__)


@bp.before_request
def _no_offline_copy():
    """The page shows a new secret feed URL once; a copy kept in a phone's offline cache would show it again to
    whoever opens the phone. The flag asks visits/security.py to leave out the X-Fieldwork-User mark, without
    which the service worker stores nothing."""
    g.no_offline_copy = True


def _feeds(user: User) -> list[CalendarFeed]:
    return list(db.session.scalars(db.select(CalendarFeed).filter_by(user_id=user.id)
                                   .order_by(CalendarFeed.created_at.desc())))


def _revoke_all(user: User) -> int:
    revoked = 0
    for feed in _feeds(user):
        if feed.revoked_at is None:
            feed.revoked_at = utcnow()
            revoked += 1
    return revoked


def _calendar_page(new_url: str = "", status: int = 200):
    feed = active_feed(_feeds(current_user))
    webcal = "webcal://" + new_url.split("://", 1)[1] if new_url else ""
    return render_template("calendar/index.html", feed=feed, new_url=new_url, webcal_url=webcal), status


@bp.get("/calendar")
@login_required
def index():
    return _calendar_page()


@bp.post("/calendar/feed")
@login_required
def create_feed():
    """A new secret URL; any earlier one stops working (one live feed per person)."""
    _revoke_all(current_user)
    token = new_token()
    feed = CalendarFeed(user_id=current_user.id, token_hash=token_hash(token))
    db.session.add(feed)
    db.session.flush()
    audit.record(current_user, "create", "calendar_feed", feed.id, None)
    db.session.commit()
    return _calendar_page(url_for("calendar.feed_ics", token=token, _external=True))


@bp.post("/calendar/feed/revoke")
@login_required
def revoke_feed():
    if _revoke_all(current_user):
        audit.record(current_user, "revoke", "calendar_feed", current_user.id, None)
    db.session.commit()
    return _calendar_page()


@bp.get("/calendar/<token>.ics")
@limiter.limit("120 per hour")
def feed_ics(token: str):
    feed = db.session.execute(
        db.select(CalendarFeed).filter_by(token_hash=token_hash(token), revoked_at=None)
    ).scalar_one_or_none()
    if feed is None or not feed.user.active:
        abort(404)
    user = feed.user
    reviews = [m.review_id for m in user.memberships]
    visits = db.session.scalars(
        db.select(Visit).join(visit_team, visit_team.c.visit_id == Visit.id)
        .where(visit_team.c.user_id == user.id, Visit.review_id.in_(reviews),
               Visit.starts_at >= datetime.combine(today_in() - timedelta(days=HISTORY_DAYS), time.min))
        .order_by(Visit.starts_at, Visit.id)
        .options(selectinload(Visit.team), selectinload(Visit.location), selectinload(Visit.case),
                 selectinload(Visit.review), selectinload(Visit.attendances).selectinload(Attendance.participant)))
    # A calendar app has no session and no language of its own: the feed's titles are in its owner's language.
    with force_locale(locale_for(user)):
        body = build_calendar(
            user, visits, kind_label=partial(label, "visit_kind"),
            visit_url=lambda visit: url_for("itinerary.visit_page", visit_id=visit.id, _external=True),
            calendar_name=_("Fieldwork visits"), team_label=_("Team:"), now=utcnow())
    feed.last_used_at = utcnow()
    db.session.commit()
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="fieldwork.ics"'})
