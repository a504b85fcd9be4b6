"""The domain's codes and the words for them, derived once from the enums in visits/models.py.

Two things live here. The sets of codes that a rule, a permission or a view treats alike ("arranged" needs,
"private" participants, visits no longer "live"), so adding a status to an enum means deciding here which sets it
joins, not finding every hand-written list. And one translatable label for every code, for templates (the
`label(kind, code)` global, registered in visits/templating.py), schemas, the importer and the programme rules'
sentences, so a code is called the same thing on every page.

The labels are lazy (`_l`): they are made at import time and translated when shown, in the request's language.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from flask_babel import lazy_gettext as _l

from .models import (
    SETTING_PROMPTS,
    AttendanceStatus,
    CaseStatus,
    ConcernCategory,
    LocationKind,
    NeedStatus,
    NeedType,
    NoteKind,
    ParticipantKind,
    Rating,
    Role,
    VisitKind,
    VisitStatus,
)

# --- sets of codes -----------------------------------------------------------------------------------------
# The members are str enums, so each set answers for a code as stored ("arranged") as well as for the member.

# A need somebody has seen to; the others (requested, unavailable) still leave a participant without support.
ARRANGED_NEED_STATUSES: frozenset[NeedStatus] = frozenset({NeedStatus.arranged, NeedStatus.confirmed})
UNARRANGED_NEED_STATUSES: frozenset[NeedStatus] = frozenset(NeedStatus) - ARRANGED_NEED_STATUSES

# Service users and carers: their names, addresses and phone numbers are need-to-know (DESIGN section 2).
PRIVATE_PARTICIPANT_KINDS: frozenset[ParticipantKind] = frozenset({ParticipantKind.service_user,
                                                                   ParticipantKind.carer})

# Visits that no longer hold anyone's time: their people and places are free again, nobody is expected there.
NOT_LIVE_VISIT_STATUSES: frozenset[VisitStatus] = frozenset({VisitStatus.cancelled, VisitStatus.rescheduled})

# Every role a member of a review can have (a person named in a finding is either one of these or a participant).
REVIEW_ROLES: frozenset[Role] = frozenset(Role)
# Those who lead interviews and home visits.
REVIEWER_ROLES: frozenset[Role] = frozenset({Role.lead_reviewer, Role.reviewer})
# Those who go out on visits.
FIELD_ROLES: frozenset[Role] = REVIEWER_ROLES | {Role.lay_assessor}
# Those who see the whole programme of their review; the others see in full only the visits they are on.
PROGRAMME_ROLES: frozenset[Role] = frozenset({Role.lead_reviewer, Role.link_officer, Role.coordinator})
OWN_VISITS_ROLES: frozenset[Role] = REVIEW_ROLES - PROGRAMME_ROLES

# --- labels ------------------------------------------------------------------------------------------------
VISIT_KIND_LABELS = {
    VisitKind.stakeholder_meeting: _l("Stakeholder meeting"),
    VisitKind.setting_visit: _l("Setting visit"),
    VisitKind.team_visit: _l("Team visit"),
    VisitKind.staff_interview: _l("Staff interview"),
    VisitKind.group_interview: _l("Group interview"),
    VisitKind.home_visit: _l("Home visit"),
    VisitKind.user_group_meeting: _l("Service user and carer group"),
    VisitKind.briefing: _l("Briefing"),
}
VISIT_STATUS_LABELS = {
    VisitStatus.planned: _l("Planned"),
    VisitStatus.confirmed: _l("Confirmed"),
    VisitStatus.in_progress: _l("In progress"),
    VisitStatus.completed: _l("Completed"),
    VisitStatus.cancelled: _l("Cancelled"),
    VisitStatus.no_show: _l("No show"),
    VisitStatus.rescheduled: _l("Rescheduled"),
}
PARTICIPANT_KIND_LABELS = {
    ParticipantKind.staff: _l("Staff"),
    ParticipantKind.service_user: _l("Service user"),
    ParticipantKind.carer: _l("Carer"),
    ParticipantKind.stakeholder: _l("Stakeholder"),
}
LOCATION_KIND_LABELS = {
    LocationKind.council_office: _l("Council office"),
    LocationKind.contact_centre: _l("Contact centre"),
    LocationKind.day_facility: _l("Day facility"),
    LocationKind.residential_setting: _l("Residential setting"),
    LocationKind.home: _l("Home"),
    LocationKind.other: _l("Other"),
}
CASE_STATUS_LABELS = {
    CaseStatus.identified: _l("Identified"),
    CaseStatus.visited: _l("Visited"),
    CaseStatus.dropped_out: _l("Dropped out"),
}
ATTENDANCE_STATUS_LABELS = {
    AttendanceStatus.expected: _l("Expected"),
    AttendanceStatus.attended: _l("Attended"),
    AttendanceStatus.late: _l("Late"),
    AttendanceStatus.absent: _l("Absent"),
    AttendanceStatus.apologies: _l("Apologies"),
    AttendanceStatus.dropped_out: _l("Dropped out"),
}
NOTE_KIND_LABELS = {
    NoteKind.setting_observation: _l("Setting observation"),
    NoteKind.interview: _l("Interview"),
    NoteKind.home_visit: _l("Home visit"),
    NoteKind.general: _l("General note"),
}
NEED_TYPE_LABELS = {
    NeedType.interpreting: _l("Interpreter"),
    NeedType.advocacy: _l("Advocate"),
    NeedType.personal_assistance: _l("Personal assistance"),
    NeedType.sensory: _l("Sensory support"),
    NeedType.access: _l("Access"),
}
NEED_STATUS_LABELS = {
    NeedStatus.requested: _l("Requested"),
    NeedStatus.arranged: _l("Arranged"),
    NeedStatus.confirmed: _l("Confirmed"),
    NeedStatus.unavailable: _l("Unavailable"),
}
CONCERN_CATEGORY_LABELS = {
    ConcernCategory.safeguarding: _l("Safeguarding"),
    ConcernCategory.health_and_safety: _l("Health and safety"),
}
RATING_LABELS = {
    Rating.red: _l("Red"),
    Rating.amber: _l("Amber"),
    Rating.green: _l("Green"),
}
ROLE_LABELS = {
    Role.lead_reviewer: _l("Lead reviewer"),
    Role.reviewer: _l("Reviewer"),
    Role.lay_assessor: _l("Lay assessor"),
    Role.link_officer: _l("Link officer"),
    Role.coordinator: _l("Coordinator"),
}
# The prompts a lay assessor answers on a setting visit (models.SETTING_PROMPTS, in that order).
PROMPT_LABELS = {
    "welcome_and_reception": _l("Welcome and reception"),
    "information_for_public": _l("Information available to the public"),
    "access_and_environment": _l("Access and physical environment"),
    "dignity_privacy_atmosphere": _l("Dignity, privacy and atmosphere"),
    "what_people_said": _l("What people using the service said"),
    "to_follow_up": _l("To follow up"),
}
# The programme rules (visits/programme_rules.py RULES) by id, and how serious a finding is.
RULE_LABELS = {
    "double_booking": _l("Double booking"),
    "interviews_per_day": _l("Interviews per day"),
    "back_and_forth": _l("Back and forth"),
    "travel_time": _l("Travel time"),
    "repeat_staff_booking": _l("Repeat staff booking"),
    "team_leader_order": _l("Team leader order"),
    "early_start": _l("Early start"),
    "stakeholder_meeting_cap": _l("Stakeholder meeting cap"),
    "meeting_pairs": _l("Meeting pairs"),
    "group_size": _l("Group size"),
    "case_sample": _l("Case sample"),
    "home_visit_length": _l("Home visit length"),
    "unarranged_need": _l("Unarranged need"),
    "staff_on_site_day": _l("Staff on one day"),
}
SEVERITY_LABELS = {
    "error": _l("Error"),
    "warning": _l("Warning"),
}

# Every label set by the name templates use: label("need_status", need.status).
LABELS: Mapping[str, Mapping[str, object]] = MappingProxyType({
    "visit_kind": VISIT_KIND_LABELS,
    "visit_status": VISIT_STATUS_LABELS,
    "participant_kind": PARTICIPANT_KIND_LABELS,
    "location_kind": LOCATION_KIND_LABELS,
    "case_status": CASE_STATUS_LABELS,
    "attendance_status": ATTENDANCE_STATUS_LABELS,
    "note_kind": NOTE_KIND_LABELS,
    "need_type": NEED_TYPE_LABELS,
    "need_status": NEED_STATUS_LABELS,
    "concern_category": CONCERN_CATEGORY_LABELS,
    "rating": RATING_LABELS,
    "role": ROLE_LABELS,
    "prompt": PROMPT_LABELS,
    "rule": RULE_LABELS,
    "severity": SEVERITY_LABELS,
})


def label(kind: str, code: object) -> str:
    """The words for `code` (an enum member or its stored value) in the current language; an unknown code is
    shown as it is rather than hidden. An unknown `kind` is a programming error and raises KeyError."""
    if code is None:
        return ""
    key = code.value if hasattr(code, "value") else code
    words = LABELS[kind].get(key)
    return str(words) if words is not None else str(key)


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, label) pairs in the enum's order, e.g. for a <select> or a schema's list of allowed values."""
    return [(getattr(code, "value", code), str(words)) for code, words in LABELS[kind].items()]


class TemplateLabels:
    """The one template global: `label(kind, code)` for a code's words, `label.choices(kind)` for every code of
    a kind with its words, in order (radio buttons, options)."""

    def __call__(self, kind: str, code: object) -> str:
        return label(kind, code)

    @staticmethod
    def choices(kind: str) -> list[tuple[str, str]]:
        return choices(kind)


def _missing_labels() -> list[str]:
    enums = {"visit_kind": VisitKind, "visit_status": VisitStatus, "participant_kind": ParticipantKind,
             "location_kind": LocationKind, "case_status": CaseStatus, "attendance_status": AttendanceStatus,
             "note_kind": NoteKind, "need_type": NeedType, "need_status": NeedStatus,
             "concern_category": ConcernCategory, "rating": Rating, "role": Role, "prompt": SETTING_PROMPTS}
    return [f"{kind}.{getattr(code, 'value', code)}" for kind, codes in enums.items() for code in codes
            if code not in LABELS[kind]]


# A code added to an enum without words would show its raw value on every page: refuse to start instead.
if _missing_labels():
    raise RuntimeError(f"codes without a label: {', '.join(_missing_labels())}")


# --- programme check, second pass (issue 10): the two rules added to DESIGN section 4's fourteen ---------------
RULE_LABELS.update({
    "long_day": _l("Long day"),
    "home_visit_nobody_booked": _l("Home visit with nobody booked"),
})


# --- Interview and home-visit prompts (issue 11, visits/notes/prompts.py): codes stay, words may change -------
PROMPT_LABELS.update({
    "their_role_and_story": _l("Their role and their story"),
    "what_works": _l("What works well"),
    "what_does_not_work": _l("What does not work well"),
    "examples_given": _l("Examples they gave"),
    "persons_story": _l("The person's story"),
    "assessment_and_care_plan": _l("Assessment and care plan"),
    "involvement_and_choice": _l("Involvement and choice"),
})
