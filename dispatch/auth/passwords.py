"""Password hashing (argon2id via argon2-cffi) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Verified against when the username does not exist, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password-Xq9!")


def use_hasher(hasher: PasswordHasher) -> None:
    """Swap the hasher (the test suite uses cheap parameters to stay fast)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("not-a-real-password-Xq9!")


MIN_LENGTH = 8
MAX_LENGTH = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def policy_errors(password: str, username: str) -> list[str]:
    """Chinese reasons the password breaks the policy; empty when it is acceptable."""
    errors: list[str] = []
    if len(password) < MIN_LENGTH:
        errors.append(f"密码长度不能少于 {MIN_LENGTH} 个字符")
    if len(password) > MAX_LENGTH:
        errors.append(f"密码长度不能超过 {MAX_LENGTH} 个字符")
    classes = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if classes < 3:
        errors.append("密码须包含大写字母、小写字母、数字、特殊符号中的至少 3 类")
    if username and username.lower() in password.lower():
        errors.append("密码不能包含用户名")
    return errors
