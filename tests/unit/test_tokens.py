"""Invitation and reset links (visits/accounts/tokens.py): single use, expiring, for one purpose, only for an
active account, and only a hash kept."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from visits.accounts import tokens
from visits.clock import system_utcnow
from visits.extensions import db
from visits.models import AccountToken, TokenPurpose

from ..support import factories as f

DAY = timedelta(days=1)


@pytest.fixture
def person(app):
    return f.gen_user()


def test_a_token_is_found_once_and_then_spent(person):
    token, expires_at = tokens.issue(person, TokenPurpose.invitation, DAY, None)
    row = tokens.find(token, TokenPurpose.invitation)
    assert row is not None and row.user_id == person.id
    assert expires_at - system_utcnow() <= DAY
    tokens.use(row)
    assert tokens.find(token, TokenPurpose.invitation) is None
    with pytest.raises(tokens.TokenAlreadyUsed):
        tokens.use(row)


def test_only_the_tokens_hash_is_stored(person):
    token, _ = tokens.issue(person, TokenPurpose.reset, DAY, None)
    db.session.flush()
    stored = db.session.scalars(db.select(AccountToken.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()] and token not in stored


def test_an_expired_token_is_not_found(person):
    token, _ = tokens.issue(person, TokenPurpose.reset, -timedelta(seconds=1), None)
    assert tokens.find(token, TokenPurpose.reset) is None
    fresh, _ = tokens.issue(person, TokenPurpose.reset, DAY, None)
    row = tokens.find(fresh, TokenPurpose.reset)
    row.expires_at = system_utcnow() - timedelta(seconds=1)
    assert tokens.find(fresh, TokenPurpose.reset) is None


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 129])
def test_an_unknown_or_absurd_token_is_not_found(person, token):
    tokens.issue(person, TokenPurpose.invitation, DAY, None)
    assert tokens.find(token, TokenPurpose.invitation) is None


def test_a_token_is_only_good_for_its_own_purpose(person):
    token, _ = tokens.issue(person, TokenPurpose.invitation, DAY, None)
    assert tokens.find(token, TokenPurpose.reset) is None
    assert tokens.find(token, TokenPurpose.invitation) is not None


def test_a_disabled_accounts_token_is_not_found(person):
    token, _ = tokens.issue(person, TokenPurpose.reset, DAY, None)
    person.active = False
    assert tokens.find(token, TokenPurpose.reset) is None


def test_a_new_link_makes_the_earlier_one_stop_working(person):
    first, _ = tokens.issue(person, TokenPurpose.reset, DAY, None)
    second, _ = tokens.issue(person, TokenPurpose.reset, DAY, None)
    assert tokens.find(first, TokenPurpose.reset) is None
    assert tokens.find(second, TokenPurpose.reset) is not None
