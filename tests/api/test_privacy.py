"""The public privacy page (DESIGN section 11): anyone can read it, signed in or not, it is linked from the sign-in
page and every page's footer, and its who-sees-what table says what visits/permissions.py decides.

The table is checked against the permission functions asked here, about real rows of a real review (the page
makes its table from unsaved stand-ins: visits/privacy/table.py): for every cell, what its answer claims must
hold for a person of that column, and the opposite claims must not."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from visits import permissions
from visits.clock import system_utcnow
from visits.extensions import db
from visits.models import Concern, Note, Role, User, Visit
from visits.privacy import table
from visits.privacy.table import ANSWER_LABELS

from ..support import factories as f
from ..support.clients import Client, signed_in
from ..support.world import World, at


# --- reading the page's table ----------------------------------------------------------------------------------


class TableReader(HTMLParser):
    """{(row, column): (answer, text)} from the table with id who-sees-what."""

    def __init__(self):
        super().__init__()
        self.cells: dict[tuple[str, str], tuple[str, str]] = {}
        self.headers: list[str] = []
        self._in_table = False
        self._row = None
        self._cell = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "who-sees-what":
            self._in_table = True
        elif self._in_table and tag == "tr":
            self._row = attrs.get("data-row")
        elif self._in_table and tag == "th" and attrs.get("scope") == "col" and attrs.get("data-column"):
            self.headers.append(attrs["data-column"])
        elif self._in_table and tag == "td":
            self._cell = (attrs["data-column"], attrs["data-answer"])
            self._text = []

    def handle_data(self, data):
        if self._cell is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            column, answer = self._cell
            self.cells[(self._row, column)] = (answer, " ".join("".join(self._text).split()))
            self._cell = None
        elif tag == "table":
            self._in_table = False


def read_table(html: str) -> TableReader:
    reader = TableReader()
    reader.feed(html)
    return reader


# --- what each answer claims, asked of the permission functions about real rows -----------------------------------


@dataclass
class Situation:
    """One column's person and review A's rows they are asked about."""

    user: User
    own: Visit | None          # a visit they are on (None: they are on no visit of review A)
    others: Visit              # a setting visit they are not on
    others_home: Visit         # a home visit they are not on
    note_on_own: Note | None
    note_on_others: Note
    concern_raised: Concern | None   # one they raised (only those who may raise one on their own visit)
    concern_others: Concern
    concern_referred: Concern
    review_id: int


def access(situation, visit):
    return permissions.visit_access(situation.user, visit) if visit is not None else None


def has(situation, visit, attribute) -> bool:
    granted = access(situation, visit)
    return bool(granted and getattr(granted, attribute))


def on_visits(attribute):
    return {
        "all": lambda s: has(s, s.others, attribute) and has(s, s.others_home, attribute)
        and (s.own is None or has(s, s.own, attribute)),
        "own_visits": lambda s: has(s, s.own, attribute) and not has(s, s.others, attribute)
        and not has(s, s.others_home, attribute),
        "none": lambda s: not has(s, s.own, attribute) and not has(s, s.others, attribute)
        and not has(s, s.others_home, attribute),
    }


def can_read(s, note) -> bool:
    return note is not None and permissions.can_read_note(s.user, note)


CLAIMS = {
    "programme": {
        "all": lambda s: all(has(s, v, "full") and has(s, v, "participants") and has(s, v, "place")
                             for v in (s.others, s.others_home)),
        "own_visits_outline_of_others": lambda s: has(s, s.own, "full") and has(s, s.own, "participants")
        and access(s, s.others) is not None and not has(s, s.others, "full")
        and not has(s, s.others, "participants") and has(s, s.others, "place")
        and access(s, s.others_home) is not None and not has(s, s.others_home, "place"),
        "none": lambda s: access(s, s.own) is None and access(s, s.others) is None
        and access(s, s.others_home) is None,
    },
    "notes": {
        "all": lambda s: can_read(s, s.note_on_others) and (s.note_on_own is None or can_read(s, s.note_on_own)),
        "own_visits": lambda s: can_read(s, s.note_on_own) and not can_read(s, s.note_on_others),
        "none": lambda s: not can_read(s, s.note_on_own) and not can_read(s, s.note_on_others),
    },
    "needs": on_visits("needs"),
    "attendance": on_visits("attendance"),
    "identity": {**on_visits("identity"),
                 "all": lambda s: has(s, s.others_home, "identity") and permissions.sees_identities(s.user,
                                                                                                   s.review_id)},
    "concerns": {
        "all": lambda s: permissions.concern_view(s.user, s.concern_others) == "full"
        and permissions.concern_view(s.user, s.concern_referred) == "full",
        "raised_by_them": lambda s: s.concern_raised is not None
        and permissions.concern_view(s.user, s.concern_raised) == "full"
        and permissions.concern_view(s.user, s.concern_others) is None
        and permissions.concern_view(s.user, s.concern_referred) is None,
        "referral_only": lambda s: permissions.concern_view(s.user, s.concern_referred) == "referral"
        and permissions.concern_view(s.user, s.concern_others) is None,
        "none": lambda s: all(permissions.concern_view(s.user, c) is None
                              for c in (s.concern_raised, s.concern_others, s.concern_referred) if c is not None),
    },
    "audit_log": {
        "all": lambda s: permissions.can_read_audit_log(s.user, s.review_id),
        "none": lambda s: not permissions.can_read_audit_log(s.user, s.review_id),
    },
    "team": {
        "manage": lambda s: permissions.can_manage_review(s.user, s.review_id),
        "read_only": lambda s: permissions.can_read_team(s.user, s.review_id)
        and not permissions.can_manage_review(s.user, s.review_id),
        "none": lambda s: not permissions.can_read_team(s.user, s.review_id),
    },
    "rights": {
        "yes": lambda s: permissions.can_manage_participant_rights(s.user, s.review_id),
        "none": lambda s: not permissions.can_manage_participant_rights(s.user, s.review_id),
    },
    # Evidence: every note of the review and names on request, or only the notes of their own visits.
    "evidence": {
        "evidence_all": lambda s: permissions.can_name_service_users_in_export(s.user, s.review_id)
        and permissions.can_read_note(s.user, s.note_on_others)
        and permissions.can_read_evidence(s.user, s.review_id),
        "evidence_own": lambda s: s.own is not None and permissions.can_read_evidence(s.user, s.review_id)
        and not permissions.can_name_service_users_in_export(s.user, s.review_id)
        and permissions.can_read_note(s.user, s.note_on_own)
        and not permissions.can_read_note(s.user, s.note_on_others)
        and permissions.can_read_case_pathway(s.user, s.review_id, [s.own]),
        "none": lambda s: not permissions.can_read_evidence(s.user, s.review_id),
    },
}

# DESIGN section 2's rows that have a decision in visits/permissions.py today (evidence search and service-user
# feedback are not built yet), and the rights of section 11.
EXPECTED_ROWS = ["programme", "notes", "needs", "attendance", "concerns", "identity", "audit_log", "team", "rights",
                 "evidence"]
EXPECTED_COLUMNS = ["lead_reviewer", "reviewer", "lay_assessor", "link_officer", "coordinator",
                    "site_administrator", "another_review"]


def situations(world: World) -> dict[str, Situation]:
    """Review A's rows for each column's person: a visit of their own where they may be on one, a colleague's
    setting visit and home visit, notes on them, and concerns raised, not referred and referred."""
    review, day, colleague = world.review, world.day, world.reviewer2
    others = f.gen_visit(review, [colleague], [], "setting_visit", at(day, 9), 60, world.day_centre)
    others_home = f.gen_visit(review, [colleague], [world.service_user], "home_visit", at(day, 15), 60, world.home)
    note_on_others = f.gen_note(others, colleague, "A colleague's note")
    concern_others = f.gen_concern(others, colleague, "A colleague's concern")
    concern_referred = f.gen_concern(others, colleague, "A referred concern")
    concern_referred.referred_at, concern_referred.referral_text = system_utcnow(), "Referred"
    admin = f.gen_user("Ada Administrator", is_admin=True)
    people = {"lead_reviewer": world.lead, "reviewer": world.reviewer, "lay_assessor": world.lay,
              "link_officer": world.link, "coordinator": world.coordinator, "site_administrator": admin,
              "another_review": world.lead_b}
    found = {}
    for n, (column, user) in enumerate(people.items()):
        own = note_on_own = concern_raised = None
        if user.role_in(review.id) is not None:
            own = f.gen_visit(review, [user, colleague], [world.social_worker], "staff_interview",
                              at(day, 10) + timedelta(days=n), 60, world.office)
            note_on_own = f.gen_note(own, colleague, "A note on their visit")
            concern_raised = f.gen_concern(own, user, "Their own concern")
        found[column] = Situation(user, own, others, others_home, note_on_own, note_on_others, concern_raised,
                                  concern_others, concern_referred, review.id)
    db.session.commit()
    return found


def disagreements(html: str, world_situations: dict[str, Situation]) -> list[str]:
    """Every cell whose answer the permission functions do not bear out, or whose words are not its answer's."""
    reader = read_table(html)
    found = []
    if reader.headers != EXPECTED_COLUMNS:
        found.append(f"columns {reader.headers}")
    for row in EXPECTED_ROWS:
        for column in EXPECTED_COLUMNS:
            if (row, column) not in reader.cells:
                found.append(f"{row}/{column}: missing")
                continue
            answer, text = reader.cells[(row, column)]
            claim = CLAIMS[row].get(answer)
            if claim is None or not claim(world_situations[column]):
                found.append(f"{row}/{column}: the page says {answer!r}, the permission functions disagree")
            if text != str(ANSWER_LABELS[answer]):
                found.append(f"{row}/{column}: the words {text!r} are not those of {answer!r}")
    return found


# --- the tests -------------------------------------------------------------------------------------------------


def test_the_privacy_page_is_public_and_sets_no_cookie(app):
    response = app.test_client().get("/privacy")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Who sees what" in body and "What a phone keeps, and when it goes" in body
    assert "<script>" not in body  # nothing of its own to run: the page works without JavaScript


def test_the_privacy_page_says_who_sees_what_as_the_permission_functions_decide(console, app):
    world_situations = situations(console)
    html = Client(app).get("/privacy").get_data(as_text=True)
    assert disagreements(html, world_situations) == []


def test_a_table_that_drifts_from_the_permission_functions_is_caught(console, app, monkeypatch):
    """If the page said the coordinator reads notes (a hand edit, a wrong row), the check above would fail."""
    world_situations = situations(console)
    monkeypatch.setattr(table, "ROWS", tuple(
        table.RowSpec(spec.key, spec.label, (lambda scene: "all") if spec.key == "notes" else spec.answer)
        for spec in table.ROWS))
    html = Client(app).get("/privacy").get_data(as_text=True)
    found = disagreements(html, world_situations)
    assert "notes/coordinator: the page says 'all', the permission functions disagree" in found
    assert "notes/link_officer: the page says 'all', the permission functions disagree" in found


def test_when_the_rules_change_the_page_changes_with_them(console, app, monkeypatch):
    """The table is made by the permission functions: had the coordinator been given the audit log of no review,
    the page would say so at once, and still agree with them."""
    world_situations = situations(console)
    real = permissions.can_read_audit_log

    def can_read_audit_log(user, review_id):
        return real(user, review_id) and user.role_in(review_id) is not Role.coordinator

    monkeypatch.setattr(permissions, "can_read_audit_log", can_read_audit_log)
    html = Client(app).get("/privacy").get_data(as_text=True)
    assert read_table(html).cells[("audit_log", "coordinator")][0] == "none"
    assert disagreements(html, world_situations) == []


def test_retention_and_contact_come_from_the_settings(app):
    app.config.update(RETENTION_DAYS=30, PRIVACY_CONTACT="the inspectorate's data protection officer, dpo@example.test")
    body = app.test_client().get("/privacy").get_data(as_text=True)
    assert "erased 30 days later" in body
    assert "contact the inspectorate&#39;s data protection officer, dpo@example.test" in body \
        or "contact the inspectorate's data protection officer, dpo@example.test" in body
    app.config.update(RETENTION_DAYS=0)
    assert "erased straight away" in app.test_client().get("/privacy").get_data(as_text=True)


def test_by_default_the_page_names_90_days_and_the_lead_reviewer(app):
    app.config.pop("RETENTION_DAYS", None)
    app.config.pop("PRIVACY_CONTACT", None)
    body = app.test_client().get("/privacy").get_data(as_text=True)
    assert "erased 90 days later" in body
    assert "contact the review&#39;s lead reviewer" in body or "contact the review's lead reviewer" in body


def test_the_phone_section_names_the_days_kept_and_the_session_length(app):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=10)
    body = app.test_client().get("/privacy").get_data(as_text=True)
    assert "from yesterday to 6 days ahead" in body
    assert "after 10 days" in body


@pytest.mark.parametrize("signed_in_as", [None, "reviewer", "link_officer"])
def test_the_privacy_page_is_linked_from_the_sign_in_page_and_every_pages_footer(console, app, signed_in_as):
    if signed_in_as is None:
        client = app.test_client()
        pages = ["/login", "/privacy", "/password-reset"]
    else:
        client = signed_in(app, console.member(signed_in_as)).http
        pages = ["/", f"/visits/{console.home_visit.id if signed_in_as == 'reviewer' else console.interview.id}",
                 "/glossary", "/account"]
    for path in pages:
        body = client.get(path).get_data(as_text=True)
        assert 'href="/privacy"' in body, path
    assert "How Fieldwork uses personal data" in app.test_client().get("/login").get_data(as_text=True)


def test_a_signed_in_person_reads_the_same_table_and_nothing_of_a_review(console, app):
    body = signed_in(app, console.lead).get("/privacy").get_data(as_text=True)
    anonymous = app.test_client().get("/privacy").get_data(as_text=True)
    assert read_table(body).cells == read_table(anonymous).cells
    assert "Gwenllian" not in body and console.review.council_name not in body
