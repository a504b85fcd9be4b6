"""The evidence for the review's report (DESIGN section 12): every note the viewer may read, filtered and searched
with the database's own full-text engine. queries.readable_notes is the one query; search.py the engines.

One blueprint (blueprint.py, endpoint prefix `evidence.`); each view module adds its routes to it and is
registered by importing it here."""
from . import views  # noqa: F401  (the modules add their routes to bp)
from . import export_views  # noqa: F401  (exports and a case's pathway: export_views.py)
from .blueprint import bp

__all__ = ["bp"]
