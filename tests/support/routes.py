"""The administration routes (DESIGN section 10) with their ids as placeholders, named once for every test that
walks them: the permission matrix (tests/api/test_permissions.py) and the administration tests. A test checks the
list against the app's URL map, so a new route cannot be left out of the matrix."""
from __future__ import annotations

ADMIN_GETS = ["/admin", "/admin/accounts", "/admin/reviews/{review}", "/admin/reviews/{review}/team"]
ADMIN_POSTS = ["/admin/reviews", "/admin/reviews/{review}", "/admin/reviews/{review}/status",
               "/admin/reviews/{review}/members", "/admin/reviews/{review}/members/{member}/role",
               "/admin/reviews/{review}/members/{member}/remove",
               "/admin/reviews/{review}/members/{member}/reset-link", "/admin/accounts",
               "/admin/accounts/{member}/disable", "/admin/accounts/{member}/enable",
               "/admin/accounts/{member}/reset-link", "/admin/accounts/{member}/coordinator"]

_PLACEHOLDERS = {"<int:review_id>": "{review}", "<int:user_id>": "{member}"}


def routes_in_app(app, prefix: str, method: str) -> set[str]:
    """Every rule under `prefix` that answers `method`, written as the lists above write them."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix) and method in rule.methods:
            path = rule.rule
            for argument, placeholder in _PLACEHOLDERS.items():
                path = path.replace(argument, placeholder)
            found.add(path)
    return found


# --- Every route × every role (tests/api/test_route_matrix.py) -------------------------------------------------
# A decision for each rule of the app's URL map and each of its methods, keyed "METHOD rule" as Flask writes the
# rule. A new route fails that test until it has a row here: decide it by DESIGN section 2 (who may see what).

OK = "allowed"          # the page or answer (or, for a write with an empty form, its field errors / a redirect on)
FORBIDDEN = "403"       # signed in, and not theirs to do
HIDDEN = "404"          # not theirs to know exists (another review's, a token that is not one)
SIGN_IN = "sign in"     # signed out: a redirect to /login, or 401 for JSON

MATRIX_ROLES = ("lead", "reviewer", "lay", "link", "coordinator", "other_review", "signed_out")

# The ids a walk puts in a rule: the world's own rows by argument name (test_route_matrix.ids_of), else these.
_STAND_INS = {"passkey_id": 999_999, "name": "notes", "filename": "css/app.css"}


def rule_keys_in_app(app) -> set[str]:
    """"METHOD rule" for every rule of the URL map and every method it answers (HEAD and OPTIONS are Flask's)."""
    return {f"{method} {rule.rule}" for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


# Every URL asks for review A (`review=`, which review-wide pages read; the others ignore it), so a member of
# another review is asked about a review not theirs; routes that need more say what here.
# The JSON endpoints refuse what they do not know, so they get only what they take.
QUERIES = {"GET /api/notes": "visit={visit_id}", "GET /api/attendance": "date={day}",
           "GET /api/itinerary": "from={day}&to={day}", "GET /itinerary": "date={day}",
           "POST /visits/<int:visit_id>/ops": "type=note.save"}
# Writes sent with a whole form rather than an empty one, where the view reads the form before it asks who may:
# the visit page's note form (a new note on Rhys's home visit).
FORMS = {"POST /visits/<int:visit_id>/ops": {"op_id": "7d1f5a52-8f0e-4b8e-9a57-5b0c2f1e9a01",
                                             "note_id": "0b6a3f0e-3c1d-4f6e-8e43-2d9b7f4c1a02",
                                             "visit_id": "{visit_id}", "kind": "home_visit",
                                             "body": "A note written from the route matrix."}}


def form_for(key: str, ids: dict) -> dict:
    return {name: value.format(**ids) for name, value in FORMS.get(key, {}).items()}


def url_for_rule(key: str, ids: dict) -> str:
    """The URL a walk asks for `key` ("METHOD rule"), with the world's ids in it."""
    import re

    def fill(match) -> str:
        name = match.group(1)
        return str(ids[name] if name in ids else _STAND_INS[name])

    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", fill, key.split(" ", 1)[1])
    review = "" if path.startswith("/api/") and path != "/api/programme/findings" else f"review={ids['review_id']}"
    query = "&".join(part for part in (QUERIES.get(key, "").format(**ids), review) if part)
    return f"{path}?{query}" if query else path


def decide(default: str = FORBIDDEN, signed_out: str = SIGN_IN, **roles: str) -> dict[str, str]:
    """A row: the roles named get what is named, the other signed-in roles `default`."""
    row = {role: roles.get(role, default) for role in MATRIX_ROLES if role != "signed_out"}
    return {**row, "signed_out": signed_out}


EVERYONE = decide(OK, signed_out=OK)            # public: the sign-in page, health, static files
SIGNED_IN = decide(OK)                           # anyone signed in, about themselves

# What each role gets on each route, walked on review A (tests/api/test_route_matrix.py: Rhys's home visit, its
# case, service user and note; the review asked for with `review=`). "other_review" is review B's lead: review A's
# things do not exist for them. A write is sent with an empty form, so OK there means "got past the permission
# check" (to the form's errors, or to a redirect for a write that needs no field) -- or, where a view parses before
# it checks, to the parse; the refusals are what the row pins down.
ROUTE_DECISIONS: dict[str, dict[str, str]] = {
    "GET /": SIGNED_IN,
    "GET /account": SIGNED_IN,
    "POST /account/passkeys": SIGNED_IN,
    "POST /account/passkeys/<int:passkey_id>/remove": decide(HIDDEN),  # a passkey id that is nobody's
    "POST /account/passkeys/options": SIGNED_IN,
    "GET /account/password": SIGNED_IN,
    "POST /account/password": SIGNED_IN,
    "GET /account/sessions": SIGNED_IN,
    "POST /account/sessions/<int:session_id>/end": decide(HIDDEN),  # another person's session: not theirs to know
    "POST /account/sessions/end-others": SIGNED_IN,
    "GET /account/two-factor": SIGNED_IN,
    "POST /account/two-factor": SIGNED_IN,
    "POST /account/two-factor/disable": SIGNED_IN,
    "POST /account/two-factor/recovery-codes": SIGNED_IN,
    "GET /admin": decide(OK, reviewer=FORBIDDEN, lay=FORBIDDEN, link=FORBIDDEN),
    "GET /admin/accounts": decide(),
    "POST /admin/accounts": decide(),
    "POST /admin/accounts/<int:user_id>/coordinator": decide(),
    "POST /admin/accounts/<int:user_id>/disable": decide(),
    "POST /admin/accounts/<int:user_id>/enable": decide(),
    "POST /admin/accounts/<int:user_id>/reset-link": decide(),
    "POST /admin/reviews": decide(),
    "GET /admin/reviews/<int:review_id>": decide(coordinator=OK),
    "POST /admin/reviews/<int:review_id>": decide(coordinator=OK),
    "POST /admin/reviews/<int:review_id>/members": decide(coordinator=OK),
    "POST /admin/reviews/<int:review_id>/members/<int:user_id>/remove": decide(coordinator=OK),
    "POST /admin/reviews/<int:review_id>/members/<int:user_id>/reset-link": decide(coordinator=OK),
    "POST /admin/reviews/<int:review_id>/members/<int:user_id>/role": decide(coordinator=OK),
    "POST /admin/reviews/<int:review_id>/status": decide(coordinator=OK),
    "GET /admin/reviews/<int:review_id>/team": decide(lead=OK, coordinator=OK),
    "GET /api/attendance": SIGNED_IN,
    "GET /api/csrf": SIGNED_IN,
    "GET /api/itinerary": SIGNED_IN,
    "GET /api/notes": decide(lead=OK, reviewer=OK, other_review=HIDDEN),
    "GET /api/offline-pages": SIGNED_IN,
    "GET /api/openapi.json": EVERYONE,
    "GET /api/programme/findings": decide(OK, reviewer=FORBIDDEN, lay=FORBIDDEN, other_review=HIDDEN),
    "POST /api/sync": SIGNED_IN,
    "GET /attendance": decide(OK, reviewer=FORBIDDEN, lay=FORBIDDEN, other_review=HIDDEN),
    "GET /attendance/board-fragment": decide(OK, reviewer=FORBIDDEN, lay=FORBIDDEN, other_review=HIDDEN),
    "POST /attendance/overdue/<int:visit_id>/acknowledge": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /audit": decide(HIDDEN, lead=OK, coordinator=OK),
    "GET /calendar": SIGNED_IN,
    # The feed's secret URL is its key (a calendar app cannot sign in); it must name nobody a stranger may not know.
    "GET /calendar/<token>.ics": EVERYONE,
    "POST /calendar/feed": SIGNED_IN,
    "POST /calendar/feed/revoke": SIGNED_IN,
    "GET /cases/<int:case_id>": decide(lead=OK, reviewer=OK, other_review=HIDDEN),
    "GET /concerns": decide(lead=OK, other_review=HIDDEN),
    "GET /concerns/contacts": decide(lead=OK, coordinator=OK, other_review=HIDDEN),
    "POST /concerns/contacts": decide(lead=OK, coordinator=OK, other_review=HIDDEN),
    "GET /evidence": decide(OK, link=FORBIDDEN, coordinator=FORBIDDEN, other_review=HIDDEN),
    "GET /evidence/export": decide(OK, link=FORBIDDEN, coordinator=FORBIDDEN, other_review=HIDDEN),
    "GET /evidence/export.csv": decide(OK, link=FORBIDDEN, coordinator=FORBIDDEN, other_review=HIDDEN),
    "GET /evidence/export.docx": decide(OK, link=FORBIDDEN, coordinator=FORBIDDEN, other_review=HIDDEN),
    "GET /export/programme.csv": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /feedback": decide(OK, coordinator=FORBIDDEN, other_review=HIDDEN),
    "POST /feedback/actions": decide(lead=OK, other_review=HIDDEN),
    "GET /feedback/questions": decide(lead=OK, other_review=HIDDEN),
    "POST /feedback/questions": decide(lead=OK, other_review=HIDDEN),
    "GET /glossary": SIGNED_IN,
    "GET /healthz": EVERYONE,
    "GET /invite/<token>": decide(HIDDEN, signed_out=HIDDEN),  # a calendar token is no invitation
    "POST /invite/<token>": decide(HIDDEN, signed_out=HIDDEN),
    "GET /itinerary": SIGNED_IN,
    "GET /login": EVERYONE,
    "POST /login": EVERYONE,
    "POST /login/passkey": EVERYONE,
    "POST /login/passkey/options": EVERYONE,
    "GET /login/two-factor": decide(SIGN_IN),
    "POST /login/two-factor": decide(SIGN_IN),
    "POST /logout": decide(SIGN_IN),
    "GET /manifest.webmanifest": EVERYONE,
    "GET /needs": decide(OK, reviewer=FORBIDDEN, lay=FORBIDDEN, other_review=HIDDEN),
    "POST /needs": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /notes/<note_id>/history": decide(HIDDEN, lead=OK, reviewer=OK),
    "GET /offline": EVERYONE,
    "GET /outbox": SIGNED_IN,
    "GET /participants/<int:participant_id>/export.json": decide(lead=OK, other_review=HIDDEN),
    "GET /participants/<int:participant_id>/rights": decide(lead=OK, other_review=HIDDEN),
    "POST /participants/<int:participant_id>/withdraw": decide(lead=OK, other_review=HIDDEN),
    "GET /password-reset": EVERYONE,
    "POST /password-reset": EVERYONE,
    "GET /password-reset/<token>": decide(HIDDEN, signed_out=HIDDEN),
    "POST /password-reset/<token>": decide(HIDDEN, signed_out=HIDDEN),
    "GET /privacy": EVERYONE,
    "GET /programme": decide(OK, reviewer=FORBIDDEN, lay=FORBIDDEN, other_review=HIDDEN),
    "POST /programme/cases": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/cases/<int:case_id>": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /programme/cases/<int:case_id>/edit": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/cases/<int:case_id>/remove": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/cases/<int:case_id>/restore": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/cases/<int:case_id>/status-from-visits": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /programme/import": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/import": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/import/confirm": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /programme/import/template.csv": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/locations": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/locations/<int:location_id>": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /programme/locations/<int:location_id>/edit": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/locations/<int:location_id>/remove": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/locations/<int:location_id>/restore": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/participants": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/participants/<int:participant_id>": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /programme/participants/<int:participant_id>/edit": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/participants/<int:participant_id>/remove": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/participants/<int:participant_id>/restore": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /programme/setup": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /programme/travel": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/travel": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /programme/travel/import": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/travel/import": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/travel/import/confirm": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/visits": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/visits/<int:visit_id>": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /programme/visits/<int:visit_id>/cancel": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/visits/<int:visit_id>/cancel": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /programme/visits/<int:visit_id>/edit": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/visits/<int:visit_id>/participants": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /programme/visits/<int:visit_id>/participants/<int:participant_id>/remove":
        decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /programme/visits/new": decide(lead=OK, link=OK, other_review=HIDDEN),
    "GET /static/<path:filename>": EVERYONE,
    "GET /sw.js": EVERYONE,
    "GET /themes": decide(lead=OK, other_review=HIDDEN),
    "POST /themes": decide(lead=OK, other_review=HIDDEN),
    "GET /visits/<int:visit_id>": decide(OK, other_review=HIDDEN),
    "GET /visits/<int:visit_id>/feedback": decide(reviewer=OK, other_review=HIDDEN),
    "POST /visits/<int:visit_id>/feedback": decide(reviewer=OK, other_review=HIDDEN),
    # A note on Rhys's home visit (FORMS): written by those on the visit; the lead reads every note but writes none
    # on a visit they are not on.
    "POST /visits/<int:visit_id>/ops": decide(reviewer=OK, other_review=HIDDEN),
    "GET /visits/<int:visit_id>/sections/<name>": decide(HIDDEN, lead=OK, reviewer=OK),
}

# Web Push (DESIGN section 13, visits/push): anyone signed in, about their own device only.
ROUTE_DECISIONS.update({
    "GET /api/push/key": SIGNED_IN,
    "POST /api/push/subscriptions": SIGNED_IN,  # an empty form: the field errors (400)
    "DELETE /api/push/subscriptions": SIGNED_IN,
})

# "Changed since you last looked" (DESIGN section 13, helper C): "Got it" is about the person's own itinerary; an
# empty form gets its field message (400), a change that is not theirs the same 400 as one that does not exist.
ROUTE_DECISIONS.update({
    "POST /itinerary/changes/seen": SIGNED_IN,
})

# The lone-worker ladder (DESIGN section 13, visits/alerts/views.py): its settings for the review's lead and link
# officers; one's own duress code; acknowledging an alert (walked with an event id that is nobody's: 404 for all;
# tests/api/test_lone_worker_ladder.py signs in as each role against a real event).
_STAND_INS["event_id"] = 999_999
ROUTE_DECISIONS.update({
    "GET /alerts/settings": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /alerts/settings": decide(lead=OK, link=OK, other_review=HIDDEN),
    "POST /alerts/<int:event_id>/acknowledge": decide(HIDDEN),
    "GET /account/duress-code": SIGNED_IN,
    "POST /account/duress-code": SIGNED_IN,
})
