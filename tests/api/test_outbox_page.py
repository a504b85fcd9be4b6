"""/outbox, the list of what waits on a phone, is a shell: the phone draws the list from its own outbox, so the
page carries nothing of the server's records, for any role (DESIGN section 2). It is on every person's list of
pages to keep, so it opens with no signal; the list the worker keeps pages by is only ever the person's own."""
from __future__ import annotations

import pytest

from visits.extensions import db

from ..support import factories as f

ROLES = ["lead_reviewer", "reviewer", "reviewer2", "lay_assessor", "link_officer", "coordinator", "lead_b", "link_b"]
NOTE_TEXT = "OUTBOX-PAGE note: Mrs A. Jones keeps her tablets in the biscuit tin."
CONCERN_TEXT = "OUTBOX-PAGE concern: bruising on her arm."


@pytest.fixture
def planted(world):
    f.gen_note(world.home_visit, world.reviewer, body=NOTE_TEXT, kind="home_visit")
    f.gen_concern(world.home_visit, world.reviewer, text=CONCERN_TEXT, category="safeguarding", rating="red")
    db.session.commit()
    return world


@pytest.mark.parametrize("role", ROLES)
def test_the_outbox_page_is_a_shell_with_nothing_of_anyone_for_every_role(planted, client, role):
    client.login(planted.member(role))
    response = client.get("/outbox")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Changes waiting on this phone" in page and 'id="outbox-list"' in page
    for secret in (NOTE_TEXT, CONCERN_TEXT, "Mrs A. Jones", "Secret Lane", "07700 900777", "CTV-001", "Polish"):
        assert secret not in page, f"{role} sees {secret!r} on /outbox"
    # The phone keeps it as the person's own page, for no signal.
    assert response.headers["X-Fieldwork-User"]
    assert "/outbox" in client.get("/api/offline-pages").json["urls"]


def test_the_outbox_page_needs_a_session(client):
    response = client.get("/outbox")
    assert response.status_code in (302, 401)
    assert "Changes waiting" not in response.get_data(as_text=True)


def test_the_list_of_pages_to_keep_names_whose_it_is(world, client):
    """The service worker stores pages by this list only when it is the asking person's (service_worker/sw.js)."""
    client.login(world.reviewer)
    mark = client.get("/").headers["X-Fieldwork-User"]
    assert client.get("/api/offline-pages").headers["X-Fieldwork-User"] == mark


def test_the_words_for_waiting_changes_are_the_pages_not_the_scripts(world, client):
    """Every word the scripts show of a waiting change comes from the page (a Welsh catalogue comes next)."""
    import json
    import re

    client.login(world.reviewer)
    page = client.get(f"/visits/{world.home_visit.id}").get_data(as_text=True)
    words = json.loads(re.search(r'id="waiting-words">(.*?)</script>', page, re.S).group(1))
    assert words["labels"]["note_kind"]["home_visit"] and words["labels"]["attendance_status"]["attended"]
    assert words["fields"]["body"] == "Note"
    strings = json.loads(re.search(r'id="ui-strings">(.*?)</script>', page, re.S).group(1))
    assert strings["waiting_since"] == "Waiting to send — saved on this phone {time}"
