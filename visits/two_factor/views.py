from flask import Blueprint

bp = Blueprint("two_factor", __name__)
