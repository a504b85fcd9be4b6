"""Accounts (DESIGN section 10): invitations and reset links, the password policy, mail, one's own account."""
