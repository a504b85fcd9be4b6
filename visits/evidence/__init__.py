"""The evidence for the review's report (DESIGN section 12): every note the viewer may read, filtered and searched
with the database's own full-text engine. queries.readable_notes is the one query; search.py the engines."""
