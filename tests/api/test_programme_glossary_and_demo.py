"""The glossary and its <abbr> filter; the demo programme's known findings as the console shows them."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from visits.demo import INTENDED_FINDINGS, build_demo
from visits.extensions import db
from visits.models import Review, ReviewPhase, User, Visit
from visits.glossary.terms import abbreviate



def test_known_acronyms_are_wrapped_in_abbr_and_everything_else_is_escaped():
    with_terms = abbreviate("SSIW and WAO met the LINKs about CAMHs <script>")
    assert '<abbr title="Social Services Inspectorate for Wales">SSIW</abbr>' in with_terms
    assert '<abbr title="Wales Audit Office">WAO</abbr>' in with_terms
    assert '<abbr title="Local Involvement Network">LINKs</abbr>' in with_terms
    assert '<abbr title="Child and Adolescent Mental Health Services">CAMHs</abbr>' in with_terms
    assert "&lt;script&gt;" in with_terms and "<script>" not in with_terms
    assert abbreviate("the link officer") == "the link officer"  # words, not acronyms, are left alone
    assert abbreviate(None) == ""


def test_the_glossary_page_lists_the_terms_for_everyone_signed_in(client, app):
    from ..support import factories as f

    review = f.gen_review()
    reviewer = f.gen_member(review, "reviewer")
    db.session.commit()
    client.login(reviewer)
    html = client.get("/glossary").get_data(as_text=True)
    for term, expansion in (("SSIW", "Social Services Inspectorate for Wales"), ("SWOT", "Strengths, weaknesses"),
                            ("CAMHS", "Child and Adolescent"), ("RAG", "Red, amber, green")):
        assert f'<abbr title="{expansion}' in html and f">{term}</abbr>" in html
    # A reviewer's navigation offers no console pages.
    assert 'href="/programme"' not in html and 'href="/glossary"' in html


# Monday 9 March 2026: the demo's week, loaded on its Monday, with the clock at 10:00 that day.
DEMO_DAY = date(2026, 3, 9)


@pytest.fixture
def demo(app):
    build_demo(db.session, DEMO_DAY, "pw")
    db.session.commit()
    from datetime import datetime, timezone
    app.config["CLOCK"] = lambda: datetime(2026, 3, 9, 10, 0, tzinfo=timezone.utc)
    return db.session.scalar(select(Review).where(Review.phase == ReviewPhase.fieldwork))


def test_the_demo_programme_shows_exactly_its_intended_findings(client, demo):
    link = db.session.scalar(select(User).filter_by(email="link@demo.test"))
    client.login(link, password="pw")
    body = client.get("/api/programme/findings", query_string={"review": demo.id}).get_json()
    assert sorted({finding["rule"] for finding in body["findings"]}) == sorted(INTENDED_FINDINGS)
    page = client.get("/programme", query_string={"review": demo.id})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for rule in INTENDED_FINDINGS:
        assert f"<code>{rule}</code>" in html
    assert html.index("<h3 class=\"severity-error\">") < html.index("<h3 class=\"severity-warning\">")


@pytest.mark.parametrize("email", ["link@demo.test", "lead@demo.test", "coordinator@demo.test"])
def test_every_console_page_opens_on_the_demo(client, demo, email):
    user = db.session.scalar(select(User).filter_by(email=email))
    client.login(user, password="pw")
    for url in ("/programme", "/attendance", "/needs", "/api/programme/findings", "/glossary", "/calendar"):
        response = client.get(url, query_string={"review": demo.id} if url != "/glossary" else None)
        assert response.status_code == 200, (email, url)


def test_acronyms_in_the_demos_visit_pages_are_explained(client, demo):
    """Where the app shows them (a briefing, a title, an agenda), not only on the glossary page."""
    lead = db.session.scalar(select(User).filter_by(email="lead@demo.test"))
    visit = db.session.scalar(select(Visit).where(Visit.review_id == demo.id, Visit.briefing.contains("SWOT")))
    client.login(lead, password="pw")
    html = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert '<abbr title="Strengths, weaknesses' in html and ">SWOT</abbr> analysis" in html
