"""The evidence pack's wording rules and a case's pathway, as pure functions: how service users are named, how notes
are grouped by theme, how a spreadsheet cell is kept from running as a formula, which visits follow a case, and who
may open a pathway or name service users (visits/evidence/exports.py, pathway.py, permissions.py)."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from types import SimpleNamespace

from visits.evidence.exports import (
    EvidenceItem, Person, Redactor, csv_text, group_by_theme, name_variants, neutralise, visit_title, xml_safe,
)
from visits.evidence.pathway import (
    BECAUSE_CASE, BECAUSE_PERSON, BECAUSE_SOCIAL_WORKER, BECAUSE_TEAM_LEADER, CasePeople, why_on_pathway,
)
from visits.models import Role, VisitKind
from visits.permissions import can_name_service_users_in_export, can_read_case_pathway

MRS = Person("Mrs Gwenllian Secretname", "Service user (AD-014)")
CARER = Person("Idris Carerson", "Carer (AD-014)")


def item(note_id="n1", themes=(), body="", prompts=(), title="Maes Day Centre") -> EvidenceItem:
    return EvidenceItem(note_id=note_id, visit_id=7, starts_at=datetime(2026, 11, 23, 10, 30),
                        visit_kind="Setting visit", visit_title=title, author="Lena Lay", themes=tuple(themes),
                        body=body, prompts=tuple(prompts))


# --- naming service users -------------------------------------------------------------------------------------


def test_a_name_is_looked_for_in_full_without_its_title_and_as_title_and_surname():
    assert name_variants("Mrs Gwenllian Secretname") == ["Mrs Gwenllian Secretname", "Gwenllian Secretname",
                                                         "Mrs Secretname"]
    assert name_variants("Idris Carerson") == ["Idris Carerson"]
    assert name_variants("Dr. Aled Ap Huw") == ["Dr. Aled Ap Huw", "Aled Ap Huw", "Dr. Huw"]
    assert name_variants("Mr May") == ["Mr May"]     # not "May": the month would go too
    assert name_variants("  ") == []


def test_names_in_a_note_become_the_case_reference_whatever_their_case_and_spacing():
    redact = Redactor([MRS, CARER])
    text = "gwenllian  SECRETNAME said Mrs Secretname's son and Idris Carerson help; Mrs Gwenllian Secretname agreed."
    assert redact(text) == ("Service user (AD-014) said Service user (AD-014)'s son and Carer (AD-014) help; "
                            "Service user (AD-014) agreed.")


def test_only_whole_words_are_replaced_and_a_first_name_alone_is_left_for_the_reader():
    redact = Redactor([Person("Mr Tom Jones", "Carer (AD-002)")])
    assert redact("Jonesborough, Tom Jonesy and Tom") == "Jonesborough, Tom Jonesy and Tom"
    assert redact("Tom Jones, then Mr Jones") == "Carer (AD-002), then Carer (AD-002)"


def test_with_names_shown_the_text_is_left_as_written():
    assert Redactor([MRS], names_shown=True)("Mrs Secretname") == "Mrs Secretname"
    assert Redactor([])("Nothing to take out") == "Nothing to take out"


def test_a_visit_about_a_service_user_is_titled_by_its_kind_and_case_reference_unless_names_are_shown():
    hidden, shown = Redactor([MRS]), Redactor([MRS], names_shown=True)
    title = "Home visit: Mrs Gwenllian Secretname"
    assert visit_title(title, "Home visit", "AD-014", True, hidden) == "Home visit · AD-014"
    assert visit_title(title, "Home visit", None, True, hidden) == "Home visit"
    assert visit_title(title, "Home visit", "AD-014", True, shown) == title
    # A visit not about someone keeps its title, without any name it holds.
    assert visit_title("Group with Mrs Secretname", "Group interview", None, False, hidden) == \
        "Group with Service user (AD-014)"
    assert visit_title("", "Setting visit", None, False, hidden) == "Setting visit"


# --- grouping by theme ---------------------------------------------------------------------------------------


def test_notes_are_grouped_by_theme_in_the_reviews_order_twice_when_they_carry_two_and_last_without_one():
    both, safe, none, other = (item("both", ["Safeguarding", "Carers"]), item("safe", ["Safeguarding"]),
                               item("none"), item("other", ["Zebra retired"]))
    groups = group_by_theme([both, safe, none, other], ["Carers", "Access", "Safeguarding"], "No theme")
    assert [(theme, [i.note_id for i in items]) for theme, items in groups] == [
        ("Carers", ["both"]), ("Safeguarding", ["both", "safe"]), ("Zebra retired", ["other"]),
        ("No theme", ["none"])]
    assert group_by_theme([], ["Carers"], "No theme") == []


# --- spreadsheets --------------------------------------------------------------------------------------------


def test_a_cell_a_spreadsheet_would_run_as_a_formula_stays_text():
    for cell in ("=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(cell) == "'" + cell
    assert neutralise("Fine = fine") == "Fine = fine"
    assert neutralise("") == ""


def test_the_csv_has_a_bom_one_row_per_note_and_neutralised_cells():
    text = csv_text([item("n1", ["Carers", "Access"], "=cmd|' /C calc'!A0",
                          [("Welcome", "-friendly"), ("To follow up", "ask")])])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["Note id", "Visit id", "Date", "Time", "Kind of visit", "Visit", "Written by", "Themes",
                       "Text", "Headings", "Language of the conversation", "Welsh active offer made"]
    assert rows[1] == ["n1", "7", "2026-11-23", "10:30", "Setting visit", "Maes Day Centre", "Lena Lay",
                       "Carers; Access", "'=cmd|' /C calc'!A0", "Welcome: -friendly\nTo follow up: ask", "", ""]


def test_text_a_word_document_cannot_hold_is_dropped():
    assert xml_safe("a\x00b\x0bc\td\ne") == "abc\td\ne"


# --- a case's pathway ------------------------------------------------------------------------------------------

PEOPLE = CasePeople(case_id=3, private_ids=frozenset({10, 11}), team_leader_id=20, social_worker_ids=frozenset({21}))


def test_the_visits_on_a_case_pathway_and_why():
    assert why_on_pathway(PEOPLE, 3, VisitKind.home_visit, frozenset()) == BECAUSE_CASE
    assert why_on_pathway(PEOPLE, None, VisitKind.user_group_meeting, frozenset({11, 99})) == BECAUSE_PERSON
    assert why_on_pathway(PEOPLE, None, VisitKind.staff_interview, frozenset({20})) == BECAUSE_TEAM_LEADER
    assert why_on_pathway(PEOPLE, None, VisitKind.group_interview, frozenset({21, 30})) == BECAUSE_SOCIAL_WORKER
    # The social worker met at a team visit, or another case's home visit, is not this case's pathway.
    assert why_on_pathway(PEOPLE, None, VisitKind.team_visit, frozenset({21})) is None
    assert why_on_pathway(PEOPLE, 4, VisitKind.home_visit, frozenset({40})) is None


# --- who may --------------------------------------------------------------------------------------------------


def person(role, user_id=1, review_id=1):
    user = SimpleNamespace(id=user_id, is_authenticated=True, memberships=[])
    if role is not None:
        user.memberships = [SimpleNamespace(review_id=review_id, role=role, review=SimpleNamespace(is_closed=False))]
    user.role_in = lambda rid: next((m.role for m in user.memberships if m.review_id == rid), None)
    return user


def test_only_the_lead_may_name_service_users_in_the_pack():
    assert can_name_service_users_in_export(person(Role.lead_reviewer), 1)
    for role in (Role.reviewer, Role.lay_assessor, Role.link_officer, Role.coordinator, None):
        assert not can_name_service_users_in_export(person(role), 1)
    assert not can_name_service_users_in_export(person(Role.lead_reviewer, review_id=2), 1)


def test_a_pathway_opens_to_the_lead_and_to_a_reviewer_or_lay_assessor_on_one_of_its_visits():
    mine = SimpleNamespace(team=[SimpleNamespace(id=1)])
    theirs = SimpleNamespace(team=[SimpleNamespace(id=2)])
    assert can_read_case_pathway(person(Role.lead_reviewer), 1, [])
    for role in (Role.reviewer, Role.lay_assessor):
        assert can_read_case_pathway(person(role), 1, [theirs, mine])
        assert not can_read_case_pathway(person(role), 1, [theirs])
    for role in (Role.link_officer, Role.coordinator, None):
        assert not can_read_case_pathway(person(role), 1, [mine])
    assert not can_read_case_pathway(person(Role.reviewer, review_id=2), 1, [mine])
