"""The rules of codes (visits/two_factor/codes.py): a TOTP code is good within one step either side, and once."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyotp
import pytest

from visits.two_factor import codes

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOON = datetime(2026, 11, 23, 12, 0, 10, tzinfo=timezone.utc)


def code_at(moment: datetime) -> str:
    return pyotp.TOTP(SECRET).at(moment)


def step_of(moment: datetime) -> int:
    return pyotp.TOTP(SECRET).timecode(moment)


def test_the_current_code_is_accepted_and_names_its_step():
    assert codes.matching_step(SECRET, code_at(NOON), None, NOON) == step_of(NOON)


def test_spaces_and_hyphens_people_type_are_ignored():
    code = code_at(NOON)
    assert codes.matching_step(SECRET, f" {code[:3]} {code[3:]} ", None, NOON) == step_of(NOON)


@pytest.mark.parametrize("offset", [-30, 30])
def test_one_step_either_side_is_accepted(offset):
    assert codes.matching_step(SECRET, code_at(NOON + timedelta(seconds=offset)), None, NOON) is not None


@pytest.mark.parametrize("offset", [-60, 60, -300])
def test_two_steps_away_is_refused(offset):
    assert codes.matching_step(SECRET, code_at(NOON + timedelta(seconds=offset)), None, NOON) is None


def test_a_code_used_once_is_refused_the_second_time():
    step = codes.matching_step(SECRET, code_at(NOON), None, NOON)
    assert codes.matching_step(SECRET, code_at(NOON), step, NOON + timedelta(seconds=5)) is None


def test_an_older_code_is_refused_after_a_newer_one_was_used():
    newer = codes.matching_step(SECRET, code_at(NOON), None, NOON)
    earlier = code_at(NOON - timedelta(seconds=30))
    assert codes.matching_step(SECRET, earlier, newer, NOON) is None


def test_the_next_step_is_accepted_after_the_current_one_was_used():
    used = codes.matching_step(SECRET, code_at(NOON), None, NOON)
    assert codes.matching_step(SECRET, code_at(NOON + timedelta(seconds=30)), used, NOON) == used + 1


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "１２３４５６", None])
def test_what_is_not_six_digits_is_refused(code):
    assert codes.matching_step(SECRET, code, None, NOON) is None


def test_a_wrong_code_is_refused():
    right = code_at(NOON)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    window = {code_at(NOON + timedelta(seconds=s)) for s in (-30, 0, 30)}
    assert wrong in window or codes.matching_step(SECRET, wrong, None, NOON) is None


def test_recovery_codes_are_ten_different_codes_that_match_however_typed():
    recovery = codes.new_recovery_codes()
    assert len(recovery) == 10 and len(set(recovery)) == 10
    code = recovery[0]
    assert codes.looks_like_recovery_code(code.lower().replace("-", " "))
    assert codes.recovery_code_hash(code.lower().replace("-", "")) == codes.recovery_code_hash(code)
    assert codes.recovery_code_hash(recovery[1]) != codes.recovery_code_hash(code)


def test_a_totp_code_does_not_look_like_a_recovery_code():
    assert not codes.looks_like_recovery_code("123456")
