"""The glossary page: the built-in terms and those a review added. It is harmless and useful without signal, so
unlike the console's pages it may be kept offline."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from .terms import all_terms

bp = Blueprint("glossary", __name__)


@bp.get("/glossary")
@login_required
def index():
    return render_template("glossary/index.html", terms=all_terms())
