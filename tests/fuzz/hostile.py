"""Hostile values, as hypothesis strategies: what the 20,000-request probe of issue 8 sent.

Control characters, direction overrides and invisible characters, huge strings, digits
that ``str.isdigit()`` accepts and ``int()`` refuses, integers beyond 64 bits, numbers
that overflow a decimal, formula prefixes (alone, and in front of a value that would
otherwise pass, so that they reach the database and the export), impossible and extreme
dates, blanks.

Sizes are bounded (the longest string is 100,000 characters, built by repetition so
hypothesis does not have to draw it character by character). :data:`MISSING` stands for
a field left out of the request altogether.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


class _Missing:
    """A field left out of the request (printed as MISSING in a falsifying example)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

# C0 and C1 controls (ESC and NUL broke the year's export), DEL.
CONTROLS = ("\x1b", "\x00", "\x7f", "\x85", "\x9b", "\x08", "\x0b", "\x0c", "\r", "\n", "\t")
# Direction overrides and invisible characters (look-alike names such as admin + U+200B).
DIRECTION = ("\u202e", "\u202d", "\u2066", "\u200f", "\u061c")
INVISIBLE = ("\u200b", "\ufeff", "\u00ad", "\u2060", "\u200d")
LOOKALIKE = ("аdmin", "admin\u200b", "ｄｉｓｔ_a")  # Cyrillic а, full-width letters
# Accepted by str.isdigit(), refused by int(); or digits of other scripts.
UNICODE_DIGITS = ("²", "¹²", "²⁰²⁵", "١٢", "٢٠٢٥", "１２", "２０２５", "𝟚𝟘𝟚𝟝", "Ⅻ", "½", "༣")
NUMBERS = (
    str(2**31),
    str(2**63),
    str(2**64),
    str(-(2**63) - 1),
    "9" * 40,
    "1e999999999",
    "-1e999999999",
    "1e-999999999",
    "1E5",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "-0",
    "0",
    "-1",
    "0x1F",
    "1_000",
    "1,000",
    "１２.５",
    "+5",
    ".",
    "-",
    "0.0000000000000000000001",
)
FORMULAS = (
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "=1+1",
    "=cmd|'/C calc'!A0",
    "-2+3",
)
# Put in front of a sensible value: text a form may well accept, that a spreadsheet would
# evaluate if the export wrote it as it is.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t=", "\r=", '=HYPERLINK("http://x","y")&')
DATES = (
    "0001-01-01",
    "9999-12-31",
    "2025-02-30",
    "2025-13-01",
    "0000-00-00",
    "10000-01-01",
    "２０２５-０６-０１",
    "2025-6-1",
    "2025/06/01",
    "1900-02-29",
    "2025-06-01T00:00:00",
)
BLANKS = ("", " ", "\u3000", "\u00a0")
MARKUP = ("<script>alert(1)</script>", "' OR 1=1--", "{{7*7}}", "%s%n", "../../etc/passwd")

FIXED: tuple[str, ...] = (
    *CONTROLS,
    *DIRECTION,
    *INVISIBLE,
    *LOOKALIKE,
    *UNICODE_DIGITS,
    *NUMBERS,
    *FORMULAS,
    *DATES,
    *BLANKS,
    *MARKUP,
)
# Characters spliced into otherwise sensible values.
FRAGMENTS: tuple[str, ...] = (
    *CONTROLS,
    *DIRECTION,
    *INVISIBLE,
    "²",
    "١",
    "１",
    "=",
    "@",
)
_ALPHABET = (*CONTROLS, *DIRECTION, *INVISIBLE, *"²١１0189.-+eE=@ ", "甲", "\u3000")

# Repeated units: the longest is 100,000 characters (about 100 KB).
_HUGE_UNITS = ("x", "9", "\x1b", "\u200b", "=A1", "甲", "1e9")
_HUGE_COUNTS = (256, 2_001, 33_000, 100_000)


def repeat(unit: str, count: int) -> str:
    """``count`` characters of ``unit`` over and over (named: it is how examples print)."""
    return (unit * count)[:count]


def huge() -> st.SearchStrategy[str]:
    return st.builds(repeat, st.sampled_from(_HUGE_UNITS), st.sampled_from(_HUGE_COUNTS))


def splice(base: str, fragment: str, where: str) -> str:
    if where == "prefix":
        return fragment + base
    if where == "suffix":
        return base + fragment
    middle = len(base) // 2
    return base[:middle] + fragment + base[middle:]


def spliced(base: str) -> st.SearchStrategy[str]:
    """``base`` (a sensible value) with one hostile character put in front, middle or end."""
    return st.builds(
        splice,
        st.just(base),
        st.sampled_from(FRAGMENTS),
        st.sampled_from(("prefix", "middle", "suffix")),
    )


def prefixed(prefix: str, base: str) -> str:
    return prefix + base


def formula_looking(base: str) -> st.SearchStrategy[str]:
    return st.builds(prefixed, st.sampled_from(FORMULA_PREFIXES), st.just(base))


def mixed() -> st.SearchStrategy[str]:
    """Short strings mixing digits, signs, controls and direction characters."""
    return st.text(alphabet=st.sampled_from(_ALPHABET), min_size=1, max_size=12)


def hostile_value(
    base: str, *, choices: tuple[str, ...] = (), ids: tuple[str, ...] = ()
) -> st.SearchStrategy[Any]:
    """A hostile replacement for a field whose sensible value is ``base``.

    ``choices`` are the other options of a select; ``ids`` are ids of objects that exist
    (in or out of the actor's scope), so that a valid-looking id of the wrong object is
    tried too. May be :data:`MISSING`.
    """
    options: list[st.SearchStrategy[Any]] = [
        formula_looking(base),
        spliced(base),
        st.sampled_from(FIXED),
        huge(),
        mixed(),
        st.just(MISSING),
    ]
    if choices:
        options.append(st.sampled_from(choices))
    if ids:
        options.append(st.sampled_from(ids))
    return st.one_of(options)


def filename() -> st.SearchStrategy[str]:
    """Names of uploaded files (multipart headers carry no CR, LF or NUL)."""
    return st.sampled_from(
        (
            "计划清单.xlsx",
            "\x1b[31m.xlsx",
            "=HYPERLINK(1).xlsx",
            "a\u202exslx.exe",
            "x" * 300 + ".xlsx",
            "../../evil.xlsx",
            ".xlsx",
            "noext",
        )
    )


def draw_targets(data: Any, names: list[str], most: int) -> list[str]:
    """One to ``most`` distinct field names of ``names`` to make hostile in one example."""
    return data.draw(
        st.lists(st.sampled_from(names), min_size=1, max_size=min(most, len(names)), unique=True),
        label="fields",
    )
