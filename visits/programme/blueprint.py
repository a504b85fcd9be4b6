"""The console's blueprint, on its own so the view modules can add their routes to it without importing the
package that imports them."""
from flask import Blueprint, g

bp = Blueprint("programme", __name__)


@bp.before_request
def _no_offline_copy():
    """The console's pages show the whole programme and service users' identities: they are for the desk, not for
    a phone's offline cache (DESIGN section 9: the minimum stays on a device). The flag asks visits/security.py
    to leave out the X-Fieldwork-User mark, without which the service worker stores nothing."""
    g.no_offline_copy = True
