"""The public privacy page (DESIGN section 11): who sees what (table.py asks visits/permissions.py, so the table
cannot drift from the rules), what a phone keeps and when it goes, how long a review's data is kept, a person's
rights and whom to ask. The route is in views.py."""
