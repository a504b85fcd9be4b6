"""Service users' feedback (DESIGN section 12): the easy-read questionnaire a lay assessor or reviewer hands over
on a visit (`feedback.record`, operations.py), the review's questions (questions.py), the lead's summaries
(summaries.py, pure) and the pages (views.py). Who sees what: permissions.feedback_view."""
