"""A review's themes (DESIGN section 12): the headings the evidence is gathered under, and a note carries any of
them. Each review starts with defaults for a joint review of social services; its lead reviewer adds, renames,
reorders, retires (a theme in use) or deletes (one never used) them.

Rules are pure functions (`check_name`, `moved`); the service functions apply them, audit every change (theme ids
and positions only) and leave committing to the caller.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from . import audit
from .clock import utcnow
from .extensions import db
from .models import Review, Theme, User, note_themes

NAME_MAX_CHARS = 120
MAX_THEMES = 40          # a review's themes, retired ones included: a list a phone can show as checkboxes
MAX_THEMES_ON_A_NOTE = 20

# The defaults: what a joint review of social services reports on (the guide's areas of work and DESIGN 12).
DEFAULT_THEMES = (
    _l("Access and information"),
    _l("Assessment and care planning"),
    _l("Involvement and choice"),
    _l("Safeguarding"),
    _l("Carers"),
    _l("Partnership working"),
    _l("Staffing and workload"),
    _l("Quality and outcomes"),
    _l("Leadership and management"),
    _l("Diversity and language"),
)


class ThemeError(ValueError):
    """A change refused, with the field its message belongs next to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# --- rules ---------------------------------------------------------------------------------------------------

def check_name(name: str, taken: Iterable[str]) -> str:
    """The name as it will be kept (spaces tidied); ThemeError when blank, too long or already a theme's name
    (case aside)."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ThemeError("name", _("Give the theme a name."))
    if len(cleaned) > NAME_MAX_CHARS:
        raise ThemeError("name", _("At most %(count)s characters.", count=NAME_MAX_CHARS))
    if cleaned.casefold() in {other.casefold() for other in taken}:
        raise ThemeError("name", _("There is already a theme called %(name)s.", name=cleaned))
    return cleaned


def moved(ids: Sequence[int], theme_id: int, step: int) -> list[int]:
    """`ids` with `theme_id` moved `step` places (-1 up, +1 down), staying inside the list."""
    order = list(ids)
    at = order.index(theme_id)
    to = max(0, min(len(order) - 1, at + step))
    order.insert(to, order.pop(at))
    return order


# --- reading -------------------------------------------------------------------------------------------------

def themes_of(review_id: int, *, with_retired: bool = True) -> list[Theme]:
    query = select(Theme).where(Theme.review_id == review_id)
    if not with_retired:
        query = query.where(Theme.retired_at.is_(None))
    return list(db.session.scalars(query.order_by(Theme.position, Theme.id)))


def ensure_themes(review: Review, by: Optional[User] = None) -> list[Theme]:
    """The review's themes, the defaults added first when it has none at all (a new review, or one from before
    themes existed). Flushes; the caller commits. A closed review is read-only: it keeps what it has, even none."""
    themes = themes_of(review.id)
    if themes or review.is_closed:
        return themes
    themes = [Theme(review_id=review.id, name=str(name), position=position)
              for position, name in enumerate(DEFAULT_THEMES)]
    db.session.add_all(themes)
    db.session.flush()
    audit.record(by, "themes.defaults", "review", review.id, review.id, count=len(themes))
    return themes


def offered_themes(review: Review) -> list[Theme]:
    """The themes a note form offers: the review's themes still in use, defaults added when it has none."""
    return [theme for theme in ensure_themes(review) if theme.retired_at is None]


def notes_per_theme(review_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(note_themes.c.theme_id, func.count()).join(Theme, Theme.id == note_themes.c.theme_id)
        .where(Theme.review_id == review_id).group_by(note_themes.c.theme_id))
    return {theme_id: count for theme_id, count in rows}


@dataclass(frozen=True)
class ThemeRow:
    theme: Theme
    notes: int

    @property
    def in_use(self) -> bool:
        return self.notes > 0


def theme_rows(review: Review) -> list[ThemeRow]:
    counts = notes_per_theme(review.id)
    return [ThemeRow(theme, counts.get(theme.id, 0)) for theme in ensure_themes(review)]


def resolve_note_themes(review_id: int, ids: Sequence[int]) -> list[Theme]:
    """The themes `ids` name, all of them this review's (retired ones too: a phone's page may predate the
    retirement); ThemeError on `themes` otherwise."""
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > MAX_THEMES_ON_A_NOTE:
        raise ThemeError("themes", _("At most %(count)s themes on one note.", count=MAX_THEMES_ON_A_NOTE))
    if not wanted:
        return []
    found = {theme.id: theme for theme in db.session.scalars(
        select(Theme).where(Theme.review_id == review_id, Theme.id.in_(wanted)))}
    unknown = [str(theme_id) for theme_id in wanted if theme_id not in found]
    if unknown:
        raise ThemeError("themes", _("Not one of this review's themes: %(ids)s. Reload the page to see them.",
                                     ids=", ".join(unknown)))
    return [found[theme_id] for theme_id in wanted]


# --- the lead's changes --------------------------------------------------------------------------------------

def _theme(review: Review, theme_id: Optional[int]) -> Theme:
    theme = db.session.get(Theme, theme_id) if theme_id is not None else None
    if theme is None or theme.review_id != review.id:
        raise ThemeError("theme_id", _("That theme is no longer here. Reload the page."))
    return theme


def add_theme(review: Review, name: str, *, by: User) -> Theme:
    themes = ensure_themes(review, by)
    if len(themes) >= MAX_THEMES:
        raise ThemeError("name", _("A review has at most %(count)s themes: retire or delete one first.",
                                   count=MAX_THEMES))
    theme = Theme(review_id=review.id, name=check_name(name, [t.name for t in themes]),
                  position=max((t.position for t in themes), default=-1) + 1)
    db.session.add(theme)
    db.session.flush()
    audit.record(by, "theme.add", "theme", theme.id, review.id)
    return theme


def rename_theme(review: Review, theme_id: Optional[int], name: str, *, by: User) -> Theme:
    theme = _theme(review, theme_id)
    others = [t.name for t in themes_of(review.id) if t.id != theme.id]
    cleaned = check_name(name, others)
    if cleaned != theme.name:
        theme.name = cleaned
        audit.record(by, "theme.rename", "theme", theme.id, review.id)
    return theme


def move_theme(review: Review, theme_id: Optional[int], step: int, *, by: User) -> Theme:
    theme = _theme(review, theme_id)
    themes = themes_of(review.id)
    order = moved([t.id for t in themes], theme.id, step)
    by_id = {t.id: t for t in themes}
    for position, tid in enumerate(order):
        by_id[tid].position = position
    audit.record(by, "theme.move", "theme", theme.id, review.id, position=order.index(theme.id))
    return theme


def retire_theme(review: Review, theme_id: Optional[int], *, by: User) -> Theme:
    """No longer offered on new notes; the notes that carry it keep it."""
    theme = _theme(review, theme_id)
    if theme.retired_at is None:
        theme.retired_at = utcnow()
        audit.record(by, "theme.retire", "theme", theme.id, review.id)
    return theme


def restore_theme(review: Review, theme_id: Optional[int], *, by: User) -> Theme:
    theme = _theme(review, theme_id)
    if theme.retired_at is not None:
        theme.retired_at = None
        audit.record(by, "theme.restore", "theme", theme.id, review.id)
    return theme


def delete_theme(review: Review, theme_id: Optional[int], *, by: User) -> None:
    """Only a theme no note carries: one in use is retired instead, so no note loses it."""
    theme = _theme(review, theme_id)
    if notes_per_theme(review.id).get(theme.id):
        raise ThemeError("theme_id", _("Notes carry this theme: retire it instead, so they keep it."))
    audit.record(by, "theme.delete", "theme", theme.id, review.id)
    db.session.delete(theme)
    db.session.flush()
