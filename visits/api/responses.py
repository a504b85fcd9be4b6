"""The answer every JSON endpoint gives to a query or body its schema refused."""
from __future__ import annotations

from flask import Response, jsonify
from marshmallow import ValidationError

from ..schemas.base import flatten_errors


def bad_request(error: ValidationError) -> tuple[Response, int]:
    """400 `{"error": "invalid", "fields": {field: [message, ...]}}`, the shape schemas.ErrorOut documents."""
    return jsonify(error="invalid", fields=flatten_errors(error.messages)), 400
