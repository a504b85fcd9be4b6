"""Password hashing with argon2id at OWASP's minimum parameters (19 MiB, 2 iterations, 1 lane).

werkzeug's default scrypt is below OWASP's parameters, so we use argon2-cffi, which also tells us when a stored
hash was made with older parameters and should be upgraded at the next login.
"""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
