"""A person's day: whose visits each role finds in their itinerary, and the JSON twin of the page."""
from __future__ import annotations

from datetime import timedelta

import pytest




def titles(client, day):
    response = client.get(f"/api/itinerary?from={day}&to={day + timedelta(days=1)}")
    assert response.status_code == 200
    return {visit["title"] for visit in response.json["visits"] if visit["title"]}, response.json["visits"]


def test_lay_assessor_sees_only_their_own_visits(world, client):
    client.login(world.lay)
    found, visits = titles(client, world.setting_visit.starts_at.date())
    assert found == {"Maes Day Centre"}
    assert [v["full"] for v in visits] == [True]


def test_reviewer_on_two_reviews_sees_both(world, client):
    client.login(world.reviewer)
    found, visits = titles(client, world.home_visit.starts_at.date())
    assert found == {"Home visit CTV-001", "Interview in review B"}
    assert {v["council_name"] for v in visits} == {"Cwm Taf Valleys Council", "Glan-y-Môr County Council"}


def test_link_officer_sees_the_whole_programme_of_their_review_only(world, client):
    client.login(world.link)
    found, _ = titles(client, world.home_visit.starts_at.date())
    assert found == {"Home visit CTV-001", "Maes Day Centre", "Interview: Sam Social Worker"}


def test_lead_of_other_review_sees_none_of_review_a(world, client):
    client.login(world.lead_b)
    found, _ = titles(client, world.home_visit.starts_at.date())
    assert found == {"Interview in review B", "Partners meeting B"}


# The day's page as each role gets it: which visits it lists, and whether it names Mrs Jones (DESIGN section 2).
DAY_PAGE = {
    "lead_reviewer": ({"Home visit CTV-001", "Maes Day Centre", "Interview: Sam Social Worker"}, True),
    "reviewer": ({"Home visit CTV-001", "Interview in review B"}, True),
    "reviewer2": ({"Interview: Sam Social Worker"}, False),
    "lay_assessor": ({"Maes Day Centre"}, False),
    "link_officer": ({"Home visit CTV-001", "Maes Day Centre", "Interview: Sam Social Worker"}, True),
    # A home visit's typed title may name the person visited: the coordinator reads its kind and case (issue 12).
    "coordinator": ({"Home visit · CTV-001", "Maes Day Centre", "Interview: Sam Social Worker"}, False),
    "lead_b": ({"Interview in review B"}, False),
}
ALL_TITLES = {"Home visit CTV-001", "Home visit · CTV-001", "Maes Day Centre", "Interview: Sam Social Worker",
              "Interview in review B", "Partners meeting B"}


@pytest.mark.parametrize("path", ["/", "/itinerary?date={day}"])
@pytest.mark.parametrize("role", list(DAY_PAGE))
def test_the_day_page_lists_each_role_its_visits_and_names_only_whom_it_may(world, client, role, path):
    client.login(world.member(role))
    response = client.get(path.format(day=world.home_visit.starts_at.date().isoformat()))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    listed, names_mrs_jones = DAY_PAGE[role]
    assert {title for title in ALL_TITLES if f">{title}</a>" in page} == listed
    assert ("Mrs A. Jones" in page) is names_mrs_jones
    assert "4 Secret Lane" not in page or names_mrs_jones


def test_itinerary_page_lists_the_day_in_time_order_with_place_team_and_needs(world, client):
    client.login(world.link)
    day = world.home_visit.starts_at.date()
    page = client.get(f"/itinerary?date={day}").get_data(as_text=True)
    order = [page.index(t) for t in ("Maes Day Centre", "Interview: Sam Social Worker", "Home visit CTV-001")]
    assert order == sorted(order)
    assert "Rhys Reviewer" in page and "Interpreter: Polish" in page and "not arranged" in page
    assert "maps/search" in page


def test_itinerary_page_next_day_link_and_week_strip(world, client):
    client.login(world.reviewer)
    day = world.home_visit.starts_at.date()
    page = client.get(f"/itinerary?date={day}").get_data(as_text=True)
    assert f'href="/itinerary?date={day + timedelta(days=1)}"' in page
    assert 'aria-current="date"' in page
    assert page.count('class="week-strip"') == 1


def test_today_is_the_default(world, client):
    client.login(world.lay)
    page = client.get("/").get_data(as_text=True)
    assert "Maes Day Centre" in page and ">today<" in page


@pytest.mark.parametrize("query", ["date=tomorrow", "date=2026-13-01", "date=2026-02-30"])
def test_a_bad_date_is_a_readable_400(world, client, query):
    client.login(world.reviewer)
    response = client.get(f"/itinerary?{query}")
    assert response.status_code == 400
    assert "2026-11-23" in response.get_data(as_text=True)  # the message shows the expected form


@pytest.mark.parametrize("query,field", [
    ("from=2026-11-23", "to"), ("to=2026-11-23", "from"), ("from=nope&to=2026-11-23", "from"),
    ("from=2026-11-23&to=2026-11-01", "to"), ("from=2026-01-01&to=2026-12-31", "to"),
])
def test_api_itinerary_explains_bad_parameters(world, client, query, field):
    client.login(world.reviewer)
    response = client.get(f"/api/itinerary?{query}")
    assert response.status_code == 400
    assert field in response.json["fields"]


def test_visit_page_has_everything_for_the_doorstep(world, client):
    client.login(world.reviewer)
    page = client.get(f"/visits/{world.home_visit.id}").get_data(as_text=True)
    for expected in ("4 Secret Lane", "Ring the bell", "Visitor bays", "CTV-001", "Mrs A. Jones",
                     "Interpreter: Polish", "Lyn Link", "tel:07700900555"):
        assert expected in page


def test_reading_a_service_users_record_is_audited(world, client, app):
    from visits.extensions import db
    from visits.models import AuditEvent

    client.login(world.link)
    client.get(f"/visits/{world.home_visit.id}")
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="read")).all()
    assert [(e.subject_type, e.subject_id, e.user_id) for e in events] == [
        ("service_user_record", str(world.home_visit.id), world.link.id)]
