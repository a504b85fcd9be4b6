"""Attendance and check-in/out: who came, and where the review team is (lone-worker safety)."""
