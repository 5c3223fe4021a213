"""Input hygiene: the one place that decides what text, numbers, ids and dates may enter.

Every form field (``forms.fields``), every workbook cell (``dispatch.workbooks``) and every
service that takes raw input calls these functions, so a rule fixed here is fixed
everywhere. Each refusal is an :class:`InputError` whose message names the field and the
reason in Chinese and never echoes more than a short prefix of what was typed.

Pure standard library: usable from forms, workbooks, services and the domain core alike.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

# Ids are INTEGER columns: PostgreSQL's int4 is the narrower of the two backends.
DB_INT_MAX = 2**31 - 1
# Prefix of a bad value shown back in a message.
SHOWN_CHARS = 20
# Digit strings longer than these are refused before being converted to numbers.
_INT_DIGITS = 20
_DECIMAL_CHARS = 64

# The earliest date any input may carry (plans, progress, audit filters): the product's
# data starts in the 2000s, and Python's date arithmetic overflows near year 1 and 9999.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)

_ASCII_INT = re.compile(r"[+-]?[0-9]+")
_ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# C0 and C1 controls (exactly Unicode category Cc), surrogates, and the two noncharacters
# XML (so a workbook) cannot hold. Tab and newline are admitted in multi-line text.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Bidirectional controls (Trojan-source style reordering): never useful in this product.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Invisible characters that make look-alike names and codes (admin + U+200B).
_INVISIBLE = re.compile("[\u00ad\u034f\u180e\u200b-\u200d\u2060-\u2064\ufeff]")
# User names: what a person can type and read unambiguously on any keyboard.
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
USERNAME_MAX = 64
# Mainland mobile numbers, landlines with area code and optional extension, 400/800 lines.
# The shape is checked, not the numbering plan: after an area code any 7 or 8 digits pass
# (people type 0531-1234567 in test data and forms alike); without one, the number may
# not start with 0 or 1, so a mistyped mobile number is not taken for a landline.
_EXTENSION = r"(?:[- ]?(?:转|-|ext\.?)?[0-9]{1,6})?"
_PHONE = re.compile(
    r"(?:\+?86[- ]?)?1[3-9][0-9]{9}"
    rf"|(?:\+?86[- ]?)?\(?0[1-9][0-9]{{1,2}}\)?[- ]?[1-9][0-9]{{6,7}}{_EXTENSION}"
    rf"|[2-9][0-9]{{6,7}}{_EXTENSION}"
    r"|[48]00[- ]?[0-9]{3}[- ]?[0-9]{4}"
)


class InputError(ValueError):
    """A value was refused; ``message`` is the Chinese text shown to the user.

    ``kind`` says which rule refused it, for callers that report classes of problems
    differently (an accounting error code, a filter's format hint): ``format`` (not a
    number, not a date), ``range`` (outside the bounds or the window, too large a number),
    ``length`` (too long, too many decimals) or ``characters`` (control, direction or
    invisible characters).
    """

    def __init__(self, message: str, kind: str = "format"):
        super().__init__(message)
        self.message = message
        self.kind = kind


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """A short, printable prefix of ``value`` for messages."""
    text = "".join(ch if ch.isprintable() else "�" for ch in str(value)[: limit + 1])
    return text if len(text) <= limit else text[:limit] + "…"


def clean_text(
    value: object,
    label: str,
    *,
    max_length: int,
    multiline: bool = False,
    identifier: bool = False,
) -> str:
    """NFC text without control characters, within ``max_length``; stripped at both ends.

    ``multiline`` admits newline and tab (CR LF becomes LF); ``identifier`` (names, codes,
    user names) also refuses invisible characters such as U+200B. Bidirectional controls
    are refused everywhere. The length is checked first, so a megabyte is refused at once.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    if len(text) > max_length:
        raise InputError(
            f"{label}过长：最多 {max_length} 个字符，当前 {len(text)} 个", kind="length"
        )
    control = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    if control is not None:
        ch = control.group()
        where = "换行、制表符等" if ch in "\n\r\t" else f"U+{ord(ch):04X}"
        raise InputError(f"{label}不能包含控制字符（{where}）", kind="characters")
    bidi = _BIDI.search(text)
    if bidi is not None:
        raise InputError(
            f"{label}不能包含文字方向控制字符（U+{ord(bidi.group()):04X}）", kind="characters"
        )
    invisible = _INVISIBLE.search(text) if identifier else None
    if invisible is not None:
        raise InputError(
            f"{label}不能包含不可见字符（U+{ord(invisible.group()):04X}）", kind="characters"
        )
    return text


def check_username(value: object, label: str = "用户名") -> str:
    """A user name: lower-case ASCII letters, digits and ``. _ -``, starting with a letter or
    digit (so ``admin`` + U+200B or a Cyrillic ``а`` cannot pass for ``admin``)."""
    text = clean_text(value, label, max_length=USERNAME_MAX, identifier=True)
    if text and not _USERNAME.fullmatch(text):
        raise InputError(
            f"{label}只能使用小写英文字母、数字和 . _ -，且以字母或数字开头", kind="characters"
        )
    return text


def parse_int(
    value: object, label: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An integer written in ASCII digits (no superscripts, no full-width or Arabic digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = str(value).strip() if value is not None else ""
    if not _ASCII_INT.fullmatch(text):
        raise InputError(f"{label}应为整数（只能使用 0-9），“{shown(text)}”无效")
    if len(text.lstrip("+-").lstrip("0")) > _INT_DIGITS:
        # Refused before int(): no bound any caller uses comes near 20 digits.
        raise InputError(f"{label}数值过大：“{shown(text)}”", kind="range")
    number = int(text)
    low = minimum is not None and number < minimum
    high = maximum is not None and number > maximum
    if (low or high) and minimum is not None and maximum is not None:
        raise InputError(f"{label}应在 {minimum} 至 {maximum} 之间", kind="range")
    if low:
        raise InputError(f"{label}不能小于 {minimum}", kind="range")
    if high:
        raise InputError(f"{label}不能大于 {maximum}", kind="range")
    return number


def parse_id(value: object) -> int | None:
    """A database id from a form or query string, or None when it cannot be one."""
    try:
        return parse_int(value, "编号", minimum=1, maximum=DB_INT_MAX)
    except InputError:
        return None


def parse_decimal(
    value: object,
    label: str,
    *,
    max_digits: int = 18,
    places: int = 6,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
) -> Decimal:
    """A finite decimal in ASCII digits with at most ``max_digits`` digits, ``places`` after
    the point (NaN, Infinity, exponents and 1e999999999 are refused before any arithmetic)."""
    text = str(value).strip().replace(",", "") if value is not None else ""
    if not _ASCII_DECIMAL.fullmatch(text):
        raise InputError(f"{label}应为数字，“{shown(text)}”无效")
    if len(text) > _DECIMAL_CHARS:
        # A digit string this long cannot pass the bounds below; refused before parsing it.
        raise InputError(
            f"{label}位数过多：整数部分最多 {max_digits - places} 位，小数最多 {places} 位",
            kind="length",
        )
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid text
        raise InputError(f"{label}应为数字，“{shown(text)}”无效") from exc
    digits_after = max(0, -number.as_tuple().exponent)  # type: ignore[operator]
    if digits_after > places:
        raise InputError(f"{label}最多保留 {places} 位小数", kind="length")
    if len(number.as_tuple().digits) - digits_after > max_digits - places:
        raise InputError(f"{label}数值过大：整数部分最多 {max_digits - places} 位", kind="range")
    if minimum is not None and number < minimum:
        raise InputError(f"{label}不能小于 {minimum}", kind="range")
    if maximum is not None and number > maximum:
        raise InputError(f"{label}不能大于 {maximum}", kind="range")
    return number


def parse_date(
    value: object, label: str, *, earliest: dt.date | None = None, latest: dt.date | None = None
) -> dt.date:
    """A ``YYYY-MM-DD`` date (a date or a midnight datetime passes through) inside the window."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip() if value is not None else ""
        if not re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", text):
            raise InputError(f"{label}格式应为 YYYY-MM-DD，“{shown(text)}”无效")
        try:
            day = dt.date(*(int(part) for part in text.split("-")))
        except ValueError as exc:
            raise InputError(f"{label}不是有效日期：“{shown(text)}”") from exc
    if earliest is not None and day < earliest:
        raise InputError(f"{label}不能早于 {earliest.isoformat()}", kind="range")
    if latest is not None and day > latest:
        raise InputError(f"{label}不能晚于 {latest.isoformat()}", kind="range")
    return day


def check_phone(value: object, label: str = "联系电话") -> str:
    """A mainland mobile number, a landline (area code, extension) or a 400/800 line."""
    text = clean_text(value, label, max_length=32, identifier=True)
    if text and not _PHONE.fullmatch(text):
        raise InputError(
            f"{label}格式不正确：应为手机号（如 13812345678）或固定电话（如 0531-86123456）"
        )
    return text
