"""Concerns: safeguarding and health and safety, raised in the field and referred by the lead reviewer."""
