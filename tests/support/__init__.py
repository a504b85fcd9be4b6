"""Plain helpers the tests import: data generators, the shared world, clients and page readers.

Pytest fixtures stay in the conftest.py files; what a test calls by name lives here.
"""
