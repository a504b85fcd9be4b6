"""Fieldwork's application package: one sub-package per thing a user does, shared rules beside them."""
