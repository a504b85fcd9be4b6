"""A participant's rights (DESIGN section 11, UK GDPR), for the review's lead reviewer: the page per participant,
the JSON export of everything held about them, and the record that they withdrew consent. Views in views.py,
what is held and what a withdrawal changes in service.py."""
