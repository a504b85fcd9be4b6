"""A case's pathway and the evidence pack in Chromium: the lead follows the link from a home visit to the case's
pathway on a phone and a laptop, a reviewer reads his own visits on it and only the time of a colleague's, and the
lead downloads the Word pack from the export page; axe-clean at 360 and 1280 px."""
from __future__ import annotations

import io

import docx
import pytest

from ..api.test_evidence_exports import CARER_NAME, plant_pack, sections
from ..support.browser import assert_accessible, sign_in, unfold
from ..support.world import SERVICE_USER_NAME, console_world

LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def pack(app):
    return plant_pack(console_world())


def test_the_lead_follows_a_home_visit_to_its_case_pathway_on_a_phone_and_a_laptop(page, pack):
    sign_in(page, pack.lead)
    page.goto(f"/visits/{pack.home_visit.id}")
    unfold(page, "notes")  # the pathway is with the visit's notes
    page.get_by_role("link", name="This case’s pathway: its visits and notes in order").click()
    page.wait_for_url(f"**/cases/{pack.case.id}")
    page.get_by_role("heading", name="Case AD-014", level=1).wait_for()
    assert SERVICE_USER_NAME in page.locator("main").inner_text()
    assert CARER_NAME in page.locator("main").inner_text()
    steps = page.locator("li.pathway-step")
    assert steps.count() == 3
    assert "INTERVIEW-3345" in steps.nth(0).inner_text()
    assert "HOMEVISIT-7781" in steps.nth(1).inner_text()
    assert "COLLEAGUE-6610" in steps.nth(2).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "case-pathway-lead-phone")

    page.set_viewport_size(LAPTOP)
    page.reload()
    assert_accessible(page, "case-pathway-lead-laptop")


def test_a_reviewer_sees_only_the_time_and_kind_of_a_colleagues_visit_on_the_pathway(page, pack):
    sign_in(page, pack.reviewer)
    page.goto(f"/cases/{pack.case.id}")
    main = page.locator("main").inner_text()
    assert "HOMEVISIT-7781" in main and "COLLEAGUE-6610" not in main
    assert SERVICE_USER_NAME not in main and "Service user (AD-014)" in main
    assert page.locator("li.pathway-step.not-yours").count() == 1
    assert_accessible(page, "case-pathway-reviewer-phone")
    page.set_viewport_size(LAPTOP)
    page.reload()
    assert_accessible(page, "case-pathway-reviewer-laptop")


def test_the_lead_downloads_the_word_pack_from_the_export_page(page, pack):
    sign_in(page, pack.lead)
    page.goto(f"/evidence/export?review={pack.review.id}")
    page.get_by_role("heading", name="Export the evidence").wait_for()
    assert page.get_by_label("Name service users and carers").is_visible()
    assert_accessible(page, "evidence-export-phone")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download Word document (.docx)").click()
    assert download.value.suggested_filename == f"evidence-{pack.review.id}.docx"
    body = open(download.value.path(), "rb").read()
    by_theme = sections(body)
    assert "HOMEVISIT-7781" in by_theme["Safeguarding"]
    assert SERVICE_USER_NAME not in "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)

    page.set_viewport_size(LAPTOP)
    page.reload()
    assert_accessible(page, "evidence-export-laptop")
