"""Needs flags: interpreters, advocates, support; raised by the team, arranged by the link officer."""
