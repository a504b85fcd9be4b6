"""The link officer's console: build and adapt the programme, check it against the guide's rules, watch
attendance and overdue home visits on the day, arrange needs, import and export.

One blueprint (blueprint.py); its views live in one module per thing a user does (programme editing, import,
board, needs) and are registered by importing them here."""
from . import board_views, import_views, needs_views, setup_views, travel_views, views  # noqa: F401  (the modules add their routes to bp)
from .blueprint import bp

__all__ = ["bp"]
