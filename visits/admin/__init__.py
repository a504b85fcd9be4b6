"""Administration (DESIGN section 10): reviews and accounts for site administrators, and a review's members
for its coordinator."""
