"""The link officer's console (issue 5): build and adapt the programme, check it against the guide's rules, watch
attendance and overdue home visits on the day, arrange needs, import and export, the calendar feed, the glossary.

One blueprint; its views live in one module per thing a user does (programme editing, import, board, needs,
calendar, glossary) and are registered by importing them here."""
from flask import Blueprint

bp = Blueprint("programme", __name__)


@bp.before_request
def _no_offline_copy():
    """The console's pages show the whole programme and service users' identities: they are for the desk, not for
    a phone's offline cache (DESIGN section 9: the minimum stays on a device). The flag asks visits/security.py
    to leave out the X-Fieldwork-User mark, without which the service worker stores nothing. The glossary is
    harmless and useful offline, so it may be kept."""
    from flask import g, request

    if request.endpoint != "programme.glossary":
        g.no_offline_copy = True

from . import (  # noqa: E402,F401  (the modules add their routes to bp)
    board_views,
    calendar_views,
    glossary,
    import_views,
    needs_views,
    views,
)
