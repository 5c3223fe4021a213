"""Password hashing (argon2id via argon2-cffi) and the password policy.

The policy (等保 identification: 口令复杂度): at least :data:`MIN_LENGTH` characters, three
of the four character classes, not containing the user name (in any case), and not a
common password. "Common" means one of the 10,000 most common passwords of SecLists
(``common_passwords.txt``, lower-cased; see ``common_passwords.NOTICE``), compared without
regard to case, either as the whole password or as the word left when the digits and
symbols around it are taken off and look-alike digits are read as letters
(``P@ssw0rd2025`` is ``password``): most of the list is shorter than the minimum length,
so the whole-password comparison alone would almost never refuse anything the other
rules let through.
"""

from __future__ import annotations

import functools
from pathlib import Path

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


MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_CLASSES = 3
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# A word of the list shorter than this, found inside digits and symbols, is not refused:
# "Demo@2025!" stays allowed (the published demo password), "Admin@12345" does not.
MIN_COMMON_CORE = 5
# Digits and symbols written for letters ("p@ssw0rd"); a 1 is tried as i and as l.
_LOOK_ALIKES = (
    str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "5": "s",
                   "$": "s", "7": "t", "+": "t"}),
    str.maketrans({"@": "a", "4": "a", "0": "o", "1": "l", "!": "i", "3": "e", "5": "s",
                   "$": "s", "7": "t", "+": "t"}),
)  # fmt: skip

POLICY_TEXT = (
    f"密码至少 {MIN_LENGTH} 位，包含大写字母、小写字母、数字、特殊符号中的至少 {MIN_CLASSES} 类，"
    "不能包含用户名，也不能是常用密码（或常用密码加数字、符号）"
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list, one lower-case password per line."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def _core(lowered: str) -> str:
    """The password without the digits and symbols before its first and after its last
    ASCII letter ("!!password2025" → "password")."""
    letters = [i for i, c in enumerate(lowered) if "a" <= c <= "z"]
    if not letters:
        return ""
    return lowered[letters[0] : letters[-1] + 1]


def common_word(password: str) -> str | None:
    """The common password ``password`` is, or is built on; ``None`` when it is neither."""
    lowered = password.lower()
    listed = common_passwords()
    if lowered in listed:
        return lowered
    core = _core(lowered)
    for candidate in (core, *(core.translate(table) for table in _LOOK_ALIKES)):
        if len(candidate) >= MIN_COMMON_CORE and candidate in listed:
            return candidate
    return None


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters the password uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def policy_errors(password: str, username: str) -> list[str]:
    """Chinese reasons the password breaks the policy; empty when it is acceptable."""
    errors: list[str] = []
    if len(password) < MIN_LENGTH:
        errors.append(f"密码长度不能少于 {MIN_LENGTH} 个字符")
    if len(password) > MAX_LENGTH:
        errors.append(f"密码长度不能超过 {MAX_LENGTH} 个字符")
    if character_classes(password) < MIN_CLASSES:
        errors.append(f"密码须包含大写字母、小写字母、数字、特殊符号中的至少 {MIN_CLASSES} 类")
    if username and username.lower() in password.lower():
        errors.append("密码不能包含用户名（不区分大小写）")
    word = common_word(password)
    if word is not None and word == password.lower():
        errors.append("密码过于常见（在常用密码表中），容易被猜中")
    elif word is not None:
        errors.append(f"密码由常用密码“{word}”加数字或符号构成，容易被猜中")
    return errors
