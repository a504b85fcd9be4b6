"""Alerts that reach people (DESIGN section 13): the server's timer, not a page someone must be watching.

contract.py  what every producer of alerts and every channel agree on (a leaf module)
"""
