"""The floor for `make bench`'s page figures: a Flask app with one endpoint that does nothing, served by the same
gunicorn command line as the real app (tests/support/gunicorn.py), so the ratio is what Fieldwork's page costs."""
from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/healthz")
    @app.get("/bare")
    def bare():
        return "ok"

    return app
