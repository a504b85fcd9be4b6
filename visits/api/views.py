"""The JSON API: the same decisions as the pages, dumped through the schemas."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required
from marshmallow import ValidationError

from .. import audit
from ..extensions import db
from ..itinerary.queries import visits_between
from ..schemas import ItineraryOut, ItineraryQuery
from .responses import bad_request

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/itinerary")
@login_required
def itinerary():
    try:
        query = ItineraryQuery().load(request.args.to_dict())
    except ValidationError as error:
        return bad_request(error)
    visits = visits_between(current_user, query["from_"], query["to"])
    first, last = query["from_"].isoformat(), query["to"].isoformat()
    # One read for the days asked for (an ISO 8601 interval when more than one), as the itinerary page does.
    audit.record_itinerary_read(current_user, first if first == last else f"{first}/{last}", visits, view="api")
    db.session.commit()
    return jsonify(ItineraryOut().dump({"visits": visits}))
