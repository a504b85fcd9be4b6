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
