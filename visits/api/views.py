"""The JSON API: the same decisions as the pages, dumped through the schemas."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ..itinerary.queries import visits_between
from ..schemas import ItineraryOut, ItineraryQuery

bp = Blueprint("api", __name__, url_prefix="/api")


def bad_request(error: ValidationError):
    return jsonify(error="invalid", fields=error.messages), 400


@bp.get("/itinerary")
@login_required
def itinerary():
    try:
        query = ItineraryQuery().load(request.args.to_dict())
    except ValidationError as error:
        return bad_request(error)
    visits = visits_between(current_user, query["from_"], query["to"])
    return jsonify(ItineraryOut().dump({"visits": visits}))
