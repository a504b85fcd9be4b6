"""The evidence pack and a case's pathway on PostgreSQL: the same notes, grouped and named the same way."""
from __future__ import annotations

import csv
import io

import pytest

from ..support.clients import signed_in
from ..support.world import console_world
from .test_evidence_exports import NAMES, plant_pack, sections

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_app):
    return pg_app


def test_the_pack_and_the_pathway_on_postgres(app):
    pack = plant_pack(console_world())
    lead = signed_in(app, pack.lead)
    body = lead.get("/evidence/export.docx", query_string={"review": pack.review.id}).data
    by_theme = sections(body)
    assert list(by_theme) == ["Assessment", "Safeguarding", "No theme"]
    assert "HOMEVISIT-7781" in by_theme["Safeguarding"]

    rhys = signed_in(app, pack.reviewer)
    text = rhys.get("/evidence/export.csv", query_string={"review": pack.review.id, "q": "HOMEVISIT"}).data
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8").lstrip("\ufeff"))))
    assert [row["Note id"] for row in rows] == [pack.home_note.id]
    assert not [name for name in NAMES if name in text.decode("utf-8")]

    pathway = rhys.get(f"/cases/{pack.case.id}").get_data(as_text=True)
    assert "HOMEVISIT-7781" in pathway and "COLLEAGUE-6610" not in pathway
