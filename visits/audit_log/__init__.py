"""The audit log (DESIGN section 2): who read or changed what, when, and from where; for a review's lead reviewer
and coordinator. The blueprint is in views.py; the page of events it shows is put together in queries.py."""
