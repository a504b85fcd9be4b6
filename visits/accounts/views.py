from flask import Blueprint, abort

bp = Blueprint("accounts", __name__)


# Endpoints named here so links can be built (visits/accounts/service.py); the pages are still to be written.
@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token: str):
    abort(404)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    abort(404)
