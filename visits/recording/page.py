"""The visit page as the place to work: what it shows beside the visit itself (notes, check-ins, concerns), and
rendering it whole or one section at a time (htmx swaps a section after a form post).

permissions.py decides; this applies the decisions once for the page. Showing a note's text or a service
user's identity is a read the audit log records, so it happens here where the page is put together.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from flask import current_app, render_template
from flask_login import current_user
from sqlalchemy import select

from .. import audit, overdue
from ..alerts.ladder import LadderSettings
from ..clock import utcnow
from ..extensions import db
from ..itinerary.presenters import present_visit
from ..models import SETTING_PROMPTS, Concern, Note, NoteKind, Role, User, Visit, VisitKind
from ..concerns.presenters import ConcernView, present_concern
from ..permissions import VisitAccess, can_arrange_need, can_edit_note, sees_team_checks
from ..notes.prompts import answered, prompts_for
from ..permissions import can_read_themes
from ..themes import offered_themes

SECTIONS = ("check", "attendance", "notes", "needs", "concerns")

# The kind a new note on a visit starts as; the prompts of a setting observation are separate fields.
NOTE_KIND_FOR_VISIT = {
    VisitKind.home_visit: NoteKind.home_visit,
    VisitKind.staff_interview: NoteKind.interview,
    VisitKind.group_interview: NoteKind.interview,
    VisitKind.setting_visit: NoteKind.setting_observation,
}


@dataclass
class FormState:
    """What a rejected form said and what was typed, so the same form shows again with its errors."""

    key: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)

    def of(self, key: str) -> FormState:
        return self if key == self.key else NO_FORM


NO_FORM = FormState()


@dataclass
class NoteView:
    id: str
    kind: str
    author_name: str
    editable: bool
    body: str
    prompts: dict[str, str]
    version: int
    in_conflict: bool
    updated_at: datetime
    consent_withdrawn: bool = False   # written before someone on the visit withdrew consent: kept, marked so
    themes: list[ThemeChoice] = field(default_factory=list)          # the themes it carries, in the review's order
    theme_choices: list[ThemeChoice] = field(default_factory=list)   # its edit form's: offered + its retired ones
    language: Optional[str] = None        # the conversation's (visits/notes/language.py); None: not recorded
    active_offer: Optional[bool] = None   # whether the Welsh active offer was made; None: not recorded

    @property
    def answered_prompts(self) -> list[tuple[str, str]]:
        return answered(self.kind, self.prompts)

    @property
    def theme_ids(self) -> list[str]:
        return [str(theme.id) for theme in self.themes]


@dataclass(frozen=True)
class ThemeChoice:
    """A theme as a note form's checkbox shows it."""

    id: int
    name: str
    retired: bool = False


def theme_choices(themes) -> list[ThemeChoice]:
    return [ThemeChoice(theme.id, theme.name, theme.retired_at is not None) for theme in themes]


@dataclass
class TeamCheckView:
    user_id: int
    name: str
    checked_in_at: Optional[datetime]
    checked_out_at: Optional[datetime]
    overdue: bool


@dataclass
class VisitWork:
    notes: Optional[list[NoteView]]          # None: this person may not read notes here
    new_note_kind: str
    uses_prompts: bool                       # lay assessors and setting visits: one field per prompt
    team_checks: Optional[list[TeamCheckView]]
    my_check: Optional[TeamCheckView]
    concerns: list[ConcernView]
    may_arrange_needs: bool
    themes: list[ThemeChoice] = field(default_factory=list)   # offered on a new note (the review's, in use)
    may_edit_themes: bool = False                            # the lead: a link to the themes page beside them


def team_checks(visit: Visit, now: datetime) -> list[TeamCheckView]:
    """Each team member's check-in and check-out, and whether their home visit is overdue (visits/overdue.py)."""
    by_user = {check.user_id: check for check in visit.checks}
    members = tuple(
        overdue.MemberCheck(member.id, member.name, member.phone,
                            by_user[member.id].checked_in_at if member.id in by_user else None,
                            by_user[member.id].checked_out_at if member.id in by_user else None)
        for member in visit.team)
    late: set[int] = set()
    if visit.is_home_visit:
        # The review's own grace (its lone-worker ladder, visits/alerts/ladder.py), as the board and the alarm use.
        grace = LadderSettings.of(visit.review, current_app.config["OVERDUE_GRACE_MINUTES"]).grace
        alert = overdue.check(overdue.HomeVisitWatch(visit.id, visit.status.value, visit.ends_at_utc(), members),
                              now, grace)
        late = {member.user_id for member in alert.not_checked_out} if alert else set()
    return [TeamCheckView(m.user_id, m.name, m.checked_in_at, m.checked_out_at, m.user_id in late)
            for m in members]


def _note_view(note: Note, user: User, offered: list[ThemeChoice]) -> NoteView:
    carried = theme_choices(note.themes)
    kept = [theme for theme in carried if theme.retired]   # retired since: still ticked on its edit form
    return NoteView(note.id, note.kind.value, note.author.name, can_edit_note(user, note), note.body,
                    dict(note.prompts or {}), note.version, note.in_conflict, note.updated_at,
                    note.consent_withdrawn, carried, offered + kept, note.language, note.active_offer)


def present_work(visit: Visit, access: VisitAccess, user: User) -> VisitWork:
    notes = None
    offered: list[ThemeChoice] = []
    if access.notes:
        offered = theme_choices(offered_themes(visit.review))
        query = select(Note).where(Note.visit_id == visit.id).order_by(Note.created_at, Note.id)
        notes = [_note_view(note, user, offered) for note in db.session.scalars(query)]
    checks = team_checks(visit, utcnow()) if access.full else []
    concerns = db.session.scalars(select(Concern).where(Concern.visit_id == visit.id).order_by(Concern.raised_at))
    kind = NOTE_KIND_FOR_VISIT.get(visit.kind, NoteKind.general)
    uses_prompts = kind is NoteKind.setting_observation or access.role is Role.lay_assessor
    return VisitWork(
        notes=notes,
        new_note_kind=(NoteKind.setting_observation if uses_prompts else kind).value,
        uses_prompts=uses_prompts,
        team_checks=checks if sees_team_checks(access) else None,
        my_check=next((c for c in checks if c.user_id == user.id), None),
        concerns=[view for view in (present_concern(c, user) for c in concerns) if view is not None],
        may_arrange_needs=can_arrange_need(user, visit.review_id),
        themes=offered,
        may_edit_themes=can_read_themes(user, visit.review_id),
    )


def new_id() -> str:
    """A fresh UUID for a form: its op_id (so a double submit is a duplicate) or a new note's, need's or
    concern's id."""
    return str(uuid.uuid4())


def render_visit_page(visit: Visit, access: VisitAccess, *, section: Optional[str] = None,
                      editing: Optional[str] = None, form: FormState = NO_FORM, message: Optional[str] = None,
                      status: int = 200):
    """The whole visit page, or (for htmx) one of its SECTIONS, with the reads it shows recorded in the audit."""
    view = present_visit(visit, access, current_user)
    work = present_work(visit, access, current_user) if access.full else None
    shows_notes = work is not None and work.notes and section in (None, "notes")
    for note in work.notes if shows_notes else []:
        audit.record(current_user, "read", "note", note.id, visit.review_id)
    shows_people = section in (None, "attendance", "needs")
    if shows_people and access.identity and any(p.is_private_person for p in visit.participants):
        audit.record(current_user, "read", "service_user_record", visit.id, visit.review_id)
    db.session.commit()
    template = f"recording/_{section}.html" if section else "itinerary/visit.html"
    response = current_app.make_response((render_template(
        template, visit=view, access=access, work=work, editing=editing, form=form, message=message,
        message_section=section, new_id=new_id, prompts=SETTING_PROMPTS, prompts_for=prompts_for,
    ), status))
    # The same URL answers a page or a fragment: caches (and the service worker) must tell them apart.
    response.vary.add("HX-Request")
    return response
