"""The visit page as the place to work: its forms become operations for visits.sync, the one write path."""
