"""Who may see and do what: the one place these decisions are made (DESIGN section 2).

Everything here is a pure function of a user's role in a review and their place on a visit, so it is tested as
a matrix without a database. Views and the sync path ask; they never decide for themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from flask import current_app

from .models import Concern, Note, Role, User, Visit
from .vocabulary import OWN_VISITS_ROLES, PROGRAMME_ROLES


def role_for(user: User, review_id: int) -> Optional[Role]:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role_in(review_id)


def is_on_team(user: User, visit: Visit) -> bool:
    return any(member.id == user.id for member in visit.team)


# --- A closed review is read-only for everyone (DESIGN section 11) ------------------------------------------
# Every write decision below asks `review_is_open` as well as the role, so closing a review refuses every change
# in this one place: the console's forms, the visit page's forms and every operation through /api/sync. Reading
# stays as it was. The review comes from the person's own membership (membership.review): no other query.


def _membership_review(user: User, review_id: int):
    if user is None or not getattr(user, "is_authenticated", False):
        return None, False
    for membership in user.memberships:
        if membership.review_id == review_id:
            return membership.review, True
    return None, False


def review_is_open(user: User, review_id: int) -> bool:
    """Whether this person's review may still be changed: they are a member of it and it is not closed."""
    review, member = _membership_review(user, review_id)
    return member and not (review is not None and review.is_closed)


def review_closed_for(user: User, review_id: int) -> bool:
    """A member of this review, which is closed: a change they were refused may say why (they know the review
    exists; anyone else learns nothing)."""
    review, member = _membership_review(user, review_id)
    return member and review is not None and review.is_closed


def _read_only(access: VisitAccess) -> VisitAccess:
    return replace(access, write_notes=False, record_attendance=False, check_in=False, raise_need=False,
                   arrange_need=False, raise_concern=False)


@dataclass(frozen=True)
class VisitAccess:
    """What one person may see of one visit. `None` from visit_access means: not even that it exists."""

    role: Role
    full: bool               # everything a visitor needs on the doorstep
    place: bool              # the location (others' home visits hide it: it is someone's home)
    participants: bool       # who the visit is with
    identity: bool           # service users' and carers' names, addresses and phone numbers
    needs: bool
    attendance: bool
    notes: bool
    write_notes: bool
    record_attendance: bool
    check_in: bool
    raise_need: bool
    arrange_need: bool
    raise_concern: bool


def visit_access(user: User, visit: Visit) -> Optional[VisitAccess]:
    role = role_for(user, visit.review_id)
    if role is None:
        return None
    on_team = is_on_team(user, visit)
    if role in OWN_VISITS_ROLES and not on_team:
        # Others' visits: only time, kind, team and a place that is not somebody's home.
        return VisitAccess(role, full=False, place=not visit.is_home_visit, participants=False, identity=False,
                           needs=False, attendance=False, notes=False, write_notes=False,
                           record_attendance=False, check_in=False, raise_need=False, arrange_need=False,
                           raise_concern=False)
    is_lead = role is Role.lead_reviewer
    is_link = role is Role.link_officer
    is_team_member = role in OWN_VISITS_ROLES or (is_lead and on_team)
    access = VisitAccess(
        role,
        full=True,
        place=True,
        participants=True,
        identity=role is not Role.coordinator,
        needs=True,
        attendance=True,
        notes=role in OWN_VISITS_ROLES or is_lead,
        write_notes=is_team_member,
        record_attendance=is_team_member or is_lead or is_link,
        check_in=on_team,
        raise_need=is_team_member or is_lead or is_link,
        arrange_need=is_link or is_lead,
        raise_concern=is_team_member or is_lead,
    )
    return access if review_is_open(user, visit.review_id) else _read_only(access)


def sees_whole_programme(user: User, review_id: int) -> bool:
    return role_for(user, review_id) in PROGRAMME_ROLES


def can_edit_programme(user: User, review_id: int) -> bool:
    return role_for(user, review_id) in (Role.lead_reviewer, Role.link_officer) and review_is_open(user, review_id)


def can_read_note(user: User, note: Note) -> bool:
    access = visit_access(user, note.visit)
    return bool(access and access.notes)


def can_edit_note(user: User, note: Note) -> bool:
    """Notes are personal records: only their author edits them, and only while still on the visit."""
    access = visit_access(user, note.visit)
    return bool(access and access.write_notes and note.author_id == user.id)


def concern_view(user: User, concern: Concern) -> Optional[str]:
    """'full', 'referral' (the referral text only) or None."""
    role = role_for(user, concern.visit.review_id)
    if role is Role.lead_reviewer:
        return "full"
    if role in OWN_VISITS_ROLES and concern.raised_by_id == user.id:
        return "full"
    if role is Role.link_officer and concern.referred_at is not None:
        return "referral"
    return None


def sees_all_concerns(user: User, review_id: int) -> bool:
    """The lead reads every concern of the review (concern_view), so the board lists those waiting on them."""
    return role_for(user, review_id) is Role.lead_reviewer


def can_refer_concern(user: User, concern: Concern) -> bool:
    review_id = concern.visit.review_id
    return role_for(user, review_id) is Role.lead_reviewer and review_is_open(user, review_id)


def can_read_audit_log(user: User, review_id: int) -> bool:
    return role_for(user, review_id) in (Role.lead_reviewer, Role.coordinator)


# --- the link officer's console: programme, board, needs, exports -----------------------------------------
# Reading the programme, the attendance board and the needs list: the roles that see the whole programme.
# Changing any of it: the lead and the link officer. The coordinator reads, never sees who service users are.


def can_read_programme(user: User, review_id: int) -> bool:
    return sees_whole_programme(user, review_id)


def can_import_programme(user: User, review_id: int) -> bool:
    return can_edit_programme(user, review_id)


def can_export_programme(user: User, review_id: int) -> bool:
    """The CSV names service users (the import's round trip needs them), so only those who may know them. A read:
    still allowed once the review is closed."""
    return role_for(user, review_id) in (Role.lead_reviewer, Role.link_officer)


def can_read_board(user: User, review_id: int) -> bool:
    return sees_whole_programme(user, review_id)


def can_acknowledge_overdue(user: User, review_id: int) -> bool:
    """Lone-worker alerts go to the lead and the link officer; either one acknowledging it is enough."""
    return role_for(user, review_id) in (Role.lead_reviewer, Role.link_officer) and review_is_open(user, review_id)


def can_read_needs(user: User, review_id: int) -> bool:
    return sees_whole_programme(user, review_id)


def can_manage_needs(user: User, review_id: int) -> bool:
    """The needs page's forms: whoever may arrange needs (the sync path asks the same question)."""
    return can_arrange_need(user, review_id)


def sees_identities(user: User, review_id: int) -> bool:
    """Service users' and carers' names, addresses and phones across the whole programme (DESIGN section 2)."""
    return role_for(user, review_id) in (Role.lead_reviewer, Role.link_officer)


def console_reviews(user: User, may) -> list[int]:
    """The ids of the reviews for which `may(user, review_id)` holds, in a stable order (the console's choice
    of review when none is asked for is the first of these)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return sorted(m.review_id for m in user.memberships if may(user, m.review_id))


# --- Recording in the field -------------------------------------------------------------------------------


def can_arrange_need(user: User, review_id: int) -> bool:
    """Arranging interpreters and advocates is the link officer's work (the lead may step in)."""
    return role_for(user, review_id) in (Role.lead_reviewer, Role.link_officer) and review_is_open(user, review_id)


def can_raise_need(user: User, review_id: int, visits: list[Visit]) -> bool:
    """A need belongs to a participant, so whoever may raise one on any of their visits may raise it; those who
    arrange needs may also record one for someone not booked yet."""
    if can_arrange_need(user, review_id):
        return True
    return any(access.raise_need for access in (visit_access(user, visit) for visit in visits) if access)


def sees_team_checks(access: Optional[VisitAccess]) -> bool:
    """Check-in and check-out of the whole team travel with attendance (DESIGN section 2)."""
    return bool(access and access.attendance)


# --- Accounts, reviews and their teams (DESIGN section 10) ------------------------------------------------
# Administration screens show accounts and memberships only: never a note's text or a service user's identity.

# Roles that see many people's data, so must sign in with a second factor (DESIGN section 10).
TWO_FACTOR_ROLES = frozenset({Role.coordinator, Role.lead_reviewer, Role.link_officer})


def is_site_admin(user: User) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_admin and user.active)


def can_administer_accounts(user: User) -> bool:
    """The account list, creating, disabling and enabling accounts, creating reviews: administrators only."""
    return is_site_admin(user)


def can_manage_review(user: User, review_id: int) -> bool:
    """A review's details and members: its coordinator, or any site administrator."""
    return is_site_admin(user) or role_for(user, review_id) is Role.coordinator


def can_read_team(user: User, review_id: int) -> bool:
    """The review's team list: those who manage it, and the lead reviewer read only (DESIGN section 2)."""
    return can_manage_review(user, review_id) or role_for(user, review_id) is Role.lead_reviewer


def managed_reviews(user: User) -> list[int]:
    """The reviews whose members this person manages as coordinator (administrators reach every review from
    /admin instead)."""
    return console_reviews(user, lambda u, review_id: role_for(u, review_id) is Role.coordinator)


def role_requires_two_factor(user: User) -> bool:
    """Administrators, and anyone who is a coordinator, lead reviewer or link officer of any review."""
    return bool(user.is_admin or any(m.role in TWO_FACTOR_ROLES for m in user.memberships))


def second_factor_waived(user: User) -> bool:
    """Demo accounts sign in with the printed password alone, so anyone can try the demo; never in production,
    where a demo account is held to the same rule as everyone else."""
    return bool(user.is_demo and current_app.config.get("FIELDWORK_ENV") != "production")


def must_enrol_second_factor(user: User) -> bool:
    """Signed in with a password, but their roles require TOTP and they have not enrolled: until they do, they
    may only enrol (DESIGN section 10)."""
    return role_requires_two_factor(user) and not user.has_totp and not second_factor_waived(user)


# --- A service user's rights (DESIGN section 11, UK GDPR) -------------------------------------------------
# Exporting everything held about one person, and recording that they withdrew consent, are the lead reviewer's:
# the link officer supplied the person's details, but deciding what the review keeps is the lead's.


def can_manage_participant_rights(user: User, review_id: int) -> bool:
    """The export of everything held about a participant, and the record of a withdrawal of consent: the lead
    reviewer of that review only."""
    return role_for(user, review_id) is Role.lead_reviewer


# --- Evidence: search, exports and case pathways (DESIGN sections 2 and 12) -------------------------------
# The lead reads every note of the review; a reviewer or lay assessor the notes of the visits they are on the team
# of; the link officer and the coordinator never. This agrees with visit_access(...).notes / can_read_note: the
# query in visits/evidence/queries.py narrows by the same scope, and a test holds the two together.

EVIDENCE_REVIEW_SCOPE = "review"
EVIDENCE_OWN_VISITS_SCOPE = "own_visits"


def evidence_scope(user: User, review_id: int) -> Optional[str]:
    """Which notes of the review this person's evidence holds: "review" (all of them: the lead), "own_visits"
    (those of visits they are on the team of: reviewers and lay assessors) or None (the link officer, the
    coordinator, and anyone not on the review)."""
    role = role_for(user, review_id)
    if role is Role.lead_reviewer:
        return EVIDENCE_REVIEW_SCOPE
    if role in OWN_VISITS_ROLES:
        return EVIDENCE_OWN_VISITS_SCOPE
    return None


def can_read_evidence(user: User, review_id: int) -> bool:
    """The evidence page, its search, its exports and a case's pathway: whoever reads notes of this review."""
    return evidence_scope(user, review_id) is not None


def evidence_reviews(user: User) -> list[int]:
    """The reviews whose evidence this person may read, in a stable order (the first is the default)."""
    return console_reviews(user, can_read_evidence)


# --- A concern's lifecycle (DESIGN sections 2 and 12) ------------------------------------------------------
# concern_view above says whether a concern is seen at all and how much of it. Beyond that: the lead's reason
# for not referring stays with the lead (it is for the report); the link officer records the council's answer
# (acknowledged, outcome) on referred concerns only, and with the lead reads it; whoever raised a concern sees
# which step it has reached, not the lead's reason nor the council's outcome.


def can_decide_concern(user: User, concern: Concern) -> bool:
    """Deciding not to refer is the lead's, like referring."""
    return can_refer_concern(user, concern)


def can_follow_up_concern(user: User, concern: Concern) -> bool:
    """Acknowledging a referral and recording its outcome: the link officer, on a referred concern, while the
    review is open."""
    review_id = concern.visit.review_id
    return (role_for(user, review_id) is Role.link_officer and concern.referred_at is not None
            and review_is_open(user, review_id))


def sees_concern_reason(user: User, concern: Concern) -> bool:
    """Why the lead did not refer a concern: the lead only (never the link officer, nor who raised it)."""
    return role_for(user, concern.visit.review_id) is Role.lead_reviewer


def sees_concern_outcome(user: User, concern: Concern) -> bool:
    """Who acknowledged a referral and what the council did: the lead, and the link officer who records it."""
    return role_for(user, concern.visit.review_id) is Role.lead_reviewer or concern_view(user, concern) == "referral"


def can_read_concerns_page(user: User, review_id: int) -> bool:
    """Every concern of the review with its state and age: the lead. A read: still allowed once closed."""
    return role_for(user, review_id) is Role.lead_reviewer


def can_edit_emergency_numbers(user: User, review) -> bool:
    """The numbers shown above the concern form (a models.Review): the lead or the coordinator, or an
    administrator (who reaches every review from /admin), while the review is open."""
    allowed = is_site_admin(user) or role_for(user, review.id) in (Role.lead_reviewer, Role.coordinator)
    return allowed and not review.is_closed


# --- Service users' feedback (DESIGN sections 2 and 12) ---------------------------------------------------
# The lead reads all of it, comments included, and sets the questions and "what we did about it"; a reviewer or
# lay assessor asks for it on the visits they are on and sees what they recorded; the link officer sees how many
# answered at each setting, never an answer or a comment; the coordinator nothing.

# The visits where service users are met: the questionnaire is offered on these.
FEEDBACK_VISIT_KINDS = frozenset({"setting_visit", "home_visit", "user_group_meeting"})


def can_record_feedback(user: User, visit: Visit) -> bool:
    """Handing over (or reading out) the questionnaire: whoever writes notes on the visit (a team member of an open
    review) on a visit where service users are met."""
    access = visit_access(user, visit)
    kind = visit.kind.value if hasattr(visit.kind, "value") else visit.kind
    return bool(access and access.write_notes and kind in FEEDBACK_VISIT_KINDS)


def feedback_view(user: User, review_id: int) -> Optional[str]:
    """What of a review's feedback this person reads: "all" (every answer and comment), "own" (what they recorded),
    "counts" (how many answered per setting) or None."""
    role = role_for(user, review_id)
    if role is Role.lead_reviewer:
        return "all"
    if role in OWN_VISITS_ROLES:
        return "own"
    if role is Role.link_officer:
        return "counts"
    return None


def can_manage_feedback(user: User, review_id: int) -> bool:
    """The review's questions and "what we did about it": the lead, while the review is open."""
    return role_for(user, review_id) is Role.lead_reviewer and review_is_open(user, review_id)


# --- A review's themes (DESIGN section 12, issue 11) ------------------------------------------------------
# The themes are the lead's headings for the report: the lead reads and edits them (while the review is open);
# everyone who writes notes sees them only as the note form's tick boxes.


def can_read_themes(user: User, review_id: int) -> bool:
    """The themes page: the lead reviewer of that review."""
    return role_for(user, review_id) is Role.lead_reviewer


def can_edit_themes(user: User, review_id: int) -> bool:
    """Adding, renaming, reordering, retiring and deleting themes: the lead, while the review is open."""
    return can_read_themes(user, review_id) and review_is_open(user, review_id)


# --- Evidence exports and a case's pathway (DESIGN sections 2 and 12) ---------------------------------------
# Both are for whoever reads evidence (evidence_scope above). The pack names service users by case reference; the
# lead alone may ask for names. A case's pathway opens to the lead, and to a reviewer or lay assessor who was on
# one of the case's visits: each visit on it then shows what visit_access allows (others' only time and kind).


def can_name_service_users_in_export(user: User, review_id: int) -> bool:
    """The evidence pack with service users' and carers' names: the lead reviewer only (a read: allowed once the
    review is closed)."""
    return role_for(user, review_id) is Role.lead_reviewer


def can_read_case_pathway(user: User, review_id: int, case_visits: list[Visit]) -> bool:
    """A case's pathway, given the case's visits: the lead; a reviewer or lay assessor on the team of one of them."""
    scope = evidence_scope(user, review_id)
    if scope == EVIDENCE_REVIEW_SCOPE:
        return True
    return scope == EVIDENCE_OWN_VISITS_SCOPE and any(is_on_team(user, visit) for visit in case_visits)


# --- The lone-worker ladder (DESIGN section 13; helper L) ------------------------------------------------------
# Its settings are the review's safety arrangements: the lead and the link officers set them, as they are the
# ones alerted. Acknowledging an alert is theirs too (can_acknowledge_overdue). A closed review is read-only.

def can_edit_alert_settings(user: User, review_id: int) -> bool:
    return role_for(user, review_id) in (Role.lead_reviewer, Role.link_officer) and review_is_open(user, review_id)


def can_acknowledge_alert(user: User, review_id: int) -> bool:
    """The lone-worker alarm goes to the lead and the link officers of the event's review; either may answer it."""
    return can_acknowledge_overdue(user, review_id)


# --- "Changed since you last looked" on the itinerary (DESIGN section 13; helper C) ----------------------------
# A person marks as seen only what was theirs to be told: a change to a visit of a review they belong to, whose
# team (before or after) they were on. Anyone else's id gets the same refusal as an id that is no change at all.

def may_mark_change_seen(user: User, change) -> bool:
    return role_for(user, change.review_id) is not None and user.id in (change.team_ids or [])


# --- A duress check-out is never shown to the person who made it (DESIGN section 13; security review) ---------
# Their phone may be in someone else's hands. So the board, the audit log and anything else that would tell of a
# duress event leave it out for the person it is about, and their "acknowledge" changes nothing (it answers as
# if it had: a refusal would tell too). Everyone else sees it as their role allows.

def sees_duress_event(user: User, event) -> bool:
    """False for a duress event about `user` (any other event: True)."""
    from .models import AlertKind

    return not (event.kind is AlertKind.duress and event.user_id == user.id)
