"""The evidence's blueprint, on its own so each view module (views.py: the page; the exports; a case's pathway)
can add its routes to it without importing the package that imports them."""
from flask import Blueprint, g

bp = Blueprint("evidence", __name__)


@bp.before_request
def _no_offline_copy():
    """Evidence pages gather many people's notes: they are for the desk, never a phone's offline cache (DESIGN
    section 9). The flag asks visits/security.py to leave out the mark without which the service worker stores
    nothing."""
    g.no_offline_copy = True
