"""The evidence pack (/evidence/export.docx and .csv, its options page /evidence/export) and a case's pathway
(/cases/<id>): who reaches them (DESIGN section 2: the lead all of the review, a reviewer or lay assessor their own
visits' notes, the link officer and the coordinator never, another review nothing), what they hold, that service
users are named by case reference unless the lead asks, and that every one is an audited read of its notes."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import docx
import pytest

from visits.extensions import db
from visits.models import Attendance, AuditEvent, Note, Theme
from visits.vocabulary import label

from ..support import factories as f
from ..support.clients import signed_in
from ..support.world import NOTE_BODY, SERVICE_USER_NAME, at

CARER_NAME = "Idris Carerson"
HOME_NOTE = "HOMEVISIT-7781: Mrs Gwenllian Secretname showed us her care plan; Mrs Secretname waited weeks."
HOME_PROMPT = "PROMPT-5521: Gwenllian Secretname wants to choose her own carers, with Idris Carerson."
INTERVIEW_NOTE = "INTERVIEW-3345: the social worker carries thirty cases."
SETTING_NOTE = "=HYPERLINK(\"http://evil.example\",\"SETTING-9902\")"
SETTING_PROMPT = "+SETTING-PROMPT-4410 warm welcome"
COLLEAGUE_NOTE = "COLLEAGUE-6610: the follow-up visit went well."
EVERY_TEXT = (HOME_NOTE, INTERVIEW_NOTE, "SETTING-9902", COLLEAGUE_NOTE)
NAMES = (SERVICE_USER_NAME, "Secretname", "Gwenllian", CARER_NAME, "Carerson")


@pytest.fixture
def pack(console):
    return plant_pack(console)


def plant_pack(world):
    """The console world's case AD-014 with notes across its pathway and beyond, each planted with a code:

    - the home visit (Rhys and Ffion), titled with the service user's name, her carer booked too: Rhys's note
      naming her (themes Assessment and Safeguarding, and a prompt naming her and her carer);
    - Rhys's interview of the case's social worker: a note themed Assessment;
    - Lena's setting visit: a note with no theme whose text and prompt start like spreadsheet formulas;
    - a follow-up home visit of the case that only Ffion is on: her note (Rhys and Lena must never read it)."""
    world.carer = f.gen_participant(world.review, "carer", name=CARER_NAME)
    world.case.carer = world.carer
    world.home_visit.title = f"Home visit: {SERVICE_USER_NAME}"
    world.home_visit.attendances.append(Attendance(participant=world.carer))
    world.assessment = Theme(review_id=world.review.id, name="Assessment", position=1)
    world.safeguarding = Theme(review_id=world.review.id, name="Safeguarding", position=2)
    world.unused = Theme(review_id=world.review.id, name="Unused theme", position=3)
    db.session.add_all([world.assessment, world.safeguarding, world.unused])
    db.session.flush()
    world.home_note = f.gen_note(world.home_visit, world.reviewer, HOME_NOTE, kind="home_visit",
                                 prompts={"persons_story": HOME_PROMPT})
    world.home_note.themes = [world.assessment, world.safeguarding]
    world.interview_note = f.gen_note(world.interview, world.reviewer, INTERVIEW_NOTE, kind="interview")
    world.interview_note.themes = [world.assessment]
    world.setting_note = f.gen_note(world.setting_visit, world.lay, SETTING_NOTE, kind="setting_observation",
                                    prompts={"welcome_and_reception": SETTING_PROMPT})
    world.follow_up = f.gen_visit(world.review, [world.reviewer2], [world.service_user], "home_visit",
                                  at(world.day + timedelta(days=1), 18), 45, world.home, case=world.case,
                                  title=f"Follow-up with {SERVICE_USER_NAME}")
    world.colleague_note = f.gen_note(world.follow_up, world.reviewer2, COLLEAGUE_NOTE, kind="home_visit")
    world.first_note = db.session.scalar(db.select(Note).where(Note.body == NOTE_BODY))  # the console world's
    db.session.commit()
    return world


ROLES = ("lead_reviewer", "reviewer", "lay_assessor", "link_officer", "coordinator", "lead_b")


def docx_text(body: bytes) -> str:
    """Every word of the document as Word shows it, its properties included."""
    document = docx.Document(io.BytesIO(body))
    properties = document.core_properties
    return "\n".join([p.text for p in document.paragraphs] + [properties.title or "", properties.author or "",
                                                               properties.subject or "", properties.keywords or ""])


def sections(body: bytes) -> dict[str, str]:
    """The text under each theme heading (Heading 1)."""
    found: dict[str, list[str]] = {}
    current = None
    for paragraph in docx.Document(io.BytesIO(body)).paragraphs:
        if paragraph.style.name == "Heading 1":
            current = paragraph.text
            found[current] = []
        elif current is not None:
            found[current].append(paragraph.text)
    return {theme: "\n".join(lines) for theme, lines in found.items()}


def exports_audited(world, user) -> list[AuditEvent]:
    db.session.expire_all()
    return [event for event in db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.user_id == user.id, AuditEvent.subject_type.in_(("evidence_pack", "evidence_pack_named")))
        .order_by(AuditEvent.id))
        if str(event.detail.get("view", "")).startswith("export.")]


# --- who may -----------------------------------------------------------------------------------------------------

EXPECTED = {"lead_reviewer": 200, "reviewer": 200, "lay_assessor": 200, "link_officer": 403, "coordinator": 403,
            "lead_b": 404}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/evidence/export.docx", "/evidence/export.csv", "/evidence/export"])
def test_who_may_export_the_evidence(pack, app, role, path):
    client = signed_in(app, pack.member(role))
    response = client.get(path, query_string={"review": pack.review.id})
    assert response.status_code == EXPECTED[role]
    if response.status_code != 200:
        body = response.get_data(as_text=True)
        assert not any(text in body for text in EVERY_TEXT + NAMES)
        assert exports_audited(pack, pack.member(role)) == []


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_a_case_pathway(pack, app, role):
    client = signed_in(app, pack.member(role))
    # Lena (lay assessor) was on no visit of this case: she may read evidence, not this case's pathway.
    expected = {**EXPECTED, "lay_assessor": 403}[role]
    response = client.get(f"/cases/{pack.case.id}")
    assert response.status_code == expected
    if expected != 200:
        body = response.get_data(as_text=True)
        assert not any(text in body for text in EVERY_TEXT + NAMES + ("AD-014",))


def test_an_unknown_case_is_not_found(pack, app):
    assert signed_in(app, pack.lead).get("/cases/999999").status_code == 404


def test_the_link_officer_and_coordinator_are_refused_whatever_they_ask_for(pack, app):
    for role in ("link_officer", "coordinator"):
        client = signed_in(app, pack.member(role))
        for path in ("/evidence/export.docx", "/evidence/export.csv", "/evidence/export"):
            for query in ({}, {"names": "true"}, {"q": "HOMEVISIT"}, {"review": pack.review.id, "names": "true"}):
                assert client.get(path, query_string=query).status_code == 403, (role, path, query)


# --- the Word pack --------------------------------------------------------------------------------------------


def test_the_leads_pack_opens_in_word_grouped_by_theme_and_names_nobody(pack, app):
    lead = signed_in(app, pack.lead)
    response = lead.get("/evidence/export.docx", query_string={"review": pack.review.id})
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response.headers["Content-Disposition"] == f'attachment; filename="evidence-{pack.review.id}.docx"'
    assert response.headers["Cache-Control"] == "no-store"

    by_theme = sections(response.data)
    assert list(by_theme) == ["Assessment", "Safeguarding", "No theme"]
    assert "HOMEVISIT-7781" in by_theme["Assessment"] and "HOMEVISIT-7781" in by_theme["Safeguarding"]
    assert INTERVIEW_NOTE in by_theme["Assessment"] and "INTERVIEW-3345" not in by_theme["Safeguarding"]
    assert "SETTING-9902" in by_theme["No theme"] and "SETTING-PROMPT-4410" in by_theme["No theme"]
    assert "COLLEAGUE-6610" in by_theme["No theme"]

    # Each note cites its visit, date, kind and author; prompts under their heading; its themes.
    assert "Home visit · AD-014" in by_theme["Assessment"]
    assert f"{label('visit_kind', 'home_visit')} · Rhys Reviewer" in by_theme["Assessment"]
    assert "The person's story: PROMPT-5521" in by_theme["Assessment"]
    assert "Themes: Assessment, Safeguarding" in by_theme["Safeguarding"]

    # Service users and carers by case reference only: not in a title, a note, a prompt, nor a list of people.
    text = docx_text(response.data)
    assert not [name for name in NAMES if name in text]
    assert "HOMEVISIT-7781: Service user (AD-014) showed us her care plan; Service user (AD-014) waited weeks." \
        in text
    assert "PROMPT-5521: Service user (AD-014) wants to choose her own carers, with Carer (AD-014)." in text


def test_the_lead_may_ask_for_names_and_that_choice_is_audited(pack, app):
    lead = signed_in(app, pack.lead)
    response = lead.get("/evidence/export.docx", query_string={"review": pack.review.id, "names": "true"})
    assert response.status_code == 200
    text = docx_text(response.data)
    assert HOME_NOTE in text and HOME_PROMPT in text and f"Home visit: {SERVICE_USER_NAME}" in text
    [event] = exports_audited(pack, pack.lead)
    assert event.action == "read" and event.review_id == pack.review.id
    assert event.detail["view"] == "export.docx" and event.detail["names_service_users"] is True
    assert event.subject_type == "evidence_pack_named"
    assert sorted(event.detail["note_ids"]) == sorted(
        note.id for note in (pack.first_note, pack.home_note, pack.interview_note, pack.setting_note,
                             pack.colleague_note))
    # The row holds ids, never a name or a note's words.
    assert not any(text in str(event.detail) for text in EVERY_TEXT + NAMES)


@pytest.mark.parametrize("role", ["reviewer", "lay_assessor"])
def test_only_the_lead_may_ask_for_names(pack, app, role):
    client = signed_in(app, pack.member(role))
    for path in ("/evidence/export.docx", "/evidence/export.csv"):
        response = client.get(path, query_string={"review": pack.review.id, "names": "true"})
        assert response.status_code == 403
    assert exports_audited(pack, pack.member(role)) == []
    page = client.get("/evidence/export", query_string={"review": pack.review.id}).get_data(as_text=True)
    assert 'name="names"' not in page


def test_a_reviewers_pack_holds_their_own_visits_notes_and_never_a_colleagues(pack, app):
    rhys = signed_in(app, pack.reviewer)
    response = rhys.get("/evidence/export.docx", query_string={"review": pack.review.id})
    text = docx_text(response.data)
    assert "HOMEVISIT-7781" in text and INTERVIEW_NOTE in text
    assert "COLLEAGUE-6610" not in text and "SETTING-9902" not in text
    assert not [name for name in NAMES if name in text]
    [event] = exports_audited(pack, pack.reviewer)
    assert sorted(event.detail["note_ids"]) == sorted([pack.first_note.id, pack.home_note.id,
                                                        pack.interview_note.id])
    assert event.detail["names_service_users"] is False and event.subject_type == "evidence_pack"


def test_a_lay_assessors_pack_holds_only_their_setting_visit(pack, app):
    lena = signed_in(app, pack.lay)
    text = docx_text(lena.get("/evidence/export.docx", query_string={"review": pack.review.id}).data)
    assert "SETTING-9902" in text
    assert not any(code in text for code in ("HOMEVISIT-7781", "INTERVIEW-3345", "COLLEAGUE-6610"))


def test_the_pack_takes_the_evidence_pages_filters(pack, app):
    lead = signed_in(app, pack.lead)
    themed = lead.get("/evidence/export.docx", query_string={"review": pack.review.id,
                                                             "theme": pack.safeguarding.id})
    by_theme = sections(themed.data)
    assert "HOMEVISIT-7781" in by_theme["Safeguarding"]
    assert "INTERVIEW-3345" not in docx_text(themed.data) and "SETTING-9902" not in docx_text(themed.data)
    assert "Filtered by: theme Safeguarding" in docx_text(themed.data)

    # A search for her name finds the note, and the first page does not print the name searched for.
    searched = lead.get("/evidence/export.docx", query_string={"review": pack.review.id, "q": "Secretname"})
    text = docx_text(searched.data)
    assert "HOMEVISIT-7781" in text and "INTERVIEW-3345" not in text
    assert "Secretname" not in text
    [_theme, search] = exports_audited(pack, pack.lead)
    assert search.detail["filtered"] == ["q"] and search.detail["note_ids"] == [pack.home_note.id]
    assert "Secretname" not in str(search.detail)


def test_a_bad_filter_answers_the_options_form_with_its_message_and_exports_nothing(pack, app):
    lead = signed_in(app, pack.lead)
    for query, said in (({"day": "not-a-day"}, "<li>Day: "), ({"q": "x" * 201}, "<li>Search: Too long"),
                        ({"names": "perhaps"}, "<li>Name service users and carers: "),
                        ({"theme": "99999999999"}, "<li>Theme: ")):
        for path in ("/evidence/export.docx", "/evidence/export.csv", "/evidence/export"):
            response = lead.get(path, query_string={"review": pack.review.id, **query})
            assert response.status_code == 400, query
            body = response.get_data(as_text=True)
            assert 'class="error-summary"' in body and said in body, (query, body)
    assert exports_audited(pack, pack.lead) == []


def test_a_pack_with_no_notes_still_opens(pack, app):
    lead = signed_in(app, pack.lead)
    response = lead.get("/evidence/export.docx", query_string={"review": pack.review.id, "q": "nothingmatches"})
    assert response.status_code == 200
    assert "No notes match." in docx_text(response.data)


# --- the spreadsheet ----------------------------------------------------------------------------------------------


def test_the_csv_is_one_row_per_note_neutralised_against_formulas_and_names_nobody(pack, app):
    lead = signed_in(app, pack.lead)
    response = lead.get("/evidence/export.csv", query_string={"review": pack.review.id})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="evidence-{pack.review.id}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith("\ufeff".encode("utf-8"))
    text = response.data.decode("utf-8")
    rows = {row["Note id"]: row for row in csv.DictReader(io.StringIO(text[1:]))}
    assert set(rows) == {pack.first_note.id, pack.home_note.id, pack.interview_note.id, pack.setting_note.id,
                         pack.colleague_note.id}
    setting = rows[pack.setting_note.id]
    assert setting["Text"] == "'" + SETTING_NOTE
    assert setting["Headings"] == "Welcome and reception: " + SETTING_PROMPT
    assert setting["Themes"] == "" and setting["Kind of visit"] == "Setting visit"
    home = rows[pack.home_note.id]
    assert home["Visit"] == "Home visit · AD-014" and home["Themes"] == "Assessment; Safeguarding"
    assert home["Written by"] == "Rhys Reviewer" and home["Visit id"] == str(pack.home_visit.id)
    assert home["Date"] == pack.day.isoformat() and home["Time"] == "18:00"
    assert not [name for name in NAMES if name in text]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows.values() for cell in row.values())
    [event] = exports_audited(pack, pack.lead)
    assert event.detail["view"] == "export.csv" and sorted(event.detail["note_ids"]) == sorted(rows)


def test_a_reviewers_csv_never_holds_a_colleagues_note(pack, app):
    rhys = signed_in(app, pack.reviewer)
    text = rhys.get("/evidence/export.csv", query_string={"review": pack.review.id}).data.decode("utf-8")
    assert "COLLEAGUE-6610" not in text and "SETTING-9902" not in text and "HOMEVISIT-7781" in text


# --- the options page -------------------------------------------------------------------------------------------


def test_the_options_page_counts_the_notes_carries_the_filters_and_offers_the_lead_the_tick(pack, app):
    lead = signed_in(app, pack.lead)
    page = lead.get("/evidence/export", query_string={"review": pack.review.id, "theme": pack.assessment.id})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The pack holds 2 notes" in body
    assert f'name="theme" value="{pack.assessment.id}"' in body
    assert 'name="names"' in body and 'formaction="/evidence/export.csv"' in body
    # It reads no note: no audit row.
    assert exports_audited(pack, pack.lead) == []


def test_walking_ids_on_the_options_page_names_no_home_case_or_author_the_viewer_does_not_know(pack, app):
    """A lay assessor who was on none of the case's visits asks for the options page with the home's, the case's and
    a colleague's ids: the filters line says "a place", "a case", never the home's name or the case reference."""
    lena = signed_in(app, pack.lay)
    for query, secret in (({"place": pack.home.id}, pack.home.name), ({"case": pack.case.id}, pack.case.reference),
                          ({"author": pack.reviewer.id}, pack.reviewer.name)):
        page = lena.get("/evidence/export", query_string={"review": pack.review.id, **query})
        assert page.status_code == 200
        assert secret not in page.get_data(as_text=True), query


# --- a case's pathway ------------------------------------------------------------------------------------------


def test_the_lead_reads_the_whole_pathway_in_order_with_the_service_users_name(pack, app):
    lead = signed_in(app, pack.lead)
    body = lead.get(f"/cases/{pack.case.id}").get_data(as_text=True)
    assert SERVICE_USER_NAME in body and CARER_NAME in body
    # The interview of its social worker (10:00), the home visit (18:00), the follow-up the day after.
    order = [body.index(text) for text in ("INTERVIEW-3345", "HOMEVISIT-7781", "COLLEAGUE-6610")]
    assert order == sorted(order)
    assert "SETTING-9902" not in body   # Lena's setting visit is not this case's
    assert "PROMPT-5521" in body
    db.session.expire_all()
    [event] = db.session.scalars(db.select(AuditEvent).where(AuditEvent.user_id == pack.lead.id,
                                                              AuditEvent.subject_type == "case")).all()
    assert event.action == "read" and event.subject_id == str(pack.case.id)
    assert sorted(event.detail["note_ids"]) == sorted([pack.interview_note.id, pack.first_note.id,
                                                        pack.home_note.id, pack.colleague_note.id])
    assert event.detail["names_service_users"] is True


def test_a_reviewer_reads_their_own_visits_on_the_pathway_and_only_time_and_kind_of_a_colleagues(pack, app):
    rhys = signed_in(app, pack.reviewer)
    response = rhys.get(f"/cases/{pack.case.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HOMEVISIT-7781" in body and "INTERVIEW-3345" in body
    assert "COLLEAGUE-6610" not in body and "Follow-up with" not in body
    assert "Not your visit: only its time, kind and status are shown." in body
    # Rhys was on her home visit, yet the pathway names her by the case reference only: that is for the lead.
    # Rhys was on her home visit, yet the pathway names her by the case reference only (that is for the lead): in
    # its header, the title of her home visit, who came, and the notes.
    assert not [name for name in NAMES if name in body]
    header = body.split('<ol class="pathway">')[0]
    assert "Service user (AD-014)" in header and "Carer (AD-014)" in header
    assert "Home visit · AD-014" in body and "Carer (AD-014): <strong>Expected" in body
    assert "HOMEVISIT-7781: Service user (AD-014) showed us her care plan" in body
    db.session.expire_all()
    [event] = db.session.scalars(db.select(AuditEvent).where(AuditEvent.user_id == pack.reviewer.id,
                                                              AuditEvent.subject_type == "case")).all()
    assert sorted(event.detail["note_ids"]) == sorted([pack.interview_note.id, pack.first_note.id,
                                                        pack.home_note.id])


def test_ffion_on_the_follow_up_only_reads_that_visits_notes(pack, app):
    ffion = signed_in(app, pack.reviewer2)
    body = ffion.get(f"/cases/{pack.case.id}").get_data(as_text=True)
    # Ffion is on the home visit and the follow-up, not on Rhys's interview.
    assert "COLLEAGUE-6610" in body and "HOMEVISIT-7781" in body and "INTERVIEW-3345" not in body


def test_the_visit_page_links_to_the_pathway_for_those_who_may_read_it(pack, app):
    link = f'href="/cases/{pack.case.id}"'
    for role, shown in (("lead_reviewer", True), ("reviewer", True), ("reviewer2", True), ("lay_assessor", False),
                        ("link_officer", False), ("coordinator", False)):
        body = signed_in(app, pack.member(role)).get(f"/visits/{pack.home_visit.id}").get_data(as_text=True)
        assert (link in body) is shown, role


def test_the_audit_log_says_which_pack_named_service_users(pack, app):
    lead = signed_in(app, pack.lead)
    lead.get("/evidence/export.csv", query_string={"review": pack.review.id})
    lead.get("/evidence/export.docx", query_string={"review": pack.review.id, "names": "true"})
    log = lead.get("/audit", query_string={"review": pack.review.id}).get_data(as_text=True)
    assert "Evidence pack NAMING service users, of review" in log
    assert "Evidence pack, service users by case reference, of review" in log


def test_a_pack_with_more_text_than_one_pack_holds_is_refused_before_any_note_is_read(pack, app, monkeypatch):
    from visits.evidence import export_views

    monkeypatch.setattr(export_views, "MAX_EXPORT_CHARS", len(HOME_NOTE))
    lead = signed_in(app, pack.lead)
    before = len(exports_audited(pack, pack.lead))
    response = lead.get("/evidence/export.docx", query_string={"review": pack.review.id})
    assert response.status_code == 400
    assert "narrow the pack" in response.get_data(as_text=True)
    assert len(exports_audited(pack, pack.lead)) == before
