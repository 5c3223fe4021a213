"""Unified social credit code check per GB 32100-2015."""

from __future__ import annotations

import pytest

from models import is_valid_uscc
from models.orgs import USCC_ALPHABET

VALID = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", VALID)
def test_valid_samples_pass(code):
    assert is_valid_uscc(code)


@pytest.mark.parametrize("code", VALID)
def test_every_single_character_change_fails(code):
    changed = 0
    for position in range(len(code)):
        for symbol in USCC_ALPHABET:
            if symbol == code[position]:
                continue
            mutated = code[:position] + symbol + code[position + 1 :]
            assert not is_valid_uscc(mutated), mutated
            changed += 1
    assert changed == 18 * 30


@pytest.mark.parametrize(
    "code",
    ["", "91350100M000100Y4", "91350100M000100Y431", "91350100m000100y43", "91350100I000100Y43"],
)
def test_malformed_codes_fail(code):
    assert not is_valid_uscc(code)
