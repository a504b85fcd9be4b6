"""A concern reaches someone (DESIGN section 12): raised, then referred to a named council contact or not referred
with a reason, acknowledged by the link officer, its outcome recorded -- each step an operation through the one
write path -- and who reads which of its words (DESIGN section 2)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from visits.extensions import db
from visits.models import AuditEvent, Concern, Review

from ..support import factories as f
from ..support.clients import signed_in
from ..support.factories import count
from ..support.sync import send_one

CONCERN_TEXT = "PLANTED-CONCERN bruising on her left arm"
REFERRAL_TEXT = "PLANTED-REFERRAL please ring the family today"
REFERRED_TO = "PLANTED-CONTACT Sam Patel, adult safeguarding"
REASON = "PLANTED-REASON already known to the social worker"
OUTCOME = "PLANTED-OUTCOME a strategy meeting was held"


def raise_op(world, concern_id=None, text=CONCERN_TEXT):
    return f.operation("concern.raise", concern_id=concern_id or f.new_id(), visit_id=world.home_visit.id,
                       category="safeguarding", rating="red", text=text)


def refer_op(concern_id, **data):
    return f.operation("concern.refer", concern_id=concern_id,
                       **{"referral_text": REFERRAL_TEXT, "referred_to": REFERRED_TO, **data})


def decide_op(concern_id, reason=REASON):
    return f.operation("concern.decide", concern_id=concern_id, reason=reason)


def acknowledge_op(concern_id):
    return f.operation("concern.acknowledge", concern_id=concern_id)


def outcome_op(concern_id, outcome=OUTCOME):
    return f.operation("concern.outcome", concern_id=concern_id, outcome=outcome)


def concern_at(world, state: str) -> Concern:
    """A concern the reviewer raised, taken to `state` directly in the database (committed)."""
    concern = f.gen_concern(world.home_visit, world.reviewer, CONCERN_TEXT)
    now = datetime.now(timezone.utc)
    if state == "not_referred":
        concern.not_referred_at, concern.not_referred_by_id, concern.not_referred_reason = now, world.lead.id, REASON
    if state in ("referred", "acknowledged", "outcome_recorded"):
        concern.referred_at, concern.referral_text, concern.referred_to = now, REFERRAL_TEXT, REFERRED_TO
        concern.referred_by_id = world.lead.id
    if state in ("acknowledged", "outcome_recorded"):
        concern.acknowledged_at, concern.acknowledged_by_id = now, world.link.id
    if state == "outcome_recorded":
        concern.outcome_at, concern.outcome_by_id, concern.outcome = now, world.link.id, OUTCOME
    db.session.commit()
    return concern


def reload(concern_id: str) -> Concern:
    db.session.expire_all()
    return db.session.get(Concern, concern_id)


# --- each step, as an operation --------------------------------------------------------------------------------


def test_a_concern_goes_from_raised_to_referred_acknowledged_and_its_outcome_recorded(team, app):
    reviewer, lead, link = (signed_in(app, user) for user in (team.reviewer, team.lead, team.link))
    raised = raise_op(team)
    concern_id = raised["data"]["concern_id"]
    assert send_one(reviewer, raised)["status"] == "applied"

    answer = send_one(lead, refer_op(concern_id))
    assert answer["status"] == "applied" and answer["concern_state"] == "referred"
    concern = reload(concern_id)
    assert concern.referred_to == REFERRED_TO and concern.referral_text == REFERRAL_TEXT
    assert concern.referred_by_id == team.lead.id and concern.acknowledged_at is None

    assert send_one(link, acknowledge_op(concern_id))["concern_state"] == "acknowledged"
    concern = reload(concern_id)
    assert concern.acknowledged_by_id == team.link.id and concern.acknowledged_at is not None

    assert send_one(link, outcome_op(concern_id))["concern_state"] == "outcome_recorded"
    concern = reload(concern_id)
    assert concern.outcome == OUTCOME and concern.outcome_by_id == team.link.id

    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == concern_id)
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["concern.raise", "concern.refer", "concern.acknowledge", "concern.outcome"]
    details = json.dumps([e.detail for e in db.session.scalars(select(AuditEvent))])
    assert "PLANTED" not in details  # no concern's words in the audit log


def test_the_lead_decides_not_to_refer_and_the_reason_is_kept_for_the_report(team, app):
    concern = concern_at(team, "raised")
    answer = send_one(signed_in(app, team.lead), decide_op(concern.id))
    assert answer["status"] == "applied" and answer["concern_state"] == "not_referred"
    kept = reload(concern.id)
    assert kept.not_referred_reason == REASON and kept.not_referred_by_id == team.lead.id
    assert kept.referred_at is None


def test_a_concern_not_referred_may_still_be_referred_and_the_decision_not_to_is_withdrawn(team, app):
    concern = concern_at(team, "not_referred")
    assert send_one(signed_in(app, team.lead), refer_op(concern.id))["concern_state"] == "referred"
    kept = reload(concern.id)
    assert kept.not_referred_at is None and kept.not_referred_reason is None


def test_the_lead_corrects_a_referral_until_the_link_officer_has_acknowledged_it(team, app):
    concern = concern_at(team, "referred")
    first_referred = reload(concern.id).referred_at
    lead = signed_in(app, team.lead)
    assert send_one(lead, refer_op(concern.id, referral_text="Corrected text."))["status"] == "applied"
    assert reload(concern.id).referral_text == "Corrected text." and reload(concern.id).referred_at == first_referred
    send_one(signed_in(app, team.link), acknowledge_op(concern.id))
    answer = send_one(lead, refer_op(concern.id, referral_text="Too late."))
    assert answer["status"] == "rejected"
    assert "already acknowledged" in answer["errors"]["concern_id"][0]
    assert reload(concern.id).referral_text == "Corrected text."


def test_a_referral_names_the_council_contact_but_an_older_phones_queued_referral_still_arrives(team, app):
    concern = concern_at(team, "raised")
    lead = signed_in(app, team.lead)
    blank = send_one(lead, refer_op(concern.id, referred_to="   "))
    assert blank["status"] == "rejected" and blank["errors"]["referred_to"] == [
        "Name the council contact the concern is referred to."]
    assert reload(concern.id).referred_at is None
    # Queued offline by a page from before the field existed: no `referred_to` at all.
    old = f.operation("concern.refer", concern_id=concern.id, referral_text=REFERRAL_TEXT)
    assert send_one(lead, old)["status"] == "applied"
    assert reload(concern.id).referred_to is None and reload(concern.id).referred_at is not None


@pytest.mark.parametrize("op, field", [
    (lambda cid: decide_op(cid, reason="  "), "reason"),
    (lambda cid: outcome_op(cid, outcome=""), "outcome"),
    (lambda cid: f.operation("concern.acknowledge"), "concern_id"),
    (lambda cid: f.operation("concern.outcome", concern_id="not-a-uuid", outcome="x"), "concern_id"),
])
def test_a_step_with_a_missing_field_is_rejected_with_a_message_on_it(team, app, op, field):
    concern = concern_at(team, "acknowledged")
    user = team.lead if op(concern.id)["type"] == "concern.decide" else team.link
    answer = send_one(signed_in(app, user), op(concern.id))
    assert answer["status"] == "rejected" and answer["errors"][field]


STEPS = {
    # step: (the state it starts from, who takes it, the operation)
    "concern.refer": ("raised", "lead_reviewer", refer_op),
    "concern.decide": ("raised", "lead_reviewer", decide_op),
    "concern.acknowledge": ("referred", "link_officer", acknowledge_op),
    "concern.outcome": ("acknowledged", "link_officer", outcome_op),
}


@pytest.mark.parametrize("step", STEPS)
def test_a_replayed_step_answers_duplicate_and_changes_nothing(team, app, step):
    state, role, make = STEPS[step]
    concern = concern_at(team, state)
    client = signed_in(app, team.member(role))
    op = make(concern.id)
    first = send_one(client, op)
    assert first["status"] == "applied"
    assert send_one(client, op) == {**first, "status": "duplicate", "first_status": "applied"}
    assert count(AuditEvent, AuditEvent.action == step) == 1


@pytest.mark.parametrize("step, role", [
    (step, role) for step, (_s, allowed, _m) in STEPS.items()
    for role in ("lead_reviewer", "reviewer", "lay_assessor", "link_officer", "coordinator", "lead_b", "link_b")
    if role != allowed
])
def test_a_step_taken_by_the_wrong_role_is_forbidden(team, app, step, role):
    state, _allowed, make = STEPS[step]
    concern = concern_at(team, state)
    before = (reload(concern.id).referred_at, reload(concern.id).not_referred_at, reload(concern.id).acknowledged_at,
              reload(concern.id).outcome)
    answer = send_one(signed_in(app, team.member(role)), make(concern.id))
    assert answer["status"] == "forbidden" and "errors" not in answer  # says nothing about the concern
    after = reload(concern.id)
    assert (after.referred_at, after.not_referred_at, after.acknowledged_at, after.outcome) == before


def test_the_link_officer_cannot_learn_of_a_concern_the_lead_did_not_refer(team, app):
    link = signed_in(app, team.link)
    for concern_id in (concern_at(team, "raised").id, concern_at(team, "not_referred").id, f.new_id()):
        op = acknowledge_op(concern_id)
        # Not referred, or no such concern at all: the same bare answer.
        assert send_one(link, op) == {"op_id": op["op_id"], "type": "concern.acknowledge", "status": "forbidden"}


@pytest.mark.parametrize("step, state, role, words", [
    ("concern.decide", "referred", "lead_reviewer", "already been referred"),
    ("concern.refer", "outcome_recorded", "lead_reviewer", "can no longer be changed"),
    ("concern.acknowledge", "acknowledged", "link_officer", "already been acknowledged"),
    ("concern.outcome", "referred", "link_officer", "Acknowledge the referral before"),
])
def test_a_step_out_of_order_is_rejected_with_a_readable_message(team, app, step, state, role, words):
    concern = concern_at(team, state)
    answer = send_one(signed_in(app, team.member(role)), STEPS[step][2](concern.id))
    assert answer["status"] == "rejected" and words in answer["errors"]["concern_id"][0]


@pytest.mark.parametrize("step", STEPS)
def test_a_closed_review_refuses_every_step_and_says_why(team, app, step):
    state, role, make = STEPS[step]
    concern = concern_at(team, state)
    from visits.admin.reviews import close_review

    close_review(db.session.get(Review, team.review.id), by=team.lead)
    db.session.commit()
    answer = send_one(signed_in(app, team.member(role)), make(concern.id))
    assert answer["status"] == "forbidden"
    assert answer["errors"]["_schema"] == ["This review is closed: changes can no longer be saved."]


# --- who reads which words (DESIGN section 2) ------------------------------------------------------------------


@pytest.fixture
def planted(team):
    """Four concerns the reviewer raised on the home visit, one at each step, each with words of its own."""
    concerns = {}
    for state in ("raised", "not_referred", "referred", "outcome_recorded"):
        concern = concern_at(team, state)
        concern.text = f"PLANTED-TEXT-{state}"
        if concern.referral_text:
            concern.referral_text, concern.referred_to = f"PLANTED-REFERRAL-{state}", f"PLANTED-CONTACT-{state}"
        concerns[state] = concern
    db.session.commit()
    return concerns


TEXTS = [f"PLANTED-TEXT-{s}" for s in ("raised", "not_referred", "referred", "outcome_recorded")]
REFERRALS = ["PLANTED-REFERRAL-referred", "PLANTED-CONTACT-referred", "PLANTED-REFERRAL-outcome_recorded",
             "PLANTED-CONTACT-outcome_recorded"]
EVERYTHING = TEXTS + REFERRALS + [REASON, OUTCOME]

# role -> the planted words they read on the visit page; every other planted word must be absent.
SEES = {
    "lead_reviewer": EVERYTHING,
    "reviewer": TEXTS + REFERRALS,            # raised them: their words, where each got to; not the lead's reason
    "lay_assessor": [],                       # on the visit, raised none
    "link_officer": REFERRALS + [OUTCOME],    # only referred ones, only the referral and what they record
    "coordinator": [],
}


def pages_of(team, role) -> dict[str, str]:
    client = signed_in(app_of(team), team.member(role))
    today = team.day.isoformat()
    urls = [f"/visits/{team.home_visit.id}", f"/visits/{team.home_visit.id}?section=concerns",
            f"/attendance?date={today}", f"/attendance/board-fragment?date={today}",
            f"/concerns?review={team.review.id}", f"/concerns/contacts?review={team.review.id}",
            "/api/itinerary", "/api/offline-pages", f"/api/programme/findings?review={team.review.id}"]
    return {url: client.get(url).get_data(as_text=True) for url in urls}


def app_of(team):
    from flask import current_app

    return current_app._get_current_object()


@pytest.mark.parametrize("role", [*SEES, "lead_b", "link_b"])
def test_each_role_reads_only_the_words_of_a_concern_section_2_allows_on_every_page_and_json(team, planted, role):
    shown = pages_of(team, role)
    expected = SEES.get(role, [])
    visit_page = shown[f"/visits/{team.home_visit.id}"]
    for words in expected:
        assert words in visit_page, (role, words)
    for url, body in shown.items():
        for words in EVERYTHING:
            if words not in expected:
                assert words not in body, (role, url, words)


def test_the_link_officer_sees_nothing_of_concerns_not_referred_not_even_that_they_exist(team, planted):
    page = pages_of(team, "link_officer")[f"/visits/{team.home_visit.id}"]
    assert page.count('<article class="concern') == 2  # the referred one and the one with an outcome
    assert planted["raised"].id not in page and planted["not_referred"].id not in page
    assert "Not referred" not in page and "waiting for the lead" not in page


@pytest.mark.parametrize("role, status", [("lead_reviewer", 200), ("reviewer", 403), ("lay_assessor", 403),
                                          ("link_officer", 403), ("coordinator", 403), ("lead_b", 404),
                                          ("link_b", 404)])
def test_only_the_lead_reaches_the_concerns_page(team, app, role, status):
    client = signed_in(app, team.member(role))
    assert client.get("/concerns", query_string={"review": team.review.id}).status_code == status


def test_the_lead_sees_every_concerns_state_and_age(team, app, planted):
    concern = planted["referred"]
    concern.referred_at = datetime.now(timezone.utc) - timedelta(hours=2, minutes=5)
    planted["raised"].raised_at = datetime.now(timezone.utc) - timedelta(days=3)
    db.session.commit()
    page = signed_in(app, team.lead).get("/concerns", query_string={"review": team.review.id}).get_data(as_text=True)
    assert "Referred 2 hours ago, not acknowledged" in page
    assert "Raised 3 days ago, waiting for the lead reviewer" in page
    assert "Not referred (decided less than a minute ago)" in page and REASON in page
    assert "Outcome recorded less than a minute ago" in page and OUTCOME in page
    # What waits on the lead first, then what waits on the council.
    assert page.index("PLANTED-TEXT-raised") < page.index("PLANTED-TEXT-referred") < page.index(
        "PLANTED-TEXT-not_referred")
    assert count(AuditEvent, AuditEvent.action == "read", AuditEvent.subject_type == "concerns") == 1


# --- the board: referrals nobody acknowledged, in red ---------------------------------------------------------


def board_of(app, team, user) -> str:
    return signed_in(app, user).get("/attendance", query_string={"date": team.day.isoformat()}).get_data(
        as_text=True)


def test_the_board_shows_unacknowledged_referrals_in_red_with_their_age_to_the_lead_and_the_link_officer(
        team, app):
    waiting = concern_at(team, "referred")
    waiting.referred_at = datetime.now(timezone.utc) - timedelta(hours=3)
    concern_at(team, "acknowledged")
    db.session.commit()

    lead_board = board_of(app, team, team.lead)
    panel = lead_board.split('id="referrals-unacknowledged" class="alert-panel"')[1].split("</section>")[0]
    assert "1 referral not acknowledged" in panel
    assert 'class="badge bad">Referred 3 hours ago, not acknowledged' in panel
    assert f"#concern-{waiting.id}" in panel and "PLANTED-CONTACT" in panel

    link_board = board_of(app, team, team.link)
    panel = link_board.split('id="concerns-to-watch" class="alert-panel"')[1].split("</section>")[0]
    assert "2 concerns referred to the council" in panel
    assert 'class="badge bad">Referred 3 hours ago, not acknowledged' in panel
    assert 'class="badge warn">Acknowledged less than an hour ago, outcome not recorded yet' in panel
    assert CONCERN_TEXT not in link_board

    coordinator_board = board_of(app, team, team.coordinator)
    assert "referrals-unacknowledged" not in coordinator_board and "concerns-to-watch" not in coordinator_board


def test_once_acknowledged_a_referral_is_no_longer_red_and_the_polled_board_changes(team, app):
    concern = concern_at(team, "referred")
    link = signed_in(app, team.link)
    page = link.get("/attendance", query_string={"date": team.day.isoformat()}).get_data(as_text=True)
    version = page.split('id="board-version" name="v" value="')[1].split('"')[0]
    # Minutes passing change nothing on the board (its ages are in hours): the poll stays quiet.
    assert link.get("/attendance/board-fragment",
                    query_string={"date": team.day.isoformat(), "v": version}).status_code == 204
    send_one(link, acknowledge_op(concern.id))
    fragment = link.get("/attendance/board-fragment", query_string={"date": team.day.isoformat(), "v": version})
    assert fragment.status_code == 200
    html = fragment.get_data(as_text=True)
    assert "not acknowledged" not in html and 'class="warn-panel"' in html
    assert "referrals-unacknowledged" not in board_of(app, team, team.lead)


# --- the emergency and out-of-hours numbers ----------------------------------------------------------------


def test_the_concern_form_explains_the_ratings_and_shows_the_reviews_numbers_above_the_text_box(team, app):
    page = signed_in(app, team.reviewer).get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    form = page.split('data-op-type="concern.raise"')[1].split("</form>")[0]
    assert "If someone is in immediate danger, call 999." in form
    assert form.index("immediate danger") < form.index('id="concern-text"')
    assert "Someone may be harmed now or very soon" in form and "nobody is in danger right now" in form
    assert "Out of hours" not in form  # none set yet

    lead = signed_in(app, team.lead)
    answer = lead.post(f"/concerns/contacts?review={team.review.id}",
                       data={"emergency_number": "999", "out_of_hours_number": "0300 123 4567 (Emergency Duty Team)"})
    assert answer.status_code == 303
    page = signed_in(app, team.reviewer).get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    assert "safeguarding line: 0300 123 4567 (Emergency Duty Team)." in page
    assert count(AuditEvent, AuditEvent.action == "review.emergency_numbers") == 1


@pytest.mark.parametrize("role, status", [("lead_reviewer", 303), ("coordinator", 303), ("reviewer", 403),
                                          ("lay_assessor", 403), ("link_officer", 403), ("lead_b", 404)])
def test_the_lead_and_the_coordinator_set_the_numbers(team, app, role, status):
    client = signed_in(app, team.member(role))
    answer = client.post(f"/concerns/contacts?review={team.review.id}",
                         data={"emergency_number": "112", "out_of_hours_number": ""})
    assert answer.status_code == status
    assert db.session.get(Review, team.review.id).emergency_number == ("112" if status == 303 else "999")
    if status == 303:
        assert client.get(answer.headers["Location"]).status_code == 200


def test_a_blank_emergency_number_is_refused_next_to_its_field_and_what_was_typed_is_kept(team, app):
    client = signed_in(app, team.coordinator)
    answer = client.post(f"/concerns/contacts?review={team.review.id}",
                         data={"emergency_number": " ", "out_of_hours_number": "0300 999 000"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and 'id="numbers-emergency_number-error"' in html
    assert "Enter the emergency number, for example 999." in html and 'value="0300 999 000"' in html
    too_long = client.post(f"/concerns/contacts?review={team.review.id}",
                           data={"emergency_number": "9" * 121})
    assert too_long.status_code == 400
    assert db.session.get(Review, team.review.id).emergency_number == "999"


def test_the_numbers_cannot_change_once_the_review_is_closed(team, app):
    from visits.admin.reviews import close_review

    close_review(db.session.get(Review, team.review.id), by=team.lead)
    db.session.commit()
    lead = signed_in(app, team.lead)
    page = lead.get("/concerns/contacts", query_string={"review": team.review.id})
    assert page.status_code == 200 and "can no longer be changed" in page.get_data(as_text=True)
    answer = lead.post(f"/concerns/contacts?review={team.review.id}",
                       data={"emergency_number": "112"})
    assert answer.status_code == 403


def test_the_coordinator_finds_the_numbers_on_the_reviews_administration_page(team, app):
    review = db.session.get(Review, team.review.id)
    review.out_of_hours_number = "0300 123 4567"
    db.session.commit()
    page = signed_in(app, team.coordinator).get(f"/admin/reviews/{team.review.id}").get_data(as_text=True)
    assert "Emergency and out-of-hours numbers" in page and "0300 123 4567" in page
    assert f'href="/concerns/contacts?review={team.review.id}"' in page
