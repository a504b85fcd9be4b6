"""The visit page as the place to work: its forms post operations to /visits/<id>/ops, with or without htmx,
and end in the same sync.apply_operation as /api/sync."""
from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from visits.extensions import db
from visits.models import Attendance, AuditEvent, CheckIn, Concern, NeedFlag, Note, Operation, VisitStatus

from ..support import factories as f
from ..support.factories import count
from ..support.html_forms import forms_on
from ..support.clients import signed_in
from ..support.sync import send

HX = {"HX-Request": "true"}


def page_of(client, team, **query) -> str:
    response = client.get(f"/visits/{team.home_visit.id}", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def the_form(html: str, op_type: str, index: int = -1):
    forms = forms_on(html, op_type)
    assert forms, f"no {op_type} form on the page"
    return forms[index]


def submit(client, form, button=None, headers=None, **values):
    return client.http.post(form.action, data=form.filled(button, **values), headers=headers or {})


# --- notes --------------------------------------------------------------------------------------------------


def test_a_reviewer_writes_a_home_visit_note_without_javascript(team, app):
    reviewer = signed_in(app, team.reviewer)
    form = the_form(page_of(reviewer, team), "note.save")
    assert form.fields["kind"] == "home_visit" and form.fields["base_version"] == ""

    response = submit(reviewer, form, body="Mrs Jones showed us her care plan.")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/visits/{team.home_visit.id}#notes")
    page = reviewer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Note saved (version 1)." in page and "Mrs Jones showed us her care plan." in page
    assert db.session.scalar(select(Note.body)) == "Mrs Jones showed us her care plan."


def test_the_same_form_sent_twice_saves_once(team, app):
    reviewer = signed_in(app, team.reviewer)
    form = the_form(page_of(reviewer, team), "note.save")
    first = submit(reviewer, form, body="Sent twice by a double tap.")
    second = submit(reviewer, form, body="Sent twice by a double tap.")
    assert first.status_code == second.status_code == 303
    assert count(Note) == 1 and count(Operation) == 1


def test_every_render_gives_each_form_a_fresh_op_id(team, app):
    reviewer = signed_in(app, team.reviewer)
    op_forms = [form for html in (page_of(reviewer, team), page_of(reviewer, team))
                for form in forms_on(html) if form.op_type]
    assert len(op_forms) > 10
    assert len({form.fields["op_id"] for form in op_forms}) == len(op_forms)


def test_with_htmx_the_answer_is_just_the_notes_section(team, app):
    reviewer = signed_in(app, team.reviewer)
    form = the_form(page_of(reviewer, team), "note.save")
    assert form.attrs["hx-post"] == form.action and form.attrs["hx-target"] == "#notes"
    response = submit(reviewer, form, headers=HX, body="Short and sweet.")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="notes"')
    assert "Short and sweet." in html and "Note saved" in html and "<html" not in html
    assert "HX-Request" in response.headers["Vary"] and "Cookie" in response.headers["Vary"]


def test_an_empty_note_is_shown_again_with_its_error_and_nothing_is_lost(team, app):
    reviewer = signed_in(app, team.reviewer)
    form = the_form(page_of(reviewer, team), "note.save")
    response = submit(reviewer, form, body="   ", kind="interview")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Write something before saving." in html
    assert 'aria-invalid="true" aria-describedby="new-note-body-error"' in html
    again = the_form(html, "note.save")
    assert again.fields["kind"] == "interview" and again.fields["note_id"] == form.fields["note_id"]
    assert again.fields["op_id"] != form.fields["op_id"]  # the rejected answer is stored under the old one
    assert count(Note) == 0


def test_editing_a_note_saves_a_new_version_from_the_version_shown(team, app):
    note = f.gen_note(team.home_visit, team.reviewer, body="First thoughts.", kind="home_visit")
    db.session.commit()
    reviewer = signed_in(app, team.reviewer)
    page = page_of(reviewer, team)
    assert f"edit={note.id}" in page
    form = next(fm for fm in forms_on(page_of(reviewer, team, edit=note.id), "note.save")
                if fm.fields["note_id"] == note.id)
    assert form.fields["base_version"] == "1" and form.fields["body"] == "First thoughts."
    assert submit(reviewer, form, body="Second thoughts.").status_code == 303
    db.session.refresh(note)
    assert (note.body, note.version) == ("Second thoughts.", 2)


def test_nobody_is_offered_an_edit_of_someone_elses_note(team, app):
    note = f.gen_note(team.home_visit, team.reviewer, body="Rhys's note.")
    db.session.commit()
    lay = signed_in(app, team.lay)
    page = page_of(lay, team, edit=note.id)
    assert "Rhys&#39;s note." in page
    assert all(form.fields["note_id"] != note.id for form in forms_on(page, "note.save"))


def test_lay_assessor_gets_the_setting_prompts_as_separate_fields(app):
    review = f.gen_review()
    lay = f.gen_member(review, "lay_assessor")
    visit = f.gen_visit(review, team=[lay], kind="setting_visit",
                        location=f.gen_location(review, "day_facility", name="Maes Day Centre"))
    db.session.commit()
    client = signed_in(app, lay)
    form = the_form(client.get(f"/visits/{visit.id}").get_data(as_text=True), "note.save")
    assert form.fields["kind"] == "setting_observation"
    assert {"Welcome and reception", "Information available to the public", "Access and physical environment",
            "Dignity, privacy and atmosphere", "What people using the service said", "To follow up",
            "Anything else"} <= set(form.labels)
    response = client.http.post(form.action, data=form.filled(**{
        "prompts.welcome_and_reception": "Greeted warmly at the desk.", "prompts.to_follow_up": "Leaflets?"}))
    assert response.status_code == 303
    saved = db.session.scalar(select(Note))
    assert saved.prompts == {"welcome_and_reception": "Greeted warmly at the desk.", "to_follow_up": "Leaflets?"}
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Greeted warmly at the desk." in page and "To follow up" in page


def test_a_stale_edit_goes_to_the_merge_view_where_both_texts_are_shown(team, app):
    note = f.gen_note(team.home_visit, team.reviewer, body="On the phone.", kind="home_visit")
    db.session.commit()
    reviewer = signed_in(app, team.reviewer)
    stale_form = next(fm for fm in forms_on(page_of(reviewer, team, edit=note.id), "note.save")
                      if fm.fields["note_id"] == note.id)
    send(reviewer, f.operation("note.save", base_version=1, note_id=note.id, visit_id=team.home_visit.id,
                               kind="home_visit", body="Written up on the laptop."))

    response = submit(reviewer, stale_form, body="Typed on the old page.")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/notes/{note.id}/history")
    history = reviewer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Written up on the laptop." in history and "Typed on the old page." in history
    merge = the_form(history, "note.save")
    assert merge.fields["base_version"] == "2" and merge.fields["body"] == "Written up on the laptop."

    merged = submit(reviewer, merge, body="Written up on the laptop. Typed on the old page.")
    assert merged.status_code == 303
    db.session.refresh(note)
    assert note.version == 3 and not note.in_conflict
    assert "Two versions" not in page_of(reviewer, team)


def test_a_merge_that_is_not_accepted_shows_the_merge_view_again(team, app):
    note = f.gen_note(team.home_visit, team.reviewer, body="A.", kind="home_visit")
    db.session.commit()
    reviewer = signed_in(app, team.reviewer)
    send(reviewer, f.operation("note.save", base_version=1, note_id=note.id, visit_id=team.home_visit.id,
                               kind="home_visit", body="B."),
         f.operation("note.save", base_version=1, note_id=note.id, visit_id=team.home_visit.id, kind="home_visit",
                     body="C."))
    merge = the_form(reviewer.get(f"/notes/{note.id}/history").get_data(as_text=True), "note.save")
    response = submit(reviewer, merge, body="")
    assert response.status_code == 400 and "Write something before saving." in response.get_data(as_text=True)
    assert "Two versions of this note" in response.get_data(as_text=True)


def test_the_history_lists_every_version_and_reading_it_is_audited(team, app):
    note = f.gen_note(team.home_visit, team.reviewer, body="Version one.")
    db.session.commit()
    reviewer = signed_in(app, team.reviewer)
    send(reviewer, f.operation("note.save", base_version=1, note_id=note.id, visit_id=team.home_visit.id,
                               kind="general", body="Version two."))
    history = signed_in(app, team.lead).get(f"/notes/{note.id}/history").get_data(as_text=True)
    assert history.index("Version two.") < history.index("Version one.")
    assert count(AuditEvent, AuditEvent.action == "read", AuditEvent.subject_id == note.id,
                 AuditEvent.user_id == team.lead.id) == 1


# --- attendance, check-in/out -------------------------------------------------------------------------------


def test_one_tap_marks_someone_absent_with_the_server_clock(team, app):
    reviewer = signed_in(app, team.reviewer)
    page = page_of(reviewer, team)
    form = next(fm for fm in forms_on(page, "attendance.set")
                if fm.fields["participant_id"] == str(team.carer.id))
    assert [b[1] for b in form.buttons] == ["attended", "late", "absent", "apologies", "dropped_out"]
    response = submit(reviewer, form, "Absent", headers=HX)
    assert response.status_code == 200 and 'aria-pressed="true"' in response.get_data(as_text=True)
    row = db.session.scalar(select(Attendance).filter_by(participant_id=team.carer.id))
    db.session.refresh(row)
    assert row.status.value == "absent" and row.recorded_at_device is not None


def on_the_doorstep(app, team) -> None:
    """The server's clock at 10:05 on the visit's day: a form without script is stamped with it, and a check
    far from the visit's time would be asked about first (tests/api/test_check_in_times.py)."""
    moment = datetime.combine(team.day, time(10, 5), tzinfo=ZoneInfo("Europe/London")).astimezone(timezone.utc)
    app.config["CLOCK"] = lambda: moment


def test_checking_in_and_out_from_the_visit_page(team, app):
    on_the_doorstep(app, team)
    reviewer = signed_in(app, team.reviewer)
    check_in = the_form(page_of(reviewer, team), "visit.check_in")
    assert submit(reviewer, check_in).status_code == 303
    page = page_of(reviewer, team)
    assert "You checked in at" in page and "In progress" in page
    check_out = the_form(page, "visit.check_out")
    section = submit(reviewer, check_out, headers=HX).get_data(as_text=True)
    assert "Checked out at" in section and "Undo" in section  # for a few minutes
    check = db.session.scalar(select(CheckIn))
    db.session.refresh(check)
    assert check.checked_out_at is not None


def test_only_the_visit_team_is_offered_check_in(team, app):
    assert not forms_on(page_of(signed_in(app, team.link), team), "visit.check_in")
    assert not forms_on(page_of(signed_in(app, team.lead), team), "visit.check_in")


# --- needs and concerns -------------------------------------------------------------------------------------


def test_a_reviewer_raises_a_need_and_the_link_officer_arranges_it_on_the_page(team, app):
    reviewer = signed_in(app, team.reviewer)
    raise_form = the_form(page_of(reviewer, team), "need.set")
    assert "visit_id" not in raise_form.fields and raise_form.fields["status"] == "requested"
    assert submit(reviewer, raise_form, type="interpreting", detail="Polish").status_code == 303
    assert "arrangement" not in " ".join(fm.fields.get("arrangement", "") for fm in
                                         forms_on(page_of(reviewer, team), "need.set"))

    link = signed_in(app, team.link)
    arrange = the_form(page_of(link, team), "need.set", index=0)
    rejected = submit(link, arrange, headers=HX, status="arranged")
    assert rejected.status_code == 400 and "Say what has been arranged" in rejected.get_data(as_text=True)
    again = the_form(rejected.get_data(as_text=True), "need.set", index=0)  # the section, with a fresh op_id
    assert again.fields["status"] == "arranged"
    assert submit(link, again, status="confirmed", arrangement="Anna, 07700 900111").status_code == 303
    need = db.session.scalar(select(NeedFlag))
    db.session.refresh(need)
    assert (need.detail, need.status.value, need.arrangement) == ("Polish", "confirmed", "Anna, 07700 900111")


def test_a_concern_is_raised_on_the_page_and_the_lead_refers_it(team, app):
    reviewer = signed_in(app, team.reviewer)
    form = the_form(page_of(reviewer, team), "concern.raise")
    missing = submit(reviewer, form, text="No smoke alarm.")
    assert missing.status_code == 400
    html = missing.get_data(as_text=True)
    assert "No smoke alarm." in html  # what was typed is kept
    assert 'aria-describedby="concern-category-error"' in html
    # The same form again would be a replay of the refused operation: the page gave the form a new op_id.
    assert submit(reviewer, form, category="health_and_safety", rating="amber").status_code == 400
    again = the_form(html, "concern.raise")
    assert again.fields["text"] == "No smoke alarm." and again.fields["concern_id"] == form.fields["concern_id"]
    assert submit(reviewer, again, category="health_and_safety", rating="amber").status_code == 303
    lead = signed_in(app, team.lead)
    refer = the_form(page_of(lead, team), "concern.refer")
    assert submit(lead, refer, referral_text="Please check the smoke alarm.",
                  referred_to="Sam Patel, adult safeguarding").status_code == 303
    assert db.session.scalar(select(Concern.referral_text)) == "Please check the smoke alarm."


def test_a_form_post_someone_may_not_make_is_403(team, app):
    reviewer = signed_in(app, team.reviewer)
    form = the_form(page_of(reviewer, team), "note.save")
    link = signed_in(app, team.link)
    token_page = page_of(link, team)
    csrf = forms_on(token_page)[0].fields["csrf_token"]
    response = link.http.post(form.action, data=form.filled(body="Sneaky.", csrf_token=csrf))
    assert response.status_code == 403 and count(Note) == 0


def test_a_visit_one_may_not_know_is_404_for_form_posts_too(team, app):
    outsider = signed_in(app, team.lead_b)
    csrf = forms_on(outsider.get("/").get_data(as_text=True))[0].fields["csrf_token"]
    response = outsider.http.post(f"/visits/{team.home_visit.id}/ops?type=note.save", data={"csrf_token": csrf})
    assert response.status_code == 404


def test_checking_in_on_a_completed_visit_leaves_it_completed(team, app):
    team.home_visit.status = VisitStatus.completed
    db.session.commit()
    on_the_doorstep(app, team)
    reviewer = signed_in(app, team.reviewer)
    assert submit(reviewer, the_form(page_of(reviewer, team), "visit.check_in")).status_code == 303
    db.session.refresh(team.home_visit)
    assert team.home_visit.status is VisitStatus.completed


def test_each_section_has_a_fragment_url_to_refresh_it_after_a_sync(team, app):
    reviewer = signed_in(app, team.reviewer)
    page = page_of(reviewer, team)
    for name in ("check", "attendance", "notes", "needs", "concerns"):
        url = f"/visits/{team.home_visit.id}/sections/{name}"
        assert f'data-refresh-url="{url}"' in page
        fragment = reviewer.get(url, headers=HX)
        assert fragment.status_code == 200
        assert fragment.get_data(as_text=True).lstrip().startswith(f'<section id="{name}"')
    assert reviewer.get(f"/visits/{team.home_visit.id}/sections/everything").status_code == 404
    link = signed_in(app, team.link)
    assert link.get(f"/visits/{team.home_visit.id}/sections/notes").status_code == 404
    assert signed_in(app, team.lead_b).get(f"/visits/{team.home_visit.id}/sections/check").status_code == 404


def test_showing_notes_and_a_service_user_on_the_page_is_audited_per_reader(team, app):
    notes = [f.gen_note(team.home_visit, team.reviewer, body="One."),
             f.gen_note(team.home_visit, team.lay, body="Two.")]
    db.session.commit()
    page_of(signed_in(app, team.lead), team)
    page_of(signed_in(app, team.link), team)
    reads = db.session.execute(select(AuditEvent.user_id, AuditEvent.subject_type, AuditEvent.subject_id).where(
        AuditEvent.action == "read")).all()
    assert {(user, kind, subject) for user, kind, subject in reads if kind == "note"} == {
        (team.lead.id, "note", note.id) for note in notes}  # the link officer read no note
    assert {user for user, kind, _ in reads if kind == "service_user_record"} == {team.lead.id, team.link.id}


def test_every_write_is_audited_in_the_same_transaction(team, app):
    on_the_doorstep(app, team)  # later in the day the check-in would be asked about first, not saved
    reviewer = signed_in(app, team.reviewer)
    for form_type in ("visit.check_in", "note.save"):
        form = the_form(page_of(reviewer, team), form_type)
        submit(reviewer, form, body="Audited.") if form_type == "note.save" else submit(reviewer, form)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == team.reviewer.id)).all()
    assert "visit.check_in" in actions and "note.save" in actions
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "note.save"))
    assert event.review_id == team.review.id and event.remote_addr == "127.0.0.1"
    assert "Audited." not in str(event.detail)  # the log says who wrote, never what
