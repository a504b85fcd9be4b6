"""The password policy (DESIGN section 10): long enough, not a common one, not made of the person's own name or
email; no composition rules."""
from __future__ import annotations

import pytest

from visits.accounts.policy import MIN_LENGTH, common_passwords, password_problems


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


def test_the_shipped_list_has_at_least_ten_thousand_common_passwords():
    listed = common_passwords()
    assert len(listed) >= 10_000
    assert {"password", "123456", "qwerty"} <= listed


def test_a_short_password_is_refused_with_the_length_to_reach():
    (problem,) = password_problems("a" * (MIN_LENGTH - 1))
    assert "at least 12 characters" in problem


@pytest.mark.parametrize("password", ["password1234", "1qaz2wsx3edc", "iloveyou1234", "Password12345"])
def test_a_common_password_is_refused(password):
    assert any("most common" in problem for problem in password_problems(password))


@pytest.mark.parametrize("password", ["baseball2024!!", "sunshine123456", "!!!superman!!!", "dragon  123456"])
def test_a_common_password_with_digits_or_punctuation_added_is_still_refused(password):
    assert any("most common" in problem for problem in password_problems(password))


@pytest.mark.parametrize("password", ["rhys.jones-secret-words", "my name is JONES forever", "RhysRhysRhys2026"])
def test_a_password_holding_the_email_local_part_or_the_name_is_refused(password):
    problems = password_problems(password, email="rhys.jones@example.test", name="Rhys Jones")
    assert any("name or email" in problem for problem in problems)


def test_a_long_passphrase_is_fine_without_digits_capitals_or_symbols():
    assert password_problems("marmalade kettle orchard seventeen", email="rhys@example.test",
                             name="Rhys Jones") == []


def test_very_long_passwords_are_refused_so_one_post_cannot_ask_for_unbounded_hashing():
    assert password_problems("x y z " * 100)
