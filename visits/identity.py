"""How a service user, a carer or their home is named to someone who may not know who they are.

Whether a person may know is decided in visits/permissions.py (VisitAccess.identity, sees_identities); this
module only words the answer, once, for every page, export and finding (DESIGN section 2).
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _

from .vocabulary import PRIVATE_PARTICIPANT_KINDS, label


def person_name(name: str, kind, may_know: bool, case_reference: Optional[str] = None) -> str:
    """A service user or carer without the right to know them: their role and case reference instead."""
    if may_know or kind not in PRIVATE_PARTICIPANT_KINDS:
        return name
    role = label("participant_kind", kind)
    return f"{role} ({case_reference})" if case_reference else role


def private_text(text: Optional[str], about_private_person: bool, may_know: bool) -> str:
    """Free text written by the team about a service user, a carer or a visit to one (a need's details, a
    visit's briefing) may name them or say where they live: without the right to know them, none of it."""
    if may_know or not about_private_person:
        return text or ""
    return ""


def place_name(name: str, is_home: bool, may_know: bool) -> str:
    """Someone's home is part of who they are: without the right to know them, not where they live."""
    return name if may_know or not is_home else _("Service user's home")
