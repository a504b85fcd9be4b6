"""Notes: writing them (note.save), their history, and merging a conflict copy."""
